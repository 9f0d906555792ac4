"""Charts and the static map of a wijkprofiel as SVG (matplotlib, no tiles, no network).

SVG text is drawn as paths (matplotlib's default), so no data value becomes markup; the page
shows each chart as an ``<img>`` with a ``data:`` URI and says its figures in text beside it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import geopandas as gpd

ACCENT = "#1f5f8b"


def _data_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


#: Charts already drawn, by what they show (the NL and EN pages share them).
_DRAWN: dict[tuple[object, ...], str] = {}
_MAX_DRAWN = 512


def _remember(key: tuple[object, ...], draw: Callable[[], str]) -> str:
    if key not in _DRAWN:
        if len(_DRAWN) >= _MAX_DRAWN:
            _DRAWN.clear()
        _DRAWN[key] = draw()
    return _DRAWN[key]


def area_map(buurten: gpd.GeoDataFrame, codes: tuple[str, ...]) -> str:
    """The gemeente's buurten (RD New) in grey, the area's in colour; an SVG data URI."""
    key = (
        "map",
        tuple(buurten["bu_code"]),
        tuple(buurten.geometry.bounds.round(0).to_numpy().ravel()),
        codes,
    )
    return _remember(key, lambda: _area_map(buurten, codes))


def _area_map(buurten: gpd.GeoDataFrame, codes: tuple[str, ...]) -> str:
    from matplotlib.figure import Figure  # here, not at start: `wsz serve` starts faster

    figure = Figure(figsize=(4.2, 3.6), layout="tight")
    axes = figure.add_subplot()
    mine = buurten["bu_code"].isin(codes)
    buurten[~mine].plot(ax=axes, color="#e4e4e4", edgecolor="white", linewidth=0.5)
    buurten[mine].plot(ax=axes, color=ACCENT, edgecolor="white", linewidth=0.8)
    axes.set_axis_off()
    axes.set_aspect("equal")
    return _data_uri(figure)


def series_chart(
    points: list[dict[str, Any]], value_key: str, *, percent: bool = False
) -> str | None:
    """A line over the points with a value (None with fewer than two); an SVG data URI."""
    usable = [p for p in points if p.get(value_key) is not None]
    if len(usable) < 2:
        return None
    xs = [str(p.get("year", p.get("time", "")))[:10] for p in usable]
    ys = [float(p[value_key]) * (100 if percent else 1) for p in usable]
    return _remember(("series", tuple(xs), tuple(ys), percent), lambda: _series(xs, ys, percent))


def _series(xs: list[str], ys: list[float], percent: bool) -> str:
    from matplotlib.figure import Figure  # here, not at start: `wsz serve` starts faster

    figure = Figure(figsize=(3.2, 1.6), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(range(len(xs)), ys, marker="o", color=ACCENT)
    axes.set_xticks(range(len(xs)), xs)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=7)
    if percent:
        axes.set_ylim(0, max(100.0, max(ys)))
    return _data_uri(figure)
