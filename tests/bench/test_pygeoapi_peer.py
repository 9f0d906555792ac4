"""The load benchmark's pygeoapi peer is configured as pygeoapi accepts, and the check that it
answers the same features as ours compares ids (cheap: no server, no export, no load)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import pygeoapi_peer

FILES = {
    "buurten": (Path("/tmp/buurten.gpkg"), [5.06, 51.99, 5.13, 52.06]),
    "voorzieningen": (Path("/tmp/voorzieningen.gpkg"), [5.06, 51.99, 5.13, 52.06]),
}


def test_pygeoapi_accepts_the_config() -> None:
    config = pytest.importorskip("pygeoapi.config", reason="pygeoapi (the bench extra) missing")
    settings = pygeoapi_peer.config(FILES, 18730)
    assert config.validate_config(settings)
    provider = settings["resources"]["buurten"]["providers"][0]
    assert (provider["name"], provider["id_field"], provider["layer"]) == (
        "OGR",
        "bu_code",
        "buurten",
    )


def test_same_features_compares_count_and_ids_in_any_order() -> None:
    ours = {"features": [{"id": "BU1"}, {"id": "BU2"}]}
    assert pygeoapi_peer.same_features(ours, {"features": [{"id": "BU2"}, {"id": "BU1"}]}) is None
    differs = pygeoapi_peer.same_features(ours, {"features": [{"id": "BU1"}]})
    assert differs is not None
    assert "BU2" in differs
