"""The service's own settings: HTTP, maps, API keys and live reloading (``WSZ_*``).

The analysis settings (store, data path, norms, speeds, import limits) are
:class:`geo.settings.Settings`; these are what only the running service and its pages need.
Both read the same environment variables and ``.env``; bad combinations are refused at
start-up.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.errors import ConfigurationError

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


class ServiceSettings(BaseSettings):
    """How the service listens, what its maps show and who may write over HTTP."""

    model_config = SettingsConfigDict(env_prefix="WSZ_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_base_url: str | None = Field(
        default=None,
        description="The address clients reach the service at, e.g. https://kaart.example.nl "
        "(behind a proxy). Absolute links (OGC API, the embed snippet) are built from it; "
        "default: http://HOST:PORT of this server. Never from a request's Host header.",
    )
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
    public_import_log: bool = Field(
        default=False,
        description="Let anyone read the import log (GET /imports: file names, key names, "
        "errors); by default it needs an API key, like a write.",
    )
    reload_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="How often (seconds) the server looks whether the store changed (a CLI "
        "import) and reloads it; 0: never. HTTP imports are served at once regardless.",
    )
    answer_cache_mb: float = Field(
        default=128,
        ge=0,
        description="Memory (MiB, per worker) for answers kept as bytes per served state "
        "(zones, coverage, OGC items, map and embed pages; service/answers.py); 0: none.",
    )
    answer_cache_entry_mb: float = Field(
        default=16,
        gt=0,
        description="The largest answer (MiB, as sent) kept by WSZ_ANSWER_CACHE_MB.",
    )

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
        if problems:
            raise ConfigurationError("WSZ_API_KEYS: " + "; ".join(problems))
        return value

    @field_validator("public_base_url")
    @classmethod
    def _check_public_base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or parts.query
            or parts.fragment
        ):
            raise ConfigurationError(
                f"WSZ_PUBLIC_BASE_URL={value!r}: give http(s)://host[:port][/path], without a "
                "query or fragment"
            )
        return value.rstrip("/")

    @property
    def base_url(self) -> str:
        """Where clients reach this service: :attr:`public_base_url`, else this server's own
        address (an unspecified bind address shown as loopback)."""
        if self.public_base_url is not None:
            return self.public_base_url
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.host, self.host)
        return f"http://{host}:{self.port}"

    @model_validator(mode="after")
    def _refuse_bad_combinations(self) -> ServiceSettings:
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
        return self

    @property
    def imports_enabled(self) -> bool:
        """Whether POST /imports/... accepts writes (with a valid key)."""
        return bool(self.api_keys) if self.http_imports is None else self.http_imports

    def tile_layer(self) -> tuple[str, str] | None:
        """(URL template, attribution) of the map's tile layer, or None for no tiles."""
        if self.map_tiles in TILE_PRESETS:
            return TILE_PRESETS[self.map_tiles]
        assert self.map_tiles_attribution is not None  # checked by the validator
        return self.map_tiles, self.map_tiles_attribution
