/* The legend: the kinds of voorziening with their norms, the shading classes of the chosen
 * category, the gap polygons, the zone boundary, the resident's place and the route. */

import { T, cfg } from "./config.js";
import { byId, clear, el, markerSpan } from "./dom.js";
import { chosenCategory } from "./layers.js";
import { state } from "./state.js";
import { categoryLabel, fmt, number } from "./text.js";

function legendRow(symbol, text) {
  return el("div", { class: "wsz-legend-row" }, [symbol, el("span", { text: text })]);
}

/** A symbol of the legend (``style``: CSS properties): never read out (its row says what it
 * stands for). */
function swatch(className, style) {
  return el("span", { class: className, style: style, "aria-hidden": "true" });
}

function categoryRows() {
  var list = el("div", { class: "wsz-legend-group" });
  state.categories.forEach(function (category) {
    list.appendChild(
      legendRow(
        markerSpan(category, "wsz-marker-small"),
        categoryLabel(category) + " (≤ " + number(category.threshold_m) + " m)"
      )
    );
  });
  return list;
}

function shareRows() {
  var current = state.byCode[chosenCategory()];
  var rows = [
    el("h3", {
      text: fmt(T.share_beyond, { norm: number(current ? current.threshold_m : 0) + " m" }),
    }),
  ];
  var lower = 0;
  cfg.share_classes.forEach(function (pair) {
    rows.push(
      legendRow(
        swatch("wsz-swatch", { background: pair[1] }),
        number(lower * 100) + "–" + number(pair[0] * 100) + "%"
      )
    );
    lower = pair[0];
  });
  rows.push(legendRow(swatch("wsz-swatch", { background: cfg.no_data_colour }), T.no_figure));
  return rows;
}

function lineRows() {
  return [
    legendRow(swatch("wsz-swatch wsz-swatch-gap"), T.legend_gap),
    legendRow(swatch("wsz-line", { "border-color": cfg.zone_colour }), T.legend_zone),
    legendRow(swatch("wsz-home-symbol", { background: cfg.home_colour }), T.legend_home),
    legendRow(swatch("wsz-line wsz-line-route"), T.legend_route),
  ];
}

/** (Re)draw the legend for the chosen category. */
export function drawLegend() {
  var body = clear(byId("wsz-legend-body"));
  body.appendChild(categoryRows());
  shareRows()
    .concat(lineRows())
    .forEach(function (row) {
      body.appendChild(row);
    });
}
