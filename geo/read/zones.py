"""Zone definitions: the municipality's woonservicezones as a YAML or JSON file.

A definition names each zone and its buurten, directly (BU codes) or through wijken (a WK code
stands for all of that wijk's buurten); see ``data/sample/zones_GM0356_example.yaml`` for the
documented format. This reads and checks the file itself; :mod:`geo.zones` checks it against
the buurten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import geopandas as gpd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo.common.yamlsafe import YamlExpansionError, load_yaml
from geo.errors import ReadError, ZoneDefinitionError

ZoneCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]


class ZoneSpec(BaseModel):
    """One woonservicezone as the municipality defines it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ZoneCode
    name: str = Field(min_length=1)
    wijken: tuple[str, ...] = ()
    buurten: tuple[str, ...] = ()


class ZoneDefinition(BaseModel):
    """All zones of one municipality."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    gemeente: str | None = Field(default=None, pattern=r"^GM\d{4}$")
    zones: tuple[ZoneSpec, ...] = Field(min_length=1)


def read_zone_definition(path: Path, *, where: str | None = None) -> ZoneDefinition:
    """Read a zone definition from YAML or JSON; raise :class:`ZoneDefinitionError` if malformed.

    ``where`` names the input in messages (default: ``path``; an upload: the name it was sent
    under, or ``request body``)."""
    shown = where or str(path)
    try:
        raw = load_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReadError(f"{shown}: cannot read the zone definition: {exc.strerror}") from exc
    except YamlExpansionError as exc:
        raise ReadError(f"{shown}: not read as a zone definition: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{shown}: not a text file in UTF-8 (byte {exc.start}); a zone definition is YAML "
            "or JSON"
        ) from exc
    except yaml.YAMLError as exc:
        raise ReadError(f"{shown}: not valid YAML or JSON: {exc}") from exc
    except RecursionError as exc:
        raise ReadError(
            f"{shown}: lists and mappings nested too deeply to be read (about 1,000 levels or "
            "more); a zone definition needs three (zones, a zone, its wijken or buurten)"
        ) from exc
    if not isinstance(raw, dict):
        raise ZoneDefinitionError(f"{shown}: expected a mapping with a 'zones' list")
    try:
        return ZoneDefinition.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ZoneDefinitionError(f"{shown}: {problems}") from exc


def zones_per_wijk(buurten: gpd.GeoDataFrame, gemeente: str | None = None) -> ZoneDefinition:
    """A default zone definition: one zone per wijk (code ``wk035601``, the wijk's name).

    For a gemeente whose own woonservicezones are not known yet; replace it with theirs.
    """
    wijken = buurten.drop_duplicates("wk_code").sort_values("wk_code")
    names = wijken["wk_naam"].astype("string").fillna(wijken["wk_code"].astype("string"))
    return ZoneDefinition(
        gemeente=gemeente,
        zones=tuple(
            ZoneSpec(code=str(code).lower(), name=str(name), wijken=(str(code),))
            for code, name in zip(wijken["wk_code"], names, strict=True)
        ),
    )
