"""Presence norms on both samples: "which wijk has no ontmoetingsplek?", "which zone has no
steunpunt?" — in the terminal (``wsz whatif norms``, ``wsz coverage``) and over HTTP
(``GET /whatif/norms``, ``GET /coverage``'s ``presence_gaps``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.pipeline import whatif_norms
from service.cli import main


def test_which_wijk_has_no_ontmoetingsplek_in_nieuwegein(sample_analysis: Analysis) -> None:
    check = whatif_norms(sample_analysis)
    wijken = check[check["level"] == "wijk"]
    assert set(wijken["category"]) == {"ontmoetingsplek"}
    assert set(wijken["area_code"]) == set(sample_analysis.dataset.buurten["wk_code"].dropna())
    voorzieningen = sample_analysis.dataset.voorzieningen
    wk_of = sample_analysis.dataset.buurten.set_index("bu_code")["wk_code"]
    mine = voorzieningen[voorzieningen["category"] == "ontmoetingsplek"]
    having = set(mine["bu_code"].dropna().map(wk_of))
    assert set(wijken.loc[wijken["met"], "area_code"]) == having
    assert not wijken["met"].all()  # the sample has wijken without one
    zones = check[check["level"] == "zone"]
    assert set(zones["area_code"]) == set(sample_analysis.dataset.zones["zone_code"])


def test_wsz_whatif_norms_and_coverage_on_delft(
    delft_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(delft_folder / "store.gpkg")]
    assert main([*store, "whatif", "norms", "--gaps"]) == 0
    out = capsys.readouterr().out
    assert "ontmoetingsplek in every wijk: 0 of 2 wijken have one" in out
    assert "WK050328     Wijk 28 Wippolder" in out
    assert main([*store, "coverage", "--zone", "campus"]) == 0
    out = capsys.readouterr().out
    assert "Presence norms (at least one in every wijk / zone): gaps" in out
    assert "steunpunt in every zone: 0 of 1 zones have one" in out
    with pytest.raises(SystemExit):
        main([*store, "whatif", "norms", "huisarts", "--level", "buurt"])
    assert "invalid choice: 'buurt'" in capsys.readouterr().err
    assert main([*store, "whatif", "norms", "kapper"]) == 1
    assert "unknown category kapper" in capsys.readouterr().err
    assert main([*store, "whatif", "norms", "--zone", "XX"]) == 1
    assert "XX" in capsys.readouterr().err


def test_norms_over_http(client: TestClient, sample_analysis: Analysis) -> None:
    answer = client.get("/whatif/norms").json()
    assert [(n["category"], n["level"]) for n in answer["norms"]] == [
        ("ontmoetingsplek", "wijk"),
        ("steunpunt", "zone"),
    ]
    expected = whatif_norms(sample_analysis)
    assert len(answer["areas"]) == len(expected)
    without = {a["area_code"] for a in answer["areas"] if not a["met"]}
    assert without == set(expected.loc[~expected["met"], "area_code"])
    gaps = client.get("/whatif/norms", params={"gaps_only": "true", "zone": "west"}).json()
    assert all(not a["met"] for a in gaps["areas"])
    asked = client.get("/whatif/norms", params={"category": "huisarts", "level": "zone"}).json()
    assert [(n["category"], n["level"]) for n in asked["norms"]] == [("huisarts", "zone")]
    coverage = client.get("/coverage").json()
    assert {(g["category"], g["area_code"]) for g in coverage["presence_gaps"]} == {
        (c, a) for c, a, m in expected[["category", "area_code", "met"]].itertuples(index=False)
        if not m
    }  # fmt: skip
    for params, status in (
        ({"category": "kapper"}, 404),
        ({"level": "buurt"}, 422),
        ({"zone": "nergens"}, 404),
    ):
        response = client.get("/whatif/norms", params=params)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
