"""Splits by article: parsing, exact shares, reproducibility, near-duplicates together."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.export.splits import assign_splits, parse_splits
from backchannel.errors import InputError


def test_parse_splits() -> None:
    assert parse_splits("80/10/10") == [("train", 0.8), ("validation", 0.1), ("test", 0.1)]
    assert parse_splits("90/10") == [("train", 0.9), ("test", 0.1)]
    assert parse_splits("100") == [("train", 1.0)]
    assert parse_splits("0.8/0.1/0.1") == [("train", 0.8), ("validation", 0.1), ("test", 0.1)]
    assert parse_splits("0.7/0.2/0.1")[0] == ("train", 0.7 / (0.7 + 0.2 + 0.1))
    assert parse_splits("1") == [("train", 1.0)]


@pytest.mark.parametrize("bad", ["80/10/10/0", "eighty", "", "-10/110", "0/0", "nan/100"])
def test_parse_splits_refuses(bad: str) -> None:
    with pytest.raises(InputError, match="--splits"):
        parse_splits(bad)


@pytest.mark.parametrize(
    ("spec", "total"), [("50/60/10", "120"), ("9/1", "10"), ("0.5/0.4", "0.9"), ("80/10", "90")]
)
def test_parse_splits_refuses_a_sum_other_than_100_or_1(spec: str, total: str) -> None:
    """Before, 50/60/10 was rescaled to 42/50/8 without a word."""
    with pytest.raises(InputError) as info:
        parse_splits(spec)
    assert info.value.one_line() == (
        f"--splits '{spec}': the shares sum to {total}; they must sum to 100 "
        "(percentages, like 80/10/10) or to 1.0 (fractions, like 0.8/0.1/0.1)"
    )


def test_ten_articles_split_eight_one_one() -> None:
    ids = [(f"d{i}", None) for i in range(10)]
    plan = assign_splits(ids, parse_splits("80/10/10"), seed=13)
    assert plan.counts == {"train": 8, "validation": 1, "test": 1}
    assert sorted(plan.assignment) == sorted(i for i, _ in ids)


def test_same_seed_same_plan_any_order() -> None:
    ids = [(f"d{i}", None) for i in range(50)]
    a = assign_splits(ids, parse_splits("80/10/10"), seed=5)
    b = assign_splits(list(reversed(ids)), parse_splits("80/10/10"), seed=5)
    c = assign_splits(ids, parse_splits("80/10/10"), seed=6)
    assert a.assignment == b.assignment
    assert a.assignment != c.assignment


def test_near_duplicate_chain_stays_together() -> None:
    # c -> b -> a, and a duplicate of an article outside the gold (x)
    ids = [("a", None), ("b", "a"), ("c", "b"), ("d", "x"), ("e", "x")] + [
        (f"z{i}", None) for i in range(20)
    ]
    for seed in range(20):
        plan = assign_splits(ids, parse_splits("34/33/33"), seed=seed)
        assert plan.assignment["a"] == plan.assignment["b"] == plan.assignment["c"]
        assert plan.assignment["d"] == plan.assignment["e"]
        assert "x" not in plan.assignment


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 60),
    links=st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=30),
    seed=st.integers(0, 10**6),
    weights=st.sampled_from(["80/10/10", "50/50", "100", "70/15/15"]),
)
def test_groups_never_cross_splits(
    n: int, links: list[tuple[int, int]], seed: int, weights: str
) -> None:
    dup = {}
    for a, b in links:
        if a < n and b < n and a != b:
            dup[f"d{a}"] = f"d{b}"
    ids = [(f"d{i}", dup.get(f"d{i}")) for i in range(n)]
    plan = assign_splits(ids, parse_splits(weights), seed=seed)
    assert sum(plan.counts.values()) == n
    for a, b in dup.items():
        assert plan.assignment[a] == plan.assignment[b]
    if not dup:  # no groups: every split is within one article of its target
        for name, share in parse_splits(weights):
            assert abs(plan.counts[name] - share * n) <= 1
