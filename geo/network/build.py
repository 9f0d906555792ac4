"""Build a walking network from an extract once, load it from the cache every other time.

The one place the network's own steps are chained: read OSM (:mod:`~geo.network.osm`) → walk
rules and graph per profile (:mod:`~geo.network.graph`) → cache (:mod:`~geo.network.cache`).
Snapping, shortest paths and isochrones work on the :class:`Network` this returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from geo.common.files import sha256_file
from geo.common.progress import Progress, silent
from geo.errors import NetworkError, ReadError
from geo.network.cache import ActiveNetwork, NetworkCache
from geo.network.graph import WalkGraph, build_graph
from geo.network.osm import OsmExtract, read_osm
from geo.network.rules import PROFILES, ProfileName, check_profile


@dataclass(eq=False)
class Network:
    """A built walking network: one graph per profile, and what else the extract holds.

    Graphs of profiles other than those built up front are built from the extract (or loaded
    from the cache) on first use. Layers are in RD New.
    """

    source: ActiveNetwork
    cache: NetworkCache
    layers: dict[str, gpd.GeoDataFrame]
    graphs: dict[str, WalkGraph] = field(default_factory=dict)
    #: Guards :attr:`graphs` (request threads may ask for a profile's graph at once).
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def bounds(self) -> shapely.Polygon:
        """The extract's area (RD New)."""
        return shapely.box(*self.source.bounds)

    def graph(self, profile: str = "walk") -> WalkGraph:
        """The graph of ``profile`` (``walk`` or ``rollator``)."""
        name = _profile(profile)
        with self._lock:
            if name not in self.graphs:
                cached = self.cache.load_graph(self.source.sha256, name)
                if cached is None:
                    extract = _read_recorded_extract(self.source)
                    cached = build_graph(extract.ways, extract.node_tags, name)
                    self.cache.save_graph(cached, self.source.sha256)
                self.graphs[name] = cached.prepare()
            return self.graphs[name]

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        return self.layers["buildings"]

    @property
    def addresses(self) -> gpd.GeoDataFrame:
        return self.layers["addresses"]

    @property
    def pois(self) -> gpd.GeoDataFrame:
        return self.layers["pois"]


def _profile(name: str) -> ProfileName:
    try:
        return check_profile(name)
    except ValueError as exc:
        raise NetworkError(str(exc)) from exc


def build_network(
    extract_path: Path,
    cache: NetworkCache,
    *,
    profiles: tuple[str, ...] = PROFILES,
    progress: Progress = silent,
    on_objects: Callable[[int], None] | None = None,
) -> Network:
    """Read ``extract_path``, build a graph per profile, cache them and make them active.

    Graphs already cached for this extract's content and rules are loaded, not rebuilt. Any
    failure leaves the cache and the active network as they were. ``on_objects`` receives the
    count of OSM objects read (see :func:`~geo.network.osm.read_osm`).
    """
    names = tuple(_profile(p) for p in profiles)
    progress(f"Reading OSM extract {extract_path} ...")
    extract = read_osm(extract_path, on_objects=on_objects)
    progress(
        f"  {extract.counts['highway_ways']:,} highway ways, {extract.counts['buildings']:,} "
        f"buildings, {extract.counts['addresses']:,} addresses, {extract.counts['pois']:,} "
        "points of interest"
    )
    graphs: dict[str, WalkGraph] = {}
    for name in names:
        cached = cache.load_graph(extract.sha256, name)
        if cached is None:
            progress(f"Building the {name} graph ...")
            cached = build_graph(extract.ways, extract.node_tags, name)
            cache.save_graph(cached, extract.sha256)
        else:
            progress(f"The {name} graph is cached ({cache.graph_path(extract.sha256, name)})")
        graphs[name] = cached
    layers = extract_layers(extract)
    cache.save_layers(extract.sha256, layers)
    source = cache.set_active(extract_path, extract.sha256, names, extract.bounds)
    return Network(source, cache, layers, graphs)


def extract_layers(extract: OsmExtract) -> dict[str, gpd.GeoDataFrame]:
    """The extract's buildings, addresses and points of interest (RD New)."""
    return {"buildings": extract.buildings, "addresses": extract.addresses, "pois": extract.pois}


def load_network(cache: NetworkCache, *, profiles: tuple[str, ...] = ("walk",)) -> Network | None:
    """The active network from the cache (rebuilt from its extract if the cache was cleared);
    None when no network was ever built."""
    source = cache.active()
    if source is None:
        return None
    layers = cache.load_layers(source.sha256)
    if layers is None:
        return build_network(Path(source.extract), cache, profiles=source.profiles)
    network = Network(source, cache, layers)
    for profile in profiles:
        network.graph(profile)
    return network


def _read_recorded_extract(source: ActiveNetwork) -> OsmExtract:
    path = Path(source.extract)
    if not path.exists():
        raise NetworkError(
            f"the network's extract {path} is gone and this graph is not cached; "
            "run `wsz network build EXTRACT` again"
        )
    if sha256_file(path) != source.sha256:
        raise NetworkError(
            f"{path} changed since the network was built; run `wsz network build {path}`"
        )
    try:
        return read_osm(path)
    except ReadError as exc:
        raise NetworkError(str(exc)) from exc
