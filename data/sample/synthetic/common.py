"""What every part of the generator shares: file names, the seed, the lon/lat transform, the
real CBS buurten and the network under construction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from pyproj import Transformer

#: data/sample, where the generated files are committed.
HERE = Path(__file__).resolve().parents[1]
PROJECT_ROOT = HERE.parents[1]
DEFAULT_DATA_PATH = (PROJECT_ROOT.parent / "shared" / "data", HERE)
BUURTEN_FILE = "cbs/buurten_GM0356_2023geom_kwb2024.gpkg"
GEOJSON_NAME = "voorzieningen_GM0356_synthetic.geojson"
CSV_NAME = "huisartsen_GM0356_synthetic.csv"
NETWORK_NAME = "nieuwegein_synthetic.osm.pbf"
ADDRESSES_NAME = "adressen_GM0356_synthetic.csv"
SEED = 356
SUFFIX = " (synthetisch)"
TO_WGS84 = Transformer.from_crs(28992, 4326, always_xy=True)

Tags = tuple[tuple[str, str], ...]
XY = tuple[float, float]


@dataclass
class Network:
    """Nodes (RD New) and ways under construction."""

    xy: list[XY] = field(default_factory=list)
    ways: list[tuple[list[int], Tags]] = field(default_factory=list)

    def add_node(self, point: XY) -> int:
        self.xy.append(point)
        return len(self.xy) - 1


def read_buurten(data_path: Sequence[Path]) -> gpd.GeoDataFrame:
    """The real CBS buurten of Nieuwegein from the first folder of ``data_path`` holding them."""
    for folder in data_path:
        path = folder / BUURTEN_FILE
        if path.exists():
            frame = gpd.read_file(path, engine="pyogrio")
            frame = frame[["BU_CODE", "BU_NAAM", "WK_CODE", "AANT_INW", "geometry"]]
            return frame.sort_values("BU_CODE").reset_index(drop=True)
    raise SystemExit(f"{BUURTEN_FILE} not found in {', '.join(map(str, data_path))}")
