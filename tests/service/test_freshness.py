"""The look at the store's stamp under a crowd (issue 15): once per turn of the event loop,
exact for every request of that turn, taken again in the next turn."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from service.freshness import StalenessCheck
from service.state import LiveState, Published
from tests.conftest import make_settings, run_on_own_loop


class CountingLive(LiveState):
    """The real live state, counting its looks at the store."""

    looks = 0

    def is_stale(self) -> bool:
        self.looks += 1
        return super().is_stale()


def _live(published: Published, sample_store_file: Path, tmp_path: Path) -> CountingLive:
    store = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, store)
    return CountingLive(make_settings(store), published)


def test_one_look_per_turn_of_the_loop(
    published: Published, sample_store_file: Path, tmp_path: Path
) -> None:
    live = _live(published, sample_store_file, tmp_path)
    check = StalenessCheck(live)

    async def turns() -> list[bool]:
        first = [check.is_stale() for _ in range(50)]  # fifty requests in one turn
        await asyncio.sleep(0)  # the next turn
        return [*first, check.is_stale()]

    answers = run_on_own_loop(turns())
    assert answers == [False] * 51
    assert live.looks == 2


def test_a_change_is_seen_in_the_next_turn(
    published: Published, sample_store_file: Path, tmp_path: Path
) -> None:
    """The store written by someone else between two turns (another worker's import): the
    next turn's look sees it; and after the reload the look is taken again."""
    live = _live(published, sample_store_file, tmp_path)
    check = StalenessCheck(live)
    store = live.settings.store_path

    async def turns() -> tuple[bool, bool, bool]:
        before = check.is_stale()
        await asyncio.sleep(0)
        with store.open("ab") as file:  # a changed file: another size, mtime
            file.write(b"\0")
        changed = check.is_stale()
        check.forget()  # what FreshState does after reloading
        return before, changed, check.is_stale()

    before, changed, again = run_on_own_loop(turns())
    assert (before, changed, again) == (False, True, True)
    assert live.looks == 3
