"""Named what-if scenarios over HTTP: the body that saves one, the answers that list, show
and compare them, and the click on the planners' map ("a new voorziening here").

Counts are residents (CBS figures spread over points, so fractional), shares 0..1, distances
metres; sites are WGS84 lon/lat.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo.whatif.scenarios import MAX_NAME_LENGTH, NAME
from service.schemas.features import FeatureCollection
from service.schemas.whatif import ClosureRequest, NormM, PlacementRequest


class SaveScenario(BaseModel):
    """Run a what-if question and keep its answer as the named scenario ``name``: exactly one
    of ``placement`` (the body of ``POST /whatif/placements``, by coverage or by mean walking
    distance) or ``closure`` (that of ``POST /whatif/closures``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=f"^{NAME.pattern}$",
        description="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    )
    replace: bool = Field(default=False, description="Overwrite a scenario of this name.")
    store_version: str | None = Field(
        default=None,
        max_length=128,
        description="The store version the planner's answer was computed on (from "
        "`GET /whatif/scenarios`); refused (409) when the store has changed since.",
    )
    placement: PlacementRequest | None = None
    closure: ClosureRequest | None = None

    @model_validator(mode="after")
    def _one_question(self) -> SaveScenario:
        if (self.placement is None) == (self.closure is None):
            raise ValueError("give exactly one of `placement` or `closure`")
        return self


class ScenarioFigures(BaseModel):
    """Residents and 65+ (in an area or in total) beyond the norm before and after, newly
    covered and losing coverage."""

    model_config = ConfigDict(extra="allow")

    residents: float
    residents_65plus: float
    residents_beyond_before: float
    residents_beyond_after: float
    residents_65plus_beyond_before: float
    residents_65plus_beyond_after: float
    residents_newly_covered: float
    residents_65plus_newly_covered: float
    residents_losing: float
    residents_65plus_losing: float


class ScenarioSummary(ScenarioFigures):
    """The totals, the shares beyond the norm before and after and, for a placement, the
    solver's ``method``, ``status``, ``objective``, ``bound`` and ``gap``."""

    share_beyond_before: float
    share_beyond_after: float
    share_65plus_beyond_before: float
    share_65plus_beyond_after: float


class ZoneFigures(ScenarioFigures):
    """One zone's figures (``zone_code`` ``""``: buurten outside every zone)."""

    zone_code: str


class BuurtFigures(ZoneFigures):
    """One buurt's figures."""

    bu_code: str


class ScenarioBrief(BaseModel):
    """A saved scenario in a list."""

    name: str
    kind: Literal["placement", "closure"]
    objective: Literal["coverage", "distance", "closure"] = Field(
        description="`coverage`: a placement by residents newly within the norm; `distance`: "
        "by mean walking distance (its summary adds `mean_before_m`, `mean_after_m`, "
        "`mean_after_bound_m`; its zones `mean_before_m`, `mean_after_m`); `closure`."
    )
    created: str = Field(description="ISO 8601, UTC.")
    store_version: str | None = Field(description="The store version it was computed on.")
    stale: bool = Field(description="The store has changed since (compare and map refuse it).")
    category: str
    norm_m: float
    sites: int = Field(description="Chosen or closed sites.")
    summary: ScenarioSummary


class ScenarioList(BaseModel):
    """Every saved scenario, oldest first, and the store's version now."""

    store_version: str | None
    scenarios: list[ScenarioBrief]


class SiteProperties(BaseModel):
    """A site of a scenario: ``chosen`` (a new site), ``closed`` or ``candidate``."""

    role: Literal["chosen", "closed", "candidate"]
    id: str
    rank: int | None
    gain: float | None = Field(
        description="Residents (or 65+) newly covered by this site; in a placement by "
        "distance, those it is now the nearest voorziening of."
    )
    bu_code: str | None
    zone_code: str | None


class ScenarioAnswer(ScenarioBrief):
    """One saved scenario: what was asked, its sites (WGS84) and its figures per area."""

    request: dict[str, Any] = Field(
        description="category, norm_m, k, weight, objective, method, candidates, closures."
    )
    by_zone: list[ZoneFigures]
    by_buurt: list[BuurtFigures]
    site_features: FeatureCollection[SiteProperties]
    import_id: str | None = Field(default=None, description="The save's import log entry.")


class BeyondFigures(BaseModel):
    """Residents and 65+ beyond the norm."""

    residents_beyond: float | None
    residents_65plus_beyond: float | None
    mean_walk_m: float | None = Field(
        default=None, description="Placements by distance: the mean walking distance (m)."
    )


class CompareZone(BaseModel):
    """One zone today and in each scenario."""

    zone_code: str
    residents: float
    residents_65plus: float
    today: BeyondFigures
    scenarios: dict[str, BeyondFigures]


class CompareAnswer(BaseModel):
    """Scenarios of one category and norm side by side with today, per zone (placements by
    mean walking distance only with each other)."""

    category: str
    norm_m: float
    store_version: str | None
    scenarios: list[str]
    zones: list[CompareZone]


class DeletedScenario(BaseModel):
    """A deleted scenario and the import log entry that records it."""

    deleted: str
    import_id: str


class EvaluateRequest(BaseModel):
    """A new voorziening of ``category`` at (``lon``, ``lat``), WGS84: what would it bring?"""

    model_config = ConfigDict(extra="forbid")

    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    category: str = Field(min_length=1, max_length=100, description="Category code.")
    norm_m: NormM = None


class ZoneGain(BaseModel):
    """Residents and 65+ newly within the norm in one zone."""

    zone_code: str
    residents: float
    residents_65plus: float


class EvaluateAnswer(BaseModel):
    """What one new site would bring (read-only: nothing is stored)."""

    category: str
    norm_m: float
    residents: float = Field(description="Residents newly within the norm.")
    residents_65plus: float
    by_zone: list[ZoneGain]
    on_network: bool = Field(description="False: beyond the snap limit, it reaches nobody.")
