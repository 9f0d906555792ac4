"""Address search without an external geocoder: an index of the addresses we hold.

Two sources, both in RD New (EPSG:28992):

* the OSM extract of the walking network (``addr:street``, ``addr:housenumber``,
  ``addr:postcode``, ``addr:city`` on nodes and buildings; in the Netherlands these come from
  the BAG), as :attr:`geo.network.build.Network.addresses`;
* an optional imported BAG address table (``wsz import addresses FILE``), kept in a GeoPackage
  beside the store (:func:`address_file`), written atomically.

BAG tables are read in the forms they are published in (column names matched case-blind):

============================  =========================================================
NLExtract ``bagadres`` CSV    ``openbareruimte;huisnummer;huisletter;huisnummertoevoeging;
                              postcode;woonplaats;gemeente;provincie;object_id;
                              object_type;nevenadres;x;y;lon;lat`` (``;``-separated)
PDOK BAG GeoPackage           layer ``verblijfsobject``: ``identificatie``,
(``bag-light.gpkg``)          ``openbare_ruimte_naam``, ``huisnummer``, ``huisletter``,
                              ``toevoeging``, ``postcode``, ``woonplaats_naam``; points in
                              RD New
PDOK Locatieserver / others   ``straatnaam``/``straat``, ``huisnummertoevoeging``,
                              ``woonplaatsnaam``/``plaats``, ``rd_x``/``rd_y``
============================  =========================================================

Search (:meth:`AddressIndex.search`) understands postcode + house number ("3431 AB 12",
"3431ab12", "3431 ab 12a", a postcode alone) and street + number ("Mekelweg 5",
"mekelweg 5 delft", "Mekelweg 5, Delft"), tolerant of case, spacing, punctuation and accents.
One query is parsed in Python; matching and ranking run as pandas string operations over the
whole index.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.crs import WORKING_CRS, lonlat_to_rd, parse_crs
from geo.errors import MissingColumnError, QueryError, ReadError, ValueProblemError

#: Columns of an address table (stored and indexed), besides the geometry (RD New points).
ADDRESS_COLUMNS = (
    "street",
    "housenumber",
    "number",
    "letter",
    "toevoeging",
    "postcode",
    "city",
    "source",
    "source_id",
)
#: Candidate column names per field, in order of preference (compared case-blind).
BAG_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "street": (
        "openbareruimte",
        "openbare_ruimte_naam",
        "openbareruimtenaam",
        "openbare_ruimte",
        "straatnaam",
        "straat",
        "street",
        "addr:street",
    ),
    "number": ("huisnummer", "housenumber", "addr:housenumber", "nummer"),
    "letter": ("huisletter",),
    "toevoeging": ("huisnummertoevoeging", "toevoeging", "huisnummer_toevoeging"),
    "postcode": ("postcode", "addr:postcode", "postal_code"),
    "city": (
        "woonplaats",
        "woonplaats_naam",
        "woonplaatsnaam",
        "plaats",
        "city",
        "addr:city",
    ),
    "source_id": ("identificatie", "nummeraanduiding", "object_id", "id"),
}
#: The OSM tags an address is read from (an extract without addresses may lack them).
OSM_ADDRESS_TAGS = ("osm_id", "addr:street", "addr:housenumber", "addr:postcode", "addr:city")
#: Coordinate column pairs of a CSV, RD New first (exact), then WGS84.
RD_COLUMNS = (("x", "y"), ("rd_x", "rd_y"), ("x_rd", "y_rd"))
LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"))
#: Layer of a BAG GeoPackage read by default (PDOK's bag-light.gpkg).
BAG_LAYER = "verblijfsobject"
#: Addresses this far (metres) outside the store's buurten are left out on import.
IMPORT_MARGIN_M = 1000.0
#: An OSM address within this many metres of the same BAG address is the same address.
SAME_ADDRESS_M = 250.0

_POSTCODE = re.compile(r"^(\d{4}) ?([a-z]{2})(?![a-z])(.*)$")
_POSTCODE_DIGITS = re.compile(r"^(\d{4})$")
_NUMBER_TOKEN = re.compile(r"^(\d+)([a-z0-9/-]*)$")


# --------------------------------------------------------------------------- normalising


def fold_text(text: str) -> str:
    """Lower case without accents, every run of other characters one space ("Café-Plein 3" →
    "cafe plein 3")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def fold_key(values: pd.Series) -> pd.Series:
    """Search keys: lower case, accents removed, only a–z and 0–9 kept ("'s-Gravenweg" →
    "sgravenweg"); missing → ""."""
    text = values.astype("string").fillna("")
    text = text.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    return text.str.lower().str.replace(r"[^a-z0-9]", "", regex=True).astype(str)


