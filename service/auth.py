"""API keys for writes (``POST /imports/...``); reads stay open.

Keys are named in the settings (``WSZ_API_KEYS='{"gis-team": "sha256:<hex>"}'``) and stored
only as SHA-256 hashes. A key is 32 random bytes (:func:`new_key`, 43 URL-safe characters),
so a plain SHA-256 is enough: there is nothing to guess that a slow password hash would
protect. The presented key is hashed and compared with *every* stored hash in constant time
(:func:`hmac.compare_digest`), so neither the answer nor its timing says which key came close.

A key travels in a header only, ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` —
never in the URL, which access logs record (a key found in the query is refused, 400). No
key: 401 with ``WWW-Authenticate``; a wrong key, or HTTP imports switched off: 403. The key
itself is never logged or echoed; the import log records the key's *name*.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from geo.errors import InvalidCredentialsError, MissingCredentialsError, QueryError
from service.deps import ServiceSettingsDep
from service.settings import KEY_NAME

#: Query parameters that look like a key, compared without case, ``-`` or ``_``
#: (``api_key``, ``API_KEY``, ``apiKey``, ``x-api-key`` alike): refused on writes, so nobody
#: gets used to putting keys in URLs, and redacted from every logged URL.
KEY_QUERY_NAMES = ("apikey", "xapikey", "key", "token", "accesstoken", "authorization")


def is_key_parameter(name: str) -> bool:
    """Whether a query parameter's name looks like it carries a key.

    >>> [is_key_parameter(n) for n in ("api_key", "API-KEY", "apiKey", "x-api-key", "zone")]
    [True, True, True, True, False]
    """
    return name.lower().replace("-", "").replace("_", "") in KEY_QUERY_NAMES


logger = logging.getLogger("woonservicezones.auth")

#: Shortest key :func:`hash_key` accepts (characters).
MIN_KEY_LENGTH = 24

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <key>` — an API key named in WSZ_API_KEYS.",
)
api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="`X-API-Key: <key>` — the same key, for clients that cannot send Bearer.",
)


def new_key() -> str:
    """A new random API key: 32 bytes from :mod:`secrets`, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """The form kept in ``WSZ_API_KEYS``: ``sha256:<64 hex digits>`` of the key's UTF-8."""
    key = key.strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(
            f"a key must be at least {MIN_KEY_LENGTH} characters; `wsz key new NAME` makes one"
        )
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def check_key_name(name: str) -> str:
    """``name`` if it can name a key in ``WSZ_API_KEYS``; ValueError otherwise."""
    if not KEY_NAME.fullmatch(name):
        raise ValueError(f"{name!r}: a key name is 1-64 letters, digits, '.', '_' or '-'")
    return name


def match_key(presented: str, keys: Mapping[str, str]) -> str | None:
    """The name of the stored key ``presented`` matches, or None.

    Every stored hash is compared, each in constant time, whatever matched before.
    """
    digest = "sha256:" + hashlib.sha256(presented.encode("utf-8")).hexdigest()
    found = None
    for name, stored in keys.items():
        if hmac.compare_digest(digest.encode("ascii"), stored.encode("ascii")):
            found = name
    return found


@dataclass(frozen=True)
class Caller:
    """Who writes: the name of the key presented (never the key)."""

    key_name: str


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown client"


def _presented_key(
    authorization: HTTPAuthorizationCredentials | None,
    x_api_key: str | None,
    *,
    refused: str,
    detail: str,
) -> str:
    """The key sent in a header; :class:`MissingCredentialsError` (401, logged as
    ``refused``) without one."""
    presented = authorization.credentials if authorization is not None else x_api_key
    if not presented:
        logger.warning("%s: no API key (401)", refused)
        raise MissingCredentialsError(detail)
    return presented


def require_key(
    request: Request,
    settings: ServiceSettingsDep,
    authorization: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    x_api_key: Annotated[str | None, Security(api_key_header)],
) -> Caller:
    """The caller of a write: 401 without a key, 403 with a wrong one or imports off.

    Every refusal is logged with the client's address and the key's *name* when known, never
    the key.
    """
    client = _client(request)
    in_query = [name for name in request.query_params if is_key_parameter(name)]
    if in_query:
        logger.warning("refused write from %s: a key in the URL (%s)", client, in_query[0])
        raise QueryError(
            f"query parameter {in_query[0]!r}: API keys go in a header (Authorization: Bearer "
            "KEY or X-API-Key: KEY), never in the URL, which logs record; consider this key "
            "exposed and replace it"
        )
    presented = _presented_key(
        authorization,
        x_api_key,
        refused=f"refused write from {client}",
        detail="this write needs an API key: send it as `Authorization: Bearer KEY` or "
        "`X-API-Key: KEY` (keys are configured in WSZ_API_KEYS; reads need none)",
    )
    name = match_key(presented, settings.api_keys)
    if not settings.imports_enabled:
        logger.warning("refused write from %s (key %s): imports are off (403)", client, name)
        raise InvalidCredentialsError(
            "imports over HTTP are switched off on this server (WSZ_HTTP_IMPORTS=false); "
            "import on the command line with `wsz import`"
        )
    if name is None:
        logger.warning("refused write from %s: a key that is not one of ours (403)", client)
        raise InvalidCredentialsError("the API key sent is not one of this server's keys")
    return Caller(key_name=name)


CallerDep = Annotated[Caller, Depends(require_key)]


def require_log_reader(
    request: Request,
    settings: ServiceSettingsDep,
    authorization: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    x_api_key: Annotated[str | None, Security(api_key_header)],
) -> Caller | None:
    """Who may read the import log: anyone with ``WSZ_PUBLIC_IMPORT_LOG=true``, else the
    holder of a key (401 without one, 403 with a wrong one, as for writes)."""
    if settings.public_import_log:
        return None
    client = _client(request)
    presented = _presented_key(
        authorization,
        x_api_key,
        refused=f"refused import log to {client}",
        detail="the import log needs an API key (`Authorization: Bearer KEY` or `X-API-Key: "
        "KEY`), or WSZ_PUBLIC_IMPORT_LOG=true on the server",
    )
    name = match_key(presented, settings.api_keys)
    if name is None:
        logger.warning("refused import log to %s: a key that is not one of ours (403)", client)
        raise InvalidCredentialsError("the API key sent is not one of this server's keys")
    return Caller(key_name=name)


LogReaderDep = Annotated[Caller | None, Depends(require_log_reader)]
