"""What every command shares: progress on stderr, a progress bar, warnings as plain lines."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TextIO, overload

from geo.errors import ConfigurationError, DataQualityWarning

if TYPE_CHECKING:
    from pydantic import ValidationError
    from tqdm import tqdm

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
    from pydantic import ValidationError

    from service.settings import ServiceSettings

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
            from tqdm import tqdm

            self._bar = tqdm(desc="Reading OSM", unit=" objects", unit_scale=True, file=sys.stderr)
        self._bar.update(count - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


class LazyChoices(Sequence[str]):
    """An option's choices, the names of ``module.attribute`` (a sequence or mapping of
    names), read on first use: at parsing when the option is given, in that command's
    ``--help`` or in an error. So registering the option does not import the module (e.g.
    the analysis stack for ``wsz --help``)."""

    def __init__(self, module: str, attribute: str) -> None:
        self._where = (module, attribute)
        self._names: tuple[str, ...] | None = None

    def _loaded(self) -> tuple[str, ...]:
        if self._names is None:
            module, attribute = self._where
            self._names = tuple(getattr(importlib.import_module(module), attribute))
        return self._names

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._loaded()[index]

    def __len__(self) -> int:
        return len(self._loaded())

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __contains__(self, value: object) -> bool:
        return value in self._loaded()


def lazy_choices(action: argparse.Action, module: str, attribute: str) -> None:
    """Give an added option the choices ``module.attribute``, imported on first use (set
    after ``add_argument``, which would otherwise list them at once)."""
    action.choices = LazyChoices(module, attribute)
