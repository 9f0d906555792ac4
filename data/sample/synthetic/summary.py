"""Figures of the generated files, as ``make_synthetic.py`` prints them: voorzieningen per
category, ways and km per highway, crossings per barrier, file sizes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pandas as pd
from pyproj import Transformer

from synthetic.crossings import CROSSINGS


def summary(
    network_path: Path, geojson_path: Path, csv_path: Path, addresses_path: Path | None = None
) -> dict[str, Any]:
    """Figures of the generated files: voorzieningen per category, ways and km per highway."""
    from geo.settings import Settings  # the project's vocabulary resolves the categories

    vocabulary = Settings().vocabulary
    collection = json.loads(geojson_path.read_text(encoding="utf-8"))
    categories: Counter[str] = Counter()
    for feature in collection["features"]:
        props = {k: v for k, v in feature["properties"].items() if isinstance(v, str)}
        code = vocabulary.resolve(props.get("categorie", "")) or vocabulary.resolve_osm(props)
        categories[str(code)] += 1
    for value in pd.read_csv(csv_path)["categorie"]:
        categories[str(vocabulary.resolve(value))] += 1
    ways: Counter[str] = Counter()
    metres: dict[str, float] = {}
    nodes = 0
    to_rd = Transformer.from_crs(4326, 28992, always_xy=True)
    for obj in osmium.FileProcessor(str(network_path)).with_locations():
        if isinstance(obj, osmium.osm.Node):
            nodes += 1
        elif isinstance(obj, osmium.osm.Way):
            key = obj.tags.get("highway") or f"waterway={obj.tags.get('waterway')}"
            x, y = to_rd.transform([n.lon for n in obj.nodes], [n.lat for n in obj.nodes])
            ways[key] += 1
            metres[key] = metres.get(key, 0.0) + float(np.hypot(np.diff(x), np.diff(y)).sum())
    files = [p for p in (network_path, geojson_path, csv_path, addresses_path) if p is not None]
    addresses = pd.read_csv(addresses_path, dtype=str) if addresses_path is not None else None
    return {
        "voorzieningen": dict(sorted(categories.items())),
        "nodes": nodes,
        "ways": dict(sorted(ways.items())),
        "km": {k: round(v / 1000, 2) for k, v in sorted(metres.items())},
        "crossings": dict(Counter(c.barrier for c in CROSSINGS)),
        "bytes": {p.name: p.stat().st_size for p in files},
        **({} if addresses is None else {"addresses": _address_figures(addresses)}),
    }


def _address_figures(addresses: pd.DataFrame) -> dict[str, int]:
    """How many addresses, streets and postcodes the synthetic address table has."""
    return {
        "addresses": len(addresses),
        "streets": int(addresses["straat"].nunique()),
        "postcodes": int(addresses["postcode"].nunique()),
        "postcode_areas": int(addresses["postcode"].str[:4].nunique()),
    }


def summary_lines(figures: dict[str, Any]) -> Iterator[str]:
    for key, value in figures.items():
        yield f"{key}: {json.dumps(value, ensure_ascii=False)}"
