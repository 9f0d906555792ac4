/* The resident's place: marked on the map, looked up (/lookup), and kept in the URL (with the
 * language switch following it) so that it survives a reload or a change of language. */

import { renderAnswer, showError, showLoading } from "./answer.js";
import { api } from "./api.js";
import { cfg } from "./config.js";
import { byId } from "./dom.js";
import { showMeasure } from "./sources.js";
import { state } from "./state.js";

function setHome(latlng) {
  if (state.home) state.map.removeLayer(state.home);
  if (state.route) state.map.removeLayer(state.route);
  state.route = null;
  state.home = L.circleMarker(latlng, {
    radius: 9,
    color: "#ffffff",
    weight: 3,
    fillColor: cfg.home_colour,
    fillOpacity: 1,
    className: "wsz-home",
    interactive: false,
  }).addTo(state.map);
}

/** Put the place (and its address, if any) in the URL: no cookies, no storage. */
function rememberPlace(latlng, label) {
  var params = new URLSearchParams(window.location.search);
  params.set("lon", latlng.lng.toFixed(6));
  params.set("lat", latlng.lat.toFixed(6));
  if (label) params.set("adres", label);
  else params.delete("adres");
  try {
    window.history.replaceState(null, "", "?" + params.toString());
  } catch (e) {
    /* a sandboxed frame may refuse: the answer stays on screen */
  }
  var other = new URLSearchParams(params);
  if (cfg.lang === "en") other.delete("lang");
  else other.set("lang", "en");
  byId("wsz-lang-switch").setAttribute("href", "?" + other.toString());
}

/** Ask what is near ``latlng`` (called ``label``, or null for a point on the map), show the
 * answer and move the focus to it. */
export function lookupAt(latlng, label) {
  showLoading();
  byId("wsz-route-status").textContent = "";
  setHome(latlng);
  return api("/lookup", { lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6) })
    .then(function (found) {
      state.lookup = found;
      renderAnswer(found, label);
      showMeasure(found.source, found.speed_m_per_s);
      rememberPlace(latlng, label);
      byId("wsz-answer-title").focus();
    })
    .catch(showError);
}

/** A place kept in the URL (e.g. after switching language): shown and asked again. */
export function lookupFromUrl() {
  var params = new URLSearchParams(window.location.search);
  var lon = parseFloat(params.get("lon"));
  var lat = parseFloat(params.get("lat"));
  if (!isFinite(lon) || !isFinite(lat)) return;
  var place = L.latLng(lat, lon);
  state.map.setView(place, Math.max(state.map.getZoom(), 16));
  lookupAt(place, params.get("adres"));
}
