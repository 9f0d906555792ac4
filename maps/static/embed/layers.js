/* The area layers: buurten shaded by the share of residents beyond the norm, zone
 * boundaries, and the gap polygons of the chosen category. */

import { api } from "./api.js";
import { T, cfg } from "./config.js";
import { byId } from "./dom.js";
import { state } from "./state.js";
import { number } from "./text.js";

/** The category chosen in "Shade the neighbourhoods by". */
export function chosenCategory() {
  return byId("wsz-category").value;
}

function shareColour(share) {
  if (share === null || share === undefined || isNaN(share)) return cfg.no_data_colour;
  for (var i = 0; i < cfg.share_classes.length; i++) {
    if (share <= cfg.share_classes[i][0]) return cfg.share_classes[i][1];
  }
  return cfg.share_classes[cfg.share_classes.length - 1][1];
}

/** Buurt code -> share of its residents beyond the norm of ``category``. */
function shareFor(category) {
  var shares = {};
  state.coverage.forEach(function (row) {
    if (row.category === category) shares[row.bu_code] = row.share_beyond;
  });
  return shares;
}

/** A tooltip's content as a text node: Leaflet puts a string in as HTML, and a buurt's name
 * comes from the data. */
function tooltipText(value) {
  return document.createTextNode(value);
}

/** Colour every buurt by the chosen category; its tooltip gives the figure. */
export function shadeBuurten() {
  if (!state.buurten) return;
  var shares = shareFor(chosenCategory());
  state.buurten.eachLayer(function (layer) {
    var share = shares[layer.feature.properties.bu_code];
    layer.setStyle({ fillColor: shareColour(share) });
    var label = layer.feature.properties.bu_naam;
    var figure = share === null || share === undefined ? T.no_figure : number(share * 100) + "%";
    layer.setTooltipContent(tooltipText(label + ": " + figure));
  });
}

export function drawBuurten(collection) {
  state.buurten = L.geoJSON(collection, {
    style: function () {
      return {
        color: "#525252",
        weight: 1,
        fillColor: cfg.no_data_colour,
        fillOpacity: 0.5,
        className: "wsz-buurt",
      };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(tooltipText(feature.properties.bu_naam), { sticky: true });
    },
  }).addTo(state.map);
  // The polygons are no Tab stops: the answer names the buurt of the place looked up.
  state.buurten.eachLayer(function (layer) {
    var path = layer.getElement();
    if (path) {
      path.setAttribute("tabindex", "-1");
      path.setAttribute("focusable", "false");
      path.setAttribute("aria-hidden", "true");
    }
  });
  return state.buurten;
}

/** The zone boundaries (only the page's zone on a zone page); remembers every zone's name. */
export function drawZones(collection) {
  var features = collection.features.filter(function (f) {
    return !cfg.zone || f.properties.zone_code === cfg.zone;
  });
  collection.features.forEach(function (f) {
    state.zoneNames[f.properties.zone_code] = f.properties.zone_name;
  });
  L.geoJSON(
    { type: "FeatureCollection", features: features },
    {
      interactive: false,
      style: function () {
        return { color: cfg.zone_colour, weight: 4, fill: false, className: "wsz-zone" };
      },
    }
  ).addTo(state.map);
}

/** Where residents live beyond the chosen category's norm (replacing the previous ones). */
export function drawGaps() {
  if (state.gaps) state.map.removeLayer(state.gaps);
  state.gaps = null;
  var params = { category: chosenCategory() };
  if (cfg.zone) params.zone = cfg.zone;
  api("/coverage/gaps", params)
    .then(function (collection) {
      state.gaps = L.geoJSON(collection, {
        interactive: false,
        style: function () {
          return {
            color: "#67000d",
            weight: 1,
            fillColor: "#67000d",
            fillOpacity: 0.3,
            dashArray: "4 3",
            className: "wsz-gap",
          };
        },
      }).addTo(state.map);
    })
    .catch(function () {
      /* no gap polygons computed: the shading says enough */
    });
}
