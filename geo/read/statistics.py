"""CBS figures of one year, per area (buurt, wijk, gemeente), in long form with their source.

A *year table* is what one CBS publication says about a gemeente's areas: Kerncijfers wijken en
buurten (KWB) of some year, a *Nabijheid voorzieningen* table, or the registered crimes per
buurt. CBS publishes them in four layouts — OData (``AantalInwoners_5``), StatLine CSV exports
(path headers), PDOK camel case (``aantalInwoners``) and the Wijk- en Buurtkaart's upper case
(``AANT_INW``) — plus the 2023+ KWB spreadsheets (``a_inw``): the *variables* below are data,
each with the names every layout gives it (matched as :func:`geo.common.text.find_column`
does). The canonical columns of :mod:`geo.read.cbs` (residents, 65+, CBS distances) are read by
that module; the others here.

Which year a table holds is rarely written in it: it is taken from ``--year``, else from the
file's name (``kwb2019_…``, ``misdrijven2016_…``, ``nabijheid2023_…``), else from a known CBS
table id in the name (84583NED = KWB 2019, …); else the import is refused and asks for
``--year``. A GeoPackage's buurt polygons are kept as that year's geometry (the year of PDOK's
``jrstatcode`` when it has one, as the Nieuwegein file with 2023 geometry and 2024 figures).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.common.tables import read_text_table
from geo.common.text import find_column
from geo.crs import WORKING_CRS
from geo.errors import MissingColumnError, ValueProblemError
from geo.read.cbs import (
    BU_CODE_PATTERN,
    BUURT_COLUMN_VARIANTS,
    REGION_KIND_VARIANTS,
    buurt_attributes,
    cbs_numbers,
    check_codes,
    distance_column,
)
from geo.read.checks import Problems
from geo.vocabulary import Vocabulary

Kind = Literal["count", "mean", "percentage", "rate"]
#: The themes of a wijkprofiel (DOMAIN.md: Roermond's wijkgericht werken), in order.
THEMES = ("wonen", "leren_opgroeien", "werk_inkomen", "integratie", "veiligheid", "welzijn_zorg")


@dataclass(frozen=True)
class Variable:
    """One CBS figure: its canonical code, theme, unit and kind, and its names per layout.

    ``kind`` says how buurten add up to an area: ``count`` sums; ``mean`` and ``percentage``
    are resident-weighted means of the buurten (a stated approximation); ``rate`` is derived.
    """

    code: str
    theme: str
    unit: str
    kind: Kind
    names: tuple[str, ...]
    label_nl: str
    label_en: str


#: Variables beyond :mod:`geo.read.cbs`'s canonical ones, with every layout's name.
VARIABLES: tuple[Variable, ...] = (
    Variable(
        "households",
        "wonen",
        "huishoudens",
        "count",
        ("HuishoudensTotaal", "a_hh", "aantalHuishoudens", "huishoudens", "AANT_HH"),
        "Huishoudens",
        "Households",
    ),
    Variable(
        "household_size",
        "wonen",
        "personen",
        "mean",
        (
            "GemiddeldeHuishoudensgrootte",
            "g_hhgro",
            "gemiddeldeHuishoudsgrootte",
            "gemiddeldeHuishoudensgrootte",
            "huishoudensgrootte",
            "GEM_HH_GR",
        ),
        "Gemiddelde huishoudensgrootte",
        "Mean household size",
    ),
    Variable(
        "woz",
        "wonen",
        "k€",
        "mean",
        (
            "GemiddeldeWOZWaardeVanWoningen",
            "g_wozbag",
            "gemiddeldeWoningwaarde",
            "gemiddeldeWozWaardeWoning",
            "wozWaarde",
            "WOZ",
        ),
        "Gemiddelde WOZ-waarde",
        "Mean WOZ value",
    ),
    Variable(
        "owner_occupied_pct",
        "wonen",
        "%",
        "percentage",
        ("Koopwoningen_47", "p_koopw", "percentageKoopwoningen", "koopwoningen", "P_KOOPWON"),
        "Koopwoningen",
        "Owner-occupied homes",
    ),
    Variable(
        "children_0_15",
        "leren_opgroeien",
        "inwoners",
        "count",
        ("k_0Tot15Jaar", "a_00_14", "inwoners0tot15", "A_0_15_JR"),
        "Kinderen 0–15 jaar",
        "Children 0–15",
    ),
    Variable(
        "income_per_resident",
        "werk_inkomen",
        "k€",
        "mean",
        (
            "GemiddeldInkomenPerInwoner",
            "g_ink_pi",
            "gemiddeldInkomenPerInwoner",
            "inkomenPerInwoner",
            "INK_INW",
        ),
        "Gemiddeld inkomen per inwoner",
        "Mean income per resident",
    ),
    Variable(
        "non_western",
        "integratie",
        "inwoners",
        "count",
        ("NietWestersTotaal", "A_N_W_ALL"),
        "Niet-westerse migratieachtergrond",
        "Non-western migration background",
    ),
    Variable(
        "crimes",
        "veiligheid",
        "misdrijven",
        "count",
        ("TotaalVermogenVernielingEnGeweld_6",),
        "Geregistreerde misdrijven",
        "Registered crimes",
    ),
    Variable(
        "crimes_per_1000",
        "veiligheid",
        "per 1000 inwoners",
        "rate",
        ("misdrijven_per1000",),
        "Misdrijven per 1000 inwoners",
        "Crimes per 1000 residents",
    ),
)
#: :mod:`geo.read.cbs`'s canonical numbers, as variables.
CANONICAL: tuple[Variable, ...] = (
    Variable("residents", "wonen", "inwoners", "count", (), "Inwoners", "Residents"),
    Variable("residents_65plus", "welzijn_zorg", "inwoners", "count", (),
             "Inwoners 65 jaar en ouder", "Residents 65 and over"),
    Variable("pct_65plus", "welzijn_zorg", "%", "percentage", (),
             "Aandeel 65 jaar en ouder", "Share 65 and over"),
)  # fmt: skip
#: PDOK's camel-case nabijheid columns (the 2023 Wijk- en Buurtkaart), per CBS distance.
PDOK_DISTANCE_NAMES = {
    "cbs_huisarts_km": ("huisartsenpraktijkGemiddeldeAfstandInKm",),
    "cbs_apotheek_km": ("apotheekGemiddeldeAfstandInKm",),
    "cbs_supermarkt_km": ("groteSupermarktGemiddeldeAfstandInKm",),
}
#: CBS table ids seen in file names → the year of their figures.
TABLE_YEARS = {
    "83903NED": 2016,
    "83901NED": 2017,
    "84468NED": 2018,
    "84583NED": 2019,
    "84799NED": 2020,
    "85039NED": 2021,
    "85318NED": 2022,
    "85618NED": 2023,
    "85984NED": 2024,
}
_NAMED_YEAR = re.compile(
    r"(?:kwb|kerncijfers|nabijheid|misdrijven|wijkenbuurten)[-_]?((?:19|20)\d\d)"
)
_TABLE_ID = re.compile(r"\d{5}NED", re.IGNORECASE)
#: The column holding each row's area code after :func:`_with_codes`.
CODE = "BU_CODE"
_GEOMETRY_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb")


def distance_variables(vocabulary: Vocabulary) -> tuple[Variable, ...]:
    """CBS's nabijheid distance per category with CBS columns (km, resident-weighted mean)."""
    return tuple(
        Variable(distance_column(c.code), "welzijn_zorg", "km", "mean", (),
                 f"CBS-afstand tot {c.label_nl.lower()}", f"CBS distance to {c.label_en.lower()}")
        for c in vocabulary.categories
        if c.cbs_columns
    )  # fmt: skip


