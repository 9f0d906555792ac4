"""Small named dependencies that keep route signatures plain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from geo.errors import EmptyStoreError
from geo.query import check_zone
from geo.settings import Settings
from service.state import Published


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_published(request: Request) -> Published:
    """The served analysis; 503 (problem+json) while nothing has been imported."""
    published: Published | None = request.app.state.published
    if published is None:
        raise EmptyStoreError(
            "the store holds no buurten yet: run `wsz import buurten FILE` (or `wsz demo`) "
            "and restart the server"
        )
    return published


SettingsDep = Annotated[Settings, Depends(get_settings)]
PublishedDep = Annotated[Published, Depends(get_published)]


def get_zone_code(
    published: PublishedDep,
    zone_code: Annotated[str, Path(description="Zone code, e.g. `noord`.", max_length=64)],
) -> str:
    """A stored zone's code; 404 listing the known zones otherwise."""
    return check_zone(zone_code, published.zones)


ZoneDep = Annotated[str, Depends(get_zone_code)]
