"""What-if questions over HTTP: the bodies of ``POST /whatif/placements`` and
``POST /whatif/closures`` and the answers (GeoJSON sites in WGS84, figures in metres and
shares 0..1)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.answers import PresenceArea
from service.schemas.features import FeatureCollection

#: Most new sites one placement chooses.
MAX_K = 50
#: Most bytes of a what-if body (20,000 candidate points as GeoJSON fit in about 2 MB).
MAX_BODY_BYTES = 4 * 1024**2
#: Longest norm a what-if question takes (m): DOMAIN.md's walking norms are 300–800 m.
MAX_NORM_M = 5_000.0

Weight = Literal["residents", "residents_65plus"]
#: A what-if question's norm (metres by walking); null: the category's threshold.
NormM = Annotated[
    float | None,
    Field(
        gt=0,
        le=MAX_NORM_M,
        allow_inf_nan=False,
        description="Metres by walking; null: the category's threshold.",
    ),
]


class PointGeometry(BaseModel):
    """A GeoJSON Point in WGS84 lon/lat (RFC 7946)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Point"]
    coordinates: list[Annotated[float, Field(allow_inf_nan=False)]] = Field(
        min_length=2, max_length=3, description="lon, lat (and an ignored height)"
    )


class CandidateFeature(BaseModel):
    """A candidate site; its id is the feature's ``id`` or ``properties.id`` (else its
    position, ``c<n>``)."""

    type: Literal["Feature"]
    id: str | int | None = None
    geometry: PointGeometry
    properties: dict[str, object] | None = None


class CandidateCollection(BaseModel):
    """Candidate sites as a GeoJSON FeatureCollection of points (WGS84 lon/lat)."""

    type: Literal["FeatureCollection"]
    features: list[CandidateFeature] = Field(min_length=1)


class CandidateArea(BaseModel):
    """Candidates generated in a zone or buurt (``area``; null: every buurt): the walking
    network's nodes thinned to one per ``spacing_m`` square (default 100 m), or every building
    of the network's OSM extract (``source: buildings``; thinned where ``spacing_m`` is given)."""

    model_config = ConfigDict(extra="forbid")

    area: str | None = Field(default=None, max_length=64, description="Zone or buurt code.")
    source: Literal["nodes", "buildings"] = Field(
        default="nodes", description="Network nodes, or the OSM extract's buildings."
    )
    spacing_m: float | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Metres; default: 100 for nodes, every building for buildings.",
    )


class PlacementRequest(BaseModel):
    """Choose ``k`` new sites of ``category`` bringing the most residents (or 65+) within the
    norm by walking, every existing voorziening kept (maximal covering, MCLP)."""

    model_config = ConfigDict(extra="forbid")

    category: str = Field(min_length=1, max_length=100, description="Category code.")
    k: int = Field(ge=1, description=f"How many new sites (at most {MAX_K}).")
    norm_m: NormM = None
    weight: Weight = "residents"
    candidates: CandidateCollection | CandidateArea = Field(default_factory=CandidateArea)
    method: Literal["auto", "exact", "greedy"] = Field(
        default="auto",
        description="`exact`: ILP (HiGHS); `greedy`: with its proven bound (distance: "
        "greedy + vertex substitution with the LP bound); `auto`: exact where the reduced "
        "model is small enough.",
    )
    objective: Literal["coverage", "distance"] = Field(
        default="coverage",
        description="`coverage`: most residents newly within the norm (MCLP); `distance`: "
        "the shortest weighted mean walking distance (p-median; `norm_m` and `presence` do "
        "not apply).",
    )
    presence: list[Literal["wijk", "zone"]] = Field(
        default_factory=list,
        max_length=2,
        description="Also put a site in every wijk (or zone) without a voorziening of the "
        "category (coverage only).",
    )


class SiteProperties(BaseModel):
    """A chosen site: rank by gain, the weight it newly covers, its buurt, wijk, zone and
    nearest address."""

    id: str
    rank: int
    gain: float = Field(description="Residents (or 65+) newly covered by this site.")
    bu_code: str | None
    bu_naam: str | None
    wk_code: str | None
    zone_code: str | None
    address: str = Field(description='Nearest address, or "no address index".')
    address_m: float | None = Field(description="Metres to it in a straight line.")


class CurvePoint(BaseModel):
    """The best k sites: the weight they newly cover and what the k-th adds."""

    k: int
    newly: float
    added: float | None = Field(description="Newly covered by the k-th site (null: first).")
    share_beyond_after: float
    method: str
    status: str


class FilledArea(BaseModel):
    """A wijk or zone that lacked one, and the chosen site placed in it."""

    level: Literal["wijk", "zone"]
    area_code: str
    area_name: str
    residents: float | None
    site: str | None


