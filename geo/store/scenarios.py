"""Where named scenarios are kept: beside the real data, never mixed with it.

* The GeoPackage store keeps them in a GeoPackage of their own beside the store file,
  ``<store>-scenarios.gpkg``: table ``scenarios`` (one row per scenario: name, kind, created,
  store version, and its request, summary and figures per zone and buurt as JSON) and point
  layer ``scenario_sites`` (RD New, EPSG:28992: the chosen, closed and candidate sites, with
  the scenario's name). Not inside the store file: a scenario names the store version (the
  file's SHA-256) it was computed on, so it cannot live in the file it hashes — saving one
  would change that version and reload the service (as the snapshots and the import log,
  they sit beside it). Every write rebuilds the file atomically (:func:`atomic_write`).
* The PostGIS store keeps them in ``wsz.scenarios`` and ``wsz.scenario_sites``
  (``migrations/002_scenarios.sql``), each save or delete one transaction; the store's
  version row is not touched.

Writes go through :func:`geo.pipeline.save_scenario` / :func:`geo.pipeline.delete_scenario`:
one logged transaction under the store's lock (:func:`geo.store.transaction.run_transaction`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.common.files import atomic_write
from geo.crs import WORKING_CRS
from geo.errors import ConflictError, ReadError
from geo.whatif.scenarios import SITE_COLUMNS, Scenario, empty_sites

if TYPE_CHECKING:
    from geo.store.postgis import PostGISStore

#: JSON columns of the ``scenarios`` table.
DOCUMENTS = ("request", "summary", "by_zone", "by_buurt")


class ScenarioBook(Protocol):
    """The scenarios of one store, by name."""

    def all(self) -> list[Scenario]: ...

    def get(self, name: str) -> Scenario | None: ...

    def put(self, scenario: Scenario) -> None: ...

    def remove(self, name: str) -> None: ...


def refuse_taken(book: ScenarioBook, name: str, replace: bool) -> Scenario | None:
    """The scenario ``name`` already kept (None if none); :class:`ConflictError` when there
    is one and ``replace`` is False."""
    existing = book.get(name)
    if existing is not None and not replace:
        raise ConflictError(
            f"a scenario {name!r} exists already (saved {existing.created}); choose another "
            'name, or replace it (--replace; "replace": true)'
        )
    return existing


def scenario_file(store_path: Path) -> Path:
    """``<store>-scenarios.gpkg`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-scenarios.gpkg")


def _row(scenario: Scenario) -> dict[str, Any]:
    documents = {
        "request": scenario.request,
        "summary": scenario.summary,
        "by_zone": _records(scenario.by_zone),
        "by_buurt": _records(scenario.by_buurt),
    }
    return {
        "name": scenario.name,
        "kind": scenario.kind,
        "created": scenario.created,
        "store_version": scenario.store_version,
        **{k: json.dumps(v, ensure_ascii=False) for k, v in documents.items()},
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return found


def _scenario(row: dict[str, Any], sites: gpd.GeoDataFrame) -> Scenario:
    def document(name: str) -> Any:
        value = row[name]
        return json.loads(value) if isinstance(value, str) else value

    def frame(name: str, keys: list[str]) -> pd.DataFrame:
        found = pd.DataFrame(document(name))
        for key in keys:
            found[key] = found[key].astype(str) if key in found else pd.Series(dtype=str)
        return found

    mine = sites[sites["scenario"] == row["name"]].drop(columns="scenario")
    return Scenario(
        name=str(row["name"]),
        kind=row["kind"],
        created=str(row["created"]),
        store_version=None if pd.isna(row["store_version"]) else str(row["store_version"]),
        request=document("request"),
        summary=document("summary"),
        by_zone=frame("by_zone", ["zone_code"]),
        by_buurt=frame("by_buurt", ["bu_code", "zone_code"]),
        sites=gpd.GeoDataFrame(mine.reset_index(drop=True), geometry="geometry", crs=WORKING_CRS),
    )


def _all_sites(scenarios: list[Scenario]) -> gpd.GeoDataFrame:
    frames = [s.sites.assign(scenario=s.name) for s in scenarios if not s.sites.empty]
    if not frames:
        return empty_sites().assign(scenario=pd.Series(dtype=object))
    joined = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(
        joined[["scenario", *SITE_COLUMNS, "geometry"]], geometry="geometry", crs=WORKING_CRS
    )


class FileScenarios:
    """The scenarios of a GeoPackage store, in ``<store>-scenarios.gpkg`` (module docstring)."""

    def __init__(self, store_path: Path) -> None:
        self.path = scenario_file(store_path)

    def all(self) -> list[Scenario]:
        """Every scenario, oldest first."""
        if not self.path.exists():
            return []
        try:
            table = pyogrio.read_dataframe(self.path, layer="scenarios", read_geometry=False)
            layers = {str(n) for n in pyogrio.list_layers(self.path)[:, 0]}
            sites = (
                pyogrio.read_dataframe(self.path, layer="scenario_sites")
                if "scenario_sites" in layers
                else _all_sites([])
            )
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise ReadError(f"scenarios {self.path} cannot be read: {exc}") from exc
        sites = sites.rename_geometry("geometry") if sites.geometry.name != "geometry" else sites
        for column in ("role", "id", "bu_code", "zone_code", "scenario"):
            sites[column] = sites[column].astype(object).where(sites[column].notna(), None)
        rows = table.sort_values("created", kind="stable").to_dict("records")
        return [_scenario(row, sites) for row in rows]

    def get(self, name: str) -> Scenario | None:
        """The scenario ``name``, or None."""
        return next((s for s in self.all() if s.name == name), None)

    def put(self, scenario: Scenario) -> None:
        """Add ``scenario``, replacing one of the same name (the file rebuilt atomically)."""
        self._write([s for s in self.all() if s.name != scenario.name] + [scenario])

    def remove(self, name: str) -> None:
        """Remove the scenario ``name`` (the file rebuilt atomically; removed when empty)."""
        kept = [s for s in self.all() if s.name != name]
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        self._write(kept)

    def _write(self, scenarios: list[Scenario]) -> None:
        table = pd.DataFrame([_row(s) for s in scenarios])
        table = table.astype(object).where(table.notna(), None)
        sites = _all_sites(scenarios)
        with atomic_write(self.path) as temporary:
            pyogrio.write_dataframe(table, temporary, layer="scenarios", driver="GPKG")
            if not sites.empty:
                pyogrio.write_dataframe(
                    sites, temporary, layer="scenario_sites", driver="GPKG", promote_to_multi=False
                )


class PostGISScenarios:
    """The scenarios of a PostGIS store, in ``wsz.scenarios`` and ``wsz.scenario_sites``."""

    def __init__(self, store: PostGISStore) -> None:
        self.store = store

    def all(self) -> list[Scenario]:
        """Every scenario, oldest first (one snapshot)."""
        with self.store.connect() as connection, connection.transaction():
            rows = connection.execute(
                "SELECT name, kind, created, store_version, request::text, summary::text, "
                "by_zone::text, by_buurt::text FROM wsz.scenarios ORDER BY created, name"
            ).fetchall()
            site_rows = connection.execute(
                "SELECT scenario, role, id, rank, gain, bu_code, zone_code, ST_AsBinary(geom) "
                "FROM wsz.scenario_sites ORDER BY scenario, seq"
            ).fetchall()
        names = ("name", "kind", "created", "store_version", *DOCUMENTS)
        columns = ("scenario", *SITE_COLUMNS)
        sites = gpd.GeoDataFrame(
            {c: [r[i] for r in site_rows] for i, c in enumerate(columns)},
            geometry=gpd.GeoSeries(shapely.from_wkb([r[-1] for r in site_rows]), crs=WORKING_CRS),
            crs=WORKING_CRS,
        )
        for column in ("rank", "gain"):
            sites[column] = pd.to_numeric(sites[column], errors="coerce").astype(float)
        return [_scenario(dict(zip(names, row, strict=True)), sites) for row in rows]

    def get(self, name: str) -> Scenario | None:
        """The scenario ``name``, or None."""
        return next((s for s in self.all() if s.name == name), None)

    def put(self, scenario: Scenario) -> None:
        """Add ``scenario`` (replacing one of the same name) in one transaction."""
        row = _row(scenario)
        sites = scenario.sites
        wkb = shapely.to_wkb(
            shapely.set_srid(np.asarray(sites.geometry.values, dtype=object), 28992),
            hex=True,
            include_srid=True,
        )
        values = sites[list(SITE_COLUMNS)].astype(object).where(sites[list(SITE_COLUMNS)].notna())
        with self.store.connect() as connection, connection.transaction():
            connection.execute("DELETE FROM wsz.scenarios WHERE name = %s", (scenario.name,))
            connection.execute(
                "INSERT INTO wsz.scenarios (name, kind, created, store_version, request, "
                "summary, by_zone, by_buurt) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                tuple(row[k] for k in ("name", "kind", "created", "store_version", *DOCUMENTS)),
            )
            with connection.cursor().copy(
                "COPY wsz.scenario_sites (scenario, seq, role, id, rank, gain, bu_code, "
                "zone_code, geom) FROM STDIN"
            ) as copy:
                for seq, (items, geometry) in enumerate(
                    zip(values.itertuples(index=False), wkb, strict=True)
                ):
                    plain = [None if pd.isna(v) else v for v in items]
                    plain[2] = None if plain[2] is None else int(plain[2])  # rank
                    copy.write_row((scenario.name, seq, *plain, geometry))

    def remove(self, name: str) -> None:
        """Remove the scenario ``name`` (its sites go with it: ON DELETE CASCADE)."""
        with self.store.connect() as connection, connection.transaction():
            connection.execute("DELETE FROM wsz.scenarios WHERE name = %s", (name,))
