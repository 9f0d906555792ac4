"""The published sample as OGC API – Features should serve it (test_ogc*.py): the collections
offered and each layer as the store has it, so expected values come from the published
sample, never from hard-coded figures.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

from geo.ask import export
from service.state import Published

#: Collections always served; ``gaps`` too when the analysis has gap polygons.
BASE_COLLECTIONS = ("buurten", "zones", "voorzieningen", "coverage")
#: The column holding each layer's feature id.
ID_COLUMN = {name: export.LAYERS[name].id_column for name in export.LAYERS}


def served(published: Published) -> tuple[str, ...]:
    """The collections the published state should offer."""
    return export.available_layers(export.find_gaps(published.analysis, published))


def expected(published: Published, name: str) -> gpd.GeoDataFrame:
    """The layer as the store has it (RD New), indexed by feature id."""
    gaps = export.find_gaps(published.analysis, published)
    frame = export.layer_frame(published.analysis, name, gaps=gaps)
    return frame.set_index(frame[ID_COLUMN[name]].astype(str))


def hausdorff(a: Any, b: Any) -> float:
    """How far apart two geometries are at most (in their CRS's units)."""
    return float(shapely.hausdorff_distance(a, b))
