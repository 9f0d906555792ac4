/* Texts as residents read them: templates filled in, numbers, distances and minutes. */

import { T, cfg, locale } from "./config.js";

/** "Route to {name}" with {name: "X"} gives "Route to X"; unknown keys stay as they are. */
export function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, function (whole, key) {
    return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
  });
}

export function number(value, digits) {
  return Number(value).toLocaleString(locale, {
    minimumFractionDigits: digits || 0,
    maximumFractionDigits: digits || 0,
  });
}

/** Metres as residents read them: "350 m", "1,2 km". */
export function distanceText(metres) {
  if (metres >= 1000) return number(metres / 1000, 1) + " km";
  return number(Math.round(metres / 10) * 10) + " m";
}

export function minutesText(minutes) {
  return number(Math.max(1, Math.round(minutes))) + " " + T.minutes;
}

/** A category's name in the page's language. */
export function categoryLabel(category) {
  return cfg.lang === "en" ? category.label_en : category.label_nl;
}

/** The error line shown where the answer (or the search results) would be. */
export function errorText(error) {
  return fmt(T.error, { detail: error.message });
}
