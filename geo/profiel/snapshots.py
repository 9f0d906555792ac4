"""Dated coverage snapshots: each analysis kept, so any two can be compared.

A snapshot is one analysis of the store as it was: when, the store's version (SHA-256), the
inputs' hashes (the last applied import of each kind, from the import log), the norms (metres
per category) and the distance source, and per buurt, zone and gemeente and per category the
residents and 65+ beyond the norm — by the analysis's own distance (walking where a network is
loaded) and by straight line. Snapshots are JSON lines beside the store
(``<store>-snapshots.jsonl``, like the import log): a snapshot names a store version, so it
cannot live inside the file it hashes. :func:`record_snapshot` appends one unless the last
snapshot already describes the same store, norms and source.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from geo.analysis import Analysis
from geo.coverage.figures import Coverage
from geo.errors import NotFoundError
from geo.store.base import ImportLogLike
from geo.store.log import ImportLog

#: Figures kept per area and category.
KEPT = ("residents", "residents_65plus", "residents_beyond", "residents_65plus_beyond")
LEVELS = {"buurten": ("buurt", "bu_code"), "zones": ("zone", "zone_code")}


def snapshot_file(store_path: Path) -> Path:
    """``<store>-snapshots.jsonl`` beside the store."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-snapshots.jsonl")


def _rows(coverage: Coverage) -> pd.DataFrame:
    """Long rows (level, area_code, category, figures) of one coverage."""
    frames = []
    for attribute, (level, key) in LEVELS.items():
        frame = getattr(coverage, attribute)
        frames.append(frame.assign(level=level, area_code=frame[key])[
            ["level", "area_code", "category", *KEPT]])  # fmt: skip
    gemeente = coverage.gemeente
    frames.append(gemeente.assign(level="gemeente", area_code="gemeente")[
        ["level", "area_code", "category", *KEPT]])  # fmt: skip
    rows = pd.concat(frames, ignore_index=True)
    return rows[rows["area_code"].notna()]


def figures(analysis: Analysis) -> list[dict[str, Any]]:
    """Per area and category: residents and 65+ beyond the norm, by the analysis's distance
    and by straight line (counts rounded to 0.01; shares as fractions 0..1)."""
    own = _rows(analysis.coverage)
    straight = _rows(analysis.straight or analysis.coverage)
    straight = straight.rename(
        columns={"residents_beyond": "residents_beyond_straight",
                 "residents_65plus_beyond": "residents_65plus_beyond_straight"}
    )[["level", "area_code", "category", "residents_beyond_straight",
       "residents_65plus_beyond_straight"]]  # fmt: skip
    rows = own.merge(straight, on=["level", "area_code", "category"], how="left")
    for column in rows.columns[3:]:
        rows[column] = rows[column].astype(float).round(2)
    records: list[dict[str, Any]] = json.loads(rows.to_json(orient="records"))
    return records


def inputs(store_path: Path, log: ImportLogLike | None = None) -> dict[str, dict[str, str]]:
    """The last applied import of each kind: its file name and SHA-256 (from ``log``, by
    default the import log beside ``store_path``)."""
    found: dict[str, dict[str, str]] = {}
    for entry in (log or ImportLog.beside(store_path)).entries(1000):
        kind = str(entry.get("kind"))
        if entry.get("outcome") == "applied" and kind not in found:
            found[kind] = {
                "file_name": str(entry.get("file_name")),
                "sha256": str(entry.get("sha256")),
            }
    return found


def make_snapshot(
    analysis: Analysis, store_path: Path, version: str | None, log: ImportLogLike | None = None
) -> dict[str, Any]:
    """A snapshot of ``analysis`` (see the module docstring)."""
    now = datetime.now(UTC)
    return {
        "id": f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        "time": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "store_version": version,
        "inputs": inputs(store_path, log),
        "norms": {c.code: c.threshold_m for c in analysis.vocabulary.categories},
        "distance": analysis.coverage.source,
        "figures": figures(analysis),
    }


