"""Tables of text cells from CSV (one separator sniffer) or any table GDAL reads."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyogrio
import pyogrio.errors

from geo.errors import ReadError

#: Suffixes read as delimited text; anything else goes to GDAL.
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: Separators the sniffer chooses from, most likely first.
SEPARATORS = ";,\t|"
_SNIFF_CHARS = 65536


def csv_separator(header: str) -> str:
    """The separator of a CSV header line (``;``, ``,``, tab or ``|``); ``,`` when unclear.

    >>> csv_separator("openbareruimte;huisnummer;postcode")
    ';'
    >>> csv_separator("id,name,lon,lat")
    ','
    """
    try:
        return csv.Sniffer().sniff(header, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def read_text_table(path: Path, *, where: str, default_missing: bool = False) -> pd.DataFrame:
    """A table with every cell as text: CSV (``,``/``;``/tab/``|``, UTF-8 with or without BOM,
    quoted headers) or any table GDAL reads (GeoPackage, …, geometry left out).

    CSV cells are kept as written (empty: ``""``); with ``default_missing`` pandas' missing
    markers (``""``, ``NA``, ``null``, …) become missing values. Raises :class:`ReadError` for
    anything that cannot be read as a table.
    """
    path = Path(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        return _read_csv(path, where=where, default_missing=default_missing)
    try:
        frame = pyogrio.read_dataframe(path, read_geometry=False)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"{where}: cannot read as a table: {exc}") from exc
    return pd.DataFrame(frame)


def _read_csv(path: Path, *, where: str, default_missing: bool) -> pd.DataFrame:
    try:
        with path.open("r", encoding="utf-8-sig") as stream:
            header = stream.read(_SNIFF_CHARS).split("\n", 1)[0]
        return pd.read_csv(
            path,
            sep=csv_separator(header),
            dtype=str,
            encoding="utf-8-sig",
            keep_default_na=default_missing,
        )
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        csv.Error,
        UnicodeDecodeError,
        OSError,
    ) as exc:
        raise ReadError(f"{where}: cannot read as CSV: {exc}") from exc
