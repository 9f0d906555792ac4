"""Voorzieningen: points in RD New with an id, a name and a category of the vocabulary.

They come as GeoJSON (or any vector format GDAL reads), as a CSV with lon/lat or RD x/y
columns (:mod:`geo.read.points`), or straight from an OSM extract (its tags). Polygons and
lines (OSM buildings, for instance) are reduced to a point guaranteed to lie on them
(``shapely.point_on_surface``); invalid ones are refused unless ``repair``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.common.text import find_column
from geo.crs import WORKING_CRS
from geo.errors import MissingColumnError, UnknownCategoryError, ValueProblemError
from geo.network.osm import is_osm_file, read_osm
from geo.read.checks import (
    ANY_FEATURE_TYPE,
    Problems,
    check_coordinates,
    check_duplicates,
    check_geometry,
    describe,
)
from geo.read.limits import DEFAULT_LIMITS, Limits, check_vertices
from geo.read.options import NO_OPTIONS, ReadOptions
from geo.read.points import CSV_SUFFIXES, ID_COLUMN_NAMES, read_point_csv
from geo.read.values import check_text_lengths, one_value_per_cell, single_values, structured
from geo.read.vectors import Source, is_body, read_source, state_crs, where_of
from geo.vocabulary import CATEGORY_SEPARATOR, Vocabulary

#: Columns of a loaded voorzieningen frame, in order (plus ``geometry``).
VOORZIENING_COLUMNS = ("id", "name", "category", "source")
#: Optional columns after them, shown in popups (missing where unknown): an address, and
#: opening hours as written (OSM ``opening_hours`` syntax or free text).
VOORZIENING_DETAIL_COLUMNS = ("address", "opening_hours")
ADDRESS_COLUMN_NAMES = ("adres", "address", "addr:full")
OPENING_HOURS_COLUMN_NAMES = ("opening_hours", "openingstijden", "openingsuren")

#: What to send instead of an object as a category.
ONE_CATEGORY = (
    "a category name, or several separated by ';' (huisarts;apotheek) or as a JSON list of "
    "names, for a voorziening that serves several"
)
CATEGORY_COLUMN_NAMES = ("categorie", "category", "soort", "type")
NAME_COLUMN_NAMES = ("naam", "name", "titel", "omschrijving")


def voorziening_details(frame: pd.DataFrame) -> pd.DataFrame:
    """:data:`VOORZIENING_DETAIL_COLUMNS` of ``frame``'s rows: ``address`` from a column
    ``adres``/``address``/``addr:full``, else composed from OSM's ``addr:street``,
    ``addr:housenumber``, ``addr:postcode`` and ``addr:city`` ("Mekelweg 5, 2628 CC Delft");
    ``opening_hours`` from ``opening_hours``/``openingstijden``. Missing where unknown."""

    def text(column: str | None) -> pd.Series:
        if column is None or column not in frame:
            return pd.Series(pd.NA, index=frame.index, dtype="string")
        return frame[column].astype("string").str.strip().replace("", pd.NA)

    address = text(find_column(frame.columns, ADDRESS_COLUMN_NAMES))
    street = (text("addr:street") + " " + text("addr:housenumber").fillna("")).str.strip()
    place = (text("addr:postcode").fillna("") + " " + text("addr:city").fillna("")).str.strip()
    composed = street.where(place == "", street + ", " + place)
    return pd.DataFrame(
        {
            "address": address.fillna(composed),
            "opening_hours": text(find_column(frame.columns, OPENING_HOURS_COLUMN_NAMES)),
        },
        index=frame.index,
    )


def with_voorziening_details(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with :data:`VOORZIENING_DETAIL_COLUMNS` (added as missing when absent, e.g.
    in a store written before they existed)."""
    missing = {
        c: pd.Series(pd.NA, index=frame.index, dtype="string")
        for c in VOORZIENING_DETAIL_COLUMNS
        if c not in frame
    }
    return frame.assign(**missing) if missing else frame


def read_osm_voorzieningen(path: Path, vocabulary: Vocabulary) -> gpd.GeoDataFrame:
    """Voorzieningen from an OSM extract: the nodes and areas whose tags the vocabulary knows
    (``osm_tags``, e.g. ``amenity=pharmacy``); areas become a point on their surface. Other
    points of interest are not voorzieningen and are left out. Ids are ``node/123``,
    ``way/456``; the name is OSM's ``name`` or else the category's label.
    """
    chosen = osm_voorzieningen(read_osm(path).pois, vocabulary, source=path.name)
    if chosen.empty:
        raise ValueProblemError(
            f"{path}: no voorzieningen in this OSM extract (no object tagged with one of "
            f"{', '.join(t for c in vocabulary.categories for t in c.osm_tags)})"
        )
    return chosen


