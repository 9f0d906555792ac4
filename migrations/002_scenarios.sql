-- 002: named what-if scenarios (issue 13), kept beside the real data and never mixed with
-- it: saving or deleting one leaves wsz.meta's version (and so the served state) unchanged.
-- Each save or delete is one transaction (geo/store/scenarios.py); the import log records it.
CREATE TABLE wsz.scenarios (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    kind text NOT NULL CHECK (kind IN ('placement', 'closure')),
    created text NOT NULL,          -- ISO 8601 UTC, as the API answers it
    store_version text,             -- the store version it was computed on
    request jsonb NOT NULL,         -- category, norm_m, k, weight, method, candidates, closures
    summary jsonb NOT NULL,         -- totals: residents and 65+ beyond before/after, shares
    by_zone jsonb NOT NULL,         -- the same figures per zone
    by_buurt jsonb NOT NULL         -- and per buurt
);

-- The chosen, closed and candidate sites of each scenario, in RD New.
CREATE TABLE wsz.scenario_sites (
    scenario text NOT NULL REFERENCES wsz.scenarios (name) ON DELETE CASCADE,
    seq integer NOT NULL,
    role text NOT NULL CHECK (role IN ('chosen', 'closed', 'candidate')),
    id text NOT NULL,
    rank integer,
    gain double precision,
    bu_code text,
    zone_code text,
    geom geometry(Point, 28992) NOT NULL,
    PRIMARY KEY (scenario, seq)
);
CREATE INDEX scenario_sites_geom_gist ON wsz.scenario_sites USING gist (geom);
