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

from geo.errors import ZoneDefinitionError
from geo.store.dataset import Dataset
from geo.zones import ZoneDefinition

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
    same: np.ndarray = np.where(numeric, close, texts)
    return (same | both) & ~one


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


def upsert_rows(stored: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    """``stored`` with each row whose ``key`` is in ``new`` replaced by that row, in place;
    rows of ``new`` with a key not stored yet follow, in their order. Columns are the union
    (missing where a side lacks one); the result has a fresh 0..n-1 index."""
    if stored.empty:
        return new.reset_index(drop=True)
    stored_keys = stored[key].astype("string")
    new_keys = new[key].astype("string")
    order = pd.concat([stored_keys, new_keys[~new_keys.isin(stored_keys)]], ignore_index=True)
    position = pd.Series(np.arange(len(order)), index=order.to_numpy())
    kept = stored.loc[~stored_keys.isin(new_keys).to_numpy()]
    combined = pd.concat([kept, new], ignore_index=True)
    # Text read from the store and text just read concatenate to objects mixing NaN and NA,
    # which a GeoPackage writer may store as the text "<NA>": keep one string dtype.
    for column in combined.columns:
        sides = [frame[column] for frame in (stored, new) if column in frame]
        if column != "geometry" and any(isinstance(s.dtype, pd.StringDtype) for s in sides):
            combined[column] = combined[column].astype("string")
    rank = position.loc[combined[key].astype("string").to_numpy()].to_numpy()
    return combined.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def upsert_zones(stored: ZoneDefinition | None, new: ZoneDefinition) -> ZoneDefinition:
    """The stored zone definition with ``new``'s zones replacing those with the same code and
    the others added after them. Refuses a definition of another gemeente."""
    if stored is None:
        return new
    if stored.gemeente and new.gemeente and stored.gemeente != new.gemeente:
        raise ZoneDefinitionError(
            f"the zones are of gemeente {new.gemeente} but the stored ones of "
            f"{stored.gemeente}; import them with mode 'replace'"
        )
    by_code = {zone.code: zone for zone in new.zones}
    zones = [by_code.pop(zone.code, zone) for zone in stored.zones]
    zones += [zone for zone in new.zones if zone.code in by_code]
    return ZoneDefinition(gemeente=new.gemeente or stored.gemeente, zones=tuple(zones))
