"""A rendered Folium map → a planners' page that runs no inline script, and its script.

Folium writes its map as inline ``<script>`` blocks. Under the pages' Content-Security-Policy
(``script-src 'self'``) those would not run, so the rendered document is read with an HTML
parser (:class:`html.parser.HTMLParser`, the standard library's): the inline scripts become one
same-origin file (``/maps/<name>.js``, or ``<name>.js`` beside a written page), the external
scripts and style sheets (Leaflet, served by this service) and Folium's styles are kept, and the
page itself is our template (``templates/planner.html``: ``lang``, a ``main`` landmark, a level
one heading, the *synthetic* banner). Every value in the template is autoescaped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from branca.element import Element
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")
_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",)),
    keep_trailing_newline=True,
)


class UnsafeMarkupError(ValueError):
    """Folium's output holds something the page's policy would block (an event-handler
    attribute, a ``javascript:`` URL): refused rather than served broken."""


@dataclass
class FoliumParts:
    """What a rendered Folium document consists of, in document order."""

    script_sources: list[str] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    map_ids: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    """Collects :class:`FoliumParts`; the content of ``script`` and ``style`` elements reaches
    :meth:`handle_data` unparsed (they are raw text elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = FoliumParts()
        self._raw: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on") or value.strip().lower().startswith("javascript:"):
                raise UnsafeMarkupError(f"<{tag} {name}=…> in the rendered map")
        if tag == "script" and "src" in values:
            self.parts.script_sources.append(values["src"])
        elif tag == "script" and values.get("type", "text/javascript") in ("text/javascript", ""):
            self._raw = self.parts.scripts
        elif tag == "style":
            self._raw = self.parts.styles
        elif tag == "link" and values.get("rel") == "stylesheet":
            self.parts.stylesheets.append(values["href"])
        elif tag == "div" and "folium-map" in values.get("class", "").split():
            self.parts.map_ids.append(values["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None and data.strip():
            self._raw.append(data)


def folium_parts(document: str) -> FoliumParts:
    """The parts of a rendered Folium page (see :class:`FoliumParts`)."""
    reader = _Reader()
    reader.feed(document)
    reader.close()
    if len(reader.parts.map_ids) != 1:
        raise UnsafeMarkupError(f"expected one map element, found {len(reader.parts.map_ids)}")
    return reader.parts


@dataclass(frozen=True)
class MapPage:
    """A page and its script: ``html`` loads ``script`` from ``script_url``."""

    html: str
    script: str
    script_url: str


@dataclass(frozen=True)
class PageText:
    """The words of a page around its map: title (also the ``h1``), the synthetic banner."""

    title: str
    banner: str | None = None
    extra_css: str = ""


def script_digest(script: str) -> str:
    """A short content hash, to version a page's script URL."""
    return hashlib.sha256(script.encode("utf-8")).hexdigest()[:16]


def build_page(document: str, text: PageText, script_url: str) -> MapPage:
    """Our page around a rendered Folium ``document``; ``script_url`` names the script file
    (``{digest}`` in it is replaced by :func:`script_digest` of the script)."""
    parts = folium_parts(document)
    script = "\n;\n".join(part.strip() for part in parts.scripts) + "\n"
    url = script_url.replace("{digest}", script_digest(script))
    css = "\n".join(parts.styles) + "\n" + text.extra_css
    if "</" in css:
        raise UnsafeMarkupError("a style block would close its element")
    html = _ENVIRONMENT.get_template("planner.html").render(
        title=text.title,
        banner=text.banner,
        stylesheets=parts.stylesheets,
        css=css,
        map_id=parts.map_ids[0],
        scripts=[*parts.script_sources, url],
    )
    return MapPage(html=html, script=script, script_url=url)


def number_elements(root: Element) -> None:
    """Give every element below ``root`` a sequential id instead of Folium's random one, so
    that the page and its script agree however often the map is rendered."""
    counter = 0
    stack = [root]
    while stack:
        element = stack.pop()
        element._id = f"{counter:04x}"
        counter += 1
        stack.extend(reversed(list(element._children.values())))
