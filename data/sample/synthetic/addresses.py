"""SYNTHETIC street names and addresses: a name on every street way of the generated network and
house numbers along the named streets, with postcodes plausible for Nieuwegein (3430-3439).

Names are drawn from their own generator (seeded with ``SEED + 1``), after the network is built,
so that naming changes no other draw. Consecutive ways of one lattice line with the same
``highway`` (as :func:`synthetic.lattice.chain` cut them) share a name. Every name ends in
" (synthetisch)". House numbers run along each street, odd on the left and even on the right,
one every :data:`HOUSE_STEP_M` metres, :data:`SETBACK_M` metres off the street; only points
inside the real buurten and clear of the barriers are kept. The four digits of the postcode
come from the wijk (3430 + the wijk's position, modulo 10), the two letters count up per
street side and block of :data:`POSTCODE_BLOCK` numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from synthetic.barriers import BARRIERS
from synthetic.common import SEED, SUFFIX, Network, Tags

#: Street ways that get a name (and addresses), with the name endings used for each.
NAMED: dict[str, tuple[str, ...]] = {
    "residential": ("straat", "laan", "hof", "singel", "dreef"),
    "living_street": ("hof", "erf", "gaarde"),
    "tertiary": ("weg", "baan"),
    "secondary": ("weg", "baan"),
    "unclassified": ("weg", "straat"),
    "pedestrian": ("plein", "passage"),
}
#: Word stems of the names (trees, birds, flowers, rivers, trades, stars, painters).
STEMS = (
    "Eiken", "Beuken", "Linden", "Esdoorn", "Iepen", "Wilgen", "Populieren", "Berken", "Kastanje",
    "Platanen", "Elzen", "Essen", "Lijster", "Merel", "Spreeuwen", "Zwaluw", "Reiger", "Kievit",
    "Meeuwen", "Fazant", "Uilen", "Vinken", "Mussen", "Kraaien", "Roos", "Tulp", "Narcis",
    "Krokus", "Iris", "Lelie", "Anjer", "Dahlia", "Seringen", "Hyacint", "Margriet", "Klaver",
    "Heide", "Maas", "Waal", "IJssel", "Vecht", "Dommel", "Eem", "Berkel", "Dinkel", "Regge",
    "Amstel", "Gein", "Hollandse", "IJssel", "Linge", "Smeden", "Bakkers", "Molenaars", "Kuipers",
    "Wevers", "Touwslagers", "Schippers", "Vissers", "Tuinders", "Boeren", "Orion", "Vega",
    "Sirius", "Pegasus", "Lyra", "Draco", "Castor", "Pollux", "Andromeda", "Cassiopeia",
    "Perseus", "Aquila", "Rembrandt", "Vermeer", "Hals", "Steen", "Ruisdael", "Hobbema", "Potter",
    "Cuyp", "Maes", "Dou", "Metsu", "Terborch",
)
#: Words put before a stem once every plain name is taken.
PREFIXES = ("", "Korte ", "Lange ", "Oude ", "Nieuwe ", "Kleine ", "Grote ")
HOUSE_STEP_M = 60.0
SETBACK_M = 11.0
POSTCODE_BLOCK = 16
#: Addresses are kept at least this far (metres) from a canal, river or motorway.
BARRIER_CLEARANCE_M = 20.0
CITY = "Nieuwegein"
HEADER = ("straat", "huisnummer", "postcode", "woonplaats", "x", "y")
#: Letter pairs Dutch postcodes do not use.
_UNUSED_LETTERS = {"SA", "SD", "SS"}


def name_streets(ways: list[tuple[list[int], Tags]]) -> list[tuple[list[int], Tags]]:
    """The ways with a ``name`` tag on every street way (see the module docstring)."""
    rng = np.random.default_rng(SEED + 1)
    stems = [STEMS[k] for k in rng.permutation(len(STEMS))]
    used: set[str] = set()
    named: list[tuple[list[int], Tags]] = []
    previous: tuple[int, str, str] | None = None  # (last node, highway, name)
    for nodes, tags in ways:
        highway = dict(tags).get("highway", "")
        if highway not in NAMED or "name" in dict(tags):
            named.append((nodes, tags))
            previous = None
            continue
        if previous is not None and previous[:2] == (nodes[0], highway):
            name = previous[2]
        else:
            name = _new_name(stems, NAMED[highway], used, rng)
        previous = (nodes[-1], highway, name)
        named.append((nodes, (*tags, ("name", name))))
    return named


def _new_name(
    stems: list[str], endings: tuple[str, ...], used: set[str], rng: np.random.Generator
) -> str:
    """A street name not used yet: a stem and an ending (then with "Korte", "Lange", ... before
    it), the stems taken in turn from a random start."""
    start = int(rng.integers(len(stems)))
    for prefix in PREFIXES:
        for offset in range(len(stems) * len(endings)):
            stem = stems[(start + offset) % len(stems)]
            ending = endings[(offset // len(stems) + start) % len(endings)]
            name = f"{prefix}{stem}{ending.lower() if prefix else ending}{SUFFIX}"
            if name not in used:
                used.add(name)
                return name
    raise SystemExit("too few street name stems for the synthetic network")


def make_addresses(
    network: Network, ways: list[tuple[list[int], Tags]], buurten: gpd.GeoDataFrame
) -> list[tuple[str, str, str, str, float, float]]:
    """Rows (street, house number, postcode, city, x, y in RD New) along the named streets."""
    lines: dict[str, list[NDArray[Any]]] = {}
    xy = np.asarray(network.xy)
    for nodes, tags in ways:
        values = dict(tags)
        if values.get("highway") in NAMED and "name" in values:
            lines.setdefault(values["name"], []).append(xy[nodes])
    outline = shapely.union_all(buurten.geometry.values)
    water = shapely.union_all([b.line.buffer(BARRIER_CLEARANCE_M) for b in BARRIERS])
    wijken = sorted(set(buurten["WK_CODE"]))
    area_of = {code: 3430 + (k % 10) for k, code in enumerate(wijken)}
    letters: dict[int, int] = {}
    rows: list[tuple[str, str, str, str, float, float]] = []
    for name in sorted(lines):
        for side in (1, -1):
            points = np.concatenate([_along(c, side) for c in lines[name]])
            keep = shapely.contains_xy(outline, points[:, 0], points[:, 1])
            keep &= ~shapely.contains_xy(water, points[:, 0], points[:, 1])
            points = points[keep]
            if len(points) == 0:
                continue
            wijk = _wijk_of(points, buurten)
            numbers = np.arange(len(points)) * 2 + (1 if side == 1 else 2)
            for k, ((x, y), number) in enumerate(
                zip(points.tolist(), numbers.tolist(), strict=True)
            ):
                if k % POSTCODE_BLOCK == 0:
                    digits = area_of[wijk[k]]
                    postcode = f"{digits} {_letters(letters, digits)}"
                rows.append((name, str(number), postcode, CITY, round(x, 1), round(y, 1)))
    return rows


def _along(coords: NDArray[Any], side: int) -> NDArray[Any]:
    """Points every HOUSE_STEP_M along a polyline (RD New), SETBACK_M to its left (side 1) or
    right (side -1); none within 15 m of its ends (the crossings)."""
    line = shapely.LineString(coords)
    distances = np.arange(15.0, line.length - 15.0, HOUSE_STEP_M)
    if len(distances) == 0:
        return np.empty((0, 2))
    here = shapely.get_coordinates(shapely.line_interpolate_point(line, distances))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(line, distances + 1.0))
    direction = ahead - here
    direction /= np.maximum(np.hypot(direction[:, 0], direction[:, 1]), 1e-9)[:, None]
    normal = np.column_stack([-direction[:, 1], direction[:, 0]]) * side
    result: NDArray[Any] = here + normal * SETBACK_M
    return result


def _wijk_of(points: NDArray[Any], buurten: gpd.GeoDataFrame) -> list[str]:
    """The wijk code of the buurt each point lies in."""
    tree = shapely.STRtree(buurten.geometry.values)
    where = tree.query(shapely.points(points), predicate="within")
    wijk = np.empty(len(points), dtype=object)
    wijk[where[0]] = buurten["WK_CODE"].to_numpy()[where[1]]
    return [str(w) for w in wijk]


def _letters(counters: dict[int, int], digits: int) -> str:
    """The next unused letter pair of postcode area ``digits`` (AA, AB, ...; SA, SD, SS never)."""
    while True:
        k = counters.get(digits, 0) % (26 * 26)
        counters[digits] = k + 1
        pair = chr(65 + k // 26) + chr(65 + k % 26)
        if pair not in _UNUSED_LETTERS:
            return pair


def write_addresses(rows: list[tuple[str, str, str, str, float, float]], path: Path) -> None:
    """Write the address rows as a CSV (``x``/``y`` in RD New), a header line first."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