def all_variables(vocabulary: Vocabulary) -> dict[str, Variable]:
    """Every variable a year table can hold, by code."""
    found = (*CANONICAL, *VARIABLES, *distance_variables(vocabulary))
    return {v.code: v for v in found}


def year_of(path: Path, given: int | None = None) -> int | None:
    """The year of a table's figures: ``given``, else the file name's ``kwb2019`` (or
    nabijheid/misdrijven), else a known CBS table id in it; None when it cannot be told.

    >>> year_of(Path("kwb2019_84583NED_buurten.csv")), year_of(Path("x_85984NED.csv"))
    (2019, 2024)
    """
    if given is not None:
        return given
    name = Path(path).name.lower()
    if match := _NAMED_YEAR.search(name):
        return int(match[1])
    for table in _TABLE_ID.findall(name):
        if table.upper() in TABLE_YEARS:
            return TABLE_YEARS[table.upper()]
    return None


def table_id(path: Path) -> str | None:
    """The CBS table id in a file's name (``84583NED``), if any."""
    found = _TABLE_ID.findall(Path(path).name)
    return found[0].upper() if found else None


@dataclass(frozen=True, eq=False)
class YearTable:
    """One year's figures: ``values`` long (``area_code``, ``level``, ``area_name``,
    ``variable``, ``value``; NaN where CBS gives none), ``geometry`` the buurt polygons of
    ``geometry_year`` (RD New) when the file has them, and where each variable came from."""

    year: int
    source: str
    table: str | None
    values: pd.DataFrame
    columns: dict[str, str]
    geometry: gpd.GeoDataFrame | None = None
    geometry_year: int | None = None

    @property
    def buurt_codes(self) -> set[str]:
        """The buurt codes with figures."""
        rows = self.values[self.values["level"] == "buurt"]
        return set(rows["area_code"])


