"""CBS buurt statistics in every published form: column families, CBS's markers, statistics join.

CBS publishes the same buurt figures under many names. The *families* below are data: each
canonical column maps to the names CBS (or PDOK) used for it, matched case-insensitively, with
runs of white space collapsed:

- the classic Wijk- en Buurtkaart (Shapefile/GeoPackage, upper case: ``BU_CODE``, ``AANT_INW``,
  ``P_65_EO_JR``, ``A_65_EO_JR``, ``AF_ARTSPR``);
- the Kerncijfers GeoPackage (snake case: ``aantal_inwoners``) and PDOK's WFS (camel case);
- CBS's 2023+ KWB spreadsheets (lower case: ``gwb_code_10``, ``regio``, ``recs``, ``a_inw``,
  ``a_65_oo``, ``g_afs_hp``), one row per gemeente, wijk and buurt;
- PDOK's *gebiedsindelingen* geometry (``statcode``, ``statnaam``, ``rubriek``);
- StatLine CSV exports, whose headers are paths (``Regioaanduiding/Codering (code)``): such a
  header also matches by its last segment when that is unique;
- CBS OData columns with a numeric suffix (``AantalInwoners_5``): matched without it;
- and this service's own exports (``bu_code``, ``residents``, ``cbs_huisarts_km``), so an
  exported layer imports again as it was.

Rows of a table that are not buurten (gemeente and wijk rows, marked in ``recs``, ``rubriek``
or StatLine's ``Soort regio``; or, without such a column, codes starting GM/WK/NL/...) are
left out. CBS marks figures it keeps secret, does not know or does not publish with a marker
(:data:`CBS_MISSING_MARKERS`, e.g. ``.``) or a negative sentinel (-99999999, -99999997, ...);
both become missing values that never enter a sum. Decimal commas are read as decimals.

CBS's *nabijheid* distances (km over the road network from every address, averaged over the
buurt's residents) are carried per category as ``cbs_<category>_km``; which CBS columns feed
each category is data too: ``cbs_columns`` in ``data/voorzieningen.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.common.tables import read_text_table
from geo.common.text import decimal_numbers, find_column
from geo.errors import DataQualityWarning, MissingColumnError, ValueProblemError
from geo.read.checks import Problems, check_duplicates, describe
from geo.read.values import one_value_per_cell
from geo.vocabulary import Vocabulary

#: Canonical buurt column → the names CBS and PDOK have used for it (see the module docstring).
BUURT_COLUMN_VARIANTS: dict[str, tuple[str, ...]] = {
    "bu_code": (
        "BU_CODE",
        "buurtcode",
        "statcode",
        "gwb_code_10",
        "gwb_code",
        "Codering (code)",
        "Codering",
    ),
    "bu_naam": ("BU_NAAM", "buurtnaam", "statnaam", "regio", "Wijken en buurten"),
    "wk_code": ("WK_CODE", "wijkcode"),
    "wk_naam": ("WK_NAAM", "wijknaam"),
    "gm_code": ("GM_CODE", "gemeentecode"),
    "gm_naam": ("GM_NAAM", "gemeentenaam", "Gemeentenaam (naam)"),
    "residents": (
        "AANT_INW",
        "aantal_inwoners",
        "aantalInwoners",
        "a_inw",
        "inwoners",
        "residents",  # this service's own exports
    ),
    "pct_65plus": (
        "P_65_EO_JR",
        "percentage_personen_65_jaar_en_ouder",
        "percentagePersonen65JaarEnOuder",
        "p_65_oo",
    ),
    "residents_65plus": (
        "A_65_EO_JR",
        "aantal_personen_65_jaar_en_ouder",
        "aantalPersonen65JaarEnOuder",
        "a_65_oo",
        "inwoners65plus",
        "k_65JaarOfOuder",
        "residents_65plus",  # this service's own exports
    ),
}
TEXT_COLUMNS = ("bu_code", "bu_naam", "wk_code", "wk_naam", "gm_code", "gm_naam")
NUMBER_COLUMNS = ("residents", "pct_65plus", "residents_65plus")
#: Columns saying which kind of region a row is (gemeente, wijk, buurt).
REGION_KIND_VARIANTS = (
    "recs",
    "rubriek",
    "Soort regio (omschrijving)",
    "SoortRegio",
    "soort_regio",
)
#: Without a region kind column, codes like these mark rows that are not buurten.
AGGREGATE_CODE = re.compile(r"^(NL|LD|PV|CR|GM|WK)[0-9]")
#: Cell values CBS uses instead of a figure: "." (secret, unknown or unreliable: StatLine and
#: the KWB spreadsheets), "x" (secret, older tables), "?" (unknown), "-" / "–" (nil or not
#: applicable, depending on the table), and an empty cell. All become missing: a missing
#: figure never enters a sum, which is safer than guessing which of them means zero.
CBS_MISSING_MARKERS = frozenset({"", ".", "x", "X", "?", "-", "–", "—"})
#: CBS's negative sentinels in number columns (-99999999 unknown, -99999997 secret, ...) lie
#: at or below this; they are missing values. Any other negative figure is refused.
CBS_SENTINEL_ABOVE = -99_999_990
#: Buurt codes: BU + 4-digit gemeente + 4 digits, or (Amsterdam since 2024) letters: BU0363AA01.
BU_CODE_PATTERN = re.compile(r"^BU\d{4}[0-9A-Z]{4}$")
#: Columns with CBS's distance to the nearest voorziening of a category, in km.
CBS_DISTANCE_COLUMN = re.compile(r"^cbs_[a-z][a-z0-9_]*_km$")


# --------------------------------------------------------------------------- columns


def distance_column(category: str) -> str:
    """``cbs_<category>_km``: the column holding CBS's distance for a category (km)."""
    return f"cbs_{category}_km"


