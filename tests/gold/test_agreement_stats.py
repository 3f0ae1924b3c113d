"""Our kappa and alpha against scikit-learn and the krippendorff package, on the same inputs."""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from backchannel.annotation.agreement.stats import (
    bootstrap_f1,
    cohen_kappa,
    encode_values,
    krippendorff_alpha_nominal,
    pair_f1,
    value_counts,
)


def _sk_kappa(a: list[int], b: list[int]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


def _kd_alpha(matrix: np.ndarray) -> float | None:
    data = np.where(matrix < 0, np.nan, matrix.astype(float))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 when one value: NaN
            return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return None


def test_kappa_hand_worked() -> None:
    # po = 2/3, pe = (1*1 + 2*1... ) : a = [0,1,1], b = [0,1,0]; marginals a (1,2), b (2,1)
    # pe = (1*2 + 2*1) / 9 = 4/9; kappa = (6/9 - 4/9) / (5/9) = 0.4
    assert cohen_kappa(np.array([0, 1, 1]), np.array([0, 1, 0])) == pytest.approx(0.4)


def test_kappa_drops_missing_and_is_none_when_undefined() -> None:
    assert cohen_kappa(np.array([0, -1, 1]), np.array([0, 1, 1])) == pytest.approx(1.0)
    assert cohen_kappa(np.array([2, 2]), np.array([2, 2])) is None
    assert cohen_kappa(np.array([-1]), np.array([0])) is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=60),
)
def test_kappa_matches_sklearn(pairs: list[tuple[int, int]]) -> None:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    ours = cohen_kappa(np.array(a), np.array(b))
    ref = _sk_kappa(a, b)
    if np.isnan(ref):
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


def test_alpha_hand_worked() -> None:
    # Krippendorff (2011), nominal: units (a,a), (b,b), (a,b): o = [[2,1],[1,2]], n = 6,
    # alpha = 1 - (n-1) * 2 / (36 - 18) = 1 - 5/9
    assert krippendorff_alpha_nominal(np.array([[2, 0], [0, 2], [1, 1]])) == pytest.approx(4 / 9)


def test_alpha_krippendorff_2011_example() -> None:
    # The 4 coders x 12 units nominal example of Krippendorff's "Computing Krippendorff's
    # Alpha-Reliability" (2011), alpha = 0.743; missing = -1.
    m = -1
    data = np.array(
        [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, m, m, m],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, m, 3],
            [m, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, m],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, m],
        ]
    )
    ours = krippendorff_alpha_nominal(value_counts(data))
    assert ours == pytest.approx(0.743, abs=5e-4)
    assert ours == pytest.approx(_kd_alpha(data), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda raters: st.lists(
            st.lists(st.integers(-1, 3), min_size=raters, max_size=raters), min_size=1, max_size=40
        )
    )
)
def test_alpha_matches_krippendorff_package(units: list[list[int]]) -> None:
    matrix = np.array(units).T  # raters x units
    ours = krippendorff_alpha_nominal(value_counts(matrix))
    ref = _kd_alpha(matrix)
    if ref is None or np.isnan(ref):
        assert ours is None
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


def test_value_counts_ignores_missing() -> None:
    matrix = np.array([[0, 1, -1], [0, -1, -1]])
    assert value_counts(matrix).tolist() == [[2, 0], [0, 1], [0, 0]]


def test_encode_values_shares_codes_and_maps_none() -> None:
    (a, b), values = encode_values(["x", None, "y"], ["y", "x", None])
    assert values == ["x", "y"]
    assert a.tolist() == [0, -1, 1]
    assert b.tolist() == [1, 0, -1]


def test_pair_f1_is_nan_for_two_empty_sets() -> None:
    out = pair_f1(np.array([1, 0]), np.array([2, 0]), np.array([2, 0]))
    assert out[0] == pytest.approx(0.5)
    assert np.isnan(out[1])


def test_bootstrap_is_seeded_and_brackets_a_constant() -> None:
    # every document has the same counts, so every resample has F1 = 2*1/(2+2) = 0.5
    counts = np.tile(np.array([1, 2, 2]).reshape(1, 3, 1, 1), (10, 1, 1, 1))
    low, high = bootstrap_f1(counts, resamples=50, seed=3)
    assert low.shape == (1, 2)
    assert low.tolist() == high.tolist() == [[0.5, 0.5]]


def test_bootstrap_interval_contains_the_point_estimate() -> None:
    rng = np.random.default_rng(0)
    inter = rng.integers(0, 5, size=(40, 1, 2))
    counts = np.concatenate([inter, inter + rng.integers(0, 3, size=(40, 1, 2)), inter + 1], axis=1)
    counts = counts.reshape(40, 3, 1, 2)
    tot = counts.sum(axis=0)
    point = pair_f1(tot[0], tot[1], tot[2])
    low, high = bootstrap_f1(counts, resamples=300, seed=1)
    assert np.all(low[0, :2] <= point[0]) and np.all(point[0] <= high[0, :2])
    again = bootstrap_f1(counts, resamples=300, seed=1)
    assert np.array_equal(again[0], low) and np.array_equal(again[1], high)


def test_bootstrap_without_resamples_gives_nan() -> None:
    low, high = bootstrap_f1(np.zeros((3, 3, 1, 1)), resamples=0, seed=0)
    assert np.isnan(low).all() and np.isnan(high).all()
