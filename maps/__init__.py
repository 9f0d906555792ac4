"""Folium (Leaflet) maps of zones, buurten, voorzieningen and coverage gaps.

:mod:`maps.build` makes an overview map of the gemeente and one map per zone from a
:class:`geo.pipeline.Analysis`; :mod:`maps.layers` turns frames into Folium layers;
:mod:`maps.style` holds colours and the Dutch/English labels; :mod:`maps.assets` serves
Leaflet from the installed ``xstatic-leaflet`` package, so no map ever loads code from a CDN.
"""
