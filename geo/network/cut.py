"""Cut an OSM extract to a bounding box with pyosmium, keeping every way that reaches into it.

A province extract is far larger than one gemeente needs. :func:`cut_extract` keeps the tagged
nodes inside the box, every way with at least one node inside it (whole, so streets are not
cut at the edge), and every relation with a member kept (multipolygon buildings); pyosmium's
``BackReferenceWriter`` then adds the nodes and member ways those need from the source, so the
result is reference-complete. Only tagged objects pass through Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import osmium

from geo.common.files import atomic_write
from geo.errors import ReadError
from geo.network.osm import PROGRESS_EVERY

#: (min lon, min lat, max lon, max lat) in WGS84 degrees.
LonLatBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class CutReport:
    """What a cut kept (tagged objects chosen; referenced nodes and ways come on top)."""

    nodes: int
    ways: int
    relations: int


def cut_extract(
    source: Path,
    target: Path,
    box: LonLatBox,
    *,
    on_objects: Callable[[int], None] | None = None,
) -> CutReport:
    """Write the part of ``source`` inside ``box`` to ``target`` (format by its suffix, e.g.
    ``.osm.pbf``), atomically. Raises :class:`~geo.errors.ReadError` when ``source`` cannot be
    read or nothing of it lies in the box."""
    source, target = Path(source), Path(target)
    area = osmium.osm.Box(box[0], box[1], box[2], box[3])
    counts = {"nodes": 0, "ways": 0, "relations": 0, "seen": 0}
    try:
        with atomic_write(target) as temporary:
            _cut_into(temporary, source, area, counts, on_objects)
            if counts["ways"] == 0:
                raise ReadError(
                    f"{source}: nothing of this extract lies in the box {box} (lon/lat); is it "
                    "the extract of the right region?"
                )
    except RuntimeError as exc:
        raise ReadError(f"{source}: cannot be cut: {exc}") from exc
    if on_objects is not None:
        on_objects(counts["seen"])
    return CutReport(counts["nodes"], counts["ways"], counts["relations"])


def _cut_into(
    temporary: Path,
    source: Path,
    area: osmium.osm.Box,
    counts: dict[str, int],
    on_objects: Callable[[int], None] | None,
) -> None:
    """Write the nodes in ``area``, the ways touching it and the relations of those to
    ``temporary`` (with the nodes the ways refer to), counting what was kept."""
    kept_ways = osmium.index.IdSet()
    kept_nodes = osmium.index.IdSet()
    with osmium.BackReferenceWriter(
        str(temporary), ref_src=str(source), overwrite=True, remove_tags=True
    ) as writer:
        processor = (
            osmium.FileProcessor(str(source))
            .with_locations()
            .with_filter(osmium.filter.EmptyTagFilter())
        )
        for obj in processor:
            counts["seen"] += 1
            if on_objects is not None and counts["seen"] % PROGRESS_EVERY == 0:
                on_objects(counts["seen"])
            if isinstance(obj, osmium.osm.Node):
                if obj.location.valid() and area.contains(obj.location):
                    writer.add_node(obj)
                    kept_nodes.set(obj.id)
                    counts["nodes"] += 1
            elif isinstance(obj, osmium.osm.Way):
                if any(ref.location.valid() and area.contains(ref.location) for ref in obj.nodes):
                    writer.add_way(obj)
                    kept_ways.set(obj.id)
                    counts["ways"] += 1
            elif isinstance(obj, osmium.osm.Relation) and any(
                (m.type == "w" and kept_ways.get(m.ref))
                or (m.type == "n" and kept_nodes.get(m.ref))
                for m in obj.members
            ):
                writer.add_relation(obj)
                counts["relations"] += 1
