"""Check input features before anything is stored: limits, geometry, coordinates and ids.

Every check looks at all features at once (shapely's array functions, pandas masks) and
reports *each* feature at fault — its position in the input, its id and the reason — into a
:class:`Problems` collector. The reader raises the collected problems as ONE error at the end
(:meth:`Problems.raise_if_any`): the class of the problems when they are all of one kind
(e.g. :class:`~geo.errors.GeometryError`), else :class:`~geo.errors.InvalidFeaturesError`.
The message keeps a one-line summary per kind; ``error.problems`` lists up to 100 features
and ``error.total`` counts them all (the API puts both in the problem+json body, the CLI
prints one line each).

Limits (:mod:`geo.read.limits`) are raised at once, before slow work, with their own error
classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from geo.crs import RD_BOUNDS, WORKING_CRS
from geo.errors import (
    CrsError,
    FeatureProblem,
    GeometryError,
    InputError,
    InvalidFeaturesError,
    ValueProblemError,
)

NL_LON = (3.0, 7.5)
NL_LAT = (50.5, 54.0)
#: Summaries name at most this many features; the problem list holds up to 100.
SUMMARY_ITEMS = 10


def describe(labels: Iterable[object], *, limit: int = SUMMARY_ITEMS, sep: str = ", ") -> str:
    """``a, b, c and 4 more``: at most ``limit`` labels for a one-line summary."""
    items = [str(label) for label in labels]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return sep.join(items[:limit]) + more


def label(value: object) -> str | None:
    """A feature's id as text, or None where it has none."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)


def feature_problems(
    mask: pd.Series, ids: pd.Series, reasons: str | pd.Series
) -> list[FeatureProblem]:
    """One :class:`FeatureProblem` per feature where ``mask`` is true (index = position)."""
    at_fault = mask[mask].index
    texts = [reasons] * len(at_fault) if isinstance(reasons, str) else reasons[at_fault].tolist()
    return [
        FeatureProblem(int(index), label(ids.get(index)), str(text))
        for index, text in zip(at_fault, texts, strict=True)
    ]


