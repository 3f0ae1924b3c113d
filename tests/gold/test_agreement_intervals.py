"""Kappa and alpha intervals: the sums they are resampled from give back the point figures."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.agreement.ci import (
    alpha_from_sums,
    categorical_intervals,
    kappa_from_sums,
    unit_sums,
)
from backchannel.annotation.agreement.stats import (
    cohen_kappa,
    krippendorff_alpha_nominal,
    value_counts,
)

codes = st.integers(min_value=-1, max_value=3)


@settings(max_examples=150, deadline=None)
@given(
    raters=st.integers(min_value=2, max_value=4),
    data=st.data(),
)
def test_sums_reproduce_kappa_and_alpha(raters: int, data: st.DataObject) -> None:
    units = data.draw(st.integers(min_value=1, max_value=25))
    matrix = np.array(
        [data.draw(st.lists(codes, min_size=units, max_size=units)) for _ in range(raters)]
    )
    if matrix.max() < 0:
        matrix[0, 0] = 0
    docs = np.array(data.draw(st.lists(st.integers(0, 4), min_size=units, max_size=units)))
    k = int(matrix.max()) + 1
    pairs = raters * (raters - 1) // 2
    totals = unit_sums(matrix, docs, 5).sum(axis=0)

    kappas = []
    for i in range(raters):
        for j in range(i + 1, raters):
            kappa = cohen_kappa(matrix[i], matrix[j])
            if kappa is not None:
                kappas.append(kappa)
    got = float(kappa_from_sums(totals, pairs, k))
    if kappas:
        assert np.isclose(got, np.mean(kappas))
    else:
        assert np.isnan(got)

    alpha = krippendorff_alpha_nominal(value_counts(matrix))
    got = float(alpha_from_sums(totals, pairs, k))
    assert np.isnan(got) if alpha is None else np.isclose(got, alpha)


def test_intervals_are_seeded_and_widen_with_disagreement() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, size=200)
    noisy = np.where(rng.random(200) < 0.3, rng.integers(0, 3, size=200), truth)
    docs = np.repeat(np.arange(40), 5)
    agree = np.vstack([truth, truth.copy()])
    differ = np.vstack([truth, noisy])
    first = categorical_intervals(
        [(agree, docs), (differ, docs)], 40, resamples=300, seed=7, confidence=0.95
    )
    again = categorical_intervals(
        [(agree, docs), (differ, docs)], 40, resamples=300, seed=7, confidence=0.95
    )
    assert first == again
    (k_same, a_same), (k_diff, a_diff) = first
    assert k_same == [1.0, 1.0] and a_same == [1.0, 1.0]
    point = cohen_kappa(differ[0], differ[1])
    assert k_diff[0] < point < k_diff[1] and k_diff[1] - k_diff[0] > 0.05
    alpha = krippendorff_alpha_nominal(value_counts(differ))
    assert a_diff[0] < alpha < a_diff[1]
    assert categorical_intervals([(differ, docs)], 40, resamples=0, seed=7, confidence=0.95) == [
        (None, None)
    ]