def read_year_table(
    path: Path, *, vocabulary: Vocabulary, year: int | None = None, where: str | None = None
) -> YearTable:
    """Read one CBS table (any layout) as one year's figures per buurt, wijk and gemeente.

    Raises :class:`~geo.errors.ValueProblemError` when the year cannot be told (asks for
    ``--year``), :class:`~geo.errors.MissingColumnError` without a code column, and one
    :class:`~geo.errors.InputError` listing every row at fault.
    """
    path = Path(path)
    where = where or path.name
    raw = _with_codes(read_text_table(path, where=where), where)
    told = year_of(Path(where), year) or year_of(path) or _statcode_year(raw)
    if told is None:
        raise ValueProblemError(
            f"{where}: the year of its figures cannot be told from the file or its name; "
            "give it with --year YYYY (over HTTP: year=YYYY)"
        )
    geometry, geometry_year = _geometry(path, raw, told)
    problems = Problems(where)
    codes = raw[CODE].astype("string").str.strip()
    levels = _levels(raw, codes)
    buurt = levels == "buurt"
    check_codes(codes[buurt], problems)
    attributes = buurt_attributes(raw, problems, vocabulary=vocabulary)
    problems.raise_if_any()
    columns, numbers = _numbers(raw, attributes.found, vocabulary)
    values = _long(codes, levels, _names(raw), numbers)
    if values.empty and geometry is None:
        raise MissingColumnError(
            f"{where}: no figures CBS publishes per buurt were found (e.g. AANT_INW, a_inw, "
            "AantalInwoners_5, aantalInwoners) and no buurt geometry"
        )
    return YearTable(told, where, table_id(Path(where)) or table_id(path), values, columns,
                     geometry, geometry_year)  # fmt: skip


def _with_codes(raw: pd.DataFrame, where: str) -> pd.DataFrame:
    """``raw`` with its area codes in :data:`CODE`: from the code column, or — in CBS's OData
    tables of 2019–2021, whose ``Codering_3`` is empty — from ``WijkenEnBuurten``."""
    candidates = [
        c
        for c in (
            find_column(raw.columns, BUURT_COLUMN_VARIANTS["bu_code"]),
            find_column(raw.columns, ("WijkenEnBuurten", "Wijken en buurten")),
        )
        if c is not None
    ]
    if not candidates:
        raise MissingColumnError(
            f"{where}: no area code column (BU_CODE, buurtcode, statcode, gwb_code_10, "
            "Codering_3, WijkenEnBuurten)"
        )

    def coded(column: str) -> int:
        text = raw[column].astype("string").str.strip()
        return int(text.str.match(r"^(BU|WK|GM)[0-9]").fillna(False).sum())

    best = max(candidates, key=coded)
    return raw.assign(**{CODE: raw[best].astype("string").str.strip()})


def _statcode_year(raw: pd.DataFrame) -> int | None:
    """The one year of PDOK's ``jrstatcode`` (``2019BU03560001``), if the table has it."""
    if "jrstatcode" not in raw:
        return None
    years = raw["jrstatcode"].astype("string").str[:4].dropna().unique()
    return int(years[0]) if len(years) == 1 and str(years[0]).isdigit() else None


def _levels(raw: pd.DataFrame, codes: pd.Series) -> pd.Series:
    """``buurt``, ``wijk`` or ``gemeente`` per row, by the code's prefix (rows of other kinds,
    such as the country, are ``other`` and left out)."""
    prefix = codes.str[:2].fillna("")
    level = prefix.map({"BU": "buurt", "WK": "wijk", "GM": "gemeente"}).fillna("other")
    kind_column = find_column(raw.columns, REGION_KIND_VARIANTS)
    if kind_column is not None:  # a buurt row says so; its code then decides nothing else
        kind = raw[kind_column].astype("string").str.strip().str.lower().fillna("")
        level = level.where(~((kind == "buurt") & (prefix != "BU")), "other")
    return level.astype(str)


