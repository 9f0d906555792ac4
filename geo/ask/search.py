"""Address search without an external geocoder: an index of the addresses we hold.

Search (:meth:`AddressIndex.search`) understands postcode + house number ("3431 AB 12",
"3431ab12", "3431 ab 12a", a postcode alone) and street + number ("Mekelweg 5",
"mekelweg 5 delft", "Mekelweg 5, Delft"), tolerant of case, spacing, punctuation and accents.
One query is parsed in Python; matching and ranking run as pandas string operations over the
whole index. The addresses come from :mod:`geo.read.addresses`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.common.text import fold_keys, fold_words, strip_accents
from geo.crs import WORKING_CRS
from geo.errors import QueryError
from geo.join import buurt_positions
from geo.read.addresses import ADDRESS_COLUMNS, address_table, postcode_key, split_suffix

#: An OSM address within this many metres of the same BAG address is the same address.
SAME_ADDRESS_M = 250.0
#: Rows equal in these keys are one address (as residents read it: "Jaffalaan 9, Delft").
SAME_ADDRESS_KEYS = ("street_key", "number", "letter_key", "toev_key", "pc_key", "city_key")
_POSTCODE = re.compile(r"^(\d{4}) ?([a-z]{2})(?![a-z])(.*)$")
_POSTCODE_DIGITS = re.compile(r"^(\d{4})$")
_NUMBER_TOKEN = re.compile(r"^(\d+)([a-z0-9/-]*)$")


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
    plain = strip_accents(text).lower()
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
        """The best ``limit`` addresses for ``text``, best first, one row per address
        (:data:`SAME_ADDRESS_KEYS`), with ``address`` (display text) and ``match`` (``exact``
        when street or postcode and the whole house number match, else ``partial``). Raises
        :class:`QueryError` for an empty query."""
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
        order = pd.DataFrame({"score": score, **{key: frame[key] for key in SAME_ADDRESS_KEYS}})[
            keep
        ]
        order = order.sort_values(
            ["score", "street_key", "number", "letter_key", "toev_key"],
            ascending=[False, True, True, True, True],
            kind="stable",
        )
        # One result per address: OSM often tags an address on several nodes (entrances,
        # a building and its shop); the best-ranked, first in the index, stands for them.
        order = order[~order.duplicated(list(SAME_ADDRESS_KEYS), keep="first")]
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
        empty = address_table(
            pd.DataFrame({c: pd.Series(dtype=object) for c in ADDRESS_COLUMNS}), []
        )
        return AddressIndex(_with_keys(_with_areas(empty, buurten, zones)), {})
    combined = pd.concat(used, ignore_index=True)
    frame = _with_keys(gpd.GeoDataFrame(combined, geometry="geometry", crs=WORKING_CRS))
    frame = frame[~_osm_duplicates(frame)].reset_index(drop=True)
    frame = _with_areas(frame, buurten, zones)
    counts = {str(k): int(v) for k, v in frame["source"].value_counts().items()}
    return AddressIndex(frame, counts)


def _with_keys(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.assign(
        street_key=fold_keys(frame["street"]),
        street_words=fold_words(frame["street"]),
        pc_key=postcode_key(frame["postcode"]),
        letter_key=fold_keys(frame["letter"]),
        toev_key=fold_keys(frame["toevoeging"]),
        city_key=fold_keys(frame["city"]),
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
    positions = buurt_positions(np.asarray(frame.geometry.values, dtype=object), buurten)
    inside = positions >= 0
    rows = buurten.iloc[positions[inside]]
    at = frame.index[inside]
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
