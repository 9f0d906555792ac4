"""Server-rendered HTML for the OGC API (conformance class *HTML*): plain pages, no assets.

Each page renders the same document the JSON answer holds: its links, and its collections or
features as tables. Nothing is loaded from elsewhere (no scripts, styles or images).
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;"
    "color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;"
    "padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#eee}"
    "code{font-size:.9em}nav a{margin-right:1rem}"
)


def page(title: str, body: str, links: list[dict[str, Any]], root: str) -> str:
    """A complete page: heading, the document's links, then ``body`` (already HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<nav><a href="{escape(root)}">OGC API – Features</a></nav>'
        f"<h1>{escape(title)}</h1>{body}<h2>Links</h2>{link_list(links)}</body></html>\n"
    )


def link_list(links: list[dict[str, Any]]) -> str:
    """Links as a list: title, relation and media type."""
    items = "".join(
        f'<li><a href="{escape(str(ln["href"]))}">{escape(str(ln.get("title") or ln["href"]))}'
        f"</a> <small>({escape(str(ln['rel']))}, {escape(str(ln.get('type', '')))})</small></li>"
        for ln in links
    )
    return f"<ul>{items}</ul>"


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as an HTML table (values escaped; None shown empty)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def landing(document: dict[str, Any], root: str) -> str:
    """The landing page."""
    return page(
        document["title"], f"<p>{escape(document['description'])}</p>", document["links"], root
    )


def conformance(document: dict[str, Any], root: str) -> str:
    """The conformance classes (as text: their URIs are names, not pages to load)."""
    items = "".join(f"<li><code>{escape(uri)}</code></li>" for uri in document["conformsTo"])
    return page("Conformance", f"<ul>{items}</ul>", [], root)


def collections(document: dict[str, Any], root: str) -> str:
    """All collections with a link to each."""
    rows = [
        {
            "id": _anchor(_rel(c["links"], "self", "text/html"), c["id"]),
            "title": c["title"],
            "description": c["description"],
        }
        for c in document["collections"]
    ]
    body = table(rows, ["id", "title", "description"])
    return page("Collections", body, document["links"], root)


def collection(document: dict[str, Any], root: str) -> str:
    """One collection: description, extent, CRSs and its links."""
    bbox = (document["extent"].get("spatial") or {}).get("bbox") or [[]]
    facts = [
        {"": "id", "value": document["id"]},
        {"": "extent (CRS84)", "value": ", ".join(f"{v:.6f}" for v in bbox[0])},
        {"": "crs", "value": "; ".join(document["crs"])},
        {"": "storageCrs", "value": document["storageCrs"]},
    ]
    body = f"<p>{escape(document['description'])}</p>" + table(facts, ["", "value"])
    return page(document["title"], body, document["links"], root)


def items(title: str, document: dict[str, Any], columns: list[str], root: str) -> str:
    """A page of features as a table of their properties (geometry omitted)."""
    rows = [
        {"id": _anchor(_feature_href(document, f), f["id"]), **f["properties"]}
        for f in document["features"]
    ]
    summary = (
        f"<p>{document['numberReturned']} of {document['numberMatched']} features "
        f"(as of {escape(document['timeStamp'])}).</p>"
    )
    return page(title, summary + table(rows, ["id", *columns]), document["links"], root)


def feature(title: str, document: dict[str, Any], root: str) -> str:
    """One feature: its properties as a two-column table."""
    rows = [{"property": k, "value": v} for k, v in document["properties"].items()]
    return page(title, table(rows, ["property", "value"]), document.get("links", []), root)


class Raw(str):
    """Text that is already HTML (an anchor built here), not to be escaped again."""


def _anchor(href: str | None, text: str) -> Raw | str:
    if href is None:
        return text
    return Raw(f'<a href="{escape(href)}">{escape(text)}</a>')


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return str(value)
    return escape(str(value))


def _rel(links: list[dict[str, Any]], rel: str, type_: str) -> str | None:
    for ln in links:
        if ln["rel"] == rel and ln.get("type") == type_:
            return str(ln["href"])
    for ln in links:
        if ln["rel"] == rel:
            return str(ln["href"])
    return None


def _feature_href(document: dict[str, Any], feature: dict[str, Any]) -> str | None:
    items_href = _rel(document["links"], "self", "application/geo+json")
    if items_href is None:
        return None
    base = items_href.split("?", 1)[0]
    return f"{base}/{quote(str(feature['id']), safe='')}?f=html"
