"""A Dask worker preload (``distributed.worker.preload``) that kills its worker process the
moment a gemeente's task starts executing there: ``os._exit``, as the kernel's OOM killer or a
crash would end it, with no goodbye to the scheduler.

Configured through Dask's config, which the nanny hands to the worker processes it starts:
``wsz-test.kill.gemeente`` (a GM code) and ``wsz-test.kill.marker`` (a file path): the first
worker to start that gemeente creates the marker and dies; later ones (the retry) see the
marker and let it run. Without a marker path every worker starting it dies.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dask
from distributed import Worker, WorkerPlugin


class KillOnStart(WorkerPlugin):
    """Ends the worker process when the task of ``gemeente`` starts executing."""

    def __init__(self, gemeente: str, marker: str | None) -> None:
        self.gemeente = gemeente
        self.marker = None if marker is None else Path(marker)

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:  # noqa: ARG002
        if finish != "executing" or not str(key).startswith(f"gemeente-{self.gemeente}-"):
            return
        if self.marker is not None:
            try:
                self.marker.touch(exist_ok=False)
            except FileExistsError:
                return  # died once already: let the retry run
        os._exit(70)


async def dask_setup(worker: Worker) -> None:
    """Install :class:`KillOnStart` on this worker (the preload's entry point)."""
    plugin = KillOnStart(
        dask.config.get("wsz-test.kill.gemeente"), dask.config.get("wsz-test.kill.marker", None)
    )
    await worker.plugin_add(plugin, name="wsz-test-kill")
