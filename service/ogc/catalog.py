"""The collections the OGC API serves, built once per published state.

One entry per layer of :mod:`geo.ask.export` (``buurten``, ``zones``, ``voorzieningen``,
``coverage``, and ``gaps`` when the published analysis has gap polygons): its frames in each
offered CRS (same rows, same order, indexed by feature id), its CRS84 extent and the JSON types
of its properties. A new published state (an import) gets a new catalog on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.ask import export
from geo.ask.export import ExportCrs, LayerSpec
from geo.ask.features import extent
from geo.errors import NotFoundError
from service.state import Published


@dataclass(frozen=True)
class Collection:
    """One served layer: frames by export CRS, indexed by feature id (a string)."""

    spec: LayerSpec
    #: The layer in RD New as :func:`geo.ask.export.layer_frame` builds it (unrounded; for exports).
    source: gpd.GeoDataFrame
    frames: dict[ExportCrs, gpd.GeoDataFrame]
    #: Extent in CRS84 (lon/lat degrees); None for an empty layer.
    bbox: tuple[float, float, float, float] | None
    #: Property name → JSON Schema type (``string``, ``number``, ``integer``, ``boolean``).
    types: dict[str, str]

    @property
    def id(self) -> str:
        """The collection id (the layer name; never has dots)."""
        return self.spec.name

    @property
    def geometry_type(self) -> str:
        """``point`` or ``polygon`` (the kind of geometry all features have)."""
        frame = self.frames["EPSG:28992"]
        points = len(frame) > 0 and bool((frame.geometry.geom_type == "Point").all())
        return "point" if points else "polygon"

    def feature(self, crs: ExportCrs, feature_id: str) -> gpd.GeoDataFrame:
        """The one-row frame of ``feature_id``; :class:`NotFoundError` when there is none."""
        frame = self.frames[crs]
        if feature_id not in frame.index:
            raise NotFoundError(f"collection {self.id!r} has no feature {feature_id!r}")
        return frame.loc[[feature_id]]


@dataclass(frozen=True)
class Catalog:
    """All collections of one published state, in order."""

    collections: dict[str, Collection]

    def get(self, collection_id: str) -> Collection:
        """A collection by id; :class:`NotFoundError` listing the ids otherwise."""
        if collection_id not in self.collections:
            hint = " (this analysis has no gap polygons)"
            raise NotFoundError(
                f"no collection {collection_id!r}{hint if collection_id == 'gaps' else ''}; "
                f"collections: {', '.join(self.collections)}"
            )
        return self.collections[collection_id]


def build_catalog(published: Published) -> Catalog:
    """Project every layer to each offered CRS once (see :func:`geo.ask.export.project`)."""
    analysis = published.analysis
    gaps = export.find_gaps(analysis, published)
    collections = {}
    for name in export.available_layers(gaps):
        spec = export.LAYERS[name]
        source = export.layer_frame(analysis, name, gaps=gaps)
        frame = source.set_axis(pd.Index(source[spec.id_column].astype(str)), axis=0)
        frames = {crs: export.project(frame, crs) for crs in export.CRS_CODES}
        collections[name] = Collection(
            spec=spec,
            source=source,
            frames=frames,
            bbox=extent(frames["EPSG:4326"]),
            types={c: _json_type(frame[c]) for c in frame.columns if c != "geometry"},
        )
    return Catalog(collections)


def _json_type(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "boolean"
    if pd.api.types.is_integer_dtype(values):
        return "integer"
    if pd.api.types.is_float_dtype(values):
        return "number"
    return "string"


def catalog_of(published: Published) -> Catalog:
    """The catalog of ``published``, built on first use and kept with the state."""
    return published.cache.get("ogc-catalog", lambda: build_catalog(published))