def distance_variants(vocabulary: Vocabulary) -> dict[str, tuple[str, ...]]:
    """``cbs_<category>_km`` → the CBS columns that give it, for categories that have any."""
    return {
        distance_column(c.code): (*c.cbs_columns, distance_column(c.code))  # + our own exports
        for c in vocabulary.categories
        if c.cbs_columns
    }


def cbs_distance_columns(columns: Iterable[object]) -> list[str]:
    """The ``cbs_<category>_km`` columns among ``columns``, in their order."""
    return [str(c) for c in columns if CBS_DISTANCE_COLUMN.match(str(c))]


def cbs_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers, garbage): floats with CBS markers and negative sentinels as NaN, and a mask of
    the values that are neither a number nor a CBS marker.

    Other negative values (``-3`` residents) are garbage too: counts and distances are ≥ 0.

    >>> numbers, garbage = cbs_numbers(pd.Series(["12", "3,5", ".", "-99999999", "veel", "-3"]))
    >>> numbers.tolist()[:2], garbage.tolist()
    ([12.0, 3.5], [False, False, False, False, True, True])
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
        garbage = pd.Series(False, index=values.index)
    else:
        text = values.astype("string").str.strip()
        marker = (text.isna() | text.isin(CBS_MISSING_MARKERS)).astype(bool)
        numbers = decimal_numbers(text.mask(marker))
        garbage = numbers.isna() & ~marker
    negative = (numbers < 0) & (numbers > CBS_SENTINEL_ABOVE)  # -3 residents: refused
    garbage = (garbage | negative.fillna(False)).astype(bool)
    numbers = numbers.where(np.isfinite(numbers) & (numbers >= 0))
    return numbers, garbage


def is_aggregate_row(raw: pd.DataFrame, code_column: str | None) -> pd.Series:
    """Rows that are gemeenten, wijken or the country rather than buurten."""
    kind_column = find_column(raw.columns, REGION_KIND_VARIANTS)
    if kind_column is not None:
        kind = raw[kind_column].astype("string").str.strip().str.lower()
        return (kind.notna() & (kind != "buurt")).astype(bool)
    if code_column is None:
        return pd.Series(False, index=raw.index)
    codes = raw[code_column].astype("string").str.strip()
    return codes.str.match(AGGREGATE_CODE.pattern).fillna(False).astype(bool)