class Problems:
    """Problems of the features of one input, collected across checks and raised as one error.

    ``where`` names the input (a file, ``request body``) at the start of the message.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self._groups: list[tuple[type[InputError], str, list[FeatureProblem]]] = []
        #: Positions of features unusable as a whole (not a Feature): later checks skip them.
        self.unusable: set[int] = set()
        #: Positions of features whose geometry was malformed (already reported; now null).
        self.malformed_geometry: set[int] = set()
        self._ids: pd.Series = pd.Series(dtype="string")

    def name_features(self, ids: pd.Series) -> None:
        """Ids (buurt codes) by position, for problems recorded before the ids were known."""
        self._ids = ids

    def __bool__(self) -> bool:
        return bool(self._groups)

    def add(self, kind: type[InputError], summary: str, problems: Sequence[FeatureProblem]) -> None:
        """Record features at fault of one kind, with a one-line summary of them."""
        if problems:
            self._groups.append((kind, summary, list(problems)))

    def add_mask(
        self,
        kind: type[InputError],
        summary: str,
        mask: pd.Series,
        ids: pd.Series,
        reasons: str | pd.Series,
    ) -> None:
        """Record the features where ``mask`` is true; ``ids`` and ``reasons`` share its index."""
        self.add(kind, summary, feature_problems(mask, ids, reasons))

    def raise_if_any(self) -> None:
        """Raise everything collected as one error (nothing collected: return)."""
        if not self._groups:
            return
        kinds = {kind for kind, _, _ in self._groups}
        error_class: type[InputError] = kinds.pop() if len(kinds) == 1 else InvalidFeaturesError
        problems = sorted(
            (
                p
                if p.id is not None
                else FeatureProblem(p.index, label(self._ids.get(p.index)), p.reason)
                for _, _, found in self._groups
                for p in found
            ),
            key=lambda p: p.index,
        )
        summaries = "; ".join(summary for _, summary, _ in self._groups)
        features = len({p.index for p in problems})
        raise error_class(f"{self.where}: {features} feature(s) refused — {summaries}", problems)


# --------------------------------------------------------------------------- geometry


POLYGONAL = ("Polygon", "MultiPolygon")
ANY_FEATURE_TYPE = ("Point", "MultiPoint", "LineString", "MultiLineString", *POLYGONAL)
REPAIR_HINT = (
    "Fix them in a GIS, or import with --repair (API: repair=true) to repair them with "
    "shapely.make_valid"
)


def check_geometry(
    geometry: gpd.GeoSeries,
    ids: pd.Series,
    problems: Problems,
    *,
    what: str,
    allowed: tuple[str, ...],
    allowed_text: str,
    repair: bool,
) -> gpd.GeoSeries:
    """Null, empty, wrong-type and invalid geometries; repaired with ``make_valid`` on request.

    Features whose geometry was malformed (already reported) are skipped. Returns the geometry with
    repairs applied (unchanged where nothing was wrong).
    """
    present = ~(geometry.isna() | geometry.is_empty)
    missing = ~present & ~geometry.index.isin(list(problems.malformed_geometry))
    problems.add_mask(
        GeometryError,
        f"{what} without geometry: {describe(_ids_or_rows(ids, missing))}",
        missing,
        ids,
        "no geometry (null or empty)",
    )
    kinds = geometry.geom_type
    wrong = present & ~kinds.isin(list(allowed))
    if wrong.any():
        found = zip(_ids_or_rows(ids, wrong), kinds[wrong], strict=True)
        problems.add_mask(
            GeometryError,
            f"{what} must be {allowed_text}; got {describe(f'{c} ({k})' for c, k in found)}",
            wrong,
            ids,
            kinds[wrong].map(lambda k: f"geometry is a {k}; {what} must be {allowed_text}"),
        )
    checked = present & ~wrong
    values = np.asarray(geometry.values, dtype=object)
    invalid = pd.Series(False, index=geometry.index)
    invalid[checked] = ~shapely.is_valid(values[checked.to_numpy()])
    if not invalid.any():
        return geometry
    if repair:
        return _repaired(geometry, invalid, ids, problems, what=what, allowed=allowed)
    reasons = pd.Series(
        shapely.is_valid_reason(values[invalid.to_numpy()]), index=invalid[invalid].index
    )
    listing = describe(
        (f"{c}: {r}" for c, r in zip(_ids_or_rows(ids, invalid), reasons, strict=True)),
        sep="; ",
    )
    problems.add_mask(
        GeometryError,
        f"invalid polygon(s) — {listing}. {REPAIR_HINT}"
        if set(allowed) <= set(POLYGONAL)
        else f"invalid geometry — {listing}. {REPAIR_HINT}",
        invalid,
        ids,
        reasons.map(lambda r: f"invalid geometry: {r} (repair on request: --repair, repair=true)"),
    )
    return geometry


def _repaired(
    geometry: gpd.GeoSeries,
    invalid: pd.Series,
    ids: pd.Series,
    problems: Problems,
    *,
    what: str,
    allowed: tuple[str, ...],
) -> gpd.GeoSeries:
    values = np.asarray(geometry.values, dtype=object).copy()
    mask = invalid.to_numpy()
    polygonal = mask & np.isin(geometry.geom_type.to_numpy(), POLYGONAL)
    values[polygonal] = shapely.make_valid(
        values[polygonal], method="structure", keep_collapsed=False
    )
    others = mask & ~polygonal
    values[others] = shapely.make_valid(values[others])
    result = gpd.GeoSeries(values, index=geometry.index, crs=geometry.crs)
    lost = invalid & (result.is_empty | ~result.geom_type.isin(list(allowed)))
    problems.add_mask(
        GeometryError,
        f"{what} whose repair leaves no usable geometry: {describe(_ids_or_rows(ids, lost))}",
        lost,
        ids,
        "invalid geometry that make_valid reduces to nothing usable (a collapsed ring?)",
    )
    return result


def _ids_or_rows(ids: pd.Series, mask: pd.Series) -> list[str]:
    return [label(ids.get(i)) or f"row {i}" for i in mask[mask].index]


# --------------------------------------------------------------------------- coordinates


def check_coordinates(
    geometry: gpd.GeoSeries, ids: pd.Series, problems: Problems, *, where: str
) -> gpd.GeoSeries:
    """Project to RD New and refuse features outside the Netherlands, saying why per feature.

    RD New metres read as lon/lat, lat/lon given as lon/lat, and lon/lat read as RD New are
    each named as such. Raises :class:`CrsError` at once when no CRS is known at all. Returns
    the geometry in RD New, two-dimensional.
    """
    if geometry.crs is None:
        raise CrsError(
            f"{where}: the file states no coordinate reference system; "
            "state it (e.g. --crs EPSG:28992 for RD New, EPSG:4326 for lon/lat)"
        )
    source = CRS.from_user_input(geometry.crs)
    usable = ~(geometry.isna() | geometry.is_empty)
    # Heights (a third coordinate, allowed by RFC 7946) mean nothing here: dropped.
    projected = geometry.to_crs(WORKING_CRS).force_2d()
    if not usable.any():
        return projected
    xmin, ymin, xmax, ymax = RD_BOUNDS
    bounds = projected.bounds
    outside = usable & ~(
        (bounds["minx"] >= xmin)
        & (bounds["maxx"] <= xmax)
        & (bounds["miny"] >= ymin)
        & (bounds["maxy"] <= ymax)
    )
    if not outside.any():
        return projected
    raw = geometry[outside].bounds
    reasons = pd.Series(
        [_diagnose(row, source) for row in raw.itertuples(index=False)], index=raw.index
    )
    problems.add_mask(
        CrsError,
        f"{int(outside.sum())} feature(s) (rows {describe(outside[outside].index)}) lie outside "
        f"the Netherlands when read as {source.to_string()}; are lon/lat swapped or is the "
        "stated CRS wrong?",
        outside,
        ids,
        reasons,
    )
    return projected


def _within(values: NDArray[np.float64], low: float, high: float) -> bool:
    return bool(np.isfinite(values).all() and (values >= low).all() and (values <= high).all())


def _diagnose(row: tuple[float, float, float, float], source: CRS) -> str:
    """Why one feature's raw coordinates (minx, miny, maxx, maxy) fall outside the Netherlands."""
    minx, miny, maxx, maxy = row
    xs, ys = np.array([minx, maxx]), np.array([miny, maxy])
    rd_xmin, rd_ymin, rd_xmax, rd_ymax = RD_BOUNDS
    looks_rd = _within(xs, rd_xmin, rd_xmax) and _within(ys, rd_ymin, rd_ymax)
    looks_lonlat = _within(xs, *NL_LON) and _within(ys, *NL_LAT)
    looks_latlon = _within(xs, *NL_LAT) and _within(ys, *NL_LON)
    name = source.to_string()
    if source.is_geographic:
        if looks_rd:
            return (
                f"coordinates ({minx:.0f}, {miny:.0f}) look like RD New metres (EPSG:28992) "
                f"but are read as lon/lat ({name}, as RFC 7946 GeoJSON is); send lon/lat, or "
                "state EPSG:28992 (a crs member naming urn:ogc:def:crs:EPSG::28992, or --crs)"
            )
        if looks_latlon:
            return (
                f"latitude and longitude look swapped: ({minx:.4f}, {miny:.4f}) is lat, lon; "
                "GeoJSON wants [longitude, latitude]"
            )
        return (
            f"lies outside the Netherlands (lon {minx:.4f}..{maxx:.4f}, lat {miny:.4f}..{maxy:.4f})"
        )
    if looks_lonlat or looks_latlon:
        return (
            f"coordinates ({minx:.4f}, {miny:.4f}) look like lon/lat degrees but are read as "
            f"{name} metres; drop the crs member (or --crs), or send RD New x/y"
        )
    if _within(xs, rd_ymin, rd_ymax) and _within(ys, rd_xmin, rd_xmax):
        return f"x and y look swapped ({minx:.0f}, {miny:.0f}); RD New wants x (east) first"
    return f"lies outside the Netherlands when read as {name} (x {minx:.0f}, y {miny:.0f})"


# --------------------------------------------------------------------------- ids


def check_duplicates(values: pd.Series, problems: Problems, *, what: str) -> None:
    """Refuse later occurrences of a value (id or code) already used by an earlier feature."""
    present = values.notna()
    repeated = present & values.duplicated(keep="first")
    if not repeated.any():
        return
    first = values[present & ~values.duplicated(keep="first")]
    first_at = pd.Series(first.index, index=first.to_numpy())
    reasons = values[repeated].map(
        lambda v: f"{what} {v} occurs twice (also feature {int(first_at[v])})"
    )
    problems.add_mask(
        ValueProblemError,
        f"{what}(s) occur twice: {describe(values[repeated].unique())}",
        repeated,
        values,
        reasons,
    )
