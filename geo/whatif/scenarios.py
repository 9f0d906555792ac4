"""Named scenarios: a what-if answer kept under a name, beside (never mixed with) the real
voorzieningen, and what one says: who is within the norm before and after, per zone and buurt.

A what-if question is read-only; a planner who wants to keep an answer saves it as a named
:class:`Scenario`: its request (category, norm, k, weight, method, candidates, closures), its
sites (the chosen, closed and candidate points, RD New), its figures (residents and 65+
beyond the norm before and after, newly covered and losing coverage, per zone and buurt) and
the store version it was computed on. Storage is :mod:`geo.store.scenarios`; the chain that
computes one is :mod:`geo.pipeline` (what-if: scenarios).

Arrays and frames in, frames out; no CRS is assumed here but RD New for the sites. Counts are
residents (fractional: CBS figures spread over points), shares 0..1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.crs import WORKING_CRS
from geo.errors import ConflictError, QueryError
from geo.whatif.reach import Reach

if TYPE_CHECKING:
    from geo.whatif.closing import ClosureImpact
    from geo.whatif.median import MedianPlacement
    from geo.whatif.report import Placement

ScenarioKind = Literal["placement", "closure"]
#: What a scenario answers: newly within the norm (a coverage placement), the mean walking
#: distance (a distance placement, p-median) or who loses coverage (a closure).
Objective = Literal["coverage", "distance", "closure"]
SiteRole = Literal["chosen", "closed", "candidate"]
#: A scenario's name: 1-64 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or
#: digit (safe in a URL path, a file name and a GeoPackage value alike).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_NAME_LENGTH = 64
#: Columns of a scenario's sites (plus ``geometry``, RD New points).
SITE_COLUMNS = ("role", "id", "rank", "gain", "bu_code", "zone_code")
#: Figures per area (and in the totals): residents, 65+ and who is beyond the norm when.
FIGURES = (
    "residents",
    "residents_65plus",
    "residents_beyond_before",
    "residents_beyond_after",
    "residents_65plus_beyond_before",
    "residents_65plus_beyond_after",
    "residents_newly_covered",
    "residents_65plus_newly_covered",
    "residents_losing",
    "residents_65plus_losing",
)


def check_name(name: str) -> str:
    """``name`` if it can name a scenario; :class:`QueryError` saying why otherwise."""
    if not isinstance(name, str) or not name:
        raise QueryError("a scenario needs a name (1-64 letters, digits, '.', '_' or '-')")
    if len(name) > MAX_NAME_LENGTH:
        raise QueryError(
            f"scenario name {name[:20]!r}…: {len(name)} characters, more than the "
            f"{MAX_NAME_LENGTH} a name may have"
        )
    if not NAME.fullmatch(name):
        raise QueryError(
            f"scenario name {name!r}: use letters, digits, '.', '_' or '-' only, starting with "
            "a letter or digit (no spaces or slashes)"
        )
    return name


@dataclass(frozen=True, eq=False)
class Scenario:
    """One saved what-if answer (see the module docstring).

    ``request``: what was asked (JSON-ready: ``category``, ``norm_m``, ``k``, ``weight``,
    ``method``, ``candidates``, ``closures``); ``summary``: the totals of :data:`FIGURES`, the
    shares beyond before and after and, for a placement, the solver's figures; ``by_zone`` /
    ``by_buurt``: :data:`FIGURES` per area; ``sites``: :data:`SITE_COLUMNS`, RD New points.
    ``created`` is ISO 8601 UTC; ``store_version`` the store's version it was computed on.
    """

    name: str
    kind: ScenarioKind
    created: str
    store_version: str | None
    request: dict[str, Any]
    summary: dict[str, Any]
    by_zone: pd.DataFrame
    by_buurt: pd.DataFrame
    sites: gpd.GeoDataFrame

    @property
    def category(self) -> str:
        return str(self.request["category"])

    @property
    def norm_m(self) -> float:
        return float(self.request["norm_m"])

    @property
    def objective(self) -> Objective:
        """``coverage``, ``distance`` or ``closure`` (the request's ``objective``)."""
        default = "closure" if self.kind == "closure" else "coverage"
        found: Objective = self.request.get("objective", default)
        return found

    def is_stale(self, version: str | None) -> bool:
        """Whether the store has changed since this scenario was computed."""
        return self.store_version != version

    def brief(self, version: str | None) -> dict[str, Any]:
        """Name, kind, objective, when, on which store version (and whether stale), category,
        norm and the totals — a line of a list."""
        return {
            "name": self.name,
            "kind": self.kind,
            "objective": self.objective,
            "created": self.created,
            "store_version": self.store_version,
            "stale": self.is_stale(version),
            "category": self.category,
            "norm_m": self.norm_m,
            "sites": int((self.sites["role"] != "candidate").sum()),
            "summary": self.summary,
        }


def empty_sites() -> gpd.GeoDataFrame:
    """Sites of no scenario (RD New)."""
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=float if c in ("rank", "gain") else object) for c in SITE_COLUMNS},
        geometry=gpd.GeoSeries([], crs=WORKING_CRS),
        crs=WORKING_CRS,
    )


