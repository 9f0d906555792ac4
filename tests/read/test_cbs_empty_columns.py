"""A CBS table whose distance columns hold only '.' (KWB 2024: not yet published) is not
reported as matched: the join, its warning (the import answer) and the CLI name the columns
that are empty. Real data: Delft's 2023 buurten and CBS table 85984NED."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.read.buurten import load_buurten, warn_incomplete_joins
from geo.read.cbs import StatisticsJoinWarning
from geo.vocabulary import default_vocabulary
from service.cli import main
from tests.conftest import SHARED_DATA, skip_without_shared_data

DELFT = SHARED_DATA / "cbs" / "buurten_GM0503_2023geom_kwb2024.gpkg"
KWB_2024 = SHARED_DATA / "cbs" / "kwb2024_85984NED_buurten_GM0503_Delft.csv"
EMPTY = ("AfstandTotHuisartsenpraktijk_117", "AfstandTotGroteSupermarkt_118")


def test_empty_distance_columns_are_named_not_matched() -> None:
    skip_without_shared_data(DELFT, KWB_2024)
    loaded = load_buurten(DELFT, statistics=[KWB_2024], vocabulary=default_vocabulary())
    with pytest.warns(StatisticsJoinWarning, match=EMPTY[0]):  # in the import's report
        warn_incomplete_joins(loaded.joins)
    join = loaded.joins[0]
    assert join.empty == EMPTY
    matched = join.describe().split("matched (")[1].split(")")[0]
    assert "AantalInwoners_5" in matched
    assert not any(column in matched for column in EMPTY)
    assert "2 column(s) hold no figure" in join.describe()


def test_the_cli_says_which_columns_are_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skip_without_shared_data(DELFT, KWB_2024)
    store = ["--store", str(tmp_path / "store.gpkg")]
    code = main([*store, "import", "buurten", str(DELFT), "--statistics", str(KWB_2024)])
    output = capsys.readouterr()
    assert code == 0, output.err
    assert f"give nothing: {', '.join(EMPTY)}" in output.out + output.err
