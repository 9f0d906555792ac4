"""The plain-text reports ``wsz`` prints: coverage tables, sources, samples, the network."""

from __future__ import annotations

import pandas as pd

from geo.analysis import Analysis
from geo.errors import WszError
from geo.network.build import Network
from geo.read.samples import list_samples
from geo.settings import Settings
from geo.store.addresses import address_file
from geo.store.dataset import Dataset


def format_coverage(
    analysis: Analysis, zone_code: str | None = None, presence: pd.DataFrame | None = None
) -> str:
    """Coverage per zone as plain-text tables (one per zone, one row per category)."""
    dataset = analysis.dataset
    zones = dataset.zones
    if zone_code is not None:
        dataset.zone(zone_code)  # NotFoundError listing the known zones
        zones = zones[zones["zone_code"] == zone_code]
    coverage = analysis.coverage
    source = coverage.source.replace("_", " ")
    beside = " (straight line beside it)" if coverage.compared else ""
    blocks = [
        f"Coverage by {source} distance{beside}: share of residents further than the "
        "threshold from the nearest voorziening of each kind."
        + ("\n" + "\n".join(f"Note: {note}" for note in analysis.notes) if analysis.notes else "")
    ]
    for zone in zones.itertuples():
        figures = analysis.coverage.for_zone(str(zone.zone_code))
        heading = (
            f"{zone.zone_name} [{zone.zone_code}]: {_count(zone.residents)} residents, "
            f"{_count(zone.residents_65plus)} aged 65+, {zone.n_buurten} buurten"
        )
        blocks.append(heading + "\n" + _table(figures))
    if zone_code is None:
        blocks.append("All zones together\n" + _table(analysis.coverage.gemeente))
    if presence is not None and not presence.empty:
        blocks.append(format_presence_gaps(presence))
    return "\n\n".join(blocks)


#: How a presence norm reads: "ontmoetingsplek in every wijk".
LEVEL_WORDS = {"wijk": ("wijk", "wijken"), "zone": ("zone", "zones")}


def _norm_line(category: str, level: str, areas: pd.DataFrame) -> str:
    met = int(areas["met"].sum())
    plural = LEVEL_WORDS[level][1]
    return f"{category} in every {LEVEL_WORDS[level][0]}: {met} of {len(areas)} {plural} have one"


def format_presence_gaps(check: pd.DataFrame) -> str:
    """The presence norms (``geo.coverage.presence.presence_check``), one line each, and under
    it the areas without one (the gaps), with their residents."""
    lines = ["Presence norms (at least one in every wijk / zone): gaps"]
    for (category, level), areas in check.groupby(["category", "level"], sort=False):
        lines.append("  " + _norm_line(str(category), str(level), areas))
        for row in areas[~areas["met"].astype(bool)].itertuples():
            lines.append(
                f"    without: {row.area_name} [{row.area_code}], {_count(row.residents)} "
                f"residents, {_count(row.residents_65plus)} aged 65+"
            )
    return "\n".join(lines)


def format_presence(check: pd.DataFrame, *, gaps_only: bool = False) -> str:
    """Every area of every presence norm as a table (``wsz whatif norms``); with
    ``gaps_only`` the areas without one (the norm's line still counts them all)."""
    if check.empty:
        return (
            "No presence norms declared: add `presence: [wijk]` or `[zone]` to a category in "
            "the vocabulary (data/voorzieningen.yaml) or set WSZ_PRESENCE."
        )
    blocks = []
    for (category, level), areas in check.groupby(["category", "level"], sort=False):
        header = (
            f"  {level:<6} {'code':<12} {'name':<28} {'residents':>9} {'65+':>7} {'count':>5}  met"
        )
        shown = areas[~areas["met"].astype(bool)] if gaps_only else areas
        rows = [
            f"  {level:<6} {row.area_code!s:<12} {str(row.area_name)[:28]:<28} "
            f"{_count(row.residents):>9} {_count(row.residents_65plus):>7} "
            f"{int(row.voorzieningen):>5}  {'yes' if row.met else 'NO'}"
            for row in shown.itertuples()
        ]
        line = _norm_line(str(category), str(level), areas)
        blocks.append("\n".join([line, header, "  " + "-" * (len(header) - 2), *rows]))
    return "\n\n".join(blocks)


