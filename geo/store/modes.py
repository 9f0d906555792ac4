"""How an import's mode combines what is stored with what was read.

``replace`` makes the input the whole layer; ``add`` appends it, refusing ids already stored;
``upsert`` replaces the features with the same stable id (``bu_code``, ``id``, the zone
``code``) and adds the rest, so the same upsert twice gives the same store.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import ValueProblemError, ZoneDefinitionError
from geo.read.provenance import LayerSource, Provenance
from geo.read.voorzieningen import (
    VOORZIENING_COLUMNS,
    VOORZIENING_DETAIL_COLUMNS,
    concat_voorzieningen,
    with_voorziening_details,
)
from geo.read.zones import ZoneDefinition
from geo.store.dataset import Dataset
from geo.store.request import ImportMode


def buurten_after(
    before: Dataset, buurten: gpd.GeoDataFrame, mode: ImportMode, name: str
) -> gpd.GeoDataFrame:
    """The buurten after importing ``buurten`` (named ``name`` in messages) in ``mode``."""
    if before.is_empty or mode == "replace":
        return buurten
    stored = before.buurten.reindex(columns=buurten.columns)
    if mode == "add":
        clash = sorted(set(before.buurten["bu_code"]) & set(buurten["bu_code"]))
        if clash:
            raise ValueProblemError(
                f"{name}: buurt code(s) already stored: {', '.join(clash[:10])}; "
                "import with mode 'replace' to replace all buurten"
            )
        return pd.concat([stored, buurten], ignore_index=True)
    return gpd.GeoDataFrame(upsert_rows(stored, buurten, "bu_code"), crs=buurten.crs)


def voorzieningen_after(
    before: Dataset, voorzieningen: gpd.GeoDataFrame, mode: ImportMode
) -> gpd.GeoDataFrame:
    """The voorzieningen after importing ``voorzieningen`` in ``mode`` (ids unique)."""
    if mode == "add":
        return concat_voorzieningen([before.voorzieningen, voorzieningen])
    if mode == "upsert":
        columns = [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
        stored = with_voorziening_details(before.voorzieningen)
        return concat_voorzieningen([upsert_rows(stored[columns], voorzieningen[columns], "id")])
    return concat_voorzieningen([voorzieningen])


def zones_after(
    stored: ZoneDefinition | None, definition: ZoneDefinition, mode: ImportMode
) -> ZoneDefinition:
    """The zone definition after importing ``definition`` (``add`` is ``replace`` here)."""
    return upsert_zones(stored, definition) if mode == "upsert" else definition


def provenance_after(current: Provenance, source: LayerSource, mode: ImportMode) -> Provenance:
    """The provenance after an import: ``replace`` names the new source alone, ``add`` and
    ``upsert`` add its name (once) to the layer's sources."""
    stored = current.layer(source.layer)
    if mode == "upsert" and stored is not None and source.source in stored.source.split(", "):
        return current
    return current.with_layer(source, add=mode != "replace")


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
