"""Where each layer of the store comes from, and which layers are synthetic (generated).

Stored with the dataset (table ``provenance``), so that every view can name its sources and
say which parts are synthetic.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LayerSource(BaseModel):
    """Where one layer of the store comes from, and whether it is generated (synthetic)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``buurten``, ``zones``, ``voorzieningen`` or ``network``.
    layer: str
    #: The file name(s) the layer was read from.
    source: str
    #: True when (part of) the layer is generated, not real data.
    synthetic: bool = False
    #: Attribution and licence as shown beside the data (may be empty).
    text: str = ""
    #: Date or year of the data, when known.
    date: str | None = None


class Provenance(BaseModel):
    """The sources of a dataset's layers; stored with it (table ``provenance``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The sample's name when the data was imported as a sample (``wsz import sample``).
    sample: str | None = None
    #: The sample's title.
    title: str | None = None
    layers: tuple[LayerSource, ...] = ()

    @property
    def synthetic(self) -> tuple[str, ...]:
        """Names of the layers that are (partly) synthetic, in stored order."""
        return tuple(source.layer for source in self.layers if source.synthetic)

    def layer(self, name: str) -> LayerSource | None:
        """The source of layer ``name``, or None when unknown."""
        return next((source for source in self.layers if source.layer == name), None)

    def with_layer(self, source: LayerSource, *, add: bool = False) -> Provenance:
        """A copy with ``source`` replacing the layer's entry; with ``add``, the new file is
        added to the entry (still synthetic if the stored part was)."""
        current = self.layer(source.layer)
        if add and current is not None:
            source = source.model_copy(
                update={
                    "source": f"{current.source}, {source.source}",
                    "synthetic": current.synthetic or source.synthetic,
                    "text": "; ".join(t for t in (current.text, source.text) if t),
                }
            )
        if current is None:
            return self.model_copy(update={"layers": (*self.layers, source)})
        layers = tuple(source if s.layer == source.layer else s for s in self.layers)
        return self.model_copy(update={"layers": layers})
