"""One-to-one matching of spans: the one assignment solver behind scoring and agreement.

Both sides of the project pair spans of two sources one to one: :mod:`backchannel.eval.scoring`
pairs gold with predicted spans under the SemEval-2013 schemas, and
:mod:`backchannel.annotation.agreement` pairs two annotators' overlapping spans.  Either way
the pairing is an assignment problem over a small matrix of edge weights (one cluster of
mutually overlapping spans), solved exactly by :func:`scipy.optimize.linear_sum_assignment`
(Jonker-Volgenant), never greedily: a greedy scan depends on list order.

Offsets are half-open Python ``str`` indices: ``[0, 5)`` and ``[5, 8)`` do not overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["assign", "overlap_matches", "overlaps"]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when half-open intervals ``a`` and ``b`` share at least one character.

    Example:
        >>> overlaps((0, 5), (4, 8)), overlaps((0, 5), (5, 8))
        (True, False)
    """
    return a[0] < b[1] and b[0] < a[1]


def assign(weight: np.ndarray) -> list[tuple[int, int]]:
    """The one-to-one pairing of rows with columns that maximises the total weight.

    Zero-weight cells are non-edges: a pair the solver puts on one is dropped, so every pair
    returned has a positive weight.  Callers encode priorities in the weights (scoring: credit
    first, then the number of pairs).

    Example:
        >>> assign(np.array([[1, 1], [1, 0]]))
        [(0, 1), (1, 0)]
    """
    if weight.size == 0:
        return []
    from scipy.optimize import linear_sum_assignment  # scipy costs ~0.2 s: only when matching

    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if weight[r, c] > 0]


def overlap_matches(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """Size of a maximum one-to-one matching between overlapping half-open intervals.

    Example:
        >>> overlap_matches([(0, 10)], [(0, 3), (5, 8)])
        1
    """
    if not a or not b:
        return 0
    weight = np.array([[1 if overlaps(x, y) else 0 for y in b] for x in a], dtype=np.int64)
    return len(assign(weight))
