"""The OSMnx comparison's conversion (pyosmium: a ``.osm.pbf`` to OSM XML with its highways
only, which OSMnx reads) keeps every highway way: our reader finds the same ways in the XML
as in the extract. Not timed (the figures are the benchmark's)."""

from __future__ import annotations

from pathlib import Path

from bench.peers.osmnx_peer import highways_to_xml
from geo.network.osm import read_osm
from geo.settings import SAMPLE_DIR

SAMPLE_PBF = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"


def test_highways_survive_the_conversion_to_xml(tmp_path: Path) -> None:
    xml = tmp_path / "highways.osm"
    written = highways_to_xml(SAMPLE_PBF, xml)
    original, converted = read_osm(SAMPLE_PBF), read_osm(xml)
    assert converted.counts["highway_ways"] == original.counts["highway_ways"] > 0
    assert written > converted.counts["highway_ways"]
    assert sorted(set(converted.ways.way_id)) == sorted(set(original.ways.way_id))