@dataclass(frozen=True)
class Attributes:
    """Canonical buurt attributes of an input's buurt rows (index: the rows' positions).

    ``frame`` holds the canonical columns found (:data:`TEXT_COLUMNS`, :data:`NUMBER_COLUMNS`,
    ``cbs_<category>_km``), numbers already parsed; ``found`` maps each to its source column.
    """

    frame: pd.DataFrame
    found: Mapping[str, str]
    dropped: int


def buurt_attributes(
    raw: pd.DataFrame, problems: Problems, *, vocabulary: Vocabulary
) -> Attributes:
    """Find the column families in ``raw``, keep the buurt rows and parse CBS numbers.

    Values that are neither numbers nor CBS markers are recorded in ``problems``.
    """
    families = {**BUURT_COLUMN_VARIANTS, **distance_variants(vocabulary)}
    found = {
        canon: column
        for canon, names in families.items()
        if (column := find_column(raw.columns, names)) is not None
    }
    raw = one_value_per_cell(raw, list(found.values()), problems, code=found.get("bu_code"))
    aggregate = is_aggregate_row(raw, found.get("bu_code"))
    rows = raw[~aggregate]
    frame = pd.DataFrame(index=rows.index)
    for canon, column in found.items():
        if canon in TEXT_COLUMNS:
            text = rows[column].astype("string").str.strip()
            frame[canon] = text.mask(text == "")
            continue
        numbers, garbage = cbs_numbers(rows[column])
        frame[canon] = numbers
        if not garbage.any():
            continue
        ids = frame["bu_code"] if "bu_code" in frame else pd.Series(dtype="string")
        problems.add_mask(
            ValueProblemError,
            f"column {column} has non-numeric (or negative) values in row(s) "
            f"{describe(garbage[garbage].index)}",
            garbage,
            ids,
            rows.loc[garbage, column].map(
                lambda v, c=column: (
                    f"column {c}: {v!r} is neither a number ≥ 0 nor a CBS marker such as '.'"
                )
            ),
        )
    return Attributes(frame, found, int(aggregate.sum()))


def check_codes(codes: pd.Series, problems: Problems) -> None:
    """Missing, malformed (not ``BU`` + 8 characters) and repeated buurt codes, per row."""
    missing = codes.isna()
    problems.add_mask(
        ValueProblemError,
        f"buurt(en) without a buurt code in row(s) {describe(missing[missing].index)}",
        missing,
        codes,
        "no buurt code (BU_CODE, buurtcode, statcode or gwb_code_10)",
    )
    malformed = ~missing & ~codes.fillna("").str.match(BU_CODE_PATTERN.pattern).astype(bool)
    problems.add_mask(
        ValueProblemError,
        f"malformed buurt code(s) {describe(codes[malformed])} (expected BU followed by 8 "
        "digits, e.g. BU03560101, or BU0363AA01 in Amsterdam)",
        malformed,
        codes,
        codes.map(lambda c: f"malformed buurt code {c!r} (expected BU + 8 digits)"),
    )
    check_duplicates(codes.where(~malformed), problems, what="buurt code")


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class StatisticsTable:
    """A CBS statistics table: one row per buurt, indexed by buurt code.

    ``table`` holds the canonical columns the file has (names, residents, 65+, CBS distances),
    numbers parsed; ``found`` names the file's column for each.
    """

    where: str
    table: pd.DataFrame
    found: Mapping[str, str]

    def for_gemeente(self, gemeente: str) -> StatisticsTable:
        """Only the buurten of one gemeente (by the code's digits: BU0356… for GM0356)."""
        keep = self.table.index.str[2:6] == gemeente[2:6]
        return StatisticsTable(self.where, self.table[keep], self.found)


