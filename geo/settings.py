"""The one typed settings object. Values come from ``WSZ_*`` environment variables or ``.env``.

Defaults follow ``../shared/DOMAIN.md``: walking speed 0.8 m/s (community-dwelling 65+, Bollard &
Fleming 2013: 0.82 ± 0.27 m/s), resident grid 100 m (the size of CBS's square statistics), RD New
as working CRS. Bad combinations are refused at start-up, not discovered mid-analysis.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pyproj import CRS

from geo.crs import parse_crs, require_metric_projected
from geo.errors import ConfigurationError
from geo.read.checks import Limits
from geo.vocabulary import Vocabulary, load_vocabulary

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"

#: Named tile layers; anything else given as ``map_tiles`` must be a URL template.
TILE_PRESETS: dict[str, tuple[str, str] | None] = {
    "none": None,
    "openstreetmap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ),
    "brt": (
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
        'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a>',
    ),
}

#: One source of a CSP ``frame-ancestors`` list: a keyword, ``*``, or an http(s) origin (the
#: host may start with ``*.``; a port is allowed; no path, no quotes, no ``;``).
FRAME_SOURCE = re.compile(
    r"'self'|'none'|\*|https?://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?/?"
)


#: An API key's name (``WSZ_API_KEYS``; what the import log records) and its stored hash.
KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
KEY_HASH = re.compile(r"sha256:[0-9a-f]{64}")


class Settings(BaseSettings):
    """Everything configurable, validated together."""

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
    working_crs: str = "EPSG:28992"
    map_tiles: str = Field(
        default="openstreetmap",
        description="'none', 'openstreetmap', 'brt' (PDOK), or an XYZ URL template.",
    )
    map_tiles_attribution: str | None = None
    embed_frame_ancestors: str = Field(
        default="'self'",
        description="Who may frame the /embed pages (CSP frame-ancestors): space-separated "
        "origins such as https://www.nieuwegein.nl https://*.nieuwegein.nl, or 'self', "
        "'none', *. Every other page refuses to be framed.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
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
    # Writes over HTTP (POST /imports/...) and live reloading (see service/auth.py, state.py).
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description="API keys that may import over HTTP, by name, as hashes only: "
        '{"gis-team": "sha256:<64 hex digits>"}. `wsz key new NAME` makes a key and its hash.',
    )
    http_imports: bool | None = Field(
        default=None,
        description="Accept imports over HTTP (POST /imports/...). Default: on when "
        "WSZ_API_KEYS names a key; true without any key is refused.",
    )
    reload_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="How often (seconds) the server looks whether the store changed (a CLI "
        "import) and reloads it; 0: never. HTTP imports are served at once regardless.",
    )

    @field_validator("data_path", mode="before")
    @classmethod
    def _split_path(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [Path(p) for p in value.split(os.pathsep) if p]
        return value

    @field_validator("embed_frame_ancestors")
    @classmethod
    def _check_frame_ancestors(cls, value: str) -> str:
        sources = value.split()
        bad = [s for s in sources if not FRAME_SOURCE.fullmatch(s)]
        if not sources or bad or ("'none'" in sources and len(sources) > 1):
            raise ConfigurationError(
                f"WSZ_EMBED_FRAME_ANCESTORS={value!r}: give space-separated origins "
                "(https://www.example.nl, https://*.example.nl), 'self', * or 'none' alone"
                + (f"; not understood: {', '.join(bad)}" if bad else "")
            )
        return " ".join(sources)

    @field_validator("api_keys")
    @classmethod
    def _check_api_keys(cls, value: dict[str, str]) -> dict[str, str]:
        # Never echo a value: a raw key put here by mistake must not reach a log.
        bad_names = [name for name in value if not KEY_NAME.fullmatch(name)]
        not_hashes = [name for name, hashed in value.items() if not KEY_HASH.fullmatch(hashed)]
        if bad_names or not_hashes:
            problems = []
            if bad_names:
                problems.append(
                    f"key names must be 1-64 letters, digits, '.', '_' or '-': {bad_names!r}"
                )
            if not_hashes:
                problems.append(
                    f"not a 'sha256:<64 hex digits>' hash: the value of {', '.join(not_hashes)} "
                    "(store hashes, never keys; `wsz key new NAME` or `wsz key hash`)"
                )
            raise ConfigurationError("WSZ_API_KEYS: " + "; ".join(problems))
        return value

    @model_validator(mode="after")
    def _refuse_bad_combinations(self) -> Settings:
        require_metric_projected(parse_crs(self.working_crs, where="WSZ_WORKING_CRS"))
        if self.http_imports and not self.api_keys:
            raise ConfigurationError(
                "WSZ_HTTP_IMPORTS=true needs at least one key in WSZ_API_KEYS (writes are never "
                "open to everyone); make one with `wsz key new NAME`"
            )
        tiles = self.map_tiles
        if tiles not in TILE_PRESETS:
            if not (tiles.startswith(("http://", "https://")) and "{z}" in tiles):
                raise ConfigurationError(
                    f"WSZ_MAP_TILES={tiles!r}: use one of {', '.join(TILE_PRESETS)} "
                    "or an XYZ URL template containing {z}, {x} and {y}"
                )
            if not self.map_tiles_attribution:
                raise ConfigurationError(
                    "a custom WSZ_MAP_TILES needs WSZ_MAP_TILES_ATTRIBUTION (tile licences "
                    "require it)"
                )
        # Validates the threshold overrides against the vocabulary now, not mid-analysis.
        _ = self.vocabulary
        return self

    @property
    def crs(self) -> CRS:
        """The working CRS (projected, metres)."""
        return parse_crs(self.working_crs)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary with this deployment's threshold overrides applied."""
        return load_vocabulary(self.vocabulary_path).with_thresholds(self.thresholds_m)

    @property
    def imports_enabled(self) -> bool:
        """Whether POST /imports/... accepts writes (with a valid key)."""
        return bool(self.api_keys) if self.http_imports is None else self.http_imports

    @property
    def limits(self) -> Limits:
        """The import limits (:class:`geo.read.checks.Limits`) of these settings."""
        return Limits(
            max_features=self.max_features,
            max_vertices_per_feature=self.max_vertices_per_feature,
            max_upload_bytes=self.max_upload_bytes,
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_zip_ratio=self.max_zip_ratio,
        )

    def tile_layer(self) -> tuple[str, str] | None:
        """(URL template, attribution) of the map's tile layer, or None for no tiles."""
        if self.map_tiles in TILE_PRESETS:
            return TILE_PRESETS[self.map_tiles]
        assert self.map_tiles_attribution is not None  # checked by the validator
        return self.map_tiles, self.map_tiles_attribution

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
