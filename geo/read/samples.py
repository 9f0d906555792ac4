"""Sample manifests: which files make up a sample, which are synthetic, and their attribution.

A manifest (``data/sample/sample.yaml``, ``delft-tu.yaml``; see data/sample/README.md) names
its files; they are looked up along the data path (``Settings.data_path``), so real data put
there replaces a sample without code changes. This module reads and checks manifests; the
pipeline imports what they name (:func:`geo.pipeline.import_sample`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from geo.common.yamlsafe import YamlExpansionError, load_yaml
from geo.errors import ConfigurationError, ReadError, ValueProblemError
from geo.read.buurten import read_buurten
from geo.read.options import ReadOptions
from geo.read.provenance import LayerSource, Provenance

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.vocabulary import Vocabulary


#: The default sample's manifest; any other ``*.yaml`` on the data path with the keys of a
#: manifest (gemeente, buurten, zones, voorzieningen) is a sample too, found by its ``name``.
DEFAULT_MANIFEST = "sample.yaml"
#: The layers a manifest can say are synthetic (generated rather than real data).
SAMPLE_LAYERS = ("buurten", "zones", "voorzieningen", "network", "addresses")
LayerName = Literal["buurten", "zones", "voorzieningen", "network", "addresses"]
_MANIFEST_KEYS = frozenset({"gemeente", "buurten", "zones", "voorzieningen"})


class _BuurtenEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    codes: list[str] | None = None


class _SourceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layer: LayerName
    text: str
    date: str | int | None = None


class _Manifest(BaseModel):
    """The YAML of a sample manifest, as written (see data/sample/README.md)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    title: str | None = None
    gemeente: str
    synthetic: list[LayerName] = []
    buurten: str | _BuurtenEntry
    zones: str
    voorzieningen: list[dict[str, Any]]
    network: str | None = None
    addresses: str | None = None
    sources: list[_SourceEntry] = []


@dataclass(frozen=True)
class SampleEntry:
    """A sample found on the data path (``wsz import sample --list``), files not yet resolved."""

    name: str
    title: str
    gemeente: str
    synthetic: tuple[str, ...]
    path: Path


@dataclass(frozen=True)
class SampleManifest:
    """A sample manifest: which files make up a sample, which of them are synthetic, and their
    attribution. Paths are resolved along the data path (see data/sample/README.md)."""

    name: str
    title: str
    gemeente: str
    buurten: Path
    zones: Path
    voorzieningen: tuple[tuple[Path, ReadOptions], ...]
    #: Layers that are generated, not real data (a subset of :data:`SAMPLE_LAYERS`).
    synthetic: tuple[str, ...] = ()
    #: Only these buurten of the buurten file (None: every buurt of the gemeente).
    buurt_codes: tuple[str, ...] | None = None
    #: OSM extract (.osm.pbf or .osm) for the walking network, if the sample has one.
    network: Path | None = None
    #: An address table (read as a BAG table is) for the residents' address search, if any.
    addresses: Path | None = None
    #: Attribution per layer (``text``, ``date``) as the manifest gives it.
    sources: tuple[LayerSource, ...] = ()
    #: The manifest file itself.
    path: Path | None = None

    def provenance(self) -> Provenance:
        """Per layer the file names it is read from, whether it is synthetic and its
        attribution; what the store keeps and every view shows."""
        files: dict[str, list[Path]] = {
            "buurten": [self.buurten],
            "zones": [self.zones],
            "voorzieningen": [path for path, _ in self.voorzieningen],
        }
        if self.network is not None:
            files["network"] = [self.network]
        if self.addresses is not None:
            files["addresses"] = [self.addresses]
        layers = []
        for layer, paths in files.items():
            given = [s for s in self.sources if s.layer == layer]
            layers.append(
                LayerSource(
                    layer=layer,
                    source=", ".join(p.name for p in paths),
                    synthetic=layer in self.synthetic,
                    text="; ".join(s.text for s in given if s.text),
                    date=next((s.date for s in given if s.date), None),
                )
            )
        return Provenance(sample=self.name, title=self.title, layers=tuple(layers))


def list_samples(settings: Settings) -> tuple[SampleEntry, ...]:
    """Every sample manifest on the data path (the default first, then by name); for a name
    found twice, the earlier folder wins."""
    found: dict[str, SampleEntry] = {}
    for folder in settings.data_path:
        for path in sorted(Path(folder).glob("*.yaml")):
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                continue  # not a manifest (read_manifest reports errors of a named one)
            if not isinstance(raw, dict) or not set(raw) >= _MANIFEST_KEYS:
                continue
            name = str(raw.get("name") or path.stem)
            synthetic = raw.get("synthetic") or []
            found.setdefault(
                name,
                SampleEntry(
                    name=name,
                    title=str(raw.get("title") or name),
                    gemeente=str(raw.get("gemeente")),
                    synthetic=tuple(str(s) for s in synthetic if isinstance(synthetic, list)),
                    path=path,
                ),
            )
    # The default sample first, then by name.
    return tuple(sorted(found.values(), key=lambda s: (s.path.name != DEFAULT_MANIFEST, s.name)))


