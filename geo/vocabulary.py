"""The voorzieningen vocabulary: categories, their labels (NL/EN), thresholds and aliases.

The vocabulary lives in a YAML file (``data/voorzieningen.yaml`` by default, see its comments)
so that a municipality can add categories or change aliases without touching code. Input
values are matched case- and accent-insensitively against each category's code and aliases;
OpenStreetMap-style properties (``amenity=pharmacy``) are matched against ``osm_tags``.

One voorziening can serve several categories (a gezondheidscentrum with huisartsen, a pharmacy
inside it): a category column may list several, separated by ``;`` (``huisarts;apotheek``);
every OSM tag the vocabulary knows counts (``amenity=doctors`` + ``healthcare=centre``); and a
category's ``also`` rule adds it to a voorziening of another category whose name holds one of
its ``names`` (as whole words) or which has one of its ``osm_tags`` (:meth:`Vocabulary.also`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from geo.common.text import strip_accents
from geo.common.yamlsafe import YamlExpansionError, load_yaml
from geo.errors import ConfigurationError, ReadError

CategoryCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
#: What separates several categories in one cell of a category column.
CATEGORY_SEPARATOR = ";"


class AlsoRule(BaseModel):
    """When a voorziening read as another category also serves this one: its name holds one
    of ``names`` (whole words, case and accents ignored) or it has one of ``osm_tags``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    names: tuple[str, ...] = ()
    osm_tags: tuple[str, ...] = ()


#: The areas a presence norm ("at least one in every ...") can be declared for.
PresenceLevel = Literal["wijk", "zone"]
PRESENCE_LEVELS: tuple[PresenceLevel, ...] = ("wijk", "zone")