def _names(raw: pd.DataFrame) -> pd.Series:
    column = find_column(
        raw.columns,
        ("BU_NAAM", "buurtnaam", "statnaam", "regio", "Wijken en buurten", "WijkenEnBuurten"),
    )
    if column is None:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    names = raw[column].astype("string").str.strip()
    return names.mask(names.str.match(BU_CODE_PATTERN.pattern).fillna(False).astype(bool))


def _numbers(
    raw: pd.DataFrame, found: Mapping[str, str], vocabulary: Vocabulary
) -> tuple[dict[str, str], pd.DataFrame]:
    """Every variable's numbers over all rows (missing: NaN), and its source column."""
    columns: dict[str, str] = {}
    numbers = pd.DataFrame(index=raw.index)
    canonical = {v.code for v in CANONICAL} | {v.code for v in distance_variables(vocabulary)}
    for code, column in found.items():
        if code in canonical:
            columns[code] = column
    for variable in VARIABLES:
        hit = find_column(raw.columns, variable.names)
        if hit is not None and hit not in columns.values():
            columns[variable.code] = hit
    for code, names in PDOK_DISTANCE_NAMES.items():
        hit = find_column(raw.columns, names)
        if code not in columns and hit is not None:
            columns[code] = hit
    for code, column in columns.items():
        numbers[code] = cbs_numbers(raw[column])[0]
    return _derived(columns, numbers)


def _derived(columns: dict[str, str], numbers: pd.DataFrame) -> tuple[dict[str, str], pd.DataFrame]:
    """65+ as a count from the share (or the share from the count) where a table gives one
    only, and crimes per 1000 residents from the counts; the source says it was derived."""
    if "residents" in numbers and "pct_65plus" in numbers and "residents_65plus" not in numbers:
        numbers["residents_65plus"] = numbers["pct_65plus"] * numbers["residents"] / 100
        columns["residents_65plus"] = f"{columns['pct_65plus']} × {columns['residents']} / 100"
    if "residents" in numbers and "residents_65plus" in numbers and "pct_65plus" not in numbers:
        share = numbers["residents_65plus"] / numbers["residents"].where(numbers["residents"] > 0)
        numbers["pct_65plus"] = 100 * share
        columns["pct_65plus"] = f"100 × {columns['residents_65plus']} / {columns['residents']}"
    if "crimes" in numbers and "residents" in numbers and "crimes_per_1000" not in numbers:
        per = numbers["crimes"] / numbers["residents"].where(numbers["residents"] > 0)
        numbers["crimes_per_1000"] = 1000 * per
        columns["crimes_per_1000"] = f"1000 × {columns['crimes']} / {columns['residents']}"
    return columns, numbers


def _long(
    codes: pd.Series, levels: pd.Series, names: pd.Series, numbers: pd.DataFrame
) -> pd.DataFrame:
    keep = levels != "other"
    frame = numbers[keep].assign(area_code=codes[keep], level=levels[keep], area_name=names[keep])
    frame = frame.drop_duplicates("area_code")
    long = frame.melt(
        id_vars=["area_code", "level", "area_name"], var_name="variable", value_name="value"
    )
    long["value"] = long["value"].astype(float)
    return long.reset_index(drop=True)


def _geometry(
    path: Path, raw: pd.DataFrame, year: int
) -> tuple[gpd.GeoDataFrame | None, int | None]:
    """The file's buurt polygons (RD New) and their year, when it has geometry."""
    if path.suffix.lower() not in _GEOMETRY_SUFFIXES:
        return None, None
    frame = pyogrio.read_dataframe(path)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        return None, None
    frame = frame.to_crs(WORKING_CRS) if frame.crs is not None else frame.set_crs(WORKING_CRS)
    column = find_column(frame.columns, BUURT_COLUMN_VARIANTS["bu_code"])
    if column is None:
        return None, None
    codes = frame[column].astype("string").str.strip()
    buurten = gpd.GeoDataFrame(
        {"bu_code": codes.to_numpy()}, geometry=frame.geometry.to_numpy(), crs=WORKING_CRS
    )
    buurten = buurten[codes.str.startswith("BU").fillna(False).to_numpy()]
    return buurten.reset_index(drop=True), _statcode_year(raw) or year
