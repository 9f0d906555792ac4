"""Limits as settings and YAML alias bombs (issue 12, hardening): ``WSZ_MAX_TEXT_CHARS`` is a
real setting, and the YAML readers (zones, vocabulary, sample manifests) refuse a document
whose aliases expand beyond a bound before anything walks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.common.yamlsafe import MAX_EXPANDED_NODES, expanded_size, load_yaml
from geo.errors import ConfigurationError, ReadError, ValueProblemError
from geo.read.voorzieningen import read_voorzieningen
from geo.read.zones import read_zone_definition
from geo.settings import Settings
from geo.vocabulary import DEFAULT_VOCABULARY_PATH, load_vocabulary
from tests.conftest import SAMPLE_ZONES, VOCABULARY

LAUGHS = "a0: &a0 [lol]\n" + "".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10)
)


def _named(name: str) -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"id": "v1", "naam": name, "categorie": "huisarts"},
        "geometry": {"type": "Point", "coordinates": [5.08, 52.03]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def test_max_text_chars_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().limits.max_text_chars == 500
    monkeypatch.setenv("WSZ_MAX_TEXT_CHARS", "20")
    limits = Settings().limits
    assert limits.max_text_chars == 20
    name = "Huisartsenpraktijk De Lange Naam"  # 32 characters
    assert len(read_voorzieningen(_named(name), VOCABULARY)) == 1  # the default allows it
    with pytest.raises(ValueProblemError, match=r"longer than 20 characters.*WSZ_MAX_TEXT_CHARS"):
        read_voorzieningen(_named(name), VOCABULARY, limits=limits)


def test_alias_expansion_is_counted_without_expanding() -> None:
    import yaml

    assert expanded_size(yaml.compose(LAUGHS + "x: *a9\n")) > 9**9
    assert expanded_size(yaml.compose(SAMPLE_ZONES.read_text(encoding="utf-8"))) < 1000
    assert load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}  # aliases still work
    assert MAX_EXPANDED_NODES < 9**9


def test_zone_definition_with_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text(LAUGHS + "zones: *a9\n", encoding="utf-8")
    with pytest.raises(ReadError, match="expand to more than 1,000,000 nodes"):
        read_zone_definition(path)


def test_vocabulary_with_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "voorzieningen.yaml"
    text = DEFAULT_VOCABULARY_PATH.read_text(encoding="utf-8")
    path.write_text(LAUGHS + text.replace("aliases: [apotheker,", "aliases: [*a9,"), "utf-8")
    with pytest.raises(ConfigurationError, match="not read as a vocabulary: its aliases"):
        load_vocabulary(path)
