/* The way to a voorziening: the walking route from /route, or a dashed straight line where
 * no street network is loaded; described in words under the answer. */

import { api } from "./api.js";
import { T, cfg } from "./config.js";
import { byId } from "./dom.js";
import { state } from "./state.js";
import { distanceText, errorText, fmt, minutesText } from "./text.js";

function status() {
  return byId("wsz-route-status");
}

/** Bring the drawn route into sight and give the map the focus: on a phone the button sits
 * far below the map (the route's description is read out from the live status line). */
function showMap() {
  var container = state.map.getContainer();
  container.scrollIntoView({ block: "start", behavior: "auto" });
  container.focus({ preventScroll: true });
}

function drawStraightLine(home, item) {
  var target = L.latLng(item.lat, item.lon);
  state.route = L.polyline([home, target], {
    color: cfg.route_colour,
    weight: 4,
    dashArray: "8 8",
    className: "wsz-route wsz-route-straight",
    interactive: false,
  }).addTo(state.map);
  state.map.fitBounds(state.route.getBounds().pad(0.3));
  status().textContent = fmt(T.line_to, {
    name: item.name,
    distance: distanceText(item.distance_m),
  });
  showMap();
}

function drawWalk(home, route) {
  if (state.route) state.map.removeLayer(state.route);
  state.route = L.geoJSON(route, {
    interactive: false,
    style: function () {
      return { color: cfg.route_colour, weight: 5, className: "wsz-route" };
    },
  }).addTo(state.map);
  state.map.fitBounds(state.route.getBounds().extend(home).pad(0.3));
  var p = route.properties;
  status().textContent = fmt(T.route_to, {
    name: p.voorziening_name,
    distance: distanceText(p.distance_m),
    minutes: minutesText(p.minutes),
  });
  status().setAttribute("data-distance-m", p.distance_m);
  showMap();
}

/** Draw the way from the looked-up place to ``item`` (an entry of /lookup's nearest). */
export function showRoute(item) {
  var found = state.lookup;
  if (!found) return;
  if (state.route) state.map.removeLayer(state.route);
  var home = L.latLng(found.lat, found.lon);
  if (found.source !== "walking") {
    drawStraightLine(home, item);
    return;
  }
  status().textContent = T.loading;
  api("/route", { lon: found.lon, lat: found.lat, category: item.category })
    .then(function (route) {
      drawWalk(home, route);
    })
    .catch(function (error) {
      status().textContent = errorText(error);
    });
}
