"""Answers of the imports over HTTP: the report of one import and the import log."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LayerChangesOut(BaseModel):
    """Features of one layer added, updated, removed and unchanged by an import (by id)."""

    added: int
    updated: int
    removed: int
    unchanged: int


class ImportInputOut(BaseModel):
    """A file or body that came in."""

    file_name: str
    sha256: str = Field(description="SHA-256 of the bytes, hex (empty when not read).")
    size: int = Field(description="Bytes.")


class ImportReportOut(BaseModel):
    """What one import did (also one entry of the import log, ``GET /imports``)."""

    id: str
    time: str = Field(description="When it started (ISO 8601, UTC).")
    kind: Literal[
        "buurten", "zones", "voorzieningen", "sample", "statistics", "indicators", "scenario"
    ] = Field(description="What came in; `scenario`: a named what-if scenario saved or deleted.")
    mode: str = Field(
        description="replace, upsert (or add, from the command line); a scenario: add, "
        "replace or delete."
    )
    dry_run: bool
    via: Literal["http", "cli"]
    key: str | None = Field(description="The API key's name (never the key).")
    user: str | None = Field(description="The system user of a command-line import.")
    file_name: str
    sha256: str = Field(description="SHA-256 of the body or file, hex (empty when not read).")
    bytes: int
    outcome: Literal["applied", "unchanged", "dry_run", "refused", "failed"] = Field(
        description="applied: written and served; unchanged: the store already held this, "
        "nothing written; dry_run: validated only; refused: bad input (see error); failed: "
        "an error of the service."
    )
    added: int = Field(description="Features of the imported layer added (by stable id).")
    updated: int
    removed: int
    unchanged: int
    refused: int = Field(description="Features refused (listed in the problem response).")
    changes: dict[str, LayerChangesOut] = Field(
        description="Per layer (buurten, zones, voorzieningen): what the import changed."
    )
    warnings: list[str]
    error: dict[str, str] | None = Field(description="title and detail of a refusal.")
    statistics: list[ImportInputOut] = Field(description="CBS tables sent with buurten.")
    previous_version: str | None = Field(description="The store's SHA-256 before.")
    store_version: str | None = Field(description="The store's SHA-256 after.")
    duration_s: float


class ImportLogOut(BaseModel):
    """The import log, newest first."""

    imports: list[ImportReportOut]