def osm_voorzieningen(
    pois: gpd.GeoDataFrame, vocabulary: Vocabulary, *, source: str
) -> gpd.GeoDataFrame:
    """The voorzieningen among an extract's points of interest (RD New; see
    :func:`read_osm_voorzieningen`), possibly none; ``source`` names the extract."""
    if "osm_id" not in pois:
        pois = pois.assign(osm_id=pd.Series(dtype="string"))
    tags = pois.drop(columns=pois.geometry.name)
    codes = pd.Series(
        [
            CATEGORY_SEPARATOR.join(
                vocabulary.resolve_osm_all({k: v for k, v in row.items() if isinstance(v, str)})
            )
            or None
            for row in tags.to_dict("records")
        ],
        index=pois.index,
        dtype="string",
    )
    known = codes.notna().to_numpy()
    chosen, codes = pois[known], codes[known]
    labels = codes.map(lambda code: vocabulary[_first(code)].label_nl)
    names = chosen["name"].astype("string").fillna(labels) if "name" in chosen else labels
    details = voorziening_details(chosen)
    frame = gpd.GeoDataFrame(
        {
            "id": chosen["osm_id"].astype("string").to_numpy(),
            "name": names.to_numpy(),
            "category": codes.to_numpy(),
            "source": source,
            "address": details["address"].to_numpy(),
            "opening_hours": details["opening_hours"].to_numpy(),
        },
        geometry=shapely.point_on_surface(chosen.geometry.to_numpy()),
        crs=chosen.crs,
    )
    return expand_categories(frame, vocabulary, tags[known].reset_index(drop=True))


def read_voorzieningen(
    source: Source,
    vocabulary: Vocabulary,
    options: ReadOptions = NO_OPTIONS,
    *,
    limits: Limits = DEFAULT_LIMITS,
    where: str | None = None,
) -> gpd.GeoDataFrame:
    """Read voorzieningen into points in RD New with :data:`VOORZIENING_COLUMNS`.

    ``source`` is a file or a GeoJSON FeatureCollection (bytes or a parsed mapping). The
    category of each row comes from ``options.category`` (one for the whole input), else from
    ``options.category_column`` (default: the first of ``categorie``, ``category``, ``soort``,
    ``type``), matched against the vocabulary's codes and aliases, else from OSM tags
    (``amenity``, ``shop``, ``healthcare``, ...). Every feature whose category cannot be
    resolved is listed, with the known categories.

    CSV files need coordinate columns: ``lon``/``lat`` (WGS84) or ``x``/``y`` (RD New), stated
    with ``x_column``/``y_column`` or detected by name; the CRS of x/y is stated with ``crs`` or
    detected from the value ranges. Decimal commas and ``;`` separators are understood.
    Invalid polygons or lines are refused unless ``options.repair``.
    """
    if not is_body(source) and is_osm_file(Path(str(source))):
        return read_osm_voorzieningen(Path(str(source)), vocabulary)
    where = where_of(source, where)
    problems = Problems(where)
    frame = _read_features(source, options, problems, limits=limits, where=where)
    if frame.empty and not problems:
        raise ValueProblemError(f"{where}: holds no features")
    text_columns = _text_columns(frame)
    frame = one_value_per_cell(frame, text_columns, problems)  # categories: _categories
    ids = _ids(frame, source)
    problems.name_features(ids)
    check_text_lengths(frame, text_columns, ids, problems, limits)
    codes = _categories(frame, vocabulary, problems, ids, options, where=where)
    check_duplicates(ids, problems, what="id")
    check_vertices(frame.geometry, ids, limits, where=where)
    geometry = check_geometry(
        frame.geometry,
        ids,
        problems,
        what="feature(s)",
        allowed=ANY_FEATURE_TYPE,
        allowed_text="points, lines or polygons",
        repair=options.repair,
    )
    projected = check_coordinates(geometry, ids, problems, where=where)
    problems.raise_if_any()
    details = voorziening_details(frame)
    read = gpd.GeoDataFrame(
        {
            "id": ids.astype(str),
            "name": _names(frame, codes, vocabulary).astype(str),
            "category": codes.astype(str),
            "source": Path(str(source)).name if not is_body(source) else where,
            "address": details["address"],
            "opening_hours": details["opening_hours"],
        },
        geometry=_representative_points(projected),
        crs=WORKING_CRS,
    ).reset_index(drop=True)
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    return expand_categories(read, vocabulary, attributes, where=where)


