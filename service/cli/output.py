"""What every command shares: progress on stderr, a progress bar, warnings as plain lines."""

from __future__ import annotations

import sys
from typing import TextIO

from pydantic import ValidationError
from tqdm import tqdm

from geo.errors import ConfigurationError, DataQualityWarning
from service.settings import ServiceSettings


def metres(value: float | None) -> str:
    """A distance for a table line: ``"1,234 m"``, ``"n/a"`` for None."""
    return "n/a" if value is None else f"{value:,.0f} m"


def progress(message: str) -> None:
    """One line of progress on stderr (results go to stdout)."""
    print(message, file=sys.stderr, flush=True)


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings as ``warning: …`` lines, without file names and line numbers."""
    del filename, lineno, line
    label = "warning" if issubclass(category, DataQualityWarning) else category.__name__
    print(f"{label}: {message}", file=file or sys.stderr)


def configuration_problems(error: ValidationError) -> str:
    """A settings validation error as one line."""
    return "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())


def service_settings() -> ServiceSettings:
    """The service's settings (``WSZ_*``), for the commands that serve or draw maps."""
    try:
        return ServiceSettings()
    except ValidationError as exc:
        raise ConfigurationError(configuration_problems(exc)) from exc


class ObjectCounter:
    """A progress bar (tqdm, on stderr) counting the OSM objects read; total unknown."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None

    def __enter__(self) -> ObjectCounter:
        return self

    def __call__(self, count: int) -> None:
        if self._bar is None:
            self._bar = tqdm(desc="Reading OSM", unit=" objects", unit_scale=True, file=sys.stderr)
        self._bar.update(count - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
