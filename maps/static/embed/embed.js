/* Residents' map (the /embed pages of woonservicezones).
 *
 * The page holds only its settings (language, texts, extent, tiles) in the JSON data block
 * <script type="application/json" id="wsz-config">; this script creates the Leaflet map from
 * them. Everything shown is asked from the service's own API:
 *   /categories, /health (sources), /zones, /ogc/collections/buurten/items, /voorzieningen,
 *   /coverage, /coverage/buurten, /coverage/gaps   -> the layers and the legend;
 *   /addresses -> address search; /lookup -> "what is near me"; /route -> the walk.
 * No other host is contacted (the tile server excepted, when one is configured); no cookies,
 * no storage: the language and the chosen place live in the URL.
 */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("wsz-config").textContent);
  var T = cfg.labels;
  var locale = cfg.lang === "en" ? "en-GB" : "nl-NL";

  // ------------------------------------------------------------------ small helpers

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /* An element with attributes and children (strings become text nodes: never HTML). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function number(value, digits) {
    return Number(value).toLocaleString(locale, {
      minimumFractionDigits: digits || 0,
      maximumFractionDigits: digits || 0,
    });
  }

  /* Metres as residents read them: "350 m", "1,2 km". */
  function distanceText(metres) {
    if (metres >= 1000) return number(metres / 1000, 1) + " km";
    return number(Math.round(metres / 10) * 10) + " m";
  }

  function minutesText(minutes) {
    return number(Math.max(1, Math.round(minutes))) + " " + T.minutes;
  }

  function api(path, params) {
    var url = cfg.api + path;
    if (params) {
      var query = new URLSearchParams();
      Object.keys(params).forEach(function (key) {
        if (params[key] !== null && params[key] !== undefined) query.set(key, params[key]);
      });
      url += "?" + query.toString();
    }
    return fetch(url, {
      headers: { Accept: "application/geo+json, application/json" },
      credentials: "omit",
    }).then(function (response) {
      if (response.ok) return response.json();
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (problem) {
          var error = new Error(problem.detail || problem.title || response.statusText);
          error.status = response.status;
          throw error;
        });
    });
  }

  /* Black or white, whichever reads better on a marker's colour (WCAG contrast). */
  function textColour(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
  }

  function markerSpan(category, extraClass) {
    return el("span", {
      class: "wsz-marker" + (extraClass ? " " + extraClass : ""),
      style: "background:" + category.colour + ";color:" + textColour(category.colour),
      "aria-hidden": "true",
      text: category.symbol,
    });
  }

  function categoryLabel(category) {
    return cfg.lang === "en" ? category.label_en : category.label_nl;
  }

  // ------------------------------------------------------------------ help page

  if (cfg.help) {
    var copy = document.getElementById("wsz-copy");
    copy.addEventListener("click", function () {
      var snippet = document.getElementById("wsz-snippet").textContent;
      var status = document.getElementById("wsz-copy-status");
      var done = function () {
        status.textContent = T.help_copied;
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(snippet).then(done, function () {
          window.getSelection().selectAllChildren(document.getElementById("wsz-snippet"));
        });
      } else {
        window.getSelection().selectAllChildren(document.getElementById("wsz-snippet"));
      }
    });
    return;
  }

  // ------------------------------------------------------------------ the map page

  var container = document.getElementById("wsz-map");
  var map = L.map(container, { zoomControl: true });
  L.control.scale().addTo(map);
  map.fitBounds(cfg.bounds);
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles.url, {
      minZoom: 0,
      maxZoom: 19,
      maxNativeZoom: 19,
      attribution: cfg.tiles.attribution,
    }).addTo(map);
  }
  // The page's Leaflet map, for scripts and tests that drive the page (Folium's pages kept
  // theirs in a global variable too).
  window.wszMap = map;
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", T.map_label);
  if (!cfg.tiles) container.classList.add("wsz-no-tiles");

  var answer = document.getElementById("wsz-answer");
  var answerTitle = document.getElementById("wsz-answer-title");
  var routeStatus = document.getElementById("wsz-route-status");
  var measure = document.getElementById("wsz-measure");
  var results = document.getElementById("wsz-results");
  var select = document.getElementById("wsz-category");
  var langSwitch = document.getElementById("wsz-lang-switch");

  var state = {
    categories: [],
    byCode: {},
    zoneNames: {},
    coverage: [],
    source: null,
    buurten: null,
    gaps: null,
    home: null,
    route: null,
    lookup: null,
  };

  function showError(error) {
    clear(answer).appendChild(
      el("p", { class: "wsz-error", role: "alert", text: fmt(T.error, { detail: error.message }) })
    );
  }

  // ---------------------------------------------------------------- layers

  function shareColour(share) {
    if (share === null || share === undefined || isNaN(share)) return cfg.no_data_colour;
    for (var i = 0; i < cfg.share_classes.length; i++) {
      if (share <= cfg.share_classes[i][0]) return cfg.share_classes[i][1];
    }
    return cfg.share_classes[cfg.share_classes.length - 1][1];
  }

  function shareFor(category) {
    var shares = {};
    state.coverage.forEach(function (row) {
      if (row.category === category) shares[row.bu_code] = row.share_beyond;
    });
    return shares;
  }

  function shadeBuurten() {
    if (!state.buurten) return;
    var shares = shareFor(select.value);
    state.buurten.eachLayer(function (layer) {
      var share = shares[layer.feature.properties.bu_code];
      layer.setStyle({ fillColor: shareColour(share) });
      var label = layer.feature.properties.bu_naam;
      var figure = share === null || share === undefined ? T.no_figure : number(share * 100) + "%";
      layer.setTooltipContent(label + ": " + figure);
    });
  }

  function drawBuurten(collection) {
    state.buurten = L.geoJSON(collection, {
      style: function () {
        return {
          color: "#525252",
          weight: 1,
          fillColor: cfg.no_data_colour,
          fillOpacity: 0.5,
          className: "wsz-buurt",
        };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.bu_naam, { sticky: true });
      },
    }).addTo(map);
    return state.buurten;
  }

  function drawZones(collection) {
    var features = collection.features.filter(function (f) {
      return !cfg.zone || f.properties.zone_code === cfg.zone;
    });
    collection.features.forEach(function (f) {
      state.zoneNames[f.properties.zone_code] = f.properties.zone_name;
    });
    L.geoJSON(
      { type: "FeatureCollection", features: features },
      {
        interactive: false,
        style: function () {
          return { color: cfg.zone_colour, weight: 4, fill: false, className: "wsz-zone" };
        },
      }
    ).addTo(map);
  }

  function drawGaps() {
    if (state.gaps) map.removeLayer(state.gaps);
    state.gaps = null;
    var params = { category: select.value };
    if (cfg.zone) params.zone = cfg.zone;
    api("/coverage/gaps", params)
      .then(function (collection) {
        state.gaps = L.geoJSON(collection, {
          interactive: false,
          style: function () {
            return {
              color: "#67000d",
              weight: 1,
              fillColor: "#67000d",
              fillOpacity: 0.3,
              dashArray: "4 3",
              className: "wsz-gap",
            };
          },
        }).addTo(map);
      })
      .catch(function () {
        /* no gap polygons computed: the shading says enough */
      });
  }

  function popupContent(properties, category) {
    var rows = [el("h2", { class: "wsz-popup-title", text: properties.name }), el("p", { text: categoryLabel(category) })];
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

  function drawVoorzieningen(collection) {
    collection.features.forEach(function (feature) {
      var p = feature.properties;
      var category = state.byCode[p.category];
      if (!category || !feature.geometry) return;
      var c = feature.geometry.coordinates;
      var span = markerSpan(category);
      var icon = L.divIcon({
        className: "wsz-marker-icon",
        html: span.outerHTML,
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        popupAnchor: [0, -14],
      });
      var name = p.name + " (" + categoryLabel(category) + ")";
      var marker = L.marker([c[1], c[0]], { icon: icon, title: name, keyboard: true });
      marker.on("add", function () {
        var node = marker.getElement();
        node.setAttribute("aria-label", name);
        node.classList.add("wsz-voorziening");
        node.setAttribute("data-category", p.category);
      });
      marker.bindPopup(popupContent(p, category));
      marker.addTo(map);
    });
  }

  // ---------------------------------------------------------------- legend and sources

  function legendRow(symbol, text) {
    return el("div", { class: "wsz-legend-row" }, [symbol, el("span", { text: text })]);
  }

  function drawLegend() {
    var body = clear(document.getElementById("wsz-legend-body"));
    var list = el("div", { class: "wsz-legend-group" });
    state.categories.forEach(function (category) {
      list.appendChild(
        legendRow(
          markerSpan(category, "wsz-marker-small"),
          categoryLabel(category) + " (≤ " + number(category.threshold_m) + " m)"
        )
      );
    });
    body.appendChild(list);
    var current = state.byCode[select.value];
    body.appendChild(
      el("h3", {
        text: fmt(T.share_beyond, { norm: number(current ? current.threshold_m : 0) + " m" }),
      })
    );
    var lower = 0;
    cfg.share_classes.forEach(function (pair) {
      body.appendChild(
        legendRow(
          el("span", { class: "wsz-swatch", style: "background:" + pair[1], "aria-hidden": "true" }),
          number(lower * 100) + "–" + number(pair[0] * 100) + "%"
        )
      );
      lower = pair[0];
    });
    body.appendChild(
      legendRow(
        el("span", {
          class: "wsz-swatch",
          style: "background:" + cfg.no_data_colour,
          "aria-hidden": "true",
        }),
        T.no_figure
      )
    );
    body.appendChild(
      legendRow(el("span", { class: "wsz-swatch wsz-swatch-gap", "aria-hidden": "true" }), T.legend_gap)
    );
    body.appendChild(
      legendRow(
        el("span", {
          class: "wsz-line",
          style: "border-color:" + cfg.zone_colour,
          "aria-hidden": "true",
        }),
        T.legend_zone
      )
    );
    body.appendChild(
      legendRow(
        el("span", {
          class: "wsz-home-symbol",
          style: "background:" + cfg.home_colour,
          "aria-hidden": "true",
        }),
        T.legend_home
      )
    );
    body.appendChild(
      legendRow(
        el("span", { class: "wsz-line wsz-line-route", "aria-hidden": "true" }),
        T.legend_route
      )
    );
  }

  function layerName(layer) {
    return T["layer_" + layer] || layer;
  }

  function drawSources(health) {
    var list = clear(document.getElementById("wsz-sources"));
    (health.sources || []).forEach(function (source) {
      var parts = [el("strong", { text: layerName(source.layer) + ": " }), source.text || source.source];
      if (source.date) parts.push(" (" + fmt(T.date, { date: source.date }) + ")");
      if (source.synthetic) parts.push(" ", el("span", { class: "wsz-badge", text: T.synthetic }));
      list.appendChild(el("li", {}, parts));
    });
    var synthetic = health.synthetic || [];
    if (synthetic.length) {
      var names = synthetic.map(function (layer) {
        return layerName(layer).toLowerCase();
      });
      var joined =
        names.length === 1
          ? names[0]
          : names.slice(0, -1).join(", ") + " " + T.and + " " + names[names.length - 1];
      var warning = document.getElementById("wsz-warning");
      warning.textContent = fmt(T.synthetic_warning, {
        layers: joined.charAt(0).toUpperCase() + joined.slice(1),
      });
      warning.hidden = false;
    }
  }

  function showMeasure(source, speed) {
    state.source = source;
    var perMinute = number(speed * 60);
    measure.textContent =
      (source === "walking" ? T.measure_walking : T.measure_straight) +
      " " +
      fmt(T.speed, { speed: number(speed, 1), per_minute: perMinute });
    measure.setAttribute("data-source", source);
  }

  // ---------------------------------------------------------------- where I live

  function setHome(latlng) {
    if (state.home) map.removeLayer(state.home);
    if (state.route) map.removeLayer(state.route);
    state.route = null;
    state.home = L.circleMarker(latlng, {
      radius: 9,
      color: "#ffffff",
      weight: 3,
      fillColor: cfg.home_colour,
      fillOpacity: 1,
      className: "wsz-home",
      interactive: false,
    }).addTo(map);
  }

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
    langSwitch.setAttribute("href", "?" + other.toString());
  }

  function lookupAt(latlng, label) {
    clear(answer).appendChild(el("p", { text: T.loading }));
    routeStatus.textContent = "";
    setHome(latlng);
    return api("/lookup", { lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6) })
      .then(function (found) {
        state.lookup = found;
        renderAnswer(found, label);
        showMeasure(found.source, found.speed_m_per_s);
        rememberPlace(latlng, label);
        answerTitle.focus();
      })
      .catch(showError);
  }

  function fact(name, value) {
    return el("p", { class: "wsz-fact" }, [el("strong", { text: name + ": " }), value]);
  }

  function renderAnswer(found, label) {
    clear(answer);
    answer.appendChild(fact(T.place, label || T.chosen_point));
    if (found.bu_code) {
      answer.appendChild(fact(T.buurt, found.bu_naam));
      var zoneName = found.zone_code ? state.zoneNames[found.zone_code] || found.zone_code : null;
      answer.appendChild(fact(T.zone, zoneName || T.no_zone));
    } else {
      answer.appendChild(el("p", { text: T.outside }));
    }
    answer.appendChild(el("h3", { id: "wsz-nearest-title", text: T.nearest }));
    var list = el("ol", { class: "wsz-nearest", "aria-labelledby": "wsz-nearest-title" });
    found.nearest.forEach(function (item) {
      var category = state.byCode[item.category];
      if (!category) return;
      var lines = [el("strong", { text: categoryLabel(category) }), ": "];
      if (item.id === null || item.distance_m === null) {
        lines.push(T.none_of_kind);
      } else {
        var norm = number(item.threshold_m) + " m";
        lines.push(
          el("span", { class: "wsz-name", text: item.name }),
          el("br"),
          el("span", {
            class: "wsz-distance",
            text: distanceText(item.distance_m) + " · " + minutesText(item.walking_minutes),
          }),
          el("br"),
          item.within_threshold
            ? el("span", { class: "wsz-ok", text: "✓ " + fmt(T.within, { norm: norm }) })
            : el("span", { class: "wsz-far", text: "✗ " + fmt(T.beyond, { norm: norm }) })
        );
      }
      var body = el("div", { class: "wsz-item-body" }, lines);
      if (item.id !== null && item.distance_m !== null) {
        var button = el("button", {
          type: "button",
          class: "wsz-secondary wsz-route-button",
          text: fmt(found.source === "walking" ? T.show_route : T.show_line, { name: item.name }),
        });
        button.addEventListener("click", function () {
          showRoute(item);
        });
        body.appendChild(button);
      }
      list.appendChild(
        el(
          "li",
          {
            "data-category": item.category,
            "data-id": item.id,
            "data-distance-m": item.distance_m,
            "data-minutes": item.walking_minutes,
          },
          [markerSpan(category), body]
        )
      );
    });
    answer.appendChild(list);
  }

  function showRoute(item) {
    var found = state.lookup;
    if (!found) return;
    if (state.route) map.removeLayer(state.route);
    var home = L.latLng(found.lat, found.lon);
    var target = L.latLng(item.lat, item.lon);
    if (found.source !== "walking") {
      state.route = L.polyline([home, target], {
        color: cfg.route_colour,
        weight: 4,
        dashArray: "8 8",
        className: "wsz-route wsz-route-straight",
        interactive: false,
      }).addTo(map);
      map.fitBounds(state.route.getBounds().pad(0.3));
      routeStatus.textContent = fmt(T.line_to, {
        name: item.name,
        distance: distanceText(item.distance_m),
      });
      return;
    }
    routeStatus.textContent = T.loading;
    api("/route", { lon: found.lon, lat: found.lat, category: item.category })
      .then(function (route) {
        if (state.route) map.removeLayer(state.route);
        state.route = L.geoJSON(route, {
          interactive: false,
          style: function () {
            return { color: cfg.route_colour, weight: 5, className: "wsz-route" };
          },
        }).addTo(map);
        map.fitBounds(state.route.getBounds().extend(home).pad(0.3));
        var p = route.properties;
        routeStatus.textContent = fmt(T.route_to, {
          name: p.voorziening_name,
          distance: distanceText(p.distance_m),
          minutes: minutesText(p.minutes),
        });
        routeStatus.setAttribute("data-distance-m", p.distance_m);
      })
      .catch(function (error) {
        routeStatus.textContent = fmt(T.error, { detail: error.message });
      });
  }

  // ---------------------------------------------------------------- address search

  function choose(feature) {
    var c = feature.geometry.coordinates;
    var latlng = L.latLng(c[1], c[0]);
    map.setView(latlng, Math.max(map.getZoom(), 16));
    clear(results).appendChild(
      el("p", { class: "wsz-chosen", text: feature.properties.address })
    );
    return lookupAt(latlng, feature.properties.address);
  }

  function search(q) {
    clear(results).appendChild(el("p", { text: T.loading }));
    api("/addresses", { q: q, limit: 8 })
      .then(function (collection) {
        clear(results);
        var features = collection.features;
        if (collection.indexed === 0) {
          results.appendChild(el("p", { text: T.search_unavailable }));
          return;
        }
        if (!features.length) {
          results.appendChild(el("p", { text: fmt(T.search_none, { q: q }) }));
          return;
        }
        var exact = features.filter(function (f) {
          return f.properties.match === "exact";
        });
        if (features.length === 1 || exact.length === 1) {
          choose(exact.length === 1 ? exact[0] : features[0]);
          return;
        }
        results.appendChild(el("h2", { id: "wsz-results-title", class: "wsz-small-heading", text: T.search_results }));
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
        results.appendChild(list);
        list.querySelector("button").focus();
      })
      .catch(function (error) {
        clear(results).appendChild(
          el("p", { class: "wsz-error", role: "alert", text: fmt(T.error, { detail: error.message }) })
        );
      });
  }

  document.getElementById("wsz-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("wsz-q").value.trim();
    if (q) search(q);
  });

  document.getElementById("wsz-centre").addEventListener("click", function () {
    lookupAt(map.getCenter(), null);
  });

  map.on("click", function (event) {
    lookupAt(event.latlng, null);
  });
  container.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === container) lookupAt(map.getCenter(), null);
  });

  select.addEventListener("change", function () {
    shadeBuurten();
    drawGaps();
    drawLegend();
  });

  // ---------------------------------------------------------------- start

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
    .then(function (loaded) {
      state.categories = loaded[0];
      state.categories.forEach(function (category) {
        state.byCode[category.code] = category;
        select.appendChild(el("option", { value: category.code, text: categoryLabel(category) }));
      });
      drawSources(loaded[1]);
      drawZones(loaded[2]);
      state.coverage = loaded[4];
      var buurten = drawBuurten(loaded[3]);
      shadeBuurten();
      drawGaps();
      drawLegend();
      showMeasure(loaded[5].source, cfg.speed_m_per_s);
      var voorzieningen = null;
      if (cfg.zone && buurten.getLayers().length) {
        // The zone's voorzieningen and those within about a kilometre of it.
        var b = buurten.getBounds();
        voorzieningen = {
          bbox: [
            (b.getWest() - 0.015).toFixed(5),
            (b.getSouth() - 0.009).toFixed(5),
            (b.getEast() + 0.015).toFixed(5),
            (b.getNorth() + 0.009).toFixed(5),
          ].join(","),
        };
      }
      return api("/voorzieningen", voorzieningen);
    })
    .then(function (collection) {
      drawVoorzieningen(collection);
      document.body.setAttribute("data-loaded", "true");
      var params = new URLSearchParams(window.location.search);
      var lon = parseFloat(params.get("lon"));
      var lat = parseFloat(params.get("lat"));
      if (isFinite(lon) && isFinite(lat)) {
        // A place kept in the URL (e.g. after switching language): shown and asked again.
        var place = L.latLng(lat, lon);
        map.setView(place, Math.max(map.getZoom(), 16));
        lookupAt(place, params.get("adres"));
      }
    })
    .catch(function (error) {
      document.body.setAttribute("data-loaded", "error");
      showError(error);
    });
})();
