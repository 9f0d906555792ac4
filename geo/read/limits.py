"""How much one import may hold, checked before the work it bounds (size, features, vertices).

Limits are raised at once, before slow work, with their own error classes (HTTP 413).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import TooLargeError, TooManyFeaturesError, TooManyVerticesError
from geo.read.checks import describe, feature_problems, label


@dataclass(frozen=True)
class Limits:
    """How much one import may hold (settings ``WSZ_MAX_*``; these are the defaults).

    - ``max_features`` 50,000: the whole country has about 14,500 CBS buurten, and a province
      holds a few thousand voorzieningen of our categories, so national buurten or a province's
      voorzieningen fit in one import, while the validity checks and the join of one request
      stay within a few hundred MB of memory.
    - ``max_vertices_per_feature`` 100,000: CBS's full-resolution buurt polygons have up to
      some tens of thousands of vertices (long water and coast lines), the generalised ones 3
      to 12; anything beyond is a digitising accident that makes validity checks, joins and
      maps slow for every later request.
    - ``max_upload_bytes`` 100 MB: a gemeente's full-resolution buurten are a few MB, a
      province's voorzieningen as GeoJSON tens of MB. It applies to GeoJSON bodies and uploaded
      files; files named on the command line are not limited in size.
    - ``max_unzipped_bytes`` 2 GiB and ``max_zip_ratio`` 200: a zip may not unpack to more than
      this, nor any member larger than 1 MiB expand more than 200-fold, nor all members
      together (over 1 MiB in all). Deflate cannot do better than about 1,032:1 and zip bombs
      live near that ratio; real Shapefiles compress about 2 to 20-fold (small files of
      padding may do better, hence the 1 MiB floor).
    - ``max_zip_members`` 10,000: CBS's Wijk- en Buurtkaart zip holds a few dozen files.
    - ``max_text_chars`` 500: the longest CBS buurt name has about 60 characters and OSM names
      and addresses rarely exceed 100; a longer id, code, name, address or opening-hours text
      is a mistake (or an attack) that every answer and map would carry.
    """

    max_features: int = 50_000
    max_vertices_per_feature: int = 100_000
    max_upload_bytes: int = 100 * 1024**2
    max_unzipped_bytes: int = 2 * 1024**3
    max_zip_ratio: float = 200.0
    max_zip_members: int = 10_000
    max_text_chars: int = 500


DEFAULT_LIMITS = Limits()

#: Features of a GeoJSON body are in WGS84 lon/lat (RFC 7946): the Netherlands' European part.


def check_size(n_bytes: int, limits: Limits, *, where: str) -> None:
    """Refuse a body or upload larger than ``max_upload_bytes`` (:class:`TooLargeError`)."""
    if n_bytes > limits.max_upload_bytes:
        raise TooLargeError(
            f"{where}: {n_bytes:,} bytes is more than the {limits.max_upload_bytes:,} bytes "
            "accepted (WSZ_MAX_UPLOAD_BYTES); split the import or import the file from the "
            "command line",
            limit=limits.max_upload_bytes,
            actual=n_bytes,
        )


def check_count(n_features: int, limits: Limits, *, where: str) -> None:
    """Refuse more than ``max_features`` features (:class:`TooManyFeaturesError`)."""
    if n_features > limits.max_features:
        raise TooManyFeaturesError(
            f"{where}: {n_features:,} features is more than the {limits.max_features:,} "
            "accepted in one import (WSZ_MAX_FEATURES); split it, or filter it first "
            "(e.g. --gemeente)",
            limit=limits.max_features,
            actual=n_features,
        )


def check_vertices(geometry: gpd.GeoSeries, ids: pd.Series, limits: Limits, *, where: str) -> None:
    """Refuse features with more than ``max_vertices_per_feature`` vertices, listing them."""
    counts = pd.Series(
        shapely.get_num_coordinates(np.asarray(geometry.values, dtype=object)),
        index=geometry.index,
    )
    over = counts > limits.max_vertices_per_feature
    if not over.any():
        return
    problems = feature_problems(
        over,
        ids,
        counts.map(
            lambda n: (
                f"{n:,} vertices; at most {limits.max_vertices_per_feature:,} accepted "
                "(WSZ_MAX_VERTICES_PER_FEATURE): simplify the geometry"
            )
        ),
    )
    raise TooManyVerticesError(
        f"{where}: {int(over.sum())} feature(s) have more than "
        f"{limits.max_vertices_per_feature:,} vertices: "
        f"{describe(label(ids.get(i)) or f'#{i}' for i in over[over].index)}",
        limit=limits.max_vertices_per_feature,
        actual=int(counts.max()),
        problems=problems,
    )