def read_snapshots(store_path: Path) -> list[dict[str, Any]]:
    """Every snapshot, oldest first (unreadable lines skipped)."""
    path = snapshot_file(store_path)
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found


def record_snapshot(
    analysis: Analysis, store_path: Path, version: str | None, log: ImportLogLike | None = None
) -> tuple[dict[str, Any], bool]:
    """Keep a snapshot of ``analysis`` unless the last one has the same store version, norms
    and distance source; returns it (or that last one) and whether it is new. ``log``: the
    store's import log (default: the one beside ``store_path``)."""
    snapshot = make_snapshot(analysis, store_path, version, log)
    existing = read_snapshots(store_path)
    same = ("store_version", "norms", "distance")
    if existing and all(existing[-1].get(k) == snapshot[k] for k in same):
        return existing[-1], False
    line = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")) + "\n"
    path = snapshot_file(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return snapshot, True


def summary(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without its figures (for lists)."""
    return {k: v for k, v in snapshot.items() if k != "figures"} | {
        "areas": len({(f["level"], f["area_code"]) for f in snapshot.get("figures", [])})
    }


def find_snapshot(snapshots: list[dict[str, Any]], snapshot_id: str) -> dict[str, Any]:
    """One snapshot by id; :class:`NotFoundError` listing the ids."""
    for snapshot in snapshots:
        if snapshot.get("id") == snapshot_id:
            return snapshot
    known = ", ".join(str(s.get("id")) for s in snapshots[-10:]) or "none yet"
    raise NotFoundError(f"no snapshot {snapshot_id!r}; the latest are: {known}")


@dataclass(frozen=True)
class Change:
    """One area and category in two snapshots (shares 0..1; None where missing)."""

    level: str
    area_code: str
    category: str
    share_65plus_before: float | None
    share_65plus_after: float | None
    share_before: float | None
    share_after: float | None

    def sentence(self, norm_m: float) -> str:
        """``65+ beyond 500 m of huisarts in zone noord fell from 62 % to 48 %`` (rose, stayed
        at, or: ``… was missing, now 48 %`` where one snapshot has no figure)."""

        def pct(v: float | None) -> str:
            return "missing" if v is None else f"{100 * v:.0f} %"

        before, after = self.share_65plus_before, self.share_65plus_after
        area = "the gemeente" if self.level == "gemeente" else f"{self.level} {self.area_code}"
        where = f"65+ beyond {norm_m:.0f} m of {self.category} in {area}"
        if before is None or after is None:
            return f"{where} was {pct(before)}, now {pct(after)}"
        if round(100 * before) == round(100 * after):
            return f"{where} stayed at {pct(after)}"
        verb = "fell" if after < before else "rose"
        return f"{where} {verb} from {pct(before)} to {pct(after)}"


def _shares(snapshot: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(snapshot.get("figures", []))
    if frame.empty:
        return pd.DataFrame(columns=["level", "area_code", "category", "share", "share_65plus"])
    residents = frame["residents"].where(frame["residents"] > 0)
    older = frame["residents_65plus"].where(frame["residents_65plus"] > 0)
    frame["share"] = frame["residents_beyond"] / residents
    frame["share_65plus"] = frame["residents_65plus_beyond"] / older
    return frame[["level", "area_code", "category", "share", "share_65plus"]]


def compare_snapshots(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Per area and category, the shares beyond the norm in two snapshots (areas in one
    snapshot only are listed with the other side missing: never compared silently)."""
    joined = _shares(before).merge(
        _shares(after), on=["level", "area_code", "category"], how="outer", suffixes=("_a", "_b")
    )

    def value(v: object) -> float | None:
        return None if pd.isna(v) else round(float(v), 4)  # type: ignore[arg-type]

    return [
        Change(str(r.level), str(r.area_code), str(r.category), value(r.share_65plus_a),
               value(r.share_65plus_b), value(r.share_a), value(r.share_b))
        for r in joined.itertuples()
    ]  # fmt: skip
