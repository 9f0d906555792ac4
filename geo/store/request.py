"""An import request: what to read and how to store it, the same for the CLI, HTTP and samples.

``wsz import …`` builds one from its flags, ``POST /imports/…`` from query parameters and form
fields (validated by :class:`ImportOptions`), ``wsz import sample`` and ``wsz demo`` from the
sample's name; :func:`geo.pipeline.run_import` carries every one out as one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from geo.read.options import ReadOptions
from geo.read.vectors import Source
from geo.store.log import ImportInput, ImportKind

#: ``replace`` the layer, ``add`` to it (stored ids refused), or ``upsert``: replace the
#: features with the same stable id (``bu_code``, ``id``, zone ``code``) and add the rest.
ImportMode = Literal["replace", "add", "upsert"]


class ImportOptions(ReadOptions):
    """The reader's options plus how to store the result."""

    mode: ImportMode = "replace"
    #: Check and report what would change; write nothing.
    dry_run: bool = False


#: The options each kind of import takes (others are refused over HTTP).
OPTIONS_BY_KIND: dict[str, tuple[str, ...]] = {
    "buurten": ("mode", "dry_run", "repair", "crs", "layer", "gemeente"),
    "zones": ("mode", "dry_run"),
    "voorzieningen": (
        "mode",
        "dry_run",
        "repair",
        "crs",
        "layer",
        "category",
        "category_column",
        "x_column",
        "y_column",
    ),
    "addresses": ("crs", "layer"),
    "sample": (),
    "gemeente": ("gemeente",),
}


@dataclass(frozen=True)
class ImportRequest:
    """One import: its kind, its input and its options.

    ``source`` is a file or a GeoJSON body (a gemeente: its buurten file; unused for a
    sample, which ``sample`` names, None for the data path's default); ``statistics`` are CBS
    tables joined to buurten by code; ``extract`` is a gemeente's OSM extract (its
    voorzieningen and walking network); ``where`` is how the input is named in messages
    (default: the file name). ``described`` and ``statistics_described`` say what came in,
    for the log, when the files read are copies of it (an upload saved under a clean name).
    """

    kind: ImportKind
    source: Source | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    statistics: tuple[Path, ...] = ()
    extract: Path | None = None
    where: str | None = None
    sample: str | None = None
    described: ImportInput | None = None
    statistics_described: tuple[ImportInput, ...] = ()

    @property
    def read_options(self) -> ReadOptions:
        """The reader's part of :attr:`options`."""
        return ReadOptions(**self.options.model_dump(include=set(ReadOptions.model_fields)))

    @property
    def name(self) -> str:
        """How the input is named in messages and the log."""
        if self.where is not None:
            return self.where
        if isinstance(self.source, str | Path):
            return str(self.source)
        return "request body" if self.source is not None else f"sample {self.sample or ''}"

    def describe(self) -> ImportInput:
        """What came in, for the log: :attr:`described`, else the file (or body) itself."""
        if self.described is not None:
            return self.described
        if isinstance(self.source, str | Path):
            return ImportInput.of_file(Path(self.source))
        if isinstance(self.source, bytes | bytearray):
            return ImportInput.of_bytes(self.where or "request body", bytes(self.source))
        if self.source is not None:
            return ImportInput.of_bytes(self.where or "request body", repr(self.source).encode())
        return ImportInput.of_bytes(f"sample {self.sample or ''}".strip(), b"")

    def describe_statistics(self) -> tuple[ImportInput, ...]:
        """The CBS tables that came in, for the log."""
        if self.statistics_described:
            return self.statistics_described
        return tuple(ImportInput.of_file(p) for p in self.statistics)
