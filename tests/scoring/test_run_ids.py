"""``run_ids`` packs small keys into one int64: same order and runs as a lexicographic sort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backchannel.eval.scoring.relations import run_ids

_keys = st.integers(1, 7).flatmap(
    lambda k: arrays(
        np.int64, st.tuples(st.integers(1, 60), st.just(k)), elements=st.integers(0, 40)
    )
)


@given(_keys)
@settings(max_examples=200, deadline=None)
def test_packed_sort_equals_lexsort(keys: np.ndarray) -> None:
    order, run, n_runs = run_ids(keys)
    assert order.tolist() == np.lexsort(keys.T[::-1]).tolist()  # stable, same tie order
    s = keys[order]
    assert n_runs == len({tuple(r) for r in keys.tolist()})
    assert all((run[i] == run[i - 1]) == (s[i] == s[i - 1]).all() for i in range(1, len(s)))


def test_wide_or_negative_keys_fall_back_to_lexsort() -> None:
    wide = np.array([[2**40, 2**40, 1], [2**40, 2**40, 0], [0, 0, 0]], dtype=np.int64)
    negative = np.array([[0, -1], [0, -2], [-1, 5]], dtype=np.int64)
    for keys in (wide, negative):
        order, run, n_runs = run_ids(keys)
        assert order.tolist() == np.lexsort(keys.T[::-1]).tolist()
        assert n_runs == 3 and run.tolist() == [0, 1, 2]
