/* The voorzieningen as keyboard-reachable markers with a popup (name, kind, address,
 * opening hours). */

import { T } from "./config.js";
import { el, markerSpan } from "./dom.js";
import { state } from "./state.js";
import { categoryLabel } from "./text.js";

function popupContent(properties, category) {
  var rows = [
    el("h2", { class: "wsz-popup-title", text: properties.name }),
    el("p", { text: categoryLabel(category) }),
  ];
  if (properties.address) {
    rows.push(el("p", {}, [el("strong", { text: T.address + ": " }), properties.address]));
  }
  if (properties.opening_hours) {
    rows.push(
      el("p", {}, [el("strong", { text: T.opening_hours + ": " }), properties.opening_hours])
    );
  }
  return el("div", { class: "wsz-popup" }, rows);
}

function icon(category) {
  return L.divIcon({
    className: "wsz-marker-icon",
    html: markerSpan(category), // an element: Leaflet parses a string as HTML
    iconSize: [28, 28],
    iconAnchor: [14, 14],
    popupAnchor: [0, -14],
  });
}

function drawMarker(feature) {
  var p = feature.properties;
  var category = state.byCode[p.category];
  if (!category || !feature.geometry) return;
  var c = feature.geometry.coordinates;
  var name = p.name + " (" + categoryLabel(category) + ")";
  var marker = L.marker([c[1], c[0]], { icon: icon(category), title: name, keyboard: true });
  marker.on("add", function () {
    var node = marker.getElement();
    node.setAttribute("aria-label", name);
    node.classList.add("wsz-voorziening");
    node.setAttribute("data-category", p.category);
  });
  marker.bindPopup(popupContent(p, category));
  marker.addTo(state.map);
}

/** One marker per voorziening of a known category (a GeoJSON FeatureCollection). */
export function drawVoorzieningen(collection) {
  collection.features.forEach(drawMarker);
}
