/* The text answer: the place, its buurt and zone, and per kind of voorziening the nearest one
 * with the distance, the walking minutes, the norm, and a button for the route. */

import { T } from "./config.js";
import { byId, clear, el, errorLine, markerSpan } from "./dom.js";
import { showRoute } from "./route.js";
import { state } from "./state.js";
import { categoryLabel, distanceText, fmt, minutesText, number } from "./text.js";

function answerBox() {
  return byId("wsz-answer");
}

/** "Looking…" while /lookup is asked. */
export function showLoading() {
  clear(answerBox()).appendChild(el("p", { text: T.loading }));
}

export function showError(error) {
  clear(answerBox()).appendChild(errorLine(error));
}

function fact(name, value) {
  return el("p", { class: "wsz-fact" }, [el("strong", { text: name + ": " }), value]);
}

function placeFacts(found, label) {
  var facts = [fact(T.place, label || T.chosen_point)];
  if (!found.bu_code) return facts.concat([el("p", { text: T.outside })]);
  var zoneName = found.zone_code ? state.zoneNames[found.zone_code] || found.zone_code : null;
  return facts.concat([fact(T.buurt, found.bu_naam), fact(T.zone, zoneName || T.no_zone)]);
}

/** What the nearest voorziening of one kind is, how far, and whether within the norm. */
function itemLines(item, category) {
  var lines = [el("strong", { text: categoryLabel(category) }), ": "];
  if (item.id === null || item.distance_m === null) return lines.concat([T.none_of_kind]);
  var norm = number(item.threshold_m) + " m";
  return lines.concat([
    el("span", { class: "wsz-name", text: item.name }),
    el("br"),
    el("span", {
      class: "wsz-distance",
      text: distanceText(item.distance_m) + " · " + minutesText(item.walking_minutes),
    }),
    el("br"),
    item.within_threshold
      ? el("span", { class: "wsz-ok", text: "✓ " + fmt(T.within, { norm: norm }) })
      : el("span", { class: "wsz-far", text: "✗ " + fmt(T.beyond, { norm: norm }) }),
  ]);
}

function routeButton(item, source) {
  var button = el("button", {
    type: "button",
    class: "wsz-secondary wsz-route-button",
    text: fmt(source === "walking" ? T.show_route : T.show_line, { name: item.name }),
  });
  button.addEventListener("click", function () {
    showRoute(item);
  });
  return button;
}

function nearestItem(item, category, source) {
  var body = el("div", { class: "wsz-item-body" }, itemLines(item, category));
  if (item.id !== null && item.distance_m !== null) body.appendChild(routeButton(item, source));
  var data = {
    "data-category": item.category,
    "data-id": item.id,
    "data-distance-m": item.distance_m,
    "data-minutes": item.walking_minutes,
  };
  return el("li", data, [markerSpan(category), body]);
}

/** Show /lookup's answer ``found`` for the place called ``label`` (null: a point). */
export function renderAnswer(found, label) {
  var answer = clear(answerBox());
  placeFacts(found, label).forEach(function (node) {
    answer.appendChild(node);
  });
  answer.appendChild(el("h3", { id: "wsz-nearest-title", text: T.nearest }));
  var list = el("ol", { class: "wsz-nearest", "aria-labelledby": "wsz-nearest-title" });
  found.nearest.forEach(function (item) {
    var category = state.byCode[item.category];
    if (category) list.appendChild(nearestItem(item, category, found.source));
  });
  answer.appendChild(list);
}
