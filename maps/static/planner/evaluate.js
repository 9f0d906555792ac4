/* The planners' maps' click: "a new voorziening here" (POST /whatif/evaluate, same origin).
 *
 * Loaded by the overview, zone and scenario maps (/maps/*.html) before their own script,
 * which calls wszPlanner.attach(map, config). A click posts the point (WGS84 lon/lat) with
 * the category (fixed by a scenario, or picked in the card's selector: the norm is then the
 * category's own) and shows the residents newly within the norm, in total and per zone.
 * Every value is set as text (textContent, text nodes), never as HTML.
 */
(function () {
    "use strict";

    function add(parent, tag, text, css) {
        var node = document.createElement(tag);
        if (text !== null && text !== undefined) node.textContent = String(text);
        if (css) node.className = css;
        parent.appendChild(node);
        return node;
    }

    function card(map, position, css, fill) {
        var control = L.control({position: position});
        control.onAdd = function () {
            var div = L.DomUtil.create("section", css);
            fill(div);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        control.addTo(map);
        return control.getContainer();
    }

    function number(value) {
        return Math.round(value).toLocaleString("nl-NL");
    }

    function selector(div, config, chosen, reset) {
        var id = "wsz-evaluate-category";
        var label = add(div, "label", config.choose, "wsz-evaluate-label");
        label.setAttribute("for", id);
        var select = add(div, "select", null, "wsz-evaluate-category");
        select.id = id;
        config.categories.forEach(function (category) {
            var option = add(select, "option", category.label + " (≤ " + number(category.norm_m) + " m)");
            option.value = category.code;
        });
        select.value = chosen.category;
        select.addEventListener("change", function () {
            chosen.category = select.value;
            reset();
        });
    }

    function attach(map, config) {
        var chosen = {category: config.category, norm_m: config.norm_m};
        var asked = 0;
        var answer;
        function reset() {
            asked += 1;
            answer.textContent = "";
            add(answer, "p", config.hint);
        }
        card(map, "bottomright", "wsz-evaluate", function (div) {
            if (config.categories) selector(div, config, chosen, function () { reset(); });
            answer = add(div, "div", null, "wsz-evaluate-answer");
            answer.setAttribute("aria-live", "polite");
            add(answer, "p", config.hint);
        });
        function show(ok, data) {
            answer.textContent = "";
            if (!ok) { add(answer, "p", data.detail || data.title || config.failed); return; }
            add(answer, "strong", config.title);
            var label = config.labels ? config.labels[data.category] : null;
            add(answer, "div", (label || data.category) + " ≤ " + number(data.norm_m) + " m");
            add(answer, "div", config.residents + ": " + number(data.residents),
                "wsz-evaluate-total");
            add(answer, "div", "65+: " + number(data.residents_65plus));
            var list = add(answer, "ul", null);
            data.by_zone.forEach(function (zone) {
                var where = zone.zone_code || config.outside;
                add(list, "li", where + ": " + number(zone.residents));
            });
            if (!data.on_network) add(answer, "p", config.off_network);
        }
        map.on("click", function (e) {
            var body = {lon: +e.latlng.lng.toFixed(6), lat: +e.latlng.lat.toFixed(6),
                        category: chosen.category, norm_m: chosen.norm_m};
            asked += 1;
            var mine = asked;
            answer.textContent = "";
            add(answer, "p", config.busy);
            fetch(config.url, {method: "POST", headers: {"Content-Type": "application/json"},
                               body: JSON.stringify(body)})
                .then(function (r) {
                    return r.json().then(function (d) { if (mine === asked) show(r.ok, d); });
                })
                .catch(function () { if (mine === asked) show(false, {}); });
        });
    }

    window.wszPlanner = {add: add, card: card, attach: attach};
})();
