/* Residents' map (the /embed pages of woonservicezones): the entry module.
 *
 * The page holds its setup in <script type="application/json" id="wsz-config"> (config.js)
 * and no inline script. Everything shown is asked from the service's own API:
 *   /categories, /health (sources), /zones, /ogc/collections/buurten/items, /voorzieningen,
 *   /coverage, /coverage/buurten, /coverage/gaps   -> the layers and the legend;
 *   /addresses -> address search; /lookup -> "what is near me"; /route -> the walk.
 * No other host is contacted (the tile server excepted, when one is configured); no cookies,
 * no storage: the language and the chosen place live in the URL.
 *
 *   config.js  the configuration and texts      api.js      requests to the API
 *   text.js    numbers, distances, templates    dom.js      building elements
 *   state.js   what the modules share           map.js      the Leaflet map
 *   layers.js  buurten, zones, gap polygons     voorzieningen.js  markers and popups
 *   legend.js  the legend                       sources.js  sources, warning, measure
 *   place.js   look up a place                  answer.js   the text answer
 *   route.js   the route to a voorziening       search.js   the address search
 *   streets.js the network's streets (no tiles)
 *
 * Without a tile server the page also asks /embed/streets.geojson (the walking network's
 * streets, drawn as a light layer).
 */

import { showError } from "./answer.js";
import { api } from "./api.js";
import { cfg } from "./config.js";
import { byId, el } from "./dom.js";
import { drawBuurten, drawGaps, drawZones, shadeBuurten } from "./layers.js";
import { drawLegend } from "./legend.js";
import { createMap } from "./map.js";
import { lookupAt, lookupFromUrl } from "./place.js";
import { wireSearch } from "./search.js";
import { drawSources, showMeasure } from "./sources.js";
import { state } from "./state.js";
import { drawStreets } from "./streets.js";
import { categoryLabel } from "./text.js";
import { drawVoorzieningen } from "./voorzieningen.js";

/** Clicks, taps, Enter on the map and the "centre" button look up a place; the category
 * chosen shades the buurten, draws its gaps and its legend. */
function wireMap(map) {
  byId("wsz-centre").addEventListener("click", function () {
    lookupAt(map.getCenter(), null);
  });
  map.on("click", function (event) {
    lookupAt(event.latlng, null);
  });
  var container = map.getContainer();
  container.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === container) lookupAt(map.getCenter(), null);
  });
  byId("wsz-category").addEventListener("change", function () {
    shadeBuurten();
    drawGaps();
    drawLegend();
  });
}

function useCategories(categories) {
  state.categories = categories;
  categories.forEach(function (category) {
    state.byCode[category.code] = category;
    byId("wsz-category").appendChild(
      el("option", { value: category.code, text: categoryLabel(category) })
    );
  });
}

/** The zone's voorzieningen and those within about a kilometre of it (null: all). */
function voorzieningenAround(buurten) {
  if (!cfg.zone || !buurten.getLayers().length) return null;
  var b = buurten.getBounds();
  var bbox = [
    (b.getWest() - 0.015).toFixed(5),
    (b.getSouth() - 0.009).toFixed(5),
    (b.getEast() + 0.015).toFixed(5),
    (b.getNorth() + 0.009).toFixed(5),
  ];
  return { bbox: bbox.join(",") };
}

function draw(loaded) {
  useCategories(loaded[0]);
  drawSources(loaded[1]);
  drawZones(loaded[2]);
  state.coverage = loaded[4];
  var buurten = drawBuurten(loaded[3]);
  shadeBuurten();
  drawGaps();
  drawLegend();
  showMeasure(loaded[5].source, cfg.speed_m_per_s);
  return api("/voorzieningen", voorzieningenAround(buurten));
}

function start() {
  var zoneOnly = cfg.zone ? { zone: cfg.zone } : {};
  var buurtParams = { limit: 10000, f: "json" };
  if (cfg.zone) buurtParams.zone_code = cfg.zone;
  Promise.all([
    api("/categories"),
    api("/health"),
    api("/zones"),
    api("/ogc/collections/buurten/items", buurtParams),
    api("/coverage/buurten", zoneOnly),
    api("/coverage", zoneOnly),
  ])
    .then(draw)
    .then(function (collection) {
      drawVoorzieningen(collection);
      document.body.setAttribute("data-loaded", "true");
      lookupFromUrl();
    })
    .catch(function (error) {
      document.body.setAttribute("data-loaded", "error");
      showError(error);
    });
}

state.map = createMap();
// The page's Leaflet map, for scripts and tests that drive the page (Folium's pages kept
// theirs in a global variable too).
window.wszMap = state.map;
wireSearch();
wireMap(state.map);
drawStreets();
start();
