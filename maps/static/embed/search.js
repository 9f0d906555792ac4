/* The address search form (/addresses): one match is looked up at once, several are offered
 * as a list of buttons. */

import { api } from "./api.js";
import { T } from "./config.js";
import { byId, clear, el, errorLine } from "./dom.js";
import { lookupAt } from "./place.js";
import { state } from "./state.js";
import { fmt } from "./text.js";

function results() {
  return byId("wsz-results");
}

function choose(feature) {
  var c = feature.geometry.coordinates;
  var latlng = L.latLng(c[1], c[0]);
  state.map.setView(latlng, Math.max(state.map.getZoom(), 16));
  clear(results()).appendChild(el("p", { class: "wsz-chosen", text: feature.properties.address }));
  return lookupAt(latlng, feature.properties.address);
}

/** The one match to take without asking: the only one, or the only exact one; else null. */
function single(features) {
  var exact = features.filter(function (f) {
    return f.properties.match === "exact";
  });
  if (exact.length === 1) return exact[0];
  return features.length === 1 ? features[0] : null;
}

function offer(features) {
  var box = results();
  box.appendChild(
    el("h2", { id: "wsz-results-title", class: "wsz-small-heading", text: T.search_results })
  );
  var list = el("ul", { class: "wsz-result-list", "aria-labelledby": "wsz-results-title" });
  features.forEach(function (feature) {
    var button = el("button", {
      type: "button",
      class: "wsz-secondary",
      text: feature.properties.address,
    });
    button.addEventListener("click", function () {
      choose(feature);
    });
    list.appendChild(el("li", {}, [button]));
  });
  box.appendChild(list);
  list.querySelector("button").focus();
}

function showFound(collection, q) {
  var box = clear(results());
  var features = collection.features;
  if (collection.indexed === 0) box.appendChild(el("p", { text: T.search_unavailable }));
  else if (!features.length) box.appendChild(el("p", { text: fmt(T.search_none, { q: q }) }));
  else if (single(features)) choose(single(features));
  else offer(features);
}

function search(q) {
  clear(results()).appendChild(el("p", { text: T.loading }));
  api("/addresses", { q: q, limit: 8 })
    .then(function (collection) {
      showFound(collection, q);
    })
    .catch(function (error) {
      clear(results()).appendChild(errorLine(error));
    });
}

/** Search when the form is sent (Enter or the button), where the page has a search form. */
export function wireSearch() {
  var form = byId("wsz-search-form");
  if (!form) return; // no address index: the page says so instead of offering a search
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = byId("wsz-q").value.trim();
    if (q) search(q);
  });
}
