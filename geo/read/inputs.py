"""The reading half of an import: a request's input read and checked, before any lock is taken.

:func:`read_input` reads what an :class:`~geo.store.request.ImportRequest` names — a buurten
file (with CBS tables), a zone definition, a voorzieningen file, a BAG address table, a whole
sample or a whole gemeente — into an *input* object. Nothing here touches the store: combining
the input with what is stored happens in :func:`geo.pipeline.run_import`, under the store's
lock, which parsing an upload never holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.common.progress import Progress
from geo.errors import ValueProblemError
from geo.read.addresses import read_bag_addresses
from geo.read.buurten import BuurtenLoad, load_buurten, read_buurten, warn_incomplete_joins
from geo.read.provenance import LayerSource, Provenance
from geo.read.samples import SampleManifest, read_manifest, sample_buurten
from geo.read.vectors import Source
from geo.read.voorzieningen import concat_voorzieningen, read_voorzieningen
from geo.read.zones import ZoneDefinition, read_zone_definition, zones_per_wijk
from geo.settings import Settings
from geo.store.request import ImportRequest

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"


@dataclass(frozen=True)
class BuurtenInput:
    """Buurten read and checked, with the report of each CBS table joined to them."""

    loaded: BuurtenLoad


@dataclass(frozen=True)
class ZonesInput:
    """A zone definition read and checked on its own."""

    definition: ZoneDefinition


@dataclass(frozen=True)
class VoorzieningenInput:
    """Voorzieningen read and checked (points in RD New)."""

    frame: gpd.GeoDataFrame


@dataclass(frozen=True)
class WholeInput:
    """Everything a store holds, read at once (a sample, a gemeente's real data), and the OSM
    extract whose walking network comes with it (None: the sample has none)."""

    buurten: gpd.GeoDataFrame
    definition: ZoneDefinition
    voorzieningen: gpd.GeoDataFrame
    provenance: Provenance
    extract: Path | None
    #: The manifest file of a sample (what the import log names).
    manifest: Path | None = None
    #: The sample's address table (RD New points), None when it has none.
    addresses: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class AddressesInput:
    """A BAG address table (RD New points)."""

    table: gpd.GeoDataFrame


ReadInput = BuurtenInput | ZonesInput | VoorzieningenInput | WholeInput | AddressesInput


def read_input(request: ImportRequest, settings: Settings, progress: Progress) -> ReadInput:
    """Read and check the request's input (see the module docstring); any error refuses the
    import before it reaches the store."""
    options = request.read_options
    if request.kind == "sample":
        return _sample(settings, request.sample, progress)
    source = _source(request)
    if request.kind == "gemeente":
        return _gemeente(request, settings, progress)
    what = "zone definition" if request.kind == "zones" else f"{request.kind} from"
    progress(f"Reading {what} {request.name} ...")
    if request.kind == "buurten":
        loaded = load_buurten(
            source,
            options,
            statistics=list(request.statistics) or None,
            vocabulary=settings.vocabulary,
            limits=settings.limits,
            where=request.name,
        )
        for join in loaded.joins:
            text = join.describe()
            progress(text[:1].upper() + text[1:])
        warn_incomplete_joins(loaded.joins)
        return BuurtenInput(loaded)
    if request.kind == "zones":
        return ZonesInput(read_zone_definition(Path(str(source)), where=request.where))
    if request.kind == "voorzieningen":
        frame = read_voorzieningen(
            source, settings.vocabulary, options, limits=settings.limits, where=request.where
        )
        return VoorzieningenInput(frame)
    return AddressesInput(
        read_bag_addresses(Path(str(source)), layer=options.layer, crs=options.crs)
    )


def _source(request: ImportRequest) -> Source:
    if request.source is None:
        raise ValueProblemError(f"an import of {request.kind} needs a file or a body")
    return request.source


def _sample(settings: Settings, name: str | None, progress: Progress) -> WholeInput:
    """The files a sample manifest names, read as any import reads them."""
    manifest = read_manifest(settings, name)
    synthetic = ", ".join(manifest.synthetic) or "none"
    progress(f"Sample {manifest.name}: {manifest.title} (synthetic parts: {synthetic})")
    progress(f"Reading buurten of {manifest.gemeente} from {manifest.buurten} ...")
    buurten = sample_buurten(manifest, settings.vocabulary)
    definition = read_zone_definition(manifest.zones)
    frames = []
    for path, options in manifest.voorzieningen:
        progress(f"Reading voorzieningen from {path} ...")
        frames.append(read_voorzieningen(path, settings.vocabulary, options))
    return WholeInput(
        buurten,
        definition,
        concat_voorzieningen(frames),
        manifest.provenance(),
        manifest.network,
        manifest.path,
        _sample_addresses(manifest, progress),
    )


def _sample_addresses(manifest: SampleManifest, progress: Progress) -> gpd.GeoDataFrame | None:
    """The sample's address table, read as a BAG table is; a synthetic one says so in its
    ``source`` column ("synthetic", not "bag")."""
    if manifest.addresses is None:
        return None
    progress(f"Reading addresses from {manifest.addresses} ...")
    table = read_bag_addresses(manifest.addresses)
    if "addresses" in manifest.synthetic:
        table["source"] = pd.Series("synthetic", index=table.index, dtype="string")
    return table


def _gemeente(request: ImportRequest, settings: Settings, progress: Progress) -> WholeInput:
    """Real data of any gemeente: its CBS buurten, one zone per wijk (until the
    municipality's own zones are imported), and the voorzieningen tagged in its OSM extract."""
    gemeente, extract = request.options.gemeente, request.extract
    if gemeente is None or extract is None or not isinstance(request.source, str | Path):
        raise ValueProblemError("a gemeente import needs its code, buurten file and OSM extract")
    progress(f"Reading buurten of {gemeente} from {request.source} ...")
    buurten = read_buurten(request.source, request.read_options, vocabulary=settings.vocabulary)
    progress(f"Reading voorzieningen from the OSM tags in {extract} ...")
    voorzieningen = read_voorzieningen(extract, settings.vocabulary)
    provenance = Provenance(
        title=f"{gemeente}: CBS buurten and OpenStreetMap (downloaded)",
        layers=(
            LayerSource(
                layer="buurten",
                source=Path(request.source).name,
                text="CBS Wijk- en Buurtkaart via PDOK, © CBS / Kadaster, CC BY 4.0",
            ),
            LayerSource(
                layer="zones",
                source="one zone per wijk",
                text="Standaardindeling: één zone per wijk / Default: one zone per wijk",
            ),
            LayerSource(layer="voorzieningen", source=Path(extract).name, text=OSM_ATTRIBUTION),
            LayerSource(layer="network", source=Path(extract).name, text=OSM_ATTRIBUTION),
        ),
    )
    definition = zones_per_wijk(buurten, gemeente)
    return WholeInput(buurten, definition, voorzieningen, provenance, Path(extract))
