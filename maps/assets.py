"""Leaflet's JS/CSS, from the ``xstatic-leaflet`` package, never from a CDN.

Maps name their scripts relative to an *asset base*: ``/static/vendor`` when the API serves the
map, ``vendor`` when the CLI writes it to a file (the folder is copied next to the HTML).
Folium's other defaults (jQuery, Bootstrap, Font Awesome, awesome-markers) are left out: our
maps use only Leaflet's own controls and plain HTML.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

from maps.page import PageText
from maps.vendor import LEAFLET_DIR, LEAFLET_VERSION, VENDOR_SUBDIR

__all__ = ["LEAFLET_DIR", "LEAFLET_VERSION", "VENDOR_SUBDIR", "OfflineMap", "copy_vendor"]


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that loads only Leaflet, from ``asset_base``."""

    def __init__(self, *, asset_base: str, **kwargs: object) -> None:
        base = asset_base.rstrip("/")
        # Instance attributes shadow folium's class-level CDN lists.
        self.default_js = [("leaflet", f"{base}/{VENDOR_SUBDIR}/leaflet.js")]
        self.default_css = [("leaflet_css", f"{base}/{VENDOR_SUBDIR}/leaflet.css")]
        super().__init__(**kwargs)  # type: ignore[arg-type]
        #: The words of the page around the map (set by maps.build).
        self.page_text = PageText(title="")


def copy_vendor(target_dir: Path) -> Path:
    """Copy Leaflet's files into ``target_dir/leaflet`` (for maps written to disk)."""
    destination = Path(target_dir) / VENDOR_SUBDIR
    shutil.copytree(
        LEAFLET_DIR,
        destination,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.map", "*esm*", "leaflet-src.js", "__pycache__"),
    )
    return destination
