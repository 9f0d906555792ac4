"""GeoJSON answers: bodies built once as text (:mod:`geo.ask.geojson`), served as
``application/geo+json``."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

GEOJSON_MEDIA_TYPE = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    """JSON text served as it is, as ``application/geo+json`` (RFC 7946).

    A :class:`JSONResponse` for the OpenAPI document (its schema is the response model), but
    the body is the text it is given: never parsed and encoded again.
    """

    media_type = GEOJSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        """``content`` (JSON text) as UTF-8."""
        return content.encode("utf-8") if isinstance(content, str) else bytes(content)


class JSONText(GeoJSONResponse):
    """JSON text served as it is, as ``application/json``."""

    media_type = "application/json"
