-- 001: the PostGIS store's fixed tables (schema wsz). The layer tables (wsz.buurten,
-- wsz.zones, wsz.voorzieningen) are written by each import, with the columns of its data,
-- inside the import's one transaction (see docs/postgis.md).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS wsz;

-- The store's version stamp: one row, changed by every import that writes.
CREATE TABLE wsz.meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version text,
    changed timestamptz,
    generation bigint NOT NULL DEFAULT 0
);
INSERT INTO wsz.meta (singleton) VALUES (true);

-- The zone definition and the provenance, as JSON (what the GeoPackage keeps in tables
-- zone_definition and provenance).
CREATE TABLE wsz.documents (
    name text PRIMARY KEY CHECK (name IN ('zone_definition', 'provenance')),
    body jsonb NOT NULL
);

-- The import log: one report per import, refused or not (the same JSON as the
-- GeoPackage's <store>-imports.jsonl lines).
CREATE TABLE wsz.import_log (
    seq bigserial PRIMARY KEY,
    id text NOT NULL,
    time timestamptz NOT NULL DEFAULT now(),
    report jsonb NOT NULL
);
