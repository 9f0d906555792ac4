/* The voorzieningen as markers with a popup (name, kind, address, opening hours). The
 * markers are no Tab stops (dozens of them stood between the search and the answer): the
 * keyboard reaches each through the text list "Voorzieningen op de kaart", whose buttons
 * open its popup with the focus in it (Escape closes it and the focus returns). */

import { T } from "./config.js";
import { byId, clear, el, markerSpan } from "./dom.js";
import { fmt } from "./text.js";
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
  if (!category || !feature.geometry) return null;
  var c = feature.geometry.coordinates;
  var name = p.name + " (" + categoryLabel(category) + ")";
  var marker = L.marker([c[1], c[0]], { icon: icon(category), title: name, keyboard: false });
  marker.on("add", function () {
    var node = marker.getElement();
    node.setAttribute("role", "img"); // named, not a control: the list is the way in
    node.setAttribute("aria-label", name);
    node.classList.add("wsz-voorziening");
    node.setAttribute("data-category", p.category);
  });
  marker.bindPopup(popupContent(p, category));
  marker.addTo(state.map);
  return { marker: marker, name: name, category: category };
}

/** Open ``marker``'s popup from the list's ``button``: the focus goes into the popup and
 * back to the button when it closes. */
function openFromList(marker, button) {
  state.map.setView(marker.getLatLng(), Math.max(state.map.getZoom(), 16), { animate: false });
  marker.openPopup();
  var popup = marker.getPopup().getElement();
  if (!popup) return;
  if (!popup.hasAttribute("data-escape")) {
    // Leaflet closes a popup on Escape only while the map itself has the focus.
    popup.setAttribute("data-escape", "true");
    popup.addEventListener("keydown", function (event) {
      if (event.key === "Escape") state.map.closePopup();
    });
  }
  var close = popup.querySelector(".leaflet-popup-close-button");
  if (close) close.focus({ preventScroll: true });
  marker.once("popupclose", function () {
    button.focus({ preventScroll: true });
  });
}

function listItem(drawn) {
  var button = el("button", { type: "button", class: "wsz-link-button", text: drawn.name });
  button.addEventListener("click", function () {
    openFromList(drawn.marker, button);
  });
  return el("li", { "data-category": drawn.category.code }, [
    markerSpan(drawn.category, "wsz-marker-small"),
    " ",
    button,
  ]);
}

/** One marker per voorziening of a known category (a GeoJSON FeatureCollection), and the
 * text list that reaches them by keyboard. */
export function drawVoorzieningen(collection) {
  var drawn = collection.features.map(drawMarker).filter(Boolean);
  drawn.sort(function (a, b) {
    return a.name.localeCompare(b.name);
  });
  byId("wsz-list-title").textContent = fmt(T.list_title, { count: drawn.length });
  var list = clear(byId("wsz-list"));
  drawn.forEach(function (item) {
    list.appendChild(listItem(item));
  });
}
