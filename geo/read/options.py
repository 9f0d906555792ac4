"""How to read one input file: the options every reader takes, in one validated model.

The CLI builds it from its flags, the HTTP imports from query parameters and form fields, a
sample manifest from its entries; the readers (:mod:`geo.read.buurten`,
:mod:`geo.read.voorzieningen`) take it whole.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReadOptions(BaseModel):
    """Options of a reader; every one is optional (None/False: the reader decides)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Layer of a GeoPackage (or file in a zip) to read; default: the only one, or the one
    #: whose name says what is read (``*buurt*``).
    layer: str | None = Field(default=None, max_length=200)
    #: The input's CRS when it states none or a wrong one (``EPSG:28992`` for legacy RD
    #: GeoJSON; for CSV x/y columns).
    crs: str | None = Field(default=None, max_length=100)
    #: Repair invalid polygons with ``shapely.make_valid`` instead of refusing them.
    repair: bool = False
    #: Buurten: keep only this gemeente's (``GM0356``).
    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$")
    #: Voorzieningen: one category for every feature (a code or alias of the vocabulary).
    category: str | None = Field(default=None, max_length=100)
    #: Voorzieningen: the column holding the category (default: ``categorie``, ``category``,
    #: ``soort`` or ``type``; else OSM tags).
    category_column: str | None = Field(default=None, max_length=100)
    #: Voorzieningen from CSV: the x (or longitude) and y (or latitude) columns.
    x_column: str | None = Field(default=None, max_length=100)
    y_column: str | None = Field(default=None, max_length=100)


#: No options: the reader decides everything from the input itself.
NO_OPTIONS = ReadOptions()
