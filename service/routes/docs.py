"""The API documentation pages, /docs (Swagger UI) and /redoc (ReDoc), without inline script.

Swagger UI and ReDoc come from the ``fastapi-offline`` package, served by this service at
``/static/docs`` (no CDN). FastAPI's own pages start Swagger UI with an inline script, which
the pages' Content-Security-Policy (``script-src 'self'``) forbids: here the settings go in a
JSON data block (never executed) read by a same-origin script, ``/docs/swagger-init.js``.
ReDoc needs no script of ours. Swagger UI's OAuth2 redirect page is not served: the API's keys
are bearer tokens, no OAuth2 flow uses it.
"""

from __future__ import annotations

import json
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

#: Scripts from this service only; Swagger UI and ReDoc style their elements inline and draw
#: images as data: URLs, ReDoc's search runs in a blob: worker.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

#: Starts Swagger UI with the settings of the page's data block (#wsz-docs-config).
SWAGGER_INIT = """\
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("wsz-docs-config").textContent);
  window.ui = SwaggerUIBundle({
    url: config.openapi_url,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
"""


def docs_router(title: str, static_url: str, openapi_url: str) -> APIRouter:
    """The /docs and /redoc pages and Swagger UI's start script (``static_url``: where the
    fastapi-offline files are mounted)."""
    router = APIRouter(include_in_schema=False)

    def page(body: str, head: str, name: str) -> HTMLResponse:
        html = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} - {name}</title>\n{head}</head>\n<body>\n{body}</body>\n"
            "</html>\n"
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_POLICY})

    @router.get("/docs")
    def swagger_ui(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""))
        config = json.dumps({"openapi_url": f"{request.scope.get('root_path', '')}{openapi_url}"})
        safe_config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        head = (
            f'<link rel="stylesheet" href="{root}{static_url}/swagger-ui.css">\n'
            f'<link rel="icon" href="{root}{static_url}/favicon.png">\n'
        )
        body = (
            '<main id="swagger-ui"></main>\n'
            f'<script type="application/json" id="wsz-docs-config">{safe_config}</script>\n'
            f'<script src="{root}{static_url}/swagger-ui-bundle.js"></script>\n'
            f'<script src="{root}/docs/swagger-init.js"></script>\n'
        )
        return page(body, head, "Swagger UI")

    @router.get("/docs/swagger-init.js")
    def swagger_init() -> Response:
        return Response(SWAGGER_INIT, media_type="text/javascript; charset=utf-8")

    @router.get("/redoc")
    def redoc(request: Request) -> HTMLResponse:
        root = escape(request.scope.get("root_path", ""))
        head = (
            f'<link rel="icon" href="{root}{static_url}/favicon.png">\n'
            "<style>body { margin: 0; padding: 0; }</style>\n"
        )
        body = (
            "<noscript>ReDoc needs JavaScript to show the documentation; the OpenAPI document "
            f'is at <a href="{root}{openapi_url}">{root}{openapi_url}</a>.</noscript>\n'
            f'<main><redoc spec-url="{root}{openapi_url}"></redoc></main>\n'
            f'<script src="{root}{static_url}/redoc.standalone.js"></script>\n'
        )
        return page(body, head, "ReDoc")

    return router
