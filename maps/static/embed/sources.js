/* "About this map": where the data comes from and its date, which layers are synthetic, and
 * which distance the page shows (walking or straight line) at which pace. */

import { T } from "./config.js";
import { byId, clear, el } from "./dom.js";
import { state } from "./state.js";
import { fmt, number } from "./text.js";

function layerName(layer) {
  return T["layer_" + layer] || layer;
}

function sourceItem(source) {
  var parts = [
    el("strong", { text: layerName(source.layer) + ": " }),
    source.text || source.source,
  ];
  if (source.date) parts.push(" (" + fmt(T.date, { date: source.date }) + ")");
  if (source.synthetic) parts.push(" ", el("span", { class: "wsz-badge", text: T.synthetic }));
  return el("li", {}, parts);
}

/** "Voorzieningen en wegennet": the layers' names joined as a sentence, capitalised. */
function layerList(layers) {
  var names = layers.map(function (layer) {
    return layerName(layer).toLowerCase();
  });
  var joined =
    names.length === 1
      ? names[0]
      : names.slice(0, -1).join(", ") + " " + T.and + " " + names[names.length - 1];
  return joined.charAt(0).toUpperCase() + joined.slice(1);
}

/** The sources list and, when some layers are synthetic, the warning under the title. */
export function drawSources(health) {
  var list = clear(byId("wsz-sources"));
  (health.sources || []).forEach(function (source) {
    list.appendChild(sourceItem(source));
  });
  var synthetic = health.synthetic || [];
  if (synthetic.length) {
    var warning = byId("wsz-warning");
    warning.textContent = fmt(T.synthetic_warning, { layers: layerList(synthetic) });
    warning.hidden = false;
  }
}

/** Say how distances are measured (``source``: "walking" or not) and at which pace. */
export function showMeasure(source, speed) {
  state.source = source;
  var measure = byId("wsz-measure");
  var perMinute = number(speed * 60);
  measure.textContent =
    (source === "walking" ? T.measure_walking : T.measure_straight) +
    " " +
    fmt(T.speed, { speed: number(speed, 1), per_minute: perMinute });
  measure.setAttribute("data-source", source);
}
