"""The click on the planners' maps: "a new voorziening here" (``POST /whatif/evaluate``).

One same-origin script (``static/planner/evaluate.js``, served at :data:`SCRIPT_PATH`) draws
the answer card and posts the clicked point; :class:`EvaluateClick` loads it and starts it on
a map with its configuration. A scenario's map evaluates the scenario's category and norm; the
overview and zone maps carry a selector of the deployment's categories (the norm is then the
category's own). Every value is shown as text, never HTML. Maps written to files (``wsz map``)
have no service beside them and so no click.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, NamedTuple

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geo.vocabulary import Category, Vocabulary
from maps.style import LABELS, category_label, nl_en

#: The shared script, and where the service serves it (below ``/maps``).
SCRIPT_FILE = Path(__file__).resolve().parent / "static" / "planner" / "evaluate.js"
SCRIPT_PATH = "/maps/static/evaluate.js"
#: The answer card's style (the scenario map's card shares it).
EVALUATE_CSS = """
.wsz-evaluate { background: #fff; padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); font: 13px/1.4 system-ui, sans-serif; max-width: 300px; }
.wsz-evaluate strong { display: block; margin-bottom: 2px; }
.wsz-evaluate label { display: block; }
.wsz-evaluate select { max-width: 100%; margin-bottom: 4px; }
.wsz-evaluate ul { margin: 2px 0; padding-left: 18px; }
"""


def script_text() -> str:
    """The shared click script."""
    return SCRIPT_FILE.read_text(encoding="utf-8")


def script_url(root: str = "") -> str:
    """Where a page loads the script, versioned by its content (``?v=``)."""
    digest = hashlib.sha256(SCRIPT_FILE.read_bytes()).hexdigest()[:16]
    return f"{root}{SCRIPT_PATH}?v={digest}"


class Evaluate(NamedTuple):
    """Where a served map's click goes: the endpoint and the shared script's URL."""

    url: str
    script_url: str


def served(root: str) -> Evaluate:
    """The click of a map served under ``root`` (the app's root path)."""
    return Evaluate(f"{root}/whatif/evaluate", script_url(root))


#: The card's words, Dutch / English.
WORDS = {
    "hint": nl_en(
        "Klik op de kaart: wat brengt een nieuwe voorziening daar?",
        "Click the map: what would a new voorziening there bring?",
    ),
    "choose": nl_en("Nieuwe voorziening", "New voorziening"),
    "title": nl_en("Een nieuwe voorziening hier", "A new voorziening here"),
    "residents": nl_en("Nieuw binnen de norm", "Newly within the norm"),
    "outside": LABELS["outside_zones"][0],
    "busy": nl_en("Bezig met rekenen…", "Computing…"),
    "failed": nl_en("Geen antwoord", "No answer"),
    "off_network": nl_en(
        "Dit punt ligt te ver van het wegennet", "This point is too far from the network"
    ),
}


class EvaluateClick(JSCSSMixin):
    """Loads the shared script and attaches the click to the map it is added to."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        wszPlanner.attach({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, evaluate: Evaluate, config: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "EvaluateClick"
        self.default_js = [("wsz_evaluate", evaluate.script_url)]
        self.config = {**WORDS, "url": evaluate.url, **config}


def fixed_click(evaluate: Evaluate, category: Category, norm_m: float) -> MacroElement:
    """The click of a scenario's map: ``category`` at ``norm_m`` metres."""
    config = {
        "category": category.code,
        "norm_m": norm_m,
        "labels": {category.code: category_label(category)},
    }
    return EvaluateClick(evaluate, config)


def chosen_click(evaluate: Evaluate, vocabulary: Vocabulary) -> MacroElement:
    """The click of the overview and zone maps: a selector of the deployment's categories
    (the first chosen), each at its own norm (``norm_m`` null: the category's threshold)."""
    categories = list(vocabulary.categories)
    config = {
        "category": categories[0].code,
        "norm_m": None,
        "categories": [
            {"code": c.code, "label": category_label(c), "norm_m": c.threshold_m}
            for c in categories
        ],
        "labels": {c.code: category_label(c) for c in categories},
    }
    return EvaluateClick(evaluate, config)
