"""The figures of a buurt's tooltip and popup: per category, the share and number of residents
beyond the norm, walking and by straight line side by side (display text only; the figures
are the analysis's, :class:`geo.coverage.figures.Coverage`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geo.vocabulary import Category
from maps.layers import count_text, share_text
from maps.style import bilingual, category_label

#: Text of a cell: "37% (1.234)" (share beyond the norm, residents beyond it).
UNKNOWN_CELL = bilingual("no_figure")


def _cell(share: pd.Series, count: pd.Series) -> pd.Series:
    text = share_text(share) + " (" + count_text(count) + ")"
    return text.where(share.notna(), UNKNOWN_CELL)


def figure_tables(
    per_buurt: pd.DataFrame, categories: tuple[Category, ...] | list[Category], *, walking: bool
) -> dict[str, dict[str, Any]]:
    """One table per buurt code: a row per category with the share (and number) of residents
    beyond its norm, walking over the network (when ``walking``) and by straight line.

    ``per_buurt`` are the coverage rows per buurt and category (``share_beyond``,
    ``residents_beyond``; walking coverage also has ``share_beyond_straight``,
    ``residents_beyond_straight``).
    """
    if walking and "share_beyond_straight" in per_buurt:
        columns = {
            bilingual("walking_short"): _cell(
                per_buurt["share_beyond"], per_buurt["residents_beyond"]
            ),
            bilingual("straight_short"): _cell(
                per_buurt["share_beyond_straight"], per_buurt["residents_beyond_straight"]
            ),
        }
    else:
        columns = {
            bilingual("straight_short"): _cell(
                per_buurt["share_beyond"], per_buurt["residents_beyond"]
            )
        }
    order = {category.code: position for position, category in enumerate(categories)}
    labels = {
        category.code: f"{category_label(category)} (> {category.threshold_m:.0f} m)"
        for category in categories
    }
    frame = pd.DataFrame(
        {
            "bu_code": per_buurt["bu_code"].astype(str),
            "order": per_buurt["category"].map(order),
            "label": per_buurt["category"].map(labels),
            **{f"c{i}": values for i, values in enumerate(columns.values())},
        }
    ).dropna(subset=["order"])
    frame = frame.sort_values(["bu_code", "order"])
    cells = [f"c{i}" for i in range(len(columns))]
    head = [bilingual("beyond_norm"), *columns]
    return {
        str(code): {
            "caption": bilingual("share_beyond"),
            "head": head,
            "body": rows[["label", *cells]].astype(str).values.tolist(),
        }
        for code, rows in frame.groupby("bu_code", sort=False)
    }