def _first(codes: str) -> str:
    """The first of several category codes (``"huisarts;apotheek"`` → ``"huisarts"``)."""
    return codes.split(CATEGORY_SEPARATOR, 1)[0]


def expand_categories(
    frame: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    tags: pd.DataFrame | None = None,
    *,
    where: str = "voorzieningen",
) -> gpd.GeoDataFrame:
    """One row per (voorziening, category): ``category`` may list several codes
    (``huisarts;apotheek``) and the vocabulary's ``also`` rules add more (by name or OSM tag,
    ``tags`` aligned with ``frame``). The first category keeps the voorziening's id, each
    further one gets ``<id>~<category>`` (ids stay unique: the store, its diffs and the OGC
    items are keyed on them). Raises :class:`ValueProblemError` if such an id is taken."""
    frame = frame.reset_index(drop=True)
    lists = frame["category"].astype(str).str.split(CATEGORY_SEPARATOR)
    also = vocabulary.also(frame["name"], tags)
    for code in also.columns:
        extra = also[code].to_numpy() & ~lists.map(lambda codes, c=code: c in codes).to_numpy()
        lists[extra] = lists[extra].map(lambda codes, c=code: [*codes, c])
    exploded = frame.assign(category=lists).explode("category", ignore_index=False)
    further = exploded.index.duplicated(keep="first")
    ids = exploded["id"].astype(str).to_numpy()
    exploded["id"] = np.where(further, ids + "~" + exploded["category"].astype(str), ids)
    taken = exploded.loc[exploded["id"].duplicated(), "id"].unique()
    if len(taken):
        raise ValueProblemError(
            f"{where}: id(s) {', '.join(map(str, taken[:10]))} occur twice after giving each "
            "category of a voorziening its own row (<id>~<category>); rename them"
        )
    result = gpd.GeoDataFrame(exploded, geometry=frame.geometry.name, crs=frame.crs)
    return result.astype({"category": str}).reset_index(drop=True)


def _read_features(
    source: Source, options: ReadOptions, problems: Problems, *, limits: Limits, where: str
) -> gpd.GeoDataFrame:
    """The input's features in their own CRS: a CSV's points, or a vector file or body."""
    if not is_body(source) and Path(str(source)).suffix.lower() in CSV_SUFFIXES:
        return read_point_csv(
            Path(str(source)),
            problems,
            crs=options.crs,
            x_column=options.x_column,
            y_column=options.y_column,
            limits=limits,
            where=where,
        )
    frame = read_source(
        source, layer=options.layer, prefer=None, limits=limits, problems=problems, where=where
    )
    return state_crs(frame, options.crs, where=where).drop(index=list(problems.unusable))


def _text_columns(frame: gpd.GeoDataFrame) -> list[str]:
    """The columns whose text is kept: id, name, address and opening hours."""
    names = (ID_COLUMN_NAMES, NAME_COLUMN_NAMES, ADDRESS_COLUMN_NAMES, OPENING_HOURS_COLUMN_NAMES)
    found = [find_column(frame.columns, variants) for variants in names]
    detail = ("addr:street", "addr:housenumber", "addr:postcode", "addr:city")
    return [c for c in (*found, *detail) if c is not None and c in frame]


