"""OSM reading and graph building, ours against OSMnx on the same whole-area extract (issue 16).

Run as a script: ``python bench/peers/osmnx_peer.py [--quick]`` (the real extracts of Puurs, a
whole Flemish gemeente, and Liechtenstein, a whole country, from ``../shared/data/osm/``).

* **ours** — :func:`geo.network.osm.read_osm` and :func:`geo.network.graph.build_graph` (walk
  profile) on the ``.osm.pbf`` itself; its rate is the tagged OSM objects it took in per second.
* **osmnx** — ``osmnx.graph_from_xml`` (simplified, largest component) reads OSM XML only, so
  the extract is first converted with pyosmium (installed with the project), keeping every
  ``highway=*`` way and the nodes it uses: OSMnx applies no network filter to a file, and left
  with buildings and land use it would make streets of them. The conversion is timed and
  reported apart, not counted in OSMnx's time. Both graphs' node and edge counts are printed
  (they differ: OSMnx keeps every highway, ours only what the walk rules allow).

OSMnx (MIT) comes with the optional ``bench`` extra only. The last line printed is one JSON
object with the figures of each extract.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.graphs import osm_graph_read  # noqa: E402
from bench.harness import installed, log  # noqa: E402
from geo.errors import ConfigurationError  # noqa: E402
from geo.settings import Settings  # noqa: E402

EXTRACTS = ("osm/puurs_be_2015.osm.pbf", "osm/liechtenstein_2015.osm.pbf")


def highways_to_xml(pbf: Path, xml: Path) -> int:
    """Write the ``highway=*`` ways of ``pbf`` and the nodes they use as OSM XML (a way cut at
    the extract's edge without its missing nodes); the number of objects written."""
    import osmium

    wanted: set[int] = set()
    for way in osmium.FileProcessor(str(pbf), osmium.osm.WAY):
        if isinstance(way, osmium.osm.Way) and "highway" in way.tags:
            wanted.update(node.ref for node in way.nodes)
    present: set[int] = set()
    written = 0
    with osmium.SimpleWriter(str(xml)) as writer:  # nodes come before ways in the file
        for obj in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY):
            if isinstance(obj, osmium.osm.Node) and obj.id in wanted:
                writer.add_node(obj)
                present.add(obj.id)
                written += 1
            elif isinstance(obj, osmium.osm.Way) and "highway" in obj.tags:
                # A way clipped at the extract's edge keeps the nodes the file has.
                refs = [node.ref for node in obj.nodes if node.ref in present]
                if len(refs) >= 2:
                    writer.add_way(obj.replace(nodes=refs))
                    written += 1
    return written


def compare(path: Path) -> dict[str, Any]:
    """Ours and OSMnx on one extract: times, rates, graph sizes, and the ratio."""
    graph, ours_s, objects = osm_graph_read(path)
    figures: dict[str, Any] = {
        "extract": path.name,
        "tagged_objects": objects,
        "ours_s": round(ours_s, 3),
        "ours_objects_per_s": round(objects / ours_s),
        "ours_nodes": graph.n_nodes,
        "ours_edges": graph.n_edges,
    }
    print(
        f"   ours   {path.name}: read + built in {ours_s:.2f} s, {objects / ours_s:,.0f} tagged "
        f"OSM objects/s; {graph.n_nodes:,} nodes, {graph.n_edges:,} edges (walk profile)"
    )
    if not installed("osmnx"):
        print("   osmnx  skipped: not installed (pip install -e '.[bench]')")
        figures["osmnx_skipped"] = "not installed"
        return figures
    import osmnx

    with tempfile.TemporaryDirectory(prefix="osmnx-peer-") as tmp:
        xml = Path(tmp) / "highways.osm"
        start = time.perf_counter()
        written = highways_to_xml(path, xml)
        convert_s = time.perf_counter() - start
        start = time.perf_counter()
        theirs = osmnx.graph_from_xml(xml, simplify=True, retain_all=False)
        osmnx_s = time.perf_counter() - start
    figures.update(
        osmnx_version=osmnx.__version__,
        convert_s=round(convert_s, 3),
        osmnx_input_objects=written,
        osmnx_s=round(osmnx_s, 3),
        osmnx_objects_per_s=round(objects / osmnx_s),
        osmnx_nodes=theirs.number_of_nodes(),
        osmnx_edges=theirs.number_of_edges(),
        ratio_osmnx=round(osmnx_s / ours_s, 2),
    )
    print(
        f"   osmnx  {osmnx.__version__}: graph_from_xml in {osmnx_s:.2f} s = "
        f"{osmnx_s / ours_s:.1f} × ours ({objects / osmnx_s:,.0f} of the extract's tagged "
        f"objects/s) on the {written:,} highway ways and nodes converted to XML by pyosmium in "
        f"{convert_s:.2f} s (apart); {theirs.number_of_nodes():,} nodes, "
        f"{theirs.number_of_edges():,} directed edges"
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="OSM reading + graph building: ours vs OSMnx.")
    parser.add_argument("--quick", action="store_true", help="Puurs only")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    results = []
    for name in EXTRACTS[:1] if args.quick else EXTRACTS:
        try:
            path = Settings().find_data_file(name)
        except ConfigurationError as missing:
            print(f"   skipped {name}: {missing}")
            continue
        log(f"== {path.name}")
        results.append(compare(path))
    print(json.dumps({"extracts": results}))


if __name__ == "__main__":
    main()