def site_frame(sites: gpd.GeoDataFrame, role: SiteRole) -> gpd.GeoDataFrame:
    """``sites`` (RD New, with ``id``; ``rank``, ``gain``, ``bu_code``, ``zone_code`` where
    known) as scenario sites of ``role``."""
    frame = pd.DataFrame(index=sites.index)
    frame["role"] = role
    frame["id"] = sites["id"].astype(str)
    for column in ("rank", "gain"):
        frame[column] = sites[column].astype(float) if column in sites else np.nan
    for column in ("bu_code", "zone_code"):
        values = sites[column].astype(object) if column in sites else None
        frame[column] = values.where(pd.notna(values), None) if values is not None else None
    return gpd.GeoDataFrame(frame, geometry=sites.geometry.values, crs=sites.crs).reset_index(
        drop=True
    )


def cover_figures(
    areas: pd.DataFrame,
    weights: tuple[NDArray[np.float64], NDArray[np.float64]],
    before: NDArray[np.bool_],
    after: NDArray[np.bool_],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Per zone, per buurt and in total: :data:`FIGURES`, from whether each resident point is
    within the norm ``before`` and ``after`` (``areas``: its ``bu_code`` and ``zone_code``,
    :func:`geo.whatif.report.areas_of`; ``weights``: residents and 65+ per point)."""
    residents, older = weights
    frame = areas.assign(
        residents=residents,
        residents_65plus=older,
        residents_beyond_before=np.where(before, 0.0, residents),
        residents_beyond_after=np.where(after, 0.0, residents),
        residents_65plus_beyond_before=np.where(before, 0.0, older),
        residents_65plus_beyond_after=np.where(after, 0.0, older),
        residents_newly_covered=np.where(after & ~before, residents, 0.0),
        residents_65plus_newly_covered=np.where(after & ~before, older, 0.0),
        residents_losing=np.where(before & ~after, residents, 0.0),
        residents_65plus_losing=np.where(before & ~after, older, 0.0),
    )
    columns = list(FIGURES)
    by_zone = frame.groupby("zone_code", as_index=False)[columns].sum().round(3)
    by_buurt = frame.groupby(["bu_code", "zone_code"], as_index=False)[columns].sum().round(3)
    totals = {c: round(float(frame[c].sum()), 3) for c in columns}
    totals.update(shares(totals))
    return by_zone, by_buurt, totals


def shares(totals: dict[str, float]) -> dict[str, float]:
    """The shares of residents and 65+ beyond the norm before and after (0..1)."""
    everyone = max(totals["residents"], 1e-12)
    older = max(totals["residents_65plus"], 1e-12)
    return {
        "share_beyond_before": round(totals["residents_beyond_before"] / everyone, 6),
        "share_beyond_after": round(totals["residents_beyond_after"] / everyone, 6),
        "share_65plus_beyond_before": round(totals["residents_65plus_beyond_before"] / older, 6),
        "share_65plus_beyond_after": round(totals["residents_65plus_beyond_after"] / older, 6),
    }


def reached(reach: Reach) -> NDArray[np.bool_]:
    """Demand points some site of ``reach`` reaches within its limit."""
    return np.bincount(reach.demand, minlength=reach.n_demand) > 0


@dataclass(frozen=True)
class SiteValue:
    """What one new site would bring ("a new voorziening here"): residents and 65+ newly
    within the norm, in total and per zone (``zone_code``, ``residents``,
    ``residents_65plus``); ``on_network``: False when the site is beyond the snap limit."""

    category: str
    norm_m: float
    residents: float
    residents_65plus: float
    by_zone: pd.DataFrame
    on_network: bool


def site_value(
    category: str,
    areas: pd.DataFrame,
    weights: tuple[NDArray[np.float64], NDArray[np.float64]],
    covered: NDArray[np.bool_],
    reach: Reach,
) -> SiteValue:
    """The value of the one site of ``reach`` to the points not ``covered`` now."""
    residents, older = weights
    newly = np.flatnonzero(reached(reach) & ~covered)
    frame = areas.iloc[newly].assign(residents=residents[newly], residents_65plus=older[newly])
    by_zone = frame.groupby("zone_code", as_index=False)[["residents", "residents_65plus"]].sum()
    by_zone = by_zone.sort_values("residents", ascending=False, ignore_index=True).round(3)
    return SiteValue(
        category,
        reach.limit_m,
        round(float(residents[newly].sum()), 3),
        round(float(older[newly].sum()), 3),
        by_zone,
        not bool(reach.site_off_network.any()),
    )


#: How a scenario's objective reads in a message.
OBJECTIVE_TEXT: dict[str, str] = {
    "coverage": "placement by coverage (newly within the norm)",
    "distance": "placement by mean walking distance",
    "closure": "closure",
}


def check_comparable(scenarios: list[Scenario], version: str | None) -> None:
    """Scenarios compared side by side share a category and norm, are all placements by mean
    walking distance or none is (:class:`QueryError` otherwise), and each was computed on the
    store as it is (:class:`ConflictError` saying which is stale otherwise)."""
    for scenario in scenarios:
        if scenario.is_stale(version):
            raise StaleScenarioError(scenario.name, scenario.store_version, version)
    if len({s.objective == "distance" for s in scenarios}) > 1:
        listed = ", ".join(f"{s.name}: {OBJECTIVE_TEXT[s.objective]}" for s in scenarios)
        raise QueryError(
            f"compare a placement by mean walking distance with another by distance only, not "
            f"with one by coverage or a closure (their figures answer different questions); "
            f"got {listed}"
        )
    kinds = {(s.category, s.norm_m) for s in scenarios}
    if len(kinds) > 1:
        listed = ", ".join(f"{s.name}: {s.category} {s.norm_m:.0f} m" for s in scenarios)
        raise QueryError(f"compare scenarios of one category and norm, got {listed}")


class StaleScenarioError(ConflictError):
    """A scenario computed on another version of the store than the current one."""

    title = "Stale scenario"

    def __init__(self, name: str, computed_on: str | None, now: str | None) -> None:
        super().__init__(
            f"scenario {name!r} was computed on store version {(computed_on or 'none')[:12]}, "
            f"but the store is now at version {(now or 'none')[:12]} (an import changed it); "
            "run the what-if again and save it with replace"
        )


def compare_frame(scenarios: list[Scenario]) -> pd.DataFrame:
    """Per zone: residents and 65+ beyond the norm today, then in each scenario (columns
    ``<name>_residents_beyond``, ``<name>_residents_65plus_beyond``), side by side; for
    placements by distance also the mean walking distance (``today_mean_m``, ``<name>_mean_m``,
    metres)."""
    first = scenarios[0].by_zone
    frame = first[["zone_code", "residents", "residents_65plus"]].copy()
    frame["today_residents_beyond"] = first["residents_beyond_before"]
    frame["today_residents_65plus_beyond"] = first["residents_65plus_beyond_before"]
    means = all(MEAN_AFTER in s.by_zone for s in scenarios)
    if means:
        frame["today_mean_m"] = first[MEAN_BEFORE]
    for scenario in scenarios:
        zone = scenario.by_zone.set_index("zone_code")
        columns = {
            "residents_beyond": "residents_beyond_after",
            "residents_65plus_beyond": "residents_65plus_beyond_after",
            **({"mean_m": MEAN_AFTER} if means else {}),
        }
        for name, column in columns.items():
            frame[f"{scenario.name}_{name}"] = frame["zone_code"].map(zone[column])
    return frame.sort_values("zone_code", ignore_index=True)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN as None)."""
    found: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return found


def placement_parts(
    placement: Placement, candidates: gpd.GeoDataFrame, described: dict[str, Any]
) -> tuple[dict[str, Any], gpd.GeoDataFrame, dict[str, Any]]:
    """A placement as a scenario's request, sites (chosen, then every candidate) and solver
    figures; ``described`` says where the candidates came from (an area, a file, points)."""
    s = placement.solution
    request = _placement_request(
        (placement.category, placement.norm_m, placement.weight, "coverage"), s, candidates,
        described,
    )  # fmt: skip
    if not placement.presence.empty:  # a site was placed in every area lacking one
        request["presence"] = sorted(set(placement.presence["level"]))
    solution = {
        "method": s.method,
        "status": s.status,
        "objective": round(s.objective, 3),
        "bound": round(s.bound, 3),
        "gap": round(s.gap, 6),
    }
    return request, _placement_sites(placement.sites, candidates), solution


#: The mean walking distance per zone before and after, in a distance scenario's ``by_zone``.
MEAN_BEFORE, MEAN_AFTER = "mean_before_m", "mean_after_m"


def median_parts(
    placement: MedianPlacement, candidates: gpd.GeoDataFrame, described: dict[str, Any]
) -> tuple[dict[str, Any], gpd.GeoDataFrame, dict[str, Any]]:
    """A placement by mean walking distance (p-median) as a scenario's request, sites and
    figures, like :func:`placement_parts`. Its ``norm_m`` is None (the category's threshold:
    :func:`geo.pipeline.whatif_scenario` adds who is within it before and after, as for every
    scenario); a site's ``gain`` is the weight it now serves nearest. The figures add the mean
    walking distances (m) before, after and the bound below which no k sites bring it."""
    s = placement.solution
    request = _placement_request(
        (placement.category, None, placement.weight, "distance"), s, candidates, described
    )
    request["limit_m"] = placement.limit_m
    solution: dict[str, Any] = {
        "method": s.method,
        "status": s.status,
        "objective": round(s.saving, 1),
        "bound": round(s.bound, 1),
        "gap": round(s.gap, 6),
        "mean_before_m": placement.mean_before_m,
        "mean_after_m": placement.mean_after_m,
        "mean_after_bound_m": placement.mean_after_bound_m,
        "unreachable_before": round(placement.unreachable_before, 3),
        "unreachable_after": round(placement.unreachable_after, 3),
    }
    solution = {k: round(v, 1) if k.startswith("mean") and v is not None else v
                for k, v in solution.items()}  # fmt: skip
    sites = placement.sites.rename(columns={"served": "gain"})
    return request, _placement_sites(sites, candidates), solution


def _placement_request(
    asked: tuple[str, float | None, str, Objective],
    solution: Any,
    candidates: gpd.GeoDataFrame,
    described: dict[str, Any],
) -> dict[str, Any]:
    """A placement's request (``asked``: category, norm, weight and objective)."""
    category, norm_m, weight, objective = asked
    return {
        "category": category,
        "norm_m": norm_m,
        "k": len(solution.chosen),
        "weight": weight,
        "objective": objective,
        "method": solution.method,
        "candidates": {**described, "count": len(candidates)},
        "closures": [],
    }


def _placement_sites(chosen: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The chosen sites, then every candidate, as scenario sites (RD New)."""
    sites = pd.concat(
        [site_frame(chosen, "chosen"), site_frame(candidates, "candidate")], ignore_index=True
    )
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=candidates.crs)


def closure_parts(
    impact: ClosureImpact, voorzieningen: gpd.GeoDataFrame
) -> tuple[dict[str, Any], gpd.GeoDataFrame]:
    """A closure as a scenario's request and sites (the closing voorzieningen, RD New)."""
    request = {
        "category": impact.category,
        "norm_m": impact.norm_m,
        "k": None,
        "weight": "residents",
        "objective": "closure",
        "method": None,
        "candidates": None,
        "closures": list(impact.closed),
    }
    closing = voorzieningen[voorzieningen["id"].astype(str).isin(impact.closed)]
    return request, site_frame(closing, "closed")
