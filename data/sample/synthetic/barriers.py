"""The BARRIERS: lines residents cannot walk across (the Merwedekanaal, the Amsterdam-Rijnkanaal,
the Lekkanaal, the Lek, the A2 and the A27), along their approximate real courses in RD New."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from synthetic.common import XY, Network, Tags


@dataclass(frozen=True)
class Barrier:
    """A line residents cannot walk across: a canal, river or motorway (RD New metres)."""

    name: str
    tags: Tags
    coords: tuple[XY, ...]
    #: No street node closer than this to the centre line (metres): half the width plus a verge.
    clearance_m: float

    @property
    def line(self) -> shapely.LineString:
        return shapely.LineString(self.coords)


BARRIERS: tuple[Barrier, ...] = (
    Barrier(
        "Amsterdam-Rijnkanaal",
        (("name", "Amsterdam-Rijnkanaal"), ("waterway", "canal")),
        # North of Galecop (beyond the A12), past the tip of Huis de Geer to the Plofsluis,
        # then south-east between Plettenburg and Laagraven, on between Het Klooster and
        # Laagraven towards Wijk bij Duurstede.
        (
            (132_400.0, 454_400.0),
            (133_900.0, 453_300.0),
            (135_120.0, 452_440.0),
            (135_590.0, 451_380.0),
            (135_850.0, 450_505.0),
            (136_125.0, 449_575.0),
            (136_790.0, 449_160.0),
            (137_900.0, 448_550.0),
        ),
        35.0,
    ),
    Barrier(
        "Merwedekanaal",
        (("name", "Merwedekanaal"), ("waterway", "canal")),
        # From the Plofsluis on the Amsterdam-Rijnkanaal south-south-west along Huis de Geer,
        # Zuilenstein and Jutphaas (Rijnhuizen east of it), south-east between Merwestein and
        # Rijnhuizen, south between Fokkesteeg and De Wiers to De Punt, and along the west side
        # of Vreeswijk (Koninginnensluis) to the Lek.
        (
            (135_590.0, 451_380.0),
            (135_217.0, 450_455.0),
            (134_969.0, 449_978.0),
            (134_652.0, 449_398.0),
            (135_102.0, 448_800.0),
            (135_142.0, 448_207.0),
            (135_132.0, 447_549.0),
            (135_071.0, 447_104.0),
            (134_941.0, 446_958.0),
            (134_768.0, 446_380.0),
            (134_607.0, 445_954.0),
            (134_560.0, 445_800.0),
        ),
        25.0,
    ),
    Barrier(
        "Merwedekanaal (noord)",
        (("name", "Merwedekanaal"), ("waterway", "canal")),
        # From Utrecht (Kanaleneiland) to the Amsterdam-Rijnkanaal at the tip of Huis de Geer.
        ((134_950.0, 453_400.0), (135_120.0, 452_440.0)),
        25.0,
    ),
    Barrier(
        "Lekkanaal",
        (("name", "Lekkanaal"), ("waterway", "canal")),
        # From the Amsterdam-Rijnkanaal south between Plettenburg / De Wiers / Vreeswijk and
        # Het Klooster to the Prinses Beatrixsluis on the Lek.
        (
            (136_125.0, 449_575.0),
            (136_138.0, 448_169.0),
            (135_754.0, 447_008.0),
            (135_375.0, 446_112.0),
            (135_330.0, 445_930.0),
        ),
        35.0,
    ),
    Barrier(
        "Lek",
        (("name", "Lek"), ("waterway", "river")),
        (
            (132_900.0, 445_250.0),
            (133_733.0, 445_420.0),
            (134_607.0, 445_880.0),
            (135_375.0, 446_040.0),
            (136_234.0, 445_890.0),
            (136_621.0, 445_690.0),
            (137_600.0, 445_450.0),
        ),
        60.0,
    ),
    Barrier(
        "A2",
        (("highway", "motorway"), ("ref", "A2"), ("name", "A2 (synthetisch)")),
        # Along the west boundary (IJsselstein beyond it), over the Lek towards Vianen.
        (
            (132_350.0, 454_000.0),
            (132_700.0, 452_300.0),
            (132_700.0, 450_370.0),
            (132_640.0, 448_700.0),
            (132_860.0, 447_850.0),
            (133_230.0, 446_850.0),
            (133_460.0, 446_150.0),
            (133_650.0, 445_400.0),
            (133_800.0, 444_800.0),
        ),
        30.0,
    ),
    Barrier(
        "A27",
        (("highway", "motorway"), ("ref", "A27"), ("name", "A27 (synthetisch)")),
        # Through Laagraven and Het Klooster (Houten beyond it), over the Lek.
        (
            (137_250.0, 453_000.0),
            (137_050.0, 451_850.0),
            (136_920.0, 450_600.0),
            (136_840.0, 449_300.0),
            (136_770.0, 448_200.0),
            (136_680.0, 447_100.0),
            (136_600.0, 446_300.0),
            (136_520.0, 445_300.0),
        ),
        30.0,
    ),
)
BARRIER_BY_NAME = {b.name: b for b in BARRIERS}


def barrier_free(segments: NDArray[Any]) -> NDArray[Any]:
    """True for segments (shapely lines) that touch no barrier (with an 8 m margin)."""
    free = np.ones(len(segments), dtype=bool)
    for barrier in BARRIERS:
        free &= ~shapely.intersects(segments, barrier.line.buffer(8.0))
    return free


def barrier_ways(network: Network, extent: shapely.Polygon) -> list[tuple[list[int], Tags]]:
    """The barriers as ways, cut to ``extent`` and with a node every 100 m or so."""
    ways = []
    for barrier in BARRIERS:
        line = shapely.intersection(barrier.line, extent)
        for part in shapely.get_parts(line):
            dense = shapely.segmentize(part, 100.0)
            nodes = [network.add_node((round(px, 1), round(py, 1))) for px, py in dense.coords]
            ways.append((nodes, tuple(sorted(barrier.tags))))
    return ways