def read_statistics(
    path: Path, *, vocabulary: Vocabulary, where: str | None = None
) -> StatisticsTable:
    """Read a CBS statistics table (Kerncijfers, KWB, nabijheid; CSV or any GDAL table).

    Keeps the buurt rows, parses CBS numbers and checks the codes; raises one
    :class:`~geo.errors.InputError` listing every row at fault, and
    :class:`~geo.errors.MissingColumnError` when no code column is found.
    """
    where = where or str(path)
    raw = read_text_table(Path(path), where=where)
    problems = Problems(where)
    attributes = buurt_attributes(raw, problems, vocabulary=vocabulary)
    if "bu_code" not in attributes.frame:
        raise MissingColumnError(
            f"{where}: no buurt code column (one of "
            f"{'/'.join(BUURT_COLUMN_VARIANTS['bu_code'])}); the table has "
            f"{describe(raw.columns, limit=20)}"
        )
    table = attributes.frame
    check_codes(table["bu_code"], problems)
    problems.raise_if_any()
    if len(attributes.found) == 1:
        raise MissingColumnError(
            f"{where}: no statistics columns besides the buurt code (e.g. AANT_INW, a_inw, "
            "A_65_EO_JR, AF_ARTSPR, g_afs_hp, 'Afstand tot huisartsenpraktijk (km)')"
        )
    return StatisticsTable(where, table.set_index("bu_code"), attributes.found)


@dataclass(frozen=True)
class StatisticsJoin:
    """How a statistics table matched the buurt geometry, code by code."""

    statistics: str
    matched: int
    geometry_only: tuple[str, ...]
    statistics_only: tuple[str, ...]
    columns: tuple[str, ...]
    #: Columns of ``columns`` without a single figure for the matched buurten (every value
    #: CBS's ``.``: secret or not yet published, as the KWB 2024 distances are).
    empty: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every buurt found its statistics and every statistics row its buurt."""
        return not self.geometry_only and not self.statistics_only

    def describe(self) -> str:
        """One paragraph for the CLI and the API report."""
        filled = [c for c in self.columns if c not in self.empty]
        text = (
            f"statistics {self.statistics} joined by buurt code: {self.matched} buurt(en) "
            f"matched ({', '.join(filled) or 'no column with figures'})"
        )
        if self.empty:
            text += (
                f"; {len(self.empty)} column(s) hold no figure for any of them (every value "
                f"missing or CBS's '.', secret or not yet published), so they give nothing: "
                f"{', '.join(self.empty)}"
            )
        if self.geometry_only:
            text += (
                f"; {len(self.geometry_only)} buurt(en) have geometry but no statistics, so "
                f"their figures are missing: {describe(self.geometry_only)}"
            )
        if self.statistics_only:
            text += (
                f"; {len(self.statistics_only)} code(s) in the statistics have no geometry "
                f"and are dropped: {describe(self.statistics_only)}"
            )
        return text


class StatisticsJoinWarning(DataQualityWarning):
    """Codes present on one side of a statistics join only; ``join`` has the lists."""

    def __init__(self, join: StatisticsJoin) -> None:
        super().__init__(join.describe())
        self.join = join


def join_statistics(
    attributes: pd.DataFrame, statistics: StatisticsTable
) -> tuple[pd.DataFrame, StatisticsJoin]:
    """Attributes with the statistics' columns joined by ``bu_code``.

    Numbers come from the statistics wherever the table has the column (missing for buurten
    it lacks); names and codes fall back to the geometry's own where the table has none.
    """
    codes = attributes["bu_code"]
    table = statistics.table
    rows = table.reindex(codes.to_numpy())
    rows.index = attributes.index
    joined = attributes.copy()
    for column in table.columns:
        if column in TEXT_COLUMNS and column in joined:
            joined[column] = rows[column].combine_first(joined[column])
        else:
            joined[column] = rows[column]
    present = set(codes.dropna())
    report = StatisticsJoin(
        statistics=statistics.where,
        matched=int(codes.isin(table.index).sum()),
        geometry_only=tuple(sorted(present - set(table.index))),
        statistics_only=tuple(sorted(set(table.index) - present)),
        columns=tuple(statistics.found[c] for c in table.columns if c in statistics.found),
        empty=tuple(
            statistics.found[c]
            for c in table.columns
            if c in statistics.found and c not in TEXT_COLUMNS and rows[c].isna().all()
        ),
    )
    return joined, report