def _names(frame: gpd.GeoDataFrame, codes: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    """The name column's values; where missing, the category's Dutch label."""
    name_column = find_column(frame.columns, NAME_COLUMN_NAMES)
    labels = codes.map(lambda code: vocabulary[_first(code)].label_nl if code else "")
    return frame[name_column].astype("string").fillna(labels) if name_column else labels


def _ids(frame: gpd.GeoDataFrame, source: Source) -> pd.Series:
    """The id column's values, else ``<file stem>-<n>`` numbered from 1."""
    id_column = find_column(frame.columns, ID_COLUMN_NAMES)
    if id_column is not None:
        return frame[id_column].astype("string").str.strip()
    stem = "feature" if is_body(source) else Path(str(source)).stem
    return pd.Series(
        [f"{stem}-{n + 1}" for n in range(len(frame))], index=frame.index, dtype="string"
    )


def _categories(
    frame: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    problems: Problems,
    ids: pd.Series,
    options: ReadOptions,
    *,
    where: str,
) -> pd.Series:
    """Category code per feature; unresolved ones are recorded in ``problems`` (as None)."""
    category, column = options.category, options.category_column
    if category is not None:
        given, unknown = vocabulary.resolve_list(category)
        if unknown or not given:
            raise UnknownCategoryError(
                f"{where}: unknown category {category!r}; known: {', '.join(vocabulary.codes)}"
            )
        return pd.Series(CATEGORY_SEPARATOR.join(given), index=frame.index, dtype=object)
    if column is not None and column not in frame.columns:
        raise MissingColumnError(
            f"{where}: no column {column!r}; the file has "
            f"{', '.join(c for c in frame.columns if c != frame.geometry.name)}"
        )
    column = column or find_column(frame.columns, CATEGORY_COLUMN_NAMES)
    values = frame[column] if column else pd.Series(None, index=frame.index, dtype=object)
    values = values.map(_joined_list) if values.dtype == object else values
    listed = structured(values)
    values = single_values(values, ids, problems, column=str(column), hint=ONE_CATEGORY)
    codes = _resolved_lists(values, vocabulary)
    untagged = codes.isna() & ~listed
    if untagged.any():
        attributes = frame.drop(columns=frame.geometry.name)
        codes[untagged] = [
            CATEGORY_SEPARATOR.join(
                vocabulary.resolve_osm_all({k: v for k, v in row.items() if isinstance(v, str)})
            )
            or None
            for row in attributes[untagged].to_dict("records")
        ]
    unresolved = codes.isna() & ~listed
    if unresolved.any():
        shown = values[unresolved].map(lambda v: "<empty>" if v is None or pd.isna(v) else str(v))
        listing = ", ".join(f"{value!r} ({n}×)" for value, n in shown.value_counts().items())
        known = ", ".join(vocabulary.codes)
        problems.add_mask(
            UnknownCategoryError,
            f"{int(unresolved.sum())} feature(s) (rows {describe(frame.index[unresolved])}) "
            f"have no known category{' in column ' + repr(column) if column else ''}: "
            f"{listing}. Known categories: {known} (aliases in the vocabulary file), or OSM "
            "tags such as amenity=pharmacy",
            unresolved,
            ids,
            shown.map(lambda v: f"unknown category {v!r} (known: {known}; or OSM tags)"),
        )
    return codes


def _joined_list(value: object) -> object:
    """A JSON list of category names as one cell (``["huisarts", "apotheek"]`` →
    ``"huisarts;apotheek"``); anything else as it is (objects stay refused)."""
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return CATEGORY_SEPARATOR.join(value)
    return value


def _resolved_lists(values: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    """Per cell its category codes joined by ``;`` (None when empty or any part is unknown);
    each distinct value resolved once."""
    table: dict[object, str | None] = {}
    for value in values.dropna().unique():
        codes, unknown = vocabulary.resolve_list(value)
        table[value] = CATEGORY_SEPARATOR.join(codes) if codes and not unknown else None
    mapped = values.map(table)
    return mapped.astype(object).where(mapped.notna(), None)


def _representative_points(geometry: gpd.GeoSeries) -> np.ndarray:
    """Points as they are; a point on the surface of anything else (RD New)."""
    values = np.asarray(geometry.values, dtype=object).copy()
    not_point = (geometry.geom_type != "Point").to_numpy()
    if not_point.any():
        values[not_point] = shapely.point_on_surface(values[not_point])
    return values


def concat_voorzieningen(frames: Sequence[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Voorzieningen frames (at least one) one after the other, refusing ids that occur in
    more than one."""
    columns = [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
    used = [with_voorziening_details(f)[columns] for f in frames if not f.empty]
    if not used:
        return with_voorziening_details(frames[-1])[columns]
    combined = gpd.GeoDataFrame(
        pd.concat(used, ignore_index=True), geometry="geometry", crs=frames[-1].crs
    )
    duplicated = combined.loc[combined["id"].duplicated(), "id"].unique()
    if len(duplicated):
        listing = ", ".join(str(i) for i in duplicated[:10])
        raise ValueProblemError(
            f"voorziening id(s) already stored: {listing}; give each file unique ids or "
            "import with mode 'replace'"
        )
    return combined
