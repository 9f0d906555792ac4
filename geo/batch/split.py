"""Each OSM extract read once (:func:`geo.network.osm.read_osm`), then split per gemeente.

A part holds what the gemeente's chain needs from the extract, cut to its box (RD New): the
highway ways with at least one vertex inside it, kept whole (as
:func:`geo.network.cut.cut_extract` keeps them), the tags of their barrier nodes, the buildings
and the voorzieningen tagged in OSM that touch the box. Its ``bounds`` are the box within the
extract's own area, which decides (as for one gemeente) where residents are placed on
buildings. Selection is vectorised: one STRtree over the ways' boxes, array masks per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from geo.batch.partition import RdBox
from geo.network.build import Network
from geo.network.cache import ActiveNetwork, NetworkCache
from geo.network.graph import build_graph
from geo.network.osm import HighwayWays, OsmExtract


@dataclass(frozen=True)
class ExtractPart:
    """The part of one extract a gemeente's chain reads (RD New)."""

    extract: str
    sha256: str
    bounds: RdBox
    ways: HighwayWays
    node_tags: dict[int, dict[str, str]]
    buildings: gpd.GeoDataFrame
    #: Voorzieningen tagged in OSM (:func:`~geo.read.voorzieningen.osm_voorzieningen`).
    voorzieningen: gpd.GeoDataFrame


class ExtractSplitter:
    """Cuts parts out of one extract read into memory; each part is independent of the rest."""

    def __init__(self, extract: OsmExtract, voorzieningen: gpd.GeoDataFrame) -> None:
        self.extract = extract
        self.voorzieningen = voorzieningen
        ways = extract.ways
        starts = ways.offsets[:-1]
        self._boxes = np.column_stack(
            [
                np.minimum.reduceat(ways.x, starts),
                np.minimum.reduceat(ways.y, starts),
                np.maximum.reduceat(ways.x, starts),
                np.maximum.reduceat(ways.y, starts),
            ]
        )
        self._tree = shapely.STRtree(shapely.box(*self._boxes.T))
        self._tagged = np.fromiter(extract.node_tags, dtype=np.int64, count=len(extract.node_tags))

    def part(self, box: RdBox) -> ExtractPart:
        """The part of the extract for ``box`` (RD New)."""
        area = shapely.box(*box)
        kept = self._ways_in(box, np.sort(self._tree.query(area)))
        ways = _take_ways(self.extract.ways, kept)
        tagged = self._tagged[np.isin(self._tagged, ways.node_id)]
        e = self.extract
        within = (
            max(box[0], e.bounds[0]),
            max(box[1], e.bounds[1]),
            min(box[2], e.bounds[2]),
            min(box[3], e.bounds[3]),
        )
        return ExtractPart(
            extract=str(e.path),
            sha256=e.sha256,
            bounds=within,
            ways=ways,
            node_tags={int(n): e.node_tags[int(n)] for n in tagged},
            buildings=_touching(e.buildings, area),
            voorzieningen=_touching(self.voorzieningen, area),
        )

    def _ways_in(self, box: RdBox, candidates: NDArray[np.int64]) -> NDArray[np.int64]:
        """Of the candidate ways, those with a vertex inside ``box``."""
        ways = self.extract.ways
        lengths = np.diff(ways.offsets)[candidates]
        vertex = np.repeat(ways.offsets[candidates], lengths) + _ranges(lengths)
        x, y = ways.x[vertex], ways.y[vertex]
        inside = (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
        owner = np.repeat(np.arange(len(candidates)), lengths)
        hit = np.zeros(len(candidates), dtype=bool)
        hit[owner[inside]] = True
        return candidates[hit]


def _ranges(lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    """0..n-1 for each n of ``lengths``, concatenated."""
    total = int(lengths.sum())
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    result: NDArray[np.int64] = np.arange(total, dtype=np.int64) - starts
    return result


def _take_ways(ways: HighwayWays, kept: NDArray[np.int64]) -> HighwayWays:
    """The ways ``kept`` (indices, ascending) as a new :class:`HighwayWays`."""
    lengths = np.diff(ways.offsets)[kept]
    vertex = np.repeat(ways.offsets[kept], lengths) + _ranges(lengths)
    return HighwayWays(
        way_id=ways.way_id[kept],
        tags=tuple(ways.tags[int(i)] for i in kept),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        node_id=ways.node_id[vertex],
        x=ways.x[vertex],
        y=ways.y[vertex],
    )


def _touching(frame: gpd.GeoDataFrame, area: shapely.Polygon) -> gpd.GeoDataFrame:
    """The rows of ``frame`` whose geometry intersects ``area``, in their order."""
    if frame.empty:
        return frame
    rows = np.sort(frame.sindex.query(area, predicate="intersects"))
    return frame.iloc[rows].reset_index(drop=True)


def part_network(part: ExtractPart, cache_folder: Path = Path()) -> Network:
    """The walking network of a part: its ``walk`` graph, built now, and its buildings.

    Nothing is written: the cache is never asked (only the ``walk`` profile is used)."""
    graph = build_graph(part.ways, part.node_tags, "walk").prepare()
    source = ActiveNetwork(part.extract, part.sha256, "", ("walk",), part.bounds)
    empty = part.buildings.iloc[0:0][[part.buildings.geometry.name]]
    layers = {"buildings": part.buildings, "addresses": empty, "pois": empty}
    return Network(source, NetworkCache(cache_folder), layers, {"walk": graph})
