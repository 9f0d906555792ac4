"""The buurten grouped by gemeente: each gemeente's box, its cover by the extracts, its key.

A gemeente's *box* is the bounding box of its buurten plus :data:`GEMEENTE_MARGIN_M` (1 km) in
RD New, the area ``wsz download osm --gemeente`` cuts: walks to a voorziening just across the
border are measured. Its *key* is a SHA-256 over everything its figures depend on (buurten,
voorzieningen, zone definition, the extract's content hash, the settings); a finished result
with the same key is not computed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.read.download import GEMEENTE_MARGIN_M
from geo.settings import Settings

#: (minx, miny, maxx, maxy) in RD New metres.
RdBox = tuple[float, float, float, float]
#: Changes when what a batch computes or writes changes (part of every key).
BATCH_VERSION = "1"


@dataclass(frozen=True)
class Gemeente:
    """One partition: a gemeente's buurten (RD New) and its box (RD New, buurten + 1 km)."""

    code: str
    name: str
    buurten: gpd.GeoDataFrame
    box: RdBox


def split_by_gemeente(buurten: gpd.GeoDataFrame) -> list[Gemeente]:
    """The gemeenten of ``buurten`` (``gm_code``), in code order, each with its own buurten
    in file order."""
    result = []
    for code, own in buurten.groupby("gm_code", sort=True):
        own = own.reset_index(drop=True)
        xmin, ymin, xmax, ymax = (float(v) for v in own.total_bounds)
        m = GEMEENTE_MARGIN_M
        names = own["gm_naam"].dropna()
        name = str(names.iloc[0]) if len(names) else str(code)
        result.append(Gemeente(str(code), name, own, (xmin - m, ymin - m, xmax + m, ymax + m)))
    return result


@dataclass(frozen=True)
class Cover:
    """How much of a gemeente's buurten area an extract covers (its header box, else the
    extent of its data); ``extract`` is the index of the best extract (None: none covers)."""

    extract: int | None
    share: float
    full: int
    total: int

    def describe(self) -> str:
        return f"{self.share:.0%} of its buurten' area ({self.full} of {self.total} buurten fully)"


def best_cover(gemeente: Gemeente, bounds: Sequence[RdBox]) -> Cover:
    """The extract (index into ``bounds``) covering most of the gemeente's buurten."""
    area = gemeente.buurten.area.to_numpy()
    best = Cover(None, 0.0, 0, len(area))
    for index, box in enumerate(bounds):
        covered = shapely.area(
            shapely.intersection(gemeente.buurten.geometry.values, shapely.box(*box))
        )
        share = float(covered.sum() / area.sum()) if area.sum() > 0 else 0.0
        if share > best.share:
            best = Cover(index, share, int((covered >= 0.999 * area).sum()), len(area))
    return best


def frame_digest(frame: pd.DataFrame) -> str:
    """A SHA-256 of a frame's values and geometry (WKB), in row order."""
    digest = hashlib.sha256()
    plain = (
        frame.drop(columns=[frame.geometry.name]) if isinstance(frame, gpd.GeoDataFrame) else frame
    )
    digest.update(",".join(map(str, plain.columns)).encode())
    digest.update(pd.util.hash_pandas_object(plain, index=False).to_numpy().tobytes())
    if isinstance(frame, gpd.GeoDataFrame):
        wkb = shapely.to_wkb(frame.geometry.to_numpy(), output_dimension=2)
        digest.update(b"".join(np.asarray(wkb, dtype=object)))
    return digest.hexdigest()


def gemeente_key(
    gemeente: Gemeente,
    voorzieningen_digest: str,
    definition_json: str | None,
    extract_sha256: str,
    settings: Settings,
) -> str:
    """The key of a gemeente's result: a SHA-256 of everything its figures depend on."""
    relevant = {
        "version": BATCH_VERSION,
        "buurten": frame_digest(gemeente.buurten),
        "box": gemeente.box,
        "voorzieningen": voorzieningen_digest,
        "zones": definition_json,
        "extract": extract_sha256,
        "thresholds": {c.code: c.threshold_m for c in settings.vocabulary.categories},
        "settings": settings.model_dump(
            mode="json",
            include={"distance", "network_snap_limit_m", "resident_grid_spacing_m"},
        ),
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()
