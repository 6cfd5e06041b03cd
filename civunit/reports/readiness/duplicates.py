"""Finding photos that look alike: the pairs of 64-bit perceptual hashes within a Hamming distance, without
comparing every photo with every other.

Pigeonhole: split the 64 bits into `distance + 1` blocks; two hashes that differ in at most `distance` bits agree
exactly on at least one block. For each block the hashes are sorted by that block's value, and only neighbours
with the same value are compared (in numpy, one vectorised step per neighbour offset). Photos whose blocks are
spread evenly share a block with few others, so the work grows with the number of photos, not its square.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

BITS = 64
_MASK = (1 << BITS) - 1


def _blocks(distance: int) -> list[tuple[int, int]]:
    """(shift, width) of `distance + 1` blocks covering the 64 bits, as even as they can be."""
    count = min(max(distance, 0) + 1, BITS)
    widths = [BITS // count + (1 if i < BITS % count else 0) for i in range(count)]
    blocks, shift = [], 0
    for width in widths:
        blocks.append((shift, width))
        shift += width
    return blocks


def near_pairs(hashes: Sequence[int], distance: int) -> set[tuple[int, int]]:
    """The index pairs (i < j) of `hashes` (signed or unsigned 64-bit integers) that differ in at most `distance`
    bits. Equal hashes pair too."""
    return _near_pairs(_as_array(hashes), distance)


def _as_array(hashes: Sequence[int]) -> NDArray[np.uint64]:
    """Signed (as stored) or unsigned hashes as unsigned 64-bit numbers."""
    unsigned = (h & _MASK for h in hashes)
    signed = [u - (1 << BITS) if u >> (BITS - 1) else u for u in unsigned]
    return np.array(signed, dtype=np.int64).view(np.uint64)


def _near_pairs(values: NDArray[np.uint64], distance: int) -> set[tuple[int, int]]:
    n = len(values)
    found: set[tuple[int, int]] = set()
    if n < 2:
        return found
    for shift, width in _blocks(distance):
        mask = np.uint64((1 << width) - 1)
        keys = (values >> np.uint64(shift)) & mask
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        sorted_values = values[order]
        offset = 1
        while offset < n:
            same = sorted_keys[offset:] == sorted_keys[:-offset]
            if not same.any():
                break  # sorted: no run of equal keys is longer than this offset
            close = same & (np.bitwise_count(sorted_values[offset:] ^ sorted_values[:-offset]) <= distance)
            for k in np.flatnonzero(close):
                a, b = int(order[k]), int(order[k + offset])
                found.add((a, b) if a < b else (b, a))
            offset += 1
    return found


def similar_groups(hashes: Sequence[int], distance: int) -> list[list[int]]:
    """The indices of `hashes` grouped by likeness: two hashes within `distance` bits are in one group, and so
    (transitively) are their own near ones. Each group sorted, groups of one left out. Equal hashes are
    compared once, however many photos share them."""
    if len(hashes) < 2:
        return []
    unique, inverse, counts = np.unique(_as_array(hashes), return_inverse=True, return_counts=True)
    # the indices holding each unique value: order[starts[u] : starts[u] + counts[u]]
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    pairs = _near_pairs(unique, distance)
    groups = []
    for group in _joined(len(unique), pairs, keep=set(np.flatnonzero(counts > 1).tolist())):
        indices = sorted(int(i) for u in group for i in order[starts[u] : starts[u] + counts[u]])
        groups.append(indices)
    return groups


def _joined(count: int, pairs: Iterable[tuple[int, int]], *, keep: set[int]) -> list[list[int]]:
    """The groups of 0 … count - 1 joined by `pairs` (union-find) with more than one member, or holding one of
    `keep`."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = list(pairs)
    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in {i for pair in pairs for i in pair} | keep:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())
