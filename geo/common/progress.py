"""Progress reporting: long steps say what they do, one line at a time.

The CLI passes a function printing to stderr; the API passes :func:`silent`.
"""

from __future__ import annotations

from collections.abc import Callable

#: Receives one line of progress text per step.
Progress = Callable[[str], None]


def silent(_message: str) -> None:
    """A :data:`Progress` that says nothing."""
    return
