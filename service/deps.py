"""Small named dependencies that keep route signatures plain.

They do no blocking work, so they are ``async``: FastAPI runs a plain ``def`` dependency in
its thread pool, one hop per dependency per request, which under load costs more than the
lookups they make (issue 15)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from geo.ask.filters import check_zone
from geo.errors import EmptyStoreError
from geo.settings import Settings
from service.settings import ServiceSettings
from service.state import LiveState, Published, StoreState


async def get_settings(request: Request) -> Settings:
    """The app's analysis settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_service_settings(request: Request) -> ServiceSettings:
    """The app's own settings (maps, keys, framing)."""
    service: ServiceSettings = request.app.state.service_settings
    return service


async def get_live(request: Request) -> LiveState:
    """The app's live state holder (imports and reloads swap its state)."""
    live: LiveState = request.app.state.live
    return live


async def get_state(request: Request) -> StoreState:
    """The state this request is served from: taken once, so the whole request sees one
    version of the store even when an import swaps in a new one meanwhile (and kept on the
    request: its ETag is this state's, :mod:`service.caching`)."""
    state = (await get_live(request)).current
    request.state.served = state
    return state


StateDep = Annotated[StoreState, Depends(get_state)]
LiveDep = Annotated[LiveState, Depends(get_live)]


async def get_published(state: StateDep) -> Published:
    """The served analysis; 503 (problem+json) while nothing has been imported."""
    if state.published is None:
        raise EmptyStoreError(
            "the store holds no buurten yet: run `wsz import buurten FILE` (or `wsz demo`), or "
            "POST them to /imports/buurten with an API key"
        )
    return state.published


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceSettingsDep = Annotated[ServiceSettings, Depends(get_service_settings)]
PublishedDep = Annotated[Published, Depends(get_published)]


async def get_zone_code(
    published: PublishedDep,
    zone_code: Annotated[str, Path(description="Zone code, e.g. `noord`.", max_length=64)],
) -> str:
    """A stored zone's code; 404 listing the known zones otherwise."""
    return check_zone(zone_code, published.zones)


ZoneDep = Annotated[str, Depends(get_zone_code)]
