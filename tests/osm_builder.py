"""Write tiny, hand-made OSM XML files for tests: nodes placed in RD New metres.

The files go through the real reader (pyosmium), so each test exercises the whole chain from
OSM XML to graph. Coordinates are given relative to an origin in Nieuwegein (RD New), so every
network lies in the Netherlands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from geo.crs import rd_to_lonlat

#: RD New origin of the hand-made networks (Nieuwegein, near the Merwedekanaal).
ORIGIN = (134_000.0, 448_000.0)

Way = tuple[int, Sequence[int], Mapping[str, str]]


def write_osm(
    path: Path,
    nodes: Mapping[int, tuple[float, float]],
    ways: Sequence[Way],
    node_tags: Mapping[int, Mapping[str, str]] | None = None,
) -> Path:
    """Write an OSM XML file; ``nodes`` are (x, y) metres relative to :data:`ORIGIN`."""
    node_tags = node_tags or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for node_id, (x, y) in nodes.items():
        lon, lat = rd_to_lonlat(ORIGIN[0] + x, ORIGIN[1] + y)
        tags = node_tags.get(node_id, {})
        head = f'  <node id="{node_id}" version="1" lat="{float(lat):.9f}" lon="{float(lon):.9f}"'
        if not tags:
            lines.append(head + "/>")
            continue
        lines.append(head + ">")
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </node>")
    for way_id, refs, tags in ways:
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rd(x: float, y: float) -> tuple[float, float]:
    """Absolute RD New coordinates of a point given relative to :data:`ORIGIN`."""
    return ORIGIN[0] + x, ORIGIN[1] + y
