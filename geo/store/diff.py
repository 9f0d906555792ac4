"""What an import changes, by stable id, and how upserts combine stored and new features.

Layers are compared by their stable ids (buurten by ``bu_code``, zones by ``zone_code``,
voorzieningen by ``id``): a feature is added, removed, updated (a compared value or its
geometry differs) or unchanged. A geometry that moved less than
:data:`GEOMETRY_TOLERANCE_M` is unchanged, so a layer exported and imported again is
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.store.dataset import Dataset

#: The stable id of each layer: what upserts match on and changes are counted by.
LAYER_KEYS = {"buurten": "bu_code", "zones": "zone_code", "voorzieningen": "id"}
#: Columns compared per layer (besides geometry where :data:`COMPARE_GEOMETRY` says so); None:
#: every column but the key and the derived ones below. A zone is its name and members; its
#: totals and shape follow from the buurten.
COMPARED: dict[str, tuple[str, ...] | None] = {
    "buurten": None,
    "zones": ("zone_name", "wijk_codes", "buurt_codes"),
    "voorzieningen": None,
}
#: Columns that follow from others (a buurt's zone, a voorziening's buurt and zone) or say where
#: a row came from (a voorziening's ``source`` file name): not compared.
DERIVED: dict[str, tuple[str, ...]] = {
    "buurten": ("zone_code",),
    "zones": (),
    "voorzieningen": ("bu_code", "zone_code", "source"),
}
COMPARE_GEOMETRY = {"buurten": True, "zones": False, "voorzieningen": True}
#: A geometry that moved less than this (metres, RD New) is unchanged: exports round lon/lat to
#: 6 decimals (≤ 0.06 m per coordinate here) and RD New to 3 (1 mm), so a layer exported and
#: pushed back counts as unchanged, while a point a GIS user moves on purpose counts.
GEOMETRY_TOLERANCE_M = 0.25
#: Pairs of geometries with more vertices than this (product of both) that are not equal
#: vertex by vertex are counted as changed without measuring their Hausdorff distance.
_HAUSDORFF_MAX_WORK = 4_000_000


@dataclass(frozen=True)
class LayerChanges:
    """Features of one layer added, updated, removed and unchanged (by stable id)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when any feature was added, updated or removed."""
        return bool(self.added or self.updated or self.removed)


def diff_layer(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    key: str,
    columns: tuple[str, ...] | None,
    *,
    derived: tuple[str, ...] = (),
    geometry: bool = True,
    tolerance_m: float = GEOMETRY_TOLERANCE_M,
) -> LayerChanges:
    """Compare two frames of one layer by ``key``.

    ``columns`` are compared (None: every column either frame has but ``key``, ``geometry``
    and ``derived``); numbers with a relative tolerance of 1e-9, missing equal to missing.
    Geometries (RD New) are equal when every vertex lies within ``tolerance_m`` metres of its
    counterpart, or their Hausdorff distance is at most that.
    """
    old = _keyed(before, key)
    new = _keyed(after, key)
    common = new.index.intersection(old.index)
    if columns is None:
        skip = {key, "geometry", *derived}
        names = [c for c in dict.fromkeys([*old.columns, *new.columns]) if c not in skip]
    else:
        names = list(columns)
    same = np.ones(len(common), dtype=bool)
    for name in names:
        same &= _same_values(_column(old, name, common), _column(new, name, common))
    if geometry and len(common):
        same &= _same_geometry(
            np.asarray(old.geometry.loc[common].to_numpy(), dtype=object),
            np.asarray(new.geometry.loc[common].to_numpy(), dtype=object),
            tolerance_m,
        )
    unchanged = int(same.sum())
    return LayerChanges(
        added=len(new.index.difference(old.index)),
        updated=len(common) - unchanged,
        removed=len(old.index.difference(new.index)),
        unchanged=unchanged,
    )


def _keyed(frame: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    if key not in frame:
        return frame.iloc[0:0].set_index(pd.Index([], name=key))
    keyed = frame.assign(**{key: frame[key].astype("string")})
    return keyed.drop_duplicates(key).set_index(key)


def _column(frame: pd.DataFrame, name: str, index: pd.Index) -> pd.Series:
    if name in frame:
        return frame.loc[index, name]
    return pd.Series(pd.NA, index=index, dtype=object)


def _same_values(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Element-wise equality; both missing is equal; numbers within a relative 1e-9."""
    old_missing = old.isna().to_numpy()
    new_missing = new.isna().to_numpy()
    both = old_missing & new_missing
    one = old_missing ^ new_missing
    old_numbers = pd.to_numeric(old, errors="coerce")
    new_numbers = pd.to_numeric(new, errors="coerce")
    numeric = (old_numbers.notna() & new_numbers.notna()).to_numpy()
    close = np.isclose(
        old_numbers.to_numpy(dtype=float, na_value=np.nan),
        new_numbers.to_numpy(dtype=float, na_value=np.nan),
        rtol=1e-9,
        atol=1e-9,
    )
    texts = (old.astype("string").fillna("") == new.astype("string").fillna("")).to_numpy(
        dtype=bool, na_value=False
    )
    same: NDArray[np.bool_] = np.where(numeric, close, texts)
    result: NDArray[np.bool_] = (same | both) & ~one
    return result


def _same_geometry(old: np.ndarray, new: np.ndarray, tolerance_m: float) -> np.ndarray:
    """True where two geometries are the same within ``tolerance_m`` (vectorised)."""
    old_empty = shapely.is_missing(old) | shapely.is_empty(old)
    new_empty = shapely.is_missing(new) | shapely.is_empty(new)
    same = np.zeros(len(old), dtype=bool)
    both = ~old_empty & ~new_empty
    same[old_empty & new_empty] = True
    if both.any():
        a = shapely.normalize(old[both])
        b = shapely.normalize(new[both])
        exact = shapely.equals_exact(a, b, tolerance=tolerance_m)
        work = shapely.get_num_coordinates(a) * shapely.get_num_coordinates(b)
        measure = ~exact & (work <= _HAUSDORFF_MAX_WORK)
        if measure.any():
            near = shapely.hausdorff_distance(a[measure], b[measure]) <= tolerance_m
            exact[measure] = near
        same[both] = exact
    return same


def diff_datasets(before: Dataset, after: Dataset) -> dict[str, LayerChanges]:
    """:class:`LayerChanges` of ``buurten``, ``zones`` and ``voorzieningen``."""
    return {
        layer: diff_layer(
            getattr(before, layer),
            getattr(after, layer),
            LAYER_KEYS[layer],
            COMPARED[layer],
            derived=DERIVED[layer],
            geometry=COMPARE_GEOMETRY[layer],
        )
        for layer in ("buurten", "zones", "voorzieningen")
    }
