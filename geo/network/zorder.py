"""Z-order (Morton order): an ordering of points in which points close on the map are mostly
close in the order too.

Looking points up in a k-d tree in this order keeps the tree's nodes and the candidates'
arrays in the CPU cache (a random order misses it on almost every lookup); the answers do not
depend on the order. Coordinates in any one CRS (RD New in this project).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Bits per axis: a 65,536 × 65,536 grid over the points' bounding square.
BITS = 16


def _spread(v: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """The 16 low bits of each value moved to the even bit positions (bit i → bit 2i)."""
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint32(shift))) & np.uint32(mask)
    return v


def z_codes(xy: NDArray[np.float64]) -> NDArray[np.uint32]:
    """The Morton code of each ``(x, y)`` row on a grid over the points' bounding square."""
    if len(xy) == 0:
        return np.zeros(0, dtype=np.uint32)
    low = xy.min(axis=0)
    span = float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]))) or 1.0
    cells = ((xy - low) * ((2**BITS - 1) / span)).astype(np.uint32)
    codes: NDArray[np.uint32] = _spread(cells[:, 0]) | (_spread(cells[:, 1]) << np.uint32(1))
    return codes


def z_order(xy: NDArray[np.float64]) -> NDArray[np.int64]:
    """The row numbers of ``xy`` in Z-order (a permutation)."""
    order: NDArray[np.int64] = np.argsort(z_codes(xy)).astype(np.int64)
    return order