class Category(BaseModel):
    """One kind of voorziening, e.g. ``huisarts``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: CategoryCode
    label_nl: str
    label_en: str
    threshold_m: float = Field(gt=0, description="Walking distance norm in metres.")
    norm_source: str = Field(description="Where the default threshold comes from.")
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    symbol: str = Field(min_length=1, max_length=2, description="Letter(s) on the map marker.")
    aliases: tuple[str, ...] = ()
    osm_tags: tuple[str, ...] = ()
    cbs_columns: tuple[str, ...] = Field(
        default=(),
        description="CBS nabijheid columns with the distance (km) to this kind of voorziening.",
    )
    also: AlsoRule = AlsoRule()
    presence: tuple[PresenceLevel, ...] = Field(
        default=(),
        description="Presence norms: at least one voorziening of this kind in every wijk "
        "and/or every zone.",
    )

    @model_validator(mode="after")
    def _distinct_presence(self) -> Category:
        if len(set(self.presence)) != len(self.presence):
            raise ValueError(f"{self.code}: presence lists a level twice: {list(self.presence)}")
        return self


class Vocabulary(BaseModel):
    """All categories, in display order, with lookup of free-text and OSM values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    categories: tuple[Category, ...]
    #: Normalised code, alias and ``key=value`` tag → category code; built once on validation.
    _table: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Vocabulary:
        seen: dict[str, str] = {}
        for category in self.categories:
            for key in (category.code, *category.aliases, *category.osm_tags):
                norm = normalise_label(key)
                if norm in seen and seen[norm] != category.code:
                    raise ValueError(
                        f"{key!r} is given for both {seen[norm]!r} and {category.code!r}"
                    )
                seen[norm] = category.code
        columns: dict[str, str] = {}
        for category in self.categories:
            for column in category.cbs_columns:
                key = " ".join(column.lower().split())
                if key in columns and columns[key] != category.code:
                    raise ValueError(
                        f"CBS column {column!r} is given for both {columns[key]!r} and "
                        f"{category.code!r}"
                    )
                columns[key] = category.code
        self._table = seen
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        """Category codes in display order."""
        return tuple(c.code for c in self.categories)

    def __getitem__(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)

    def thresholds_m(self) -> dict[str, float]:
        """Threshold per category code, in metres."""
        return {c.code: c.threshold_m for c in self.categories}

    def presence_norms(self) -> tuple[tuple[str, PresenceLevel], ...]:
        """Every declared presence norm as (category code, level), in display order."""
        return tuple((c.code, level) for c in self.categories for level in c.presence)

    def resolve(self, value: object) -> str | None:
        """Category code for a free-text value (code, alias or ``key=value`` tag), else None."""
        if not isinstance(value, str) or not value.strip():
            return None
        return self._table.get(normalise_label(value))

    def resolve_many(self, values: pd.Series) -> pd.Series:
        """:meth:`resolve` for a column: each distinct value looked up once (objects, None
        where unresolved), aligned with ``values``."""
        codes = {value: self.resolve(value) for value in values.dropna().unique()}
        mapped = values.map(codes)
        return mapped.astype(object).where(mapped.notna(), None)

    def resolve_list(self, value: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The category codes of a cell that may list several (``"huisarts; apotheek"``), in
        the order given without repeats, and the parts that resolve to none."""
        if not isinstance(value, str):
            return (), ()
        codes: list[str] = []
        unknown: list[str] = []
        for part in value.split(CATEGORY_SEPARATOR):
            if not part.strip():
                continue
            code = self.resolve(part)
            if code is None:
                unknown.append(part.strip())
            elif code not in codes:
                codes.append(code)
        return tuple(codes), tuple(unknown)

    def resolve_osm_all(self, tags: Mapping[str, Any]) -> tuple[str, ...]:
        """Every category a feature's OSM-style properties give, in the tags' order."""
        codes: list[str] = []
        for key, value in tags.items():
            if isinstance(value, str):
                code = self._table.get(normalise_label(f"{key}={value}"))
                if code is not None and code not in codes:
                    codes.append(code)
        return tuple(codes)

    def also(self, names: pd.Series, tags: pd.DataFrame | None = None) -> pd.DataFrame:
        """Per category with an ``also`` rule, True where a voorziening (its ``names``, its
        OSM-style ``tags`` as columns ``key`` → value) serves that category too; one boolean
        column per such category, aligned with ``names``."""
        words = " " + names.astype("string").fillna("").map(normalise_label) + " "
        found: dict[str, pd.Series] = {}
        for category in self.categories:
            rule = category.also
            if not rule.names and not rule.osm_tags:
                continue
            hit = pd.Series(False, index=names.index)
            for name in rule.names:
                hit |= words.str.contains(f" {normalise_label(name)} ", regex=False)
            for tag in rule.osm_tags:
                key, _, value = tag.partition("=")
                if tags is not None and key in tags:
                    column = tags[key].astype("string").fillna("").map(normalise_label)
                    hit |= column == normalise_label(value)
            found[category.code] = hit.fillna(False).astype(bool)
        return pd.DataFrame(found, index=names.index)

    def resolve_osm(self, tags: Mapping[str, Any]) -> str | None:
        """Category code for a feature's OSM-style properties (``amenity``, ``shop``, ...)."""
        lookup = self._table
        for key, value in tags.items():
            if isinstance(value, str):
                code = lookup.get(normalise_label(f"{key}={value}"))
                if code is not None:
                    return code
        return None

    def with_thresholds(self, overrides: Mapping[str, float]) -> Vocabulary:
        """A copy with thresholds (metres) replaced; unknown codes or values ≤ 0 are refused."""
        unknown = sorted(set(overrides) - set(self.codes))
        if unknown:
            raise ConfigurationError(
                f"threshold given for unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; known: {', '.join(self.codes)}"
            )
        bad = {k: v for k, v in overrides.items() if not v > 0}
        if bad:
            raise ConfigurationError(f"thresholds must be > 0 metres, got {bad}")
        return Vocabulary(
            categories=tuple(
                c.model_copy(update={"threshold_m": float(overrides[c.code])})
                if c.code in overrides
                else c
                for c in self.categories
            )
        )

    def with_presence(self, overrides: Mapping[str, Sequence[str]]) -> Vocabulary:
        """A copy with the presence norms of some categories replaced (``[]``: none);
        unknown codes or levels other than ``wijk``/``zone`` are refused."""
        unknown = sorted(set(overrides) - set(self.codes))
        if unknown:
            raise ConfigurationError(
                f"presence norm given for unknown categor{'y' if len(unknown) == 1 else 'ies'} "
                f"{', '.join(unknown)}; known: {', '.join(self.codes)}"
            )
        try:
            return Vocabulary(
                categories=tuple(
                    Category.model_validate(
                        {**c.model_dump(), "presence": tuple(overrides[c.code])}
                    )
                    if c.code in overrides
                    else c
                    for c in self.categories
                )
            )
        except ValidationError as exc:
            raise ConfigurationError(
                f"presence norms are lists of {' or '.join(PRESENCE_LEVELS)}: {exc}"
            ) from exc


def normalise_label(value: str) -> str:
    """Lower-case, strip accents and collapse separators: ``'Buurt-huis '`` → ``'buurt huis'``.

    >>> normalise_label("Gezondheids_Centrum / Café")
    'gezondheids centrum cafe'
    """
    return re.sub(r"[\s_\-/]+", " ", strip_accents(value).lower()).strip()


#: The vocabulary shipped with the service (``data/voorzieningen.yaml``).
DEFAULT_VOCABULARY_PATH = Path(__file__).resolve().parents[1] / "data" / "voorzieningen.yaml"


@cache
def default_vocabulary() -> Vocabulary:
    """The shipped vocabulary, read once (readers use it when given none)."""
    return load_vocabulary(DEFAULT_VOCABULARY_PATH)


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and validate a vocabulary YAML file; raise :class:`ConfigurationError` if invalid."""
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReadError(f"{path}: cannot read the vocabulary: {exc.strerror}") from exc
    except YamlExpansionError as exc:
        raise ConfigurationError(f"{path}: not read as a vocabulary: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
        raise ConfigurationError(f"{path}: expected a mapping 'categories: {{code: {{...}}}}'")
    try:
        return Vocabulary(
            categories=tuple(
                Category(code=code, **(spec or {})) for code, spec in raw["categories"].items()
            )
        )
    except (ValidationError, TypeError) as exc:
        raise ConfigurationError(f"{path}: {exc}") from exc