def _table(figures: pd.DataFrame) -> str:
    """One row per category; by walking, the straight-line share and mean and the detour
    factor (walking ÷ straight line) stand beside the walking figures."""
    compared = "detour_factor" in figures
    header = (
        f"  {'category':<20} {'norm':>7} {'beyond':>9} {'share':>6} {'65+ share':>9} "
        f"{'mean':>7} {'max':>7}"
    )
    if compared:
        header += f" | {'straight':>8} {'mean':>7} {'detour':>6}"
    lines = [header, "  " + "-" * (len(header) - 2)]
    for row in figures.itertuples():
        line = (
            f"  {row.category!s:<20} {row.threshold_m:>5.0f} m {_count(row.residents_beyond):>9} "
            f"{_percent(row.share_beyond):>6} {_percent(row.share_65plus_beyond):>9} "
            f"{_metres(row.mean_distance_m):>7} {_metres(row.max_distance_m):>7}"
        )
        if compared:
            line += (
                f" | {_percent(row.share_beyond_straight):>8} "
                f"{_metres(row.mean_distance_straight_m):>7} {_factor(row.detour_factor):>6}"
            )
        lines.append(line)
    return "\n".join(lines)


def _factor(value: object) -> str:
    return "n/a" if pd.isna(value) else f"×{float(value):.2f}"  # type: ignore[arg-type]


def _count(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def _percent(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{100 * float(value):.0f}%"  # type: ignore[arg-type]


def _metres(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):.0f} m"  # type: ignore[arg-type]


def feature_report(error: WszError) -> list[str]:
    """One line per feature at fault (index from 0, id, reason), then "… and N more"."""
    problems = getattr(error, "problems", ())
    lines = [f"  feature {p.index}{f' ({p.id})' if p.id else ''}: {p.reason}" for p in problems]
    more = int(getattr(error, "total", 0)) - len(problems)
    if more > 0:
        lines.append(f"  … and {more} more")
    return lines


def format_sources(dataset: Dataset) -> str:
    """Where each layer comes from, and which are SYNTHETIC (generated, not real data)."""
    provenance = dataset.provenance
    lines = [f"Sample {provenance.sample}: {provenance.title}"] if provenance.sample else []
    synthetic = ", ".join(provenance.synthetic)
    lines.append(
        f"Synthetic (generated, not real data): {synthetic}."
        if synthetic
        else "No synthetic parts: every layer is real data."
    )
    for source in provenance.layers:
        kind = "SYNTHETIC" if source.synthetic else "real"
        text = f" ({source.text})" if source.text else ""
        lines.append(f"  {source.layer:<14}{kind:<10} {source.source}{text}")
    return "\n".join(lines)


def format_samples(settings: Settings) -> str:
    """The samples on the data path: name, title, synthetic parts and manifest file."""
    samples = list_samples(settings)
    if not samples:
        searched = ", ".join(str(p) for p in settings.data_path)
        return f"No sample manifests in the data path ({searched})."
    lines = []
    for sample in samples:
        synthetic = ", ".join(sample.synthetic) or "none"
        lines.append(
            f"{sample.name:<14}{sample.title}\n{'':<14}synthetic: {synthetic}; {sample.path}"
        )
    return "\n".join(lines)


def summary(dataset: Dataset) -> str:
    outside = int(dataset.voorzieningen["zone_code"].isna().sum())
    return (
        f"Store holds {len(dataset.buurten)} buurten, {len(dataset.zones)} zones and "
        f"{len(dataset.voorzieningen)} voorzieningen ({outside} outside every zone)."
    )


def format_addresses(table: pd.DataFrame, settings: Settings) -> str:
    """What an address import kept: counts per woonplaats and where it is stored."""
    cities = table["city"].fillna("(geen woonplaats)").value_counts()
    listing = ", ".join(f"{city} {count:,}" for city, count in cities.head(8).items())
    return (
        f"{len(table):,} addresses imported for address search ({listing}); stored in "
        f"{address_file(settings.store_path)}"
    )


def format_network(network: Network | None, settings: Settings) -> str:
    """What the active walking network is: extract, hash, and per profile its summary."""
    if network is None:
        return (
            "No walking network: distances are straight lines. Build one with "
            "`wsz network build EXTRACT.osm.pbf` (wsz download osm --gemeente GMxxxx fetches "
            "an extract)."
        )
    lines = [
        f"Walking network from {network.source.extract}",
        f"  sha256 {network.source.sha256[:16]}…, built {network.source.built}, cache "
        f"{settings.network_cache}",
    ]
    for profile in network.source.profiles:
        speed = settings.speed_m_per_s(profile)
        lines.append(f"  {profile} ({speed:g} m/s):")
        lines += [f"    {line}" for line in network.graph(profile).report.lines()]
    return "\n".join(lines)
