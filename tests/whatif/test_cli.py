"""``wsz whatif`` on the real delft-tu sample: the planners' questions answered in the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main


def test_place_two_huisartsen_for_65plus(
    delft_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(delft_folder / "store.gpkg")
    argv = ["--store", store, "whatif", "place", "huisarts", "2", "--weight", "residents_65plus"]
    assert main([*argv, "--spacing", "150"]) == 0
    out = capsys.readouterr()
    assert "huisarts: 2 new site(s)" in out.out
    assert "method exact (optimal" in out.out
    assert "beyond the norm:" in out.out
    assert "walking from sites" in out.err


def test_closure_ranking_and_refusals(
    delft_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(delft_folder / "store.gpkg")
    assert main(["--store", store, "whatif", "closure", "apotheek"]) in (0, 1)
    out = capsys.readouterr()
    assert "residents_beyond_without" in out.out or "no voorzieningen of apotheek" in out.err
    assert main(["--store", store, "whatif", "place", "huisarts", "0"]) == 1
    assert "k must be between 1" in capsys.readouterr().err
    assert main(["--store", store, "whatif", "place", "huisarts", "1", "--area", "XX"]) == 1
    assert "no zone or buurt 'XX'" in capsys.readouterr().err


def test_help_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["whatif", "place", "--help"])
    assert "(HiGHS)" in capsys.readouterr().out
