"""The wijkprofiel as a printable HTML page (A4 print CSS) and a PDF (headless Chromium).

The page is a Jinja2 template with autoescaping: every data value is text, never HTML. It has
no script at all; served, it links its style sheet (CSP ``default-src 'none'; script-src
'self'; style-src 'self'; img-src 'self' data:``), written to a file it carries it inline.
PDF: headless Chromium's print-to-PDF (``--print-to-pdf``) — the browser the map tests already
drive, so no second renderer (WeasyPrint and its Pango/Cairo stack) is needed, and the PDF is
exactly the printed page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from geo.errors import ConfigurationError
from maps.profiel.charts import area_map, series_chart
from maps.profiel.labels import LABELS

HERE = Path(__file__).parent
CSS_PATH = HERE / "static" / "profiel.css"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)


def fmt(value: object, *, signed: bool = False) -> str:
    """A number as Dutch-style text (missing: ``–``), rounded to what it says."""
    if value is None:
        return "–"
    number = float(value)  # type: ignore[arg-type]
    text = (
        f"{number:+,.1f}"
        if signed
        else (f"{number:,.0f}" if abs(number) >= 100 else f"{number:,.2f}".rstrip("0").rstrip("."))
    )
    return text.replace(",", " ")


def pct(value: object) -> str:
    """A share 0..1 as a percentage (missing: ``–``)."""
    return "–" if value is None else f"{100 * float(value):.0f} %"  # type: ignore[arg-type]


def render_html(
    profiel: dict[str, Any], buurten: gpd.GeoDataFrame, *, inline_css: bool = True,
    css_url: str = "", other_lang_url: str | None = None,
) -> str:  # fmt: skip
    """The page of ``profiel`` (:func:`geo.profiel.build.build_profiel`); ``buurten`` (RD
    New) are drawn on its static map."""
    lang = profiel["lang"]
    charts = {
        r["code"]: chart
        for theme in profiel["themes"]
        for r in theme["indicators"]
        if (chart := series_chart(r["series"], "value")) is not None
    }
    return _ENV.get_template("profiel.html").render(
        p=profiel, t=LABELS[lang], lang=lang, fmt=fmt, pct=pct, charts=charts,
        map_uri=area_map(buurten, tuple(b["code"] for b in profiel["area"]["buurten"])),
        inline_css=inline_css, css=CSS_PATH.read_text(encoding="utf-8"), css_url=css_url,
        other_lang_url=other_lang_url,
    )  # fmt: skip


def chromium() -> str:
    """The Chromium binary (``WSZ_CHROMIUM``, else ``chromium`` on the path)."""
    found = (
        os.environ.get("WSZ_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        raise ConfigurationError(
            "PDF needs Chromium: install it (apt-get install chromium) or set WSZ_CHROMIUM"
        )
    return found


def render_pdf(html: str, *, timeout_s: float = 60.0) -> bytes:
    """The page printed to PDF (A4, as its print CSS says) by headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="wsz-profiel-") as folder:
        page, pdf = Path(folder) / "profiel.html", Path(folder) / "profiel.pdf"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={folder}/profile", f"--print-to-pdf={pdf}", page.as_uri()],
            check=True, capture_output=True, timeout=timeout_s,
        )  # fmt: skip
        return pdf.read_bytes()
