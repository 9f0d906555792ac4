/* What the page knows, shared by its modules: the Leaflet map and what was loaded. */

export const state = {
  map: null, //         the Leaflet map (map.js)
  categories: [], //    /categories, in order
  byCode: {}, //        category code -> category
  zoneNames: {}, //     zone code -> zone name
  coverage: [], //      /coverage/buurten rows
  source: null, //      "walking" or "straight_line": how distances are measured
  streets: null, //     the walking network's streets (no tiles only)
  buurten: null, //     the buurten layer
  gaps: null, //        the gap polygons of the chosen category
  home: null, //        the resident's place
  route: null, //       the drawn route or line
  lookup: null, //      the last /lookup answer
};