def fold_words(values: pd.Series) -> pd.Series:
    """Like :func:`fold_key` but with words kept apart by one space ("Prof. Evertslaan" →
    "prof evertslaan")."""
    text = values.astype("string").fillna("")
    text = text.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True)
    return text.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip().astype(str)


def postcode_key(values: pd.Series) -> pd.Series:
    """ "2628 cc" → "2628CC"; anything that is not a Dutch postcode → ""."""
    key = values.astype("string").fillna("").str.upper().str.replace(r"\s", "", regex=True)
    return key.where(key.str.fullmatch(r"\d{4}[A-Z]{2}"), "").astype(str)


def split_suffix(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A folded house-number suffix into (huisletter, toevoeging): "a" → ("a", ""),
    "a2" → ("a", "2"), "bis" → ("", "bis"), "2" → ("", "2")."""
    parts = fold_key(values).str.extract(r"^([a-z](?![a-z]))?(.*)$")
    return parts[0].fillna("").astype(str), parts[1].fillna("").astype(str)


def _display_postcode(key: pd.Series) -> pd.Series:
    """ "2628CC" → "2628 CC"; "" → missing."""
    shown = (key.str[:4] + " " + key.str[4:]).astype("string")
    return shown.where(key != "", pd.NA)


# --------------------------------------------------------------------------- sources


def osm_addresses(addresses: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Address points of an OSM extract (:attr:`geo.network.osm.OsmExtract.addresses`) as an
    address table; rows without a street or a numeric house number are left out."""
    tags = addresses.reindex(columns=[*OSM_ADDRESS_TAGS, addresses.geometry.name])
    tags = tags.set_geometry(addresses.geometry.name)
    raw_number = tags["addr:housenumber"].astype("string").fillna("").str.strip()
    parsed = raw_number.str.extract(r"^(\d+)\s*(.*)$")
    letter, toevoeging = split_suffix(parsed[1])
    frame = pd.DataFrame(
        {
            "street": tags["addr:street"].astype("string").str.strip(),
            "housenumber": raw_number,
            "number": pd.to_numeric(parsed[0], errors="coerce").astype("Int64"),
            "letter": letter,
            "toevoeging": toevoeging,
            "postcode": _display_postcode(postcode_key(tags["addr:postcode"])),
            "city": tags["addr:city"].astype("string").str.strip(),
            "source": "osm",
            "source_id": tags["osm_id"].astype("string"),
        },
        index=tags.index,
    )
    usable = (frame["street"].fillna("") != "") & frame["number"].notna()
    return _table(frame[usable], tags.geometry[usable])


def read_bag_addresses(
    path: Path, *, layer: str | None = None, crs: str | None = None
) -> gpd.GeoDataFrame:
    """Read a BAG address table (CSV or GeoPackage, see the module's table of columns) into an
    address table in RD New.

    CSV coordinates come from ``x``/``y`` (RD New) or ``lon``/``lat`` (WGS84) columns, or as
    stated with ``crs``; a GeoPackage's from its geometry (``layer``, default
    ``verblijfsobject`` when present, else the only layer). Raises :class:`ReadError` for an
    unreadable file, :class:`MissingColumnError` naming the columns found and expected, and
    :class:`ValueProblemError` when no row has a usable address and position.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        table, points = _read_csv(path, crs=crs)
    else:
        table, points = _read_vector(path, layer=layer)
    return _bag_table(table, points, where=str(path))


def _read_csv(path: Path, *, crs: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as stream:
        header = stream.readline()
    if not header.strip():
        raise ReadError(f"{path}: empty file (expected a header line with BAG columns)")
    separator = max((";", ",", "\t"), key=header.count)
    try:
        table = pd.read_csv(
            path, sep=separator, dtype=str, encoding="utf-8-sig", keep_default_na=False
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: not a readable CSV table: {exc}") from exc
    columns = {c.lower().strip(): c for c in table.columns}
    for pairs, source_crs in ((RD_COLUMNS, crs or "EPSG:28992"), (LONLAT_COLUMNS, "EPSG:4326")):
        for x_name, y_name in pairs:
            if x_name in columns and y_name in columns:
                x = _numbers(table[columns[x_name]])
                y = _numbers(table[columns[y_name]])
                return table, _points(x, y, parse_crs(source_crs, where=str(path)))
    raise MissingColumnError(
        f"{path}: no coordinate columns; expected x/y (RD New) or lon/lat (WGS84), found "
        f"{', '.join(table.columns)}"
    )


def _numbers(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _points(x: np.ndarray, y: np.ndarray, crs: object) -> np.ndarray:
    if parse_crs(crs).equals(WORKING_CRS):  # type: ignore[arg-type]
        return shapely.points(x, y)
    rx, ry = lonlat_to_rd(x, y)
    return shapely.points(np.asarray(rx, dtype=float), np.asarray(ry, dtype=float))


def _read_vector(path: Path, *, layer: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        if layer is None:
            layer = BAG_LAYER if BAG_LAYER in layers else (layers[0] if len(layers) == 1 else None)
        if layer is None:
            raise ReadError(f"{path}: several layers ({', '.join(layers)}); name one with --layer")
        if layer not in layers:
            raise ReadError(f"{path}: no layer {layer!r}; it has {', '.join(layers)}")
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"{path}: not a readable GeoPackage or vector file: {exc}") from exc
    if frame.crs is None:
        raise ValueProblemError(f"{path}: layer {layer!r} states no CRS")
    frame = frame.to_crs(WORKING_CRS)
    geometry = np.asarray(frame.geometry.values, dtype=object)
    points = np.where(
        shapely.get_type_id(geometry) == 0, geometry, shapely.point_on_surface(geometry)
    )
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)), points


def _bag_table(table: pd.DataFrame, points: np.ndarray, *, where: str) -> gpd.GeoDataFrame:
    found = {field: _column(table, names) for field, names in BAG_COLUMN_NAMES.items()}
    missing = [f for f in ("street", "number") if found[f] is None]
    if missing:
        expected = "; ".join(f"{f}: {' or '.join(BAG_COLUMN_NAMES[f])}" for f in missing)
        raise MissingColumnError(
            f"{where}: missing address column(s) ({expected}); the file has "
            f"{', '.join(map(str, table.columns))}"
        )

    def text(field: str) -> pd.Series:
        column = found[field]
        if column is None:
            return pd.Series("", index=table.index, dtype="string")
        return table[column].astype("string").fillna("").str.strip()

    if found["letter"] is None:  # a combined house number: "12a", "12-2", "12 bis"
        parsed = text("number").str.extract(r"^(\d+)\s*(.*)$")
        number = pd.to_numeric(parsed[0], errors="coerce")
        letter, toevoeging = split_suffix(parsed[1])
        extra = fold_key(text("toevoeging"))
        toevoeging = toevoeging.where(toevoeging != "", extra)
    else:
        number = pd.to_numeric(text("number"), errors="coerce")
        letter = fold_key(text("letter")).str[:1]
        toevoeging = fold_key(text("toevoeging"))
    number = number.where(number == number.round()).astype("Int64")
    shown = number.astype("string").fillna("") + letter.str.upper()
    shown = shown.where(toevoeging == "", shown + "-" + toevoeging.str.upper())
    frame = pd.DataFrame(
        {
            "street": text("street"),
            "housenumber": shown,
            "number": number,
            "letter": letter,
            "toevoeging": toevoeging,
            "postcode": _display_postcode(postcode_key(text("postcode"))),
            "city": text("city").replace("", pd.NA),
            "source": "bag",
            "source_id": text("source_id").replace("", pd.NA),
        },
        index=table.index,
    )
    located = ~(shapely.is_missing(points) | shapely.is_empty(points))
    located &= np.isfinite(shapely.get_x(points)) & np.isfinite(shapely.get_y(points))
    usable = (frame["street"] != "").to_numpy() & frame["number"].notna().to_numpy() & located
    if not usable.any():
        raise ValueProblemError(
            f"{where}: none of its {len(frame)} rows has a street, a house number and a position"
        )
    return _table(frame[usable], points[usable])


def _column(table: pd.DataFrame, names: Iterable[str]) -> str | None:
    lower = {str(c).lower().strip(): str(c) for c in table.columns}
    return next((lower[n] for n in names if n in lower), None)


def _table(frame: pd.DataFrame, geometry: object) -> gpd.GeoDataFrame:
    frame = frame.astype(
        {
            "street": "string",
            "housenumber": "string",
            "letter": "string",
            "toevoeging": "string",
            "postcode": "string",
            "city": "string",
            "source": "string",
            "source_id": "string",
        }
    )
    return gpd.GeoDataFrame(
        frame[list(ADDRESS_COLUMNS)].reset_index(drop=True),
        geometry=np.asarray(geometry, dtype=object),
        crs=WORKING_CRS,
    )


def within_area(table: gpd.GeoDataFrame, area: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """The addresses inside ``area`` grown by :data:`IMPORT_MARGIN_M` (all without an area)."""
    if area is None or area.is_empty:
        return table
    inside = shapely.dwithin(table.geometry.values, area, IMPORT_MARGIN_M)
    return table[inside].reset_index(drop=True)


# --------------------------------------------------------------------------- stored table


def address_file(store_path: Path) -> Path:
    """Where imported BAG addresses are kept: ``<store>-addresses.gpkg`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-addresses.gpkg")


def write_addresses(table: gpd.GeoDataFrame, path: Path) -> Path:
    """Write an address table to ``path`` (layer ``addresses``), atomically: a complete new
    file renamed over the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}-{uuid.uuid4().hex}.tmp.gpkg")
    try:
        pyogrio.write_dataframe(
            table.astype({"number": "float64"}), temporary, layer="addresses", driver="GPKG"
        )
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path


def read_addresses(path: Path) -> gpd.GeoDataFrame | None:
    """The stored address table, or None when nothing was imported."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        frame = pyogrio.read_dataframe(path, layer="addresses")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"address table {path} cannot be read: {exc}") from exc
    frame["number"] = frame["number"].round().astype("Int64")
    for column in ADDRESS_COLUMNS:
        if column != "number":
            frame[column] = frame[column].astype("string")
    return frame


# --------------------------------------------------------------------------- index


@dataclass(frozen=True)
class AddressQuery:
    """A parsed search: postcode ("2628CC", or its four digits) or street key, house number,
    huisletter, toevoeging and woonplaats (all folded)."""

    postcode: str | None = None
    street: str | None = None
    #: The street's words, each matched as the start of a word ("prof evertslaan").
    words: tuple[str, ...] = ()
    number: int | None = None
    letter: str = ""
    toevoeging: str = ""
    city: str | None = None


def parse_query(text: str) -> AddressQuery:
    """Parse a resident's search text; raise :class:`QueryError` when it holds nothing to
    search for.

    >>> parse_query("3431 AB 12a").postcode, parse_query("3431ab12a").letter
    ('3431AB', 'a')
    >>> q = parse_query("Mekelweg 5, Delft")
    >>> q.street, q.number, q.city
    ('mekelweg', 5, 'delft')
    """
    folded = _fold_query(text)
    if not folded:
        raise QueryError(
            f"q={text!r}: give a postcode and house number (3431 AB 12) or a street and "
            "number (Mekelweg 5)"
        )
    match = _POSTCODE.match(folded)
    if match:
        number, letter, toevoeging, _ = _number_and_rest(match.group(3).split())
        return AddressQuery(
            postcode=(match.group(1) + match.group(2)).upper(),
            number=number,
            letter=letter,
            toevoeging=toevoeging,
        )
    if _POSTCODE_DIGITS.match(folded):
        return AddressQuery(postcode=folded)
    tokens = folded.split()
    at = next((i for i in range(len(tokens) - 1, 0, -1) if _NUMBER_TOKEN.match(tokens[i])), None)
    street = tokens if at is None else tokens[:at]
    words = tuple(w for w in re.split(r"[\s/-]+", " ".join(street)) if w)
    if at is None:
        return AddressQuery(street="".join(words), words=words)
    number, letter, toevoeging, city = _number_and_rest(tokens[at:])
    return AddressQuery(
        street="".join(words),
        words=words,
        number=number,
        letter=letter,
        toevoeging=toevoeging,
        city=city,
    )


def _fold_query(text: str) -> str:
    """Like :func:`fold_text`, but "-" and "/" between letters or digits stay, so that
    "134-2" (number and toevoeging) is one token and "Laan 1940-1945 12" keeps its street."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"\s*([-/])\s*", r"\1", re.sub(r"[^a-z0-9/-]+", " ", plain))
    plain = re.sub(r"(?<![a-z0-9])[-/]+|[-/]+(?![a-z0-9])", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def _number_and_rest(tokens: Sequence[str]) -> tuple[int | None, str, str, str | None]:
    """("12a", "2", "delft") → (12, "a", "2", "delft"): a number, its suffix (tokens with a
    digit, of at most two characters, or "bis") and the woonplaats after it."""
    if not tokens:
        return None, "", "", None
    match = _NUMBER_TOKEN.match(tokens[0])
    if not match:
        return None, "", "", " ".join(tokens)
    suffix = [match.group(2)]
    rest = list(tokens[1:])
    while rest and (any(c.isdigit() for c in rest[0]) or len(rest[0]) <= 2 or rest[0] == "bis"):
        suffix.append(rest.pop(0))
    letter, toevoeging = split_suffix(pd.Series(["".join(suffix)]))
    return int(match.group(1)), letter.iloc[0], toevoeging.iloc[0], "".join(rest) or None


@dataclass(frozen=True)
class AddressIndex:
    """Addresses with their search keys, buurt and zone (RD New points).

    ``counts`` says how many addresses came from each source (``osm``, ``bag``).
    """

    frame: gpd.GeoDataFrame
    counts: dict[str, int]

    def __len__(self) -> int:
        return len(self.frame)

    def search(self, text: str, *, limit: int = 10) -> gpd.GeoDataFrame:
        """The best ``limit`` matches for ``text``, best first, with ``address`` (display
        text) and ``match`` (``exact`` when street or postcode and the whole house number
        match, else ``partial``). Raises :class:`QueryError` for an empty query."""
        query = parse_query(text)
        frame = self.frame
        if frame.empty:
            return frame.assign(address=pd.Series(dtype=str), match=pd.Series(dtype=str))
        place = _place_score(frame, query)
        keep = place > 0
        suffix_exact = (frame["letter_key"] == query.letter) & (
            frame["toev_key"] == query.toevoeging
        )
        if query.number is not None:
            keep &= frame["number"].eq(query.number).fillna(False).to_numpy(dtype=bool)
        score = place * 10 + suffix_exact.to_numpy() * 2
        if query.city:
            score = score + frame["city_key"].str.startswith(query.city).to_numpy()
        order = pd.DataFrame(
            {
                "score": score,
                "street_key": frame["street_key"],
                "number": frame["number"],
                "letter_key": frame["letter_key"],
                "toev_key": frame["toev_key"],
            }
        )[keep]
        order = order.sort_values(
            ["score", "street_key", "number", "letter_key", "toev_key"],
            ascending=[False, True, True, True, True],
            kind="stable",
        )
        found = frame.loc[order.index[:limit]]
        exact = (
            (_place_score(found, query) >= 3)
            & (query.number is not None)
            & ((found["letter_key"] == query.letter) & (found["toev_key"] == query.toevoeging))
        )
        return found.assign(address=address_text(found), match=np.where(exact, "exact", "partial"))


def _place_score(frame: pd.DataFrame, query: AddressQuery) -> np.ndarray:
    """3 for the same postcode or street, 2 for a street (or 4-digit postcode) starting with
    the query, 1 for a street containing it; 0 otherwise."""
    if query.postcode is not None:
        if len(query.postcode) == 4:
            return np.where(frame["pc_key"].str.startswith(query.postcode), 2, 0)
        return np.where(frame["pc_key"] == query.postcode, 3, 0)
    street = query.street or ""
    keys = frame["street_key"]
    score = np.where(keys == street, 3, np.where(keys.str.startswith(street), 2, 0))
    if len(street) >= 3:
        score = np.where((score == 0) & keys.str.contains(street, regex=False), 1, score)
    if len(query.words) > 1:
        words = frame["street_words"]
        every = np.ones(len(frame), dtype=bool)
        for word in query.words:  # a handful of words, each a vectorised match
            every &= words.str.contains(rf"\b{re.escape(word)}", regex=True).to_numpy()
        score = np.where((score == 0) & every, 1, score)
    return np.asarray(score)


def address_text(frame: pd.DataFrame) -> pd.Series:
    """ "Mekelweg 3, 2628 CC Delft" (postcode and woonplaats where known)."""
    first = frame["street"].astype(str) + " " + frame["housenumber"].astype(str)
    place = (
        frame["postcode"].astype("string").fillna("")
        + " "
        + frame["city"].astype("string").fillna("")
    ).str.strip()
    return first.where(place == "", first + ", " + place).astype(str)


def build_index(
    tables: Sequence[gpd.GeoDataFrame],
    buurten: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame | None = None,
) -> AddressIndex:
    """Index address tables (BAG first: an OSM address within :data:`SAME_ADDRESS_M` of the
    same BAG address is dropped), each with the buurt (``bu_code``, ``bu_naam``) and zone
    (``zone_code``, ``zone_name``) it lies in. All frames in RD New."""
    used = [t for t in tables if not t.empty]
    if not used:
        empty = _table(pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_COLUMNS}), [])
        return AddressIndex(_with_keys(_with_areas(empty, buurten, zones)), {})
    combined = pd.concat(used, ignore_index=True)
    frame = _with_keys(gpd.GeoDataFrame(combined, geometry="geometry", crs=WORKING_CRS))
    frame = frame[~_osm_duplicates(frame)].reset_index(drop=True)
    frame = _with_areas(frame, buurten, zones)
    counts = {str(k): int(v) for k, v in frame["source"].value_counts().items()}
    return AddressIndex(frame, counts)


def _with_keys(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.assign(
        street_key=fold_key(frame["street"]),
        street_words=fold_words(frame["street"]),
        pc_key=postcode_key(frame["postcode"]),
        letter_key=fold_key(frame["letter"]),
        toev_key=fold_key(frame["toevoeging"]),
        city_key=fold_key(frame["city"]),
    )


def _osm_duplicates(frame: gpd.GeoDataFrame) -> np.ndarray:
    """True for OSM rows whose address the BAG also has, within :data:`SAME_ADDRESS_M`."""
    keys = ["street_key", "number", "letter_key", "toev_key"]
    is_osm = (frame["source"] == "osm").to_numpy()
    if is_osm.all() or not is_osm.any():
        return np.zeros(len(frame), dtype=bool)
    osm = frame.loc[is_osm, keys].reset_index()
    bag = frame.loc[~is_osm, keys].reset_index()
    pairs = osm.merge(bag, on=keys, suffixes=("_osm", "_bag"))
    geometry = frame.geometry.values
    near = (
        shapely.distance(
            geometry[pairs["index_osm"].to_numpy()], geometry[pairs["index_bag"].to_numpy()]
        )
        <= SAME_ADDRESS_M
    )
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[pairs.loc[near, "index_osm"].to_numpy()] = True
    return duplicate


def _with_areas(
    frame: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame, zones: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Add the buurt and zone each address lies in (the first buurt on a shared border)."""
    frame = frame.assign(
        bu_code=pd.Series(pd.NA, index=frame.index, dtype="string"),
        bu_naam=pd.Series(pd.NA, index=frame.index, dtype="string"),
        zone_code=pd.Series(pd.NA, index=frame.index, dtype="string"),
        zone_name=pd.Series(pd.NA, index=frame.index, dtype="string"),
    )
    if frame.empty or buurten.empty:
        return frame
    hits = buurten.sindex.query(frame.geometry.values, predicate="within")
    points, areas = hits
    first = pd.Series(areas).groupby(points).min()
    rows = buurten.iloc[first.to_numpy()]
    at = frame.index[first.index.to_numpy()]
    frame.loc[at, "bu_code"] = rows["bu_code"].astype("string").to_numpy()
    frame.loc[at, "bu_naam"] = rows["bu_naam"].astype("string").to_numpy()
    if "zone_code" in rows:
        frame.loc[at, "zone_code"] = rows["zone_code"].astype("string").to_numpy()
    if zones is not None and not zones.empty:
        names = dict(
            zip(zones["zone_code"].astype(str), zones["zone_name"].astype(str), strict=True)
        )
        frame["zone_name"] = frame["zone_code"].map(names, na_action="ignore").astype("string")
    return frame
