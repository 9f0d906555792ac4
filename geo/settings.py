"""The analysis settings: store, data path, norms, speeds, placement and import limits.

Values come from ``WSZ_*`` environment variables or ``.env``. Defaults follow
``../shared/DOMAIN.md``: walking speed 0.8 m/s (community-dwelling 65+, Bollard & Fleming
2013: 0.82 ± 0.27 m/s), resident grid 100 m (the size of CBS's square statistics). All
distances are in RD New (EPSG:28992, metres), fixed. Bad combinations are refused at start-up,
not discovered mid-analysis. The service's own settings (HTTP, maps, keys) are
:class:`service.settings.ServiceSettings`.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from geo.errors import ConfigurationError
from geo.read.limits import Limits
from geo.vocabulary import Vocabulary, load_vocabulary

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"


class Settings(BaseSettings):
    """How the analysis is made and where its data lives, validated together."""

    model_config = SettingsConfigDict(env_prefix="WSZ_", env_file=".env", extra="ignore")

    store_path: Path = Field(
        default=PROJECT_ROOT / "var" / "woonservicezones.gpkg",
        description="The embedded store: one GeoPackage file (created on first import).",
    )
    data_path: Annotated[list[Path], NoDecode] = Field(
        default=[PROJECT_ROOT.parent / "shared" / "data", SAMPLE_DIR],
        description=(
            "Folders searched, in order, for the files a sample manifest names "
            f"(WSZ_DATA_PATH, separated by '{os.pathsep}'). Real downloaded data placed in an "
            "earlier folder wins over the synthetic sample."
        ),
    )
    vocabulary_path: Path = PROJECT_ROOT / "data" / "voorzieningen.yaml"
    thresholds_m: dict[str, float] = Field(
        default_factory=dict,
        description='Per-category threshold overrides in metres, e.g. {"supermarkt": 600}.',
    )
    presence: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per-category presence norm overrides (at least one in every wijk/zone), "
        'e.g. {"huisarts": ["zone"], "ontmoetingsplek": []}.',
    )
    walking_speed_m_per_s: float = Field(
        default=0.8,
        gt=0,
        le=3,
        description="Walking speed of the 'walk' profile (community-dwelling 65+: 0.82 m/s).",
    )
    rollator_speed_m_per_s: float = Field(
        default=0.7,
        gt=0,
        le=3,
        description="Speed of the 'rollator' profile (65+ at risk of mobility disability, "
        "aged 85+: 0.71 m/s; Bollard & Fleming 2013 via DOMAIN.md).",
    )
    distance: Literal["walking", "straight_line"] = Field(
        default="walking",
        description="The measure coverage, lookups and maps show wherever a street network is "
        "loaded; straight lines are always computed beside it.",
    )
    network_snap_limit_m: float = Field(
        default=250.0,
        gt=0,
        description="A resident point or voorziening further than this from every walkable way "
        "is reported and counted as unreachable by walking.",
    )
    isochrone_buffer_m: float = Field(
        default=40.0,
        gt=0,
        description="Isochrones cover the reachable streets and this many metres either side.",
    )
    network_cache_dir: Path | None = Field(
        default=None,
        description="Built walking graphs (default: 'network' beside the store).",
    )
    resident_grid_spacing_m: float = Field(default=100.0, gt=0)
    snapshot_imports: bool = Field(
        default=True,
        description="Keep a coverage snapshot after every import that changes the analysis "
        "(the monitoring cycle's trend). Costs one analysis per command-line import; the "
        "service snapshots the state it serves.",
    )
    # Import limits (see geo.read.checks.Limits for why these defaults).
    max_features: int = Field(
        default=50_000, gt=0, description="Most features one import may hold."
    )
    max_vertices_per_feature: int = Field(
        default=100_000, gt=0, description="Most vertices one feature may have."
    )
    max_upload_bytes: int = Field(
        default=100 * 1024**2, gt=0, description="Largest GeoJSON body or uploaded file."
    )
    max_unzipped_bytes: int = Field(
        default=2 * 1024**3, gt=0, description="Most bytes unpacked from one zip."
    )
    max_zip_ratio: float = Field(
        default=200.0, gt=1, description="Highest compression ratio accepted in a zip."
    )
    max_text_chars: int = Field(
        default=500,
        gt=0,
        description="Longest id, code, name, address or opening-hours text in an import.",
    )

    @model_validator(mode="after")
    def _refuse_bad_combinations(self) -> Settings:
        # Validates the threshold and presence overrides now, not mid-analysis.
        _ = self.vocabulary
        return self

    @field_validator("data_path", mode="before")
    @classmethod
    def _split_path(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [Path(p) for p in value.split(os.pathsep) if p]
        return value

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary with this deployment's threshold and presence overrides applied."""
        vocabulary = load_vocabulary(self.vocabulary_path).with_thresholds(self.thresholds_m)
        return vocabulary.with_presence(self.presence) if self.presence else vocabulary

    @property
    def limits(self) -> Limits:
        """The import limits (:class:`geo.read.checks.Limits`) of these settings."""
        return Limits(
            max_features=self.max_features,
            max_vertices_per_feature=self.max_vertices_per_feature,
            max_upload_bytes=self.max_upload_bytes,
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_zip_ratio=self.max_zip_ratio,
            max_text_chars=self.max_text_chars,
        )

    def find_data_file(self, name: str) -> Path:
        """The file ``name`` in the first ``data_path`` folder holding it.

        Raises :class:`ConfigurationError` when no folder holds it.
        """
        for folder in self.data_path:
            candidate = folder / name
            if candidate.exists():
                return candidate
        searched = ", ".join(str(p) for p in self.data_path)
        raise ConfigurationError(f"{name} not found in the data path ({searched})")

    def speed_m_per_s(self, profile: str = "walk") -> float:
        """The speed of a network profile (``walk`` or ``rollator``) in metres per second."""
        return self.rollator_speed_m_per_s if profile == "rollator" else self.walking_speed_m_per_s

    def minutes(self, metres: float, profile: str = "walk") -> float:
        """Walking time in minutes for a distance in metres at the profile's speed."""
        return metres / self.speed_m_per_s(profile) / 60.0

    @property
    def network_cache(self) -> Path:
        """Folder of the built walking graphs (:class:`geo.network.cache.NetworkCache`)."""
        return self.network_cache_dir or self.store_path.parent / "network"
