"""The on-disk network cache, next to the store: built graphs and what else an extract gave.

Layout of the cache folder (``<store folder>/network/`` by default)::

    active.json                           which extract the service uses (path, SHA-256, time)
    graph-<sha>-<rules>-<profile>.npz     one built graph per profile (numpy arrays)
    extract-<sha>-<reader>.gpkg           buildings, addresses and points of interest

Keys hold the extract's content hash, the walk rules' version and the profile, so a changed
extract or rule builds anew and an unchanged one loads in well under a second. Every file is
written under a temporary name and renamed into place: a failed build leaves the cache (and
``active.json``) as it was.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.common.files import atomic_write
from geo.crs import WORKING_CRS
from geo.errors import ReadError
from geo.network.graph import BuildReport, WalkGraph
from geo.network.rules import RULES_VERSION

#: Changes when what :mod:`geo.network.osm` extracts changes (part of the extract cache key).
READER_VERSION = "1"
EXTRACT_LAYERS = ("buildings", "addresses", "pois")


@dataclass(frozen=True)
class ActiveNetwork:
    """The extract the service's network comes from."""

    extract: str
    sha256: str
    built: str
    profiles: tuple[str, ...]
    #: The extract's area in RD New: (minx, miny, maxx, maxy).
    bounds: tuple[float, float, float, float]


class NetworkCache:
    """Graphs and extract layers kept in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"NetworkCache({str(self.folder)!r})"

    # ------------------------------------------------------------------ active extract

    @property
    def _active_path(self) -> Path:
        return self.folder / "active.json"

    def active(self) -> ActiveNetwork | None:
        """The extract in use, or None when no network has been built."""
        if not self._active_path.exists():
            return None
        try:
            raw = json.loads(self._active_path.read_text(encoding="utf-8"))
            return ActiveNetwork(
                raw["extract"],
                raw["sha256"],
                raw["built"],
                tuple(raw["profiles"]),
                tuple(float(v) for v in raw["bounds"]),  # type: ignore[arg-type]
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ReadError(f"{self._active_path}: unreadable network record: {exc}") from exc

    def set_active(
        self,
        extract: Path,
        sha256: str,
        profiles: tuple[str, ...],
        bounds: tuple[float, float, float, float],
    ) -> ActiveNetwork:
        """Record ``extract`` as the network in use (atomically)."""
        record = ActiveNetwork(
            str(Path(extract).resolve()),
            sha256,
            datetime.now(UTC).isoformat(timespec="seconds"),
            profiles,
            bounds,
        )
        with atomic_write(self._active_path) as temporary:
            temporary.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")
        return record

    def clear_active(self) -> None:
        """Forget the network in use (the cached graphs stay)."""
        self._active_path.unlink(missing_ok=True)

    # ------------------------------------------------------------------ graphs

    def graph_path(self, sha256: str, profile: str) -> Path:
        return self.folder / f"graph-{sha256[:16]}-{RULES_VERSION}-{profile}.npz"

    def save_graph(self, graph: WalkGraph, sha256: str) -> Path:
        """Write ``graph`` under its key; returns the file."""
        coords, owner = shapely.get_coordinates(graph.edge_geometry, return_index=True)
        path = self.graph_path(sha256, graph.profile)
        with atomic_write(path) as temporary, temporary.open("wb") as stream:
            np.savez(
                stream,
                node_x=graph.node_x,
                node_y=graph.node_y,
                edge_u=graph.edge_u,
                edge_v=graph.edge_v,
                edge_length=graph.edge_length,
                coords=coords,
                owner=owner,
                report=np.array(json.dumps(asdict(graph.report))),
            )
        return path

    def load_graph(self, sha256: str, profile: str) -> WalkGraph | None:
        """The cached graph for this extract and profile, or None when not cached."""
        path = self.graph_path(sha256, profile)
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                geometry = shapely.linestrings(data["coords"], indices=data["owner"])
                report = json.loads(str(data["report"]))
                report["excluded"] = {k: tuple(v) for k, v in report["excluded"].items()}
                return WalkGraph(
                    profile,
                    data["node_x"],
                    data["node_y"],
                    data["edge_u"],
                    data["edge_v"],
                    data["edge_length"],
                    np.asarray(geometry, dtype=object),
                    BuildReport(**report),
                )
        except (OSError, ValueError, KeyError) as exc:
            raise ReadError(f"{path}: damaged network cache ({exc}); delete it to rebuild") from exc

    # ------------------------------------------------------------------ extract layers

    def layers_path(self, sha256: str) -> Path:
        return self.folder / f"extract-{sha256[:16]}-{READER_VERSION}.gpkg"

    def save_layers(self, sha256: str, layers: dict[str, gpd.GeoDataFrame]) -> Path:
        """Write the extract's buildings, addresses and points of interest (RD New)."""
        path = self.layers_path(sha256)
        with atomic_write(path) as temporary:
            # A plain table first, so the file exists even when every layer is empty.
            record = pd.DataFrame({"sha256": [sha256], "reader_version": [READER_VERSION]})
            pyogrio.write_dataframe(record, temporary, layer="extract", driver="GPKG")
            for name in EXTRACT_LAYERS:
                frame = layers[name]
                if frame.empty:  # GDAL cannot tell the geometry type of an empty layer
                    continue
                pyogrio.write_dataframe(
                    frame, temporary, layer=name, driver="GPKG", promote_to_multi=False
                )
        return path

    def load_layers(self, sha256: str) -> dict[str, gpd.GeoDataFrame] | None:
        """The cached extract layers, or None when not cached."""
        path = self.layers_path(sha256)
        if not path.exists():
            return None
        present = {str(name) for name in pyogrio.list_layers(path)[:, 0]}
        return {
            name: pyogrio.read_dataframe(path, layer=name)
            if name in present
            else gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=WORKING_CRS))
            for name in EXTRACT_LAYERS
        }
