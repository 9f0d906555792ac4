"""Walk rules as data: which OSM ways and nodes a profile may use.

Two ordered tables decide, first match wins: :data:`WAY_RULES` for highway ways and
:data:`NODE_RULES` for nodes on them (a blocked node cuts the way there). Each rule names the
tag values it reads, its effect, the profiles it applies to and why. The documentation
(``docs/walk-rules.md``) is rendered from these tables by :func:`rules_markdown`, and a test
checks that the two agree, so what the code does and what the docs say cannot drift.

Profiles: ``walk`` (residents on foot) and ``rollator`` (with a rollator or walking frame:
no steps, nothing tagged ``wheelchair=no``, no incline steeper than
:data:`ROLLATOR_MAX_INCLINE_PERCENT`, no raised kerbs or stiles). Speeds are settings
(``geo.settings.Settings.speed_m_per_s``), not rules.

Walking is undirected: ``oneway`` restricts vehicles, not pedestrians (``oneway:foot`` is rare
and not read).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

Effect = Literal["walk", "exclude"]
ProfileName = Literal["walk", "rollator"]
PROFILES: tuple[ProfileName, ...] = ("walk", "rollator")
BOTH: tuple[ProfileName, ...] = PROFILES
ROLLATOR: tuple[ProfileName, ...] = ("rollator",)

#: Steeper than this (percent, up or down) is too steep with a rollator. The Dutch accessibility
#: guideline (CROW / Bouwbesluit ramps) allows about 1:20 over longer distances; we use 6 %.
ROLLATOR_MAX_INCLINE_PERCENT = 6.0

ANY = "*"


@dataclass(frozen=True)
class Rule:
    """``key`` in ``values`` (or ``key`` present with any value: ``("*",)``) → ``effect``."""

    key: str
    values: tuple[str, ...]
    effect: Effect
    profiles: tuple[ProfileName, ...]
    reason: str

    @property
    def label(self) -> str:
        """``highway=motorway|motorway_link`` (for reports and docs)."""
        return f"{self.key}={'|'.join(self.values)}"


WALKABLE_HIGHWAYS = (
    "footway",
    "path",
    "pedestrian",
    "steps",
    "living_street",
    "residential",
    "service",
    "unclassified",
    "track",
    "road",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "cycleway",
    "bridleway",
    "corridor",
    "platform",
)

#: Way rules, in order; the first that matches decides. A way no rule matches is excluded.
WAY_RULES: tuple[Rule, ...] = (
    Rule(
        "highway",
        ("construction", "proposed", "planned", "abandoned", "disused", "razed"),
        "exclude",
        BOTH,
        "not (yet or any longer) a road",
    ),
    Rule(
        "highway",
        ("motorway", "motorway_link"),
        "exclude",
        BOTH,
        "motorway: closed to pedestrians by law, whatever foot says",
    ),
    Rule("foot", ("no", "use_sidepath"), "exclude", BOTH, "pedestrians not allowed"),
    Rule("highway", ("steps",), "exclude", ROLLATOR, "steps"),
    Rule("wheelchair", ("no",), "exclude", ROLLATOR, "tagged unusable with wheels"),
    Rule(
        "incline",
        ("steep",),
        "exclude",
        ROLLATOR,
        f"incline steeper than {ROLLATOR_MAX_INCLINE_PERCENT:g} % (numeric values)",
    ),
    Rule(
        "foot",
        ("yes", "designated", "permissive"),
        "walk",
        BOTH,
        "explicitly open to pedestrians (overrides access and trunk)",
    ),
    Rule("access", ("no", "private"), "exclude", BOTH, "no public access, no foot override"),
    Rule(
        "highway",
        ("trunk", "trunk_link"),
        "exclude",
        BOTH,
        "trunk road: walkable only with foot=yes|designated",
    ),
    Rule(
        "highway",
        WALKABLE_HIGHWAYS,
        "walk",
        BOTH,
        "walkable road or path (roads with sidewalk=separate included: the sidewalk's own "
        "way is usually connected only at crossings)",
    ),
)

#: Node rules: a matching node blocks the way at that node (both adjacent segments).
NODE_RULES: tuple[Rule, ...] = (
    Rule("foot", ("yes", "designated", "permissive"), "walk", BOTH, "open to pedestrians"),
    Rule("foot", ("no",), "exclude", BOTH, "barrier closed to pedestrians"),
    Rule("access", ("no", "private"), "exclude", BOTH, "barrier without public access"),
    Rule("wheelchair", ("no",), "exclude", ROLLATOR, "barrier unusable with wheels"),
    Rule("kerb", ("raised", "regular"), "exclude", ROLLATOR, "raised kerb"),
    Rule(
        "barrier",
        ("stile", "turnstile", "kissing_gate", "full-height_turnstile"),
        "exclude",
        ROLLATOR,
        "stile or turnstile",
    ),
)

#: Identifies this rule set in cache keys: changes whenever a rule changes.
RULES_VERSION = hashlib.sha256(
    repr((WAY_RULES, NODE_RULES, ROLLATOR_MAX_INCLINE_PERCENT)).encode()
).hexdigest()[:12]

#: What :func:`classify_ways` reports for ways no rule matched.
UNMATCHED = "highway=<other>"


def check_profile(name: str) -> ProfileName:
    """Return ``name`` if it is a known profile; raise ``ValueError`` listing them otherwise."""
    for profile in PROFILES:
        if profile == name:
            return profile
    raise ValueError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")


def classify_ways(
    tags: tuple[dict[str, str], ...], profile: ProfileName
) -> tuple[NDArray[np.bool_], NDArray[np.object_]]:
    """Per way: walkable for ``profile``, and the label of the rule that decided.

    Vectorised: one boolean mask per rule over a frame of the ways' tags.
    """
    frame = _tag_frame(tags, ("highway", "foot", "access", "wheelchair", "incline"))
    frame["incline"] = pd.Series(_steep(frame["incline"])).map({True: "steep", False: None})
    return _decide(frame, WAY_RULES, profile, default_walk=False, default_label=UNMATCHED)


def blocked_nodes(node_tags: dict[int, dict[str, str]], profile: ProfileName) -> NDArray[np.int64]:
    """OSM ids of the nodes that block ways for ``profile`` (sorted)."""
    if not node_tags:
        return np.empty(0, dtype=np.int64)
    ids = np.fromiter(node_tags, dtype=np.int64, count=len(node_tags))
    frame = _tag_frame(
        tuple(node_tags.values()), ("barrier", "kerb", "foot", "access", "wheelchair")
    )
    passable, _labels = _decide(frame, NODE_RULES, profile, default_walk=True, default_label="")
    return np.sort(ids[~passable])


def _tag_frame(tags: tuple[dict[str, str], ...], keys: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(tags), columns=list(keys))
    return frame.astype(object).where(frame.notna(), None)


def _decide(
    frame: pd.DataFrame,
    rules: tuple[Rule, ...],
    profile: ProfileName,
    *,
    default_walk: bool,
    default_label: str,
) -> tuple[NDArray[np.bool_], NDArray[np.object_]]:
    n = len(frame)
    walk = np.full(n, default_walk)
    label = np.full(n, default_label, dtype=object)
    open_ = np.ones(n, dtype=bool)
    for rule in rules:
        if profile not in rule.profiles:
            continue
        column = frame[rule.key]
        hit = column.notna().to_numpy() if rule.values == (ANY,) else column.isin(rule.values)
        hit = np.asarray(hit, dtype=bool) & open_
        walk[hit] = rule.effect == "walk"
        label[hit] = rule.label
        open_ &= ~hit
    return walk, label


def _steep(incline: pd.Series) -> NDArray[np.bool_]:
    """True where ``incline`` is a number steeper than the rollator limit (``8%``, ``-10 %``,
    ``5°``); ``up``/``down``/``yes`` say nothing about how steep and are not counted."""
    text = incline.astype("string").str.strip()
    parts = text.str.extract(r"^(?P<value>[-+]?\d+(?:[.,]\d+)?)\s*(?P<unit>%|°)?$")
    value = pd.to_numeric(parts["value"].str.replace(",", ".", regex=False), errors="coerce")
    degrees = parts["unit"] == "°"
    percent = value.where(~degrees, np.tan(np.radians(value)) * 100.0)
    return np.asarray((percent.abs() > ROLLATOR_MAX_INCLINE_PERCENT).fillna(False), dtype=bool)


def rules_markdown() -> str:
    """The rule tables as Markdown (``docs/walk-rules.md`` is this text)."""
    lines = [
        "# Walk rules",
        "",
        "Generated from `geo/network/rules.py` (`python -m geo.network.rules > "
        "docs/walk-rules.md`); a test keeps the two the same. "
        f"Rules version `{RULES_VERSION}` (part of the network cache key).",
        "",
        "## Ways (`highway=*`), first match wins; a way no rule matches is not walkable",
        "",
        *_table(WAY_RULES),
        "",
        "## Nodes on ways (barriers, kerbs), first match wins; a blocking node cuts the way",
        "",
        *_table(NODE_RULES),
        "",
        "## Notes",
        "",
        "- Walking is undirected: `oneway=*` restricts vehicles, not pedestrians.",
        "- A closed way with `area=yes` (a pedestrian square) is walked along its outline.",
        "- Roads with `sidewalk=separate` stay walkable unless `foot=no`: the separately drawn "
        "sidewalk often joins the road only at crossings, and dropping the road would cut "
        "those crossings off.",
        f"- `incline` counts only as a number (`8%`, `-10 %`, `4°`) steeper than "
        f"{ROLLATOR_MAX_INCLINE_PERCENT:g} %; `up`/`down` say nothing about how steep.",
        "- `barrier=kerb` without `kerb=*` is taken as passable (most Dutch crossings are "
        "lowered); only `kerb=raised|regular` blocks the rollator.",
        "- Only the largest connected component of the walkable ways is kept; the rest is "
        "reported (counts and metres) by `wsz network build`.",
    ]
    return "\n".join(lines) + "\n"


def _table(rules: tuple[Rule, ...]) -> list[str]:
    rows = ["| # | tag | effect | profiles | why |", "|---|---|---|---|---|"]
    for number, rule in enumerate(rules, start=1):
        values = ", ".join(f"`{v}`" for v in rule.values)
        effect = "walkable" if rule.effect == "walk" else "**not walkable**"
        if rule.key == "incline":
            values = f"steeper than {ROLLATOR_MAX_INCLINE_PERCENT:g} %"
        rows.append(
            f"| {number} | `{rule.key}` = {values} | {effect} | {', '.join(rule.profiles)} "
            f"| {rule.reason} |"
        )
    return rows


if __name__ == "__main__":
    print(rules_markdown(), end="")
