/* The Leaflet map: its container, controls, tiles and extent, from the configuration. */

import { T, cfg } from "./config.js";
import { byId } from "./dom.js";

/** The tile layer of the configured tile server (WSZ_MAP_TILES), or null for none. */
function tileLayer() {
  if (!cfg.tiles) return null;
  return L.tileLayer(cfg.tiles.url, {
    minZoom: 0,
    maxZoom: 19,
    maxNativeZoom: 19,
    attribution: cfg.tiles.attribution,
  });
}

/** Create the map in <div id="wsz-map">, fitted to the page's buurten. */
export function createMap() {
  var container = byId("wsz-map");
  var map = L.map(container, { zoomControl: false });
  // Leaflet's own titles are English: the page's language instead. Metres only.
  L.control.zoom({ zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  map.fitBounds(cfg.bounds);
  var tiles = tileLayer();
  if (tiles) tiles.addTo(map);
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", T.map_label);
  if (!cfg.tiles) container.classList.add("wsz-no-tiles");
  return map;
}
