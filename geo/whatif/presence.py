"""Presence norms as a constraint of the placement: "place k sites so that every wijk (or
zone) without one gets one".

Each wijk or zone that fails the norm (:func:`geo.coverage.presence.presence_check`) becomes
an area constraint of the MCLP (:func:`geo.whatif.mclp.solve_mclp`, ``areas``): at least
one chosen site among the candidates inside it. Candidates take their buurt — and so their
wijk and zone — by the one join rule (:func:`geo.join.buurt_positions`). RD New.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geo.errors import QueryError
from geo.join import buurt_positions
from geo.vocabulary import PresenceLevel

#: Columns of the placement's ``presence`` frame: each area that lacked one and its new site.
FILLED_COLUMNS = ("level", "area_code", "area_name", "residents", "site")


def candidate_codes(
    candidates: gpd.GeoDataFrame, buurten: gpd.GeoDataFrame
) -> dict[PresenceLevel, NDArray[np.object_]]:
    """Per level, the wijk (``wk_code``) and zone (``zone_code``) code of each candidate
    (None outside every buurt or without a code)."""
    position = buurt_positions(np.asarray(candidates.geometry.values, dtype=object), buurten)
    levels: tuple[tuple[PresenceLevel, str], ...] = (("wijk", "wk_code"), ("zone", "zone_code"))
    codes: dict[PresenceLevel, NDArray[np.object_]] = {}
    for level, column in levels:
        values = np.asarray(
            buurten[column].astype("string").to_numpy(dtype=object, na_value=None), dtype=object
        )
        found = np.full(len(position), None, dtype=object)
        found[position >= 0] = values[position[position >= 0]]
        codes[level] = found
    return codes


def presence_pools(
    gaps: pd.DataFrame,
    codes: dict[PresenceLevel, NDArray[np.object_]],
    eligible: NDArray[np.bool_],
    k: int,
) -> list[NDArray[np.int64]]:
    """For each failing area (rows of ``gaps``: ``level``, ``area_code``, ``area_name``), the
    eligible candidates inside it. Refused (:class:`QueryError`) when more areas need a site
    than ``k``, or an area has no eligible candidate — both said by name."""
    if len(gaps) > k:
        listed = ", ".join(f"{r.area_name} [{r.area_code}]" for r in gaps.head(10).itertuples())
        raise QueryError(
            f"{len(gaps)} areas lack one and need a new site each, more than k = {k}: {listed}"
        )
    pools, empty = [], []
    for row in gaps.itertuples():
        inside = np.flatnonzero((codes[row.level] == row.area_code) & eligible)
        if len(inside) == 0:
            empty.append(f"{row.level} {row.area_name} [{row.area_code}]")
        pools.append(inside.astype(np.int64))
    if empty:
        raise QueryError(
            "no candidate site (on the walking network) inside "
            + ", ".join(empty)
            + ", which the presence norm needs a site in; add candidates there or generate "
            "them in that area"
        )
    return pools


def filled_areas(
    gaps: pd.DataFrame,
    codes: dict[PresenceLevel, NDArray[np.object_]],
    chosen: NDArray[np.int64],
    ids: Sequence[str],
) -> pd.DataFrame:
    """Each area that lacked one with the id of the chosen site placed in it
    (:data:`FILLED_COLUMNS`; the first in order of gain where several are)."""
    sites = []
    for row in gaps.itertuples():
        inside = [j for j in chosen.tolist() if codes[row.level][j] == row.area_code]
        sites.append(str(ids[inside[0]]) if inside else None)
    frame = gaps.assign(site=sites)
    return frame[list(FILLED_COLUMNS)].reset_index(drop=True)
