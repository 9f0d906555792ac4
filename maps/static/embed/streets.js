/* Without a tile server the map would show no streets: the walking network's own streets
 * (/embed/streets.geojson, from the loaded graph) are drawn as a light layer under the
 * buurten, so that a resident can recognise their street. Not clickable, no Tab stops. */

import { api } from "./api.js";
import { cfg } from "./config.js";
import { state } from "./state.js";

var PANE = "wsz-streets";

/** Draw the streets (only when no tiles are configured); resolves to the layer or null. */
export function drawStreets() {
  if (cfg.tiles) return Promise.resolve(null);
  var map = state.map;
  // A pane under the overlays (buurten 400), above the tiles (200); set through the CSSOM.
  map.createPane(PANE).style.zIndex = "350";
  return api("/embed/streets.geojson", cfg.zone ? { zone: cfg.zone } : null)
    .then(function (collection) {
      state.streets = L.geoJSON(collection, {
        pane: PANE,
        interactive: false,
        style: function () {
          return { color: "#8c8c8c", weight: 1.5, opacity: 0.7, className: "wsz-street" };
        },
      }).addTo(map);
      map.getContainer().setAttribute("data-streets", String(collection.edges || 0));
      return state.streets;
    })
    .catch(function () {
      // The streets are a backdrop: the map works without them.
      map.getContainer().setAttribute("data-streets", "error");
      return null;
    });
}