class AreaGain(BaseModel):
    """Residents (or 65+) newly covered in one zone or buurt."""

    zone_code: str
    bu_code: str | None = None
    newly: float


class PlacementAnswer(FeatureCollection[SiteProperties]):
    """The chosen sites (WGS84) and what they bring."""

    category: str
    norm_m: float
    weight: Weight
    method: Literal["exact", "greedy"]
    status: str = Field(description="`optimal`, `time limit: best found` or `greedy`.")
    objective: float = Field(description="Residents (or 65+) newly covered.")
    bound: float = Field(description="Upper bound of the optimum (LP or greedy bound).")
    gap: float = Field(description="(bound − objective) / bound; 0 when proven optimal.")
    share_beyond_before: float
    share_beyond_after: float
    by_zone: list[AreaGain]
    by_buurt: list[AreaGain]
    off_network: list[str] = Field(description="Candidates beyond the snap limit (not used).")
    objective_kind: Literal["coverage"] = "coverage"
    curve: list[CurvePoint] = Field(description="The gain curve for k = 1…K.")
    presence: list[FilledArea] = Field(description="Areas given a site by a presence norm.")
    addresses: bool = Field(description="Whether an address index was searched.")


class MedianSiteProperties(BaseModel):
    """A chosen site of a distance placement: who it now serves and what they save."""

    id: str
    rank: int
    served: float = Field(description="Residents (or 65+) for whom it becomes the nearest.")
    saved_m: float | None = Field(description="Their mean metres saved.")
    bu_code: str | None
    bu_naam: str | None
    wk_code: str | None
    zone_code: str | None
    address: str
    address_m: float | None


class ZoneMean(BaseModel):
    """Weighted mean walking distance in one zone before and after (metres)."""

    zone_code: str
    mean_before_m: float | None
    mean_after_m: float | None


class MedianAnswer(FeatureCollection[MedianSiteProperties]):
    """The sites (WGS84) that shorten the weighted mean walking distance most (p-median)."""

    category: str
    weight: Weight
    objective_kind: Literal["distance"] = "distance"
    method: Literal["exact", "heuristic"]
    status: str
    objective: float = Field(description="Weighted metres saved (capped at limit_m).")
    bound: float = Field(description="LP bound of the weighted metres saved.")
    gap: float
    limit_m: float = Field(description="Longest walk searched; longer ones count as it.")
    mean_before_m: float | None
    mean_after_m: float | None
    mean_after_bound_m: float | None = Field(description="No k sites bring the mean below.")
    unreachable_before: float
    unreachable_after: float
    by_zone: list[ZoneMean]
    off_network: list[str]
    addresses: bool


class RankedVoorziening(BaseModel):
    """A voorziening and the residents who would fall beyond the norm without it."""

    rank: int
    id: str
    name: str
    zone_code: str
    residents_beyond_without: float
    residents_65plus_beyond_without: float
    points: int = Field(description="Resident points it alone covers.")


class ClosureRanking(BaseModel):
    """Every voorziening of a category ranked by who depends on it alone."""

    category: str
    norm_m: float
    voorzieningen: list[RankedVoorziening]


#: Most voorzieningen one closure question names.
MAX_CLOSE = 1_000


class ClosureRequest(BaseModel):
    """Close these voorzieningen (ids, all of one category)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[str] = Field(min_length=1, max_length=MAX_CLOSE, description="Voorziening ids.")
    norm_m: NormM = None


class ClosureArea(BaseModel):
    """Who loses coverage in one zone or buurt, and how far they walk then (metres)."""

    zone_code: str
    bu_code: str | None = None
    residents_losing: float
    residents_65plus_losing: float
    mean_new_distance_m: float | None = Field(
        description="Resident-weighted, over those who can still reach an open one."
    )
    max_new_distance_m: float | None
    residents_unreachable: float = Field(description="No open voorziening reachable at all.")


class ClosureAnswer(BaseModel):
    """What closing the voorzieningen does (read-only: nothing is stored)."""

    category: str
    norm_m: float
    closed: list[str]
    points_losing: int
    residents_losing: float
    residents_65plus_losing: float
    share_beyond_before: float
    share_beyond_after: float
    by_zone: list[ClosureArea]
    by_buurt: list[ClosureArea]


class PresenceNorm(BaseModel):
    """One presence norm ("at least one <category> in every <level>") and how it stands."""

    category: str
    level: Literal["wijk", "zone"]
    areas: int = Field(description="Wijken (or zones) checked.")
    met: int = Field(description="Of them, those with at least one.")
    without: list[str] = Field(description="Codes of the areas without one (the gaps).")


class NormsAnswer(BaseModel):
    """The presence norms checked per wijk and zone (read-only)."""

    norms: list[PresenceNorm]
    areas: list[PresenceArea] = Field(description="Every area of every norm (or the gaps).")