def _manifest_path(settings: Settings, name: str | None) -> Path:
    """The manifest of sample ``name`` (None: the default ``sample.yaml``); a file name ending
    in ``.yaml`` is looked up on the data path as it is."""
    if name is None or name.endswith((".yaml", ".yml")):
        return settings.find_data_file(name or DEFAULT_MANIFEST)
    samples = list_samples(settings)
    for sample in samples:
        if sample.name == name:
            return sample.path
    listing = ", ".join(f"{s.name} ({s.path})" for s in samples) or "none"
    searched = ", ".join(str(p) for p in settings.data_path)
    raise ConfigurationError(
        f"no sample named {name!r} in the data path ({searched}); samples found: {listing}"
    )


def read_manifest(settings: Settings, name: str | None = None) -> SampleManifest:
    """Read sample ``name``'s manifest (default: ``sample.yaml``) from the data path and resolve
    the files it names along the data path too.

    Raises :class:`ConfigurationError` for an unknown sample or a file not on the data path,
    and :class:`ReadError` for a manifest that cannot be read or has unknown keys.
    """
    path = _manifest_path(settings, name)
    manifest = _parsed_manifest(path)

    def find(key: str, name: str) -> Path:
        return _data_file(settings, path, key, name)

    buurten = manifest.buurten
    entry = buurten if isinstance(buurten, _BuurtenEntry) else _BuurtenEntry(path=buurten)
    sample_name = manifest.name or path.stem
    return SampleManifest(
        name=sample_name,
        title=manifest.title or sample_name,
        gemeente=manifest.gemeente,
        buurten=find("buurten", entry.path),
        zones=find("zones", manifest.zones),
        voorzieningen=_voorzieningen_entries(manifest, path, find),
        synthetic=tuple(manifest.synthetic),
        buurt_codes=tuple(entry.codes) if entry.codes is not None else None,
        network=find("network", manifest.network) if manifest.network else None,
        addresses=find("addresses", manifest.addresses) if manifest.addresses else None,
        sources=tuple(
            LayerSource(
                layer=s.layer,
                source="",
                text=s.text,
                date=str(s.date) if s.date is not None else None,
            )
            for s in manifest.sources
        ),
        path=path,
    )


def _parsed_manifest(path: Path) -> _Manifest:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        return _Manifest.model_validate(raw)
    except (OSError, yaml.YAMLError, YamlExpansionError) as exc:
        raise ReadError(f"{path}: cannot read the sample manifest: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'manifest'}: {e['msg']}" for e in exc.errors()
        )
        raise ReadError(
            f"{path}: not a valid sample manifest ({problems}); expected keys name, title, "
            "gemeente, synthetic, buurten, zones, voorzieningen, network, addresses, sources"
        ) from exc


def _data_file(settings: Settings, manifest: Path, key: str, name: str) -> Path:
    """The file ``name`` the manifest names for ``key``, found along the data path."""
    try:
        return settings.find_data_file(name)
    except ConfigurationError as exc:
        hint = (
            " (CBS buurten: wsz download buurten GMxxxx; OSM: wsz download osm)"
            if name.startswith(("cbs/", "osm/"))
            else ""
        )
        raise ConfigurationError(f"{manifest} ({key}): {exc}{hint}") from exc


def _voorzieningen_entries(
    manifest: _Manifest, path: Path, find: Callable[[str, str], Path]
) -> tuple[tuple[Path, ReadOptions], ...]:
    """Each voorzieningen file of the manifest with the options to read it."""
    entries = []
    for number, item in enumerate(manifest.voorzieningen, start=1):
        options = {k: v for k, v in item.items() if k != "path"}
        try:
            entries.append((find(f"voorzieningen {number}", item["path"]), ReadOptions(**options)))
        except (KeyError, TypeError, ValidationError) as exc:
            raise ReadError(
                f"{path}: voorzieningen entry {number} must be {{path, crs?, category?, "
                f"layer?, category_column?, x_column?, y_column?}}, got {item!r}"
            ) from exc
    return tuple(entries)


def sample_buurten(manifest: SampleManifest, vocabulary: Vocabulary) -> gpd.GeoDataFrame:
    """The sample's buurten: the gemeente's from the buurten file, only ``buurt_codes`` when
    the manifest lists them (in the file's order). Unknown codes are refused, all listed."""
    buurten = read_buurten(
        manifest.buurten, ReadOptions(gemeente=manifest.gemeente), vocabulary=vocabulary
    )
    if manifest.buurt_codes is None:
        return buurten
    unknown = sorted(set(manifest.buurt_codes) - set(buurten["bu_code"]))
    if unknown:
        raise ValueProblemError(
            f"{manifest.path}: buurt code(s) {', '.join(unknown)} not in {manifest.buurten} "
            f"(gemeente {manifest.gemeente})"
        )
    keep = buurten["bu_code"].isin(manifest.buurt_codes)
    return buurten[keep].reset_index(drop=True)
