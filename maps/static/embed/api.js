/* Requests to this service's API (the only host the page asks for data). */

import { cfg } from "./config.js";

function url(path, params) {
  var address = cfg.api + path;
  if (params) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
      if (params[key] !== null && params[key] !== undefined) query.set(key, params[key]);
    });
    address += "?" + query.toString();
  }
  return address;
}

/** An Error carrying the problem's detail (RFC 9457) and the HTTP status. */
function failure(response) {
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
}

/** GET ``path`` with ``params`` (null and undefined left out): a promise of the JSON. No
 * cookies are sent. */
export function api(path, params) {
  return fetch(url(path, params), {
    headers: { Accept: "application/geo+json, application/json" },
    credentials: "omit",
  }).then(function (response) {
    return response.ok ? response.json() : failure(response);
  });
}
