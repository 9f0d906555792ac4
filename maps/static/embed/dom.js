/* Building the page's elements: text always goes in as text, never as HTML, and styles go in
 * through the CSSOM (element.style), never as a style attribute: the page's
 * Content-Security-Policy has no 'unsafe-inline' for scripts or styles. */

import { errorText } from "./text.js";

/** An element with attributes and children (strings become text nodes: never HTML). The
 * attribute "text" sets the text content, "style" is an object of CSS properties set through
 * the CSSOM ({"background-color": "#fff"}); null, undefined and false attributes are left
 * out. */
export function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (name) {
    var value = attrs[name];
    if (value === null || value === undefined || value === false) return;
    if (name === "text") node.textContent = value;
    else if (name === "style") setStyle(node, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  });
  (children || []).forEach(function (child) {
    if (child === null || child === undefined) return;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

/** Set CSS ``properties`` ({name: value}) on ``node`` through the CSSOM, which a policy
 * without style-src 'unsafe-inline' allows (a style attribute it refuses). */
export function setStyle(node, properties) {
  Object.keys(properties).forEach(function (name) {
    node.style.setProperty(name, properties[name]);
  });
  return node;
}

/** Remove every child of ``node``; returns it. */
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

/** Black or white, whichever reads better on a marker's colour (WCAG contrast). */
function textColour(hex) {
  var rgb = [1, 3, 5].map(function (i) {
    var c = parseInt(hex.substr(i, 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
}

/** A category's round symbol (map markers, the legend, the answer list). */
export function markerSpan(category, extraClass) {
  return el("span", {
    class: "wsz-marker" + (extraClass ? " " + extraClass : ""),
    style: { background: category.colour, color: textColour(category.colour) },
    "aria-hidden": "true",
    text: category.symbol,
  });
}

/** The alert that replaces an answer or the search results when a request failed. */
export function errorLine(error) {
  return el("p", { class: "wsz-error", role: "alert", text: errorText(error) });
}
