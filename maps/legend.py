"""The planners' map legend: a Leaflet control with the categories, the gap colour classes,
what each kind of layer shows, and links to the wijkprofielen (built as elements)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from branca.element import MacroElement
from jinja2 import Template

from geo.vocabulary import Vocabulary
from maps.layers import ISOCHRONE_COLOURS, RELATIVE_LINK
from maps.style import (
    BUURT_COLOUR,
    NO_DATA_COLOUR,
    SHARE_CLASSES,
    ZONE_COLOUR,
    bilingual,
    category_label,
    marker_html,
)


def _swatch(style: str, text: str, css_class: str = "swatch") -> str:
    return f'<div class="row"><span class="{css_class}" style="{style}"></span>{text}</div>'


class Legend(MacroElement):
    """A Leaflet control (top left below the zoom buttons, clear of the layer list at the top
    right, fitted to the map's height): the
    categories, the gap colour classes and what each kind of layer shows."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var legend = L.control({position: "topleft"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("section", "wsz-legend");
                div.innerHTML = {{ this.html|tojson }};
                var RELATIVE = new RegExp({{ this.relative|tojson }});
                {{ this.links|tojson }}.forEach(function(link) {
                    if (!RELATIVE.test(link.href)) return;  // same origin, relative only
                    var line = document.createElement("p");
                    var anchor = document.createElement("a");
                    anchor.textContent = link.text;
                    anchor.setAttribute("href", link.href);
                    line.appendChild(anchor);
                    div.appendChild(line);
                });
                div.tabIndex = 0;  // it may scroll: reachable by keyboard
                div.setAttribute("aria-label", {{ this.label|tojson }});
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
            // Below the zoom buttons, above the scale bar: scrolls when the map is low.
            function fit() {
                var room = map.getSize().y - legend.getContainer().offsetTop - 80;
                legend.getContainer().style.maxHeight = Math.max(120, room) + "px";
            }
            map.on("resize", fit);
            fit();
        })();
        {% endmacro %}
    """)

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        source: str,
        zone_layers: bool = False,
        extra: str = "",
        links: Sequence[dict[str, str]] = (),
    ) -> None:
        """``source``: which distance the shading is by (text); ``zone_layers``: explain the
        isochrones and gap areas of a zone map; ``extra``: a further block (escaped HTML,
        e.g. :func:`maps.presence.presence_legend`); ``links``: to wijkprofielen
        (:func:`profiel_link`), drawn as ``a`` elements below the legend."""
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "Legend"
        self.links = list(links)
        self.relative = RELATIVE_LINK
        self.label = bilingual("legend")
        rows = "".join(
            f'<div class="row">{marker_html(c)}<span>{escape(category_label(c))} '
            f"<small>(≤ {c.threshold_m:.0f} m)</small></span></div>"
            for c in vocabulary.categories
        )
        lower = 0.0
        classes = ""
        for upper, colour in SHARE_CLASSES:
            classes += _swatch(f"background:{colour}", f"{100 * lower:.0f}–{100 * upper:.0f}%")
            lower = upper
        classes += _swatch(f"background:{NO_DATA_COLOUR}", bilingual("no_figure"))
        classes += _swatch("", bilingual("outside_zones"), "swatch hatch")
        layers = _swatch(f"border:3px solid {ZONE_COLOUR}", bilingual("zones"))
        layers += _swatch(f"border:1px solid {BUURT_COLOUR}", bilingual("buurten"))
        if zone_layers:
            layers += "".join(
                _swatch(f"background:{colour};opacity:.6", f"{minutes:g} min")
                for minutes, colour in ISOCHRONE_COLOURS.items()
            )
            layers += f"<p><small>{bilingual('isochrone_legend')}</small></p>"
            layers += _swatch("background:#67000d;opacity:.5", bilingual("gap_area_legend"))
        self.html = (
            f"<h2>{bilingual('voorzieningen')}</h2>{rows}"
            f"<h2>{bilingual('share_beyond')}</h2><p><small>{bilingual('gap_shading')}. "
            f"{source}</small></p>{classes}"
            f"{extra}<h2>{bilingual('layers')}</h2>{layers}"
            f"<p><small>{bilingual('click_for_figures')}: {bilingual('buurt')}</small></p>"
        )
