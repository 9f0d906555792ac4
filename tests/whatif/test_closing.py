""" "What if these voorzieningen close?" on the real delft-tu sample: who loses coverage, per
zone and buurt, and how far they walk then (the chain and ``wsz whatif closure --close``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geo.analysis import Analysis
from geo.errors import NotFoundError, QueryError
from geo.pipeline import whatif_closure, whatif_closure_ranking
from service.cli import main


def test_closing_one_loses_those_it_alone_covers(delft_analysis: Analysis) -> None:
    ranking = whatif_closure_ranking(delft_analysis, "supermarkt")
    first = str(ranking["id"].iloc[0])
    impact = whatif_closure(delft_analysis, [first])
    assert impact.category == "supermarkt"
    assert impact.closed == (first,)
    assert impact.residents_losing == pytest.approx(ranking["residents_beyond_without"].iloc[0])
    assert impact.residents_65plus_losing == pytest.approx(
        ranking["residents_65plus_beyond_without"].iloc[0]
    )
    assert impact.by_zone["residents_losing"].sum() == pytest.approx(impact.residents_losing)
    assert impact.by_buurt["residents_losing"].sum() == pytest.approx(impact.residents_losing)
    assert set(impact.by_buurt["zone_code"]) == set(impact.by_zone["zone_code"])
    # Those losing coverage walk further than the norm to the one that stays open.
    assert (impact.by_buurt["mean_new_distance_m"] > impact.norm_m).all()
    assert (impact.by_buurt["max_new_distance_m"] >= impact.by_buurt["mean_new_distance_m"]).all()
    assert (impact.by_buurt["residents_unreachable"] == 0).all()
    total = delft_analysis.points["residents"].sum()
    assert impact.share_beyond_after - impact.share_beyond_before == pytest.approx(
        impact.residents_losing / total
    )


def test_closing_all_leaves_nothing_reachable(delft_analysis: Analysis) -> None:
    ids = whatif_closure_ranking(delft_analysis, "supermarkt")["id"].tolist()
    impact = whatif_closure(delft_analysis, ids)
    assert impact.by_zone["residents_unreachable"].sum() == pytest.approx(impact.residents_losing)
    assert impact.by_zone["mean_new_distance_m"].isna().all()
    tighter = whatif_closure(delft_analysis, ids, norm_m=300)
    assert tighter.norm_m == 300
    assert tighter.residents_losing <= impact.residents_losing


def test_closing_one_nobody_depends_on_changes_nothing(delft_analysis: Analysis) -> None:
    ranking = whatif_closure_ranking(delft_analysis, "apotheek")
    idle = ranking[ranking["residents_beyond_without"] == 0]
    assert not idle.empty
    impact = whatif_closure(delft_analysis, [str(idle["id"].iloc[0])])
    assert impact.points_losing == 0
    assert impact.residents_losing == 0
    assert impact.by_zone.empty
    assert impact.share_beyond_after == impact.share_beyond_before


def test_closure_refusals(delft_analysis: Analysis) -> None:
    with pytest.raises(NotFoundError, match="no voorziening with id 'nope'"):
        whatif_closure(delft_analysis, ["nope"])
    with pytest.raises(QueryError, match="at least one"):
        whatif_closure(delft_analysis, [])
    frame = delft_analysis.dataset.voorzieningen
    mixed = [str(frame["id"][frame["category"] == c].iloc[0]) for c in ("apotheek", "huisarts")]
    with pytest.raises(QueryError, match="one category at a time"):
        whatif_closure(delft_analysis, mixed)
    assert np.isfinite(whatif_closure(delft_analysis, mixed[:1]).norm_m)


def test_cli_close(delft_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(delft_folder / "store.gpkg")
    assert main(["--store", store, "whatif", "closure", "--close", "node/539078336"]) == 0
    out = capsys.readouterr().out
    assert "supermarkt: closing node/539078336" in out
    assert "lose coverage:" in out
    assert "mean_new_distance_m" in out
    assert main(["--store", store, "whatif", "closure"]) == 1
    assert "give a CATEGORY" in capsys.readouterr().err
