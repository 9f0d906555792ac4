"""Where Leaflet's JS/CSS live (the ``xstatic-leaflet`` package): the API mounts them without
importing folium (which :mod:`maps.assets` needs for its map class), so `wsz serve` starts
faster."""

from __future__ import annotations

from pathlib import Path

from xstatic.pkg import leaflet as xstatic_leaflet

LEAFLET_DIR = Path(xstatic_leaflet.BASE_DIR)
LEAFLET_VERSION = str(xstatic_leaflet.VERSION)
#: Where the vendor files live below an asset base: versioned, so that browsers may keep them.
VENDOR_SUBDIR = f"leaflet-{LEAFLET_VERSION}"
