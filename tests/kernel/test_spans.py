"""The one span-matching solver: exact maximum matchings, checked against brute force."""

from __future__ import annotations

from itertools import permutations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.spans import assign, overlap_matches, overlaps

interval = st.tuples(st.integers(0, 30), st.integers(1, 8)).map(lambda t: (t[0], t[0] + t[1]))


def _brute_force(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Largest number of disjoint overlapping pairs, by trying every injection."""
    if len(a) > len(b):
        a, b = b, a
    best = 0
    for perm in permutations(range(len(b)), len(a)):
        best = max(best, sum(overlaps(x, b[j]) for x, j in zip(a, perm, strict=True)))
    return best


def test_touching_intervals_do_not_overlap() -> None:
    assert not overlaps((0, 5), (5, 8))
    assert overlaps((0, 5), (4, 8))


def test_one_long_span_against_two_short_ones_pairs_once() -> None:
    assert overlap_matches([(0, 10)], [(0, 3), (5, 8)]) == 1


def test_a_greedy_choice_would_lose_a_pair() -> None:
    # pairing (0, 10) with (9, 11) first, as a greedy scan might, leaves (8, 12) alone
    assert overlap_matches([(0, 10), (8, 12)], [(9, 11), (0, 5)]) == 2


def test_assign_drops_zero_weight_cells() -> None:
    assert assign(np.array([[0, 0], [0, 3]])) == [(1, 1)]
    assert assign(np.zeros((0, 0))) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(interval, max_size=5), st.lists(interval, max_size=5))
def test_overlap_matches_is_the_maximum_matching(a, b) -> None:
    assert overlap_matches(a, b) == _brute_force(a, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(interval, max_size=5), st.lists(interval, max_size=5))
def test_overlap_matches_is_symmetric_and_order_free(a, b) -> None:
    assert overlap_matches(a, b) == overlap_matches(b, a) == overlap_matches(a[::-1], b[::-1])
