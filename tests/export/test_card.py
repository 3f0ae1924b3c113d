"""The card's pieces: escaping, size buckets, defensive reading of agreement JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.annotation.export.card import agreement_rows, load_agreement, md, size_category
from backchannel.errors import InputError


@pytest.mark.parametrize(
    ("n", "bucket"),
    [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (50_000, "10K<n<100K"), (10**6, "1M<n<10M")],
)
def test_size_category(n: int, bucket: str) -> None:
    assert size_category(n) == bucket


def test_md_escapes_html_and_tables() -> None:
    assert md("<img src=x onerror=alert(1)>|*x*") == (
        "&lt;img src=x onerror=alert(1)&gt;\\|\\*x\\*"
    )
    assert md("two\nlines") == "two lines"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"overall": None},
        {"overall": "high"},
        {"overall": {"strict": {"f1": float("nan")}}},
        {"overall": [0.5, 0.6]},
        {"per_label": {"ACTOR": {"f1": True}}},
    ],
)
def test_agreement_rows_invent_nothing(data: dict) -> None:
    assert agreement_rows(data) == []


def test_agreement_rows_read_several_shapes() -> None:
    rows = agreement_rows(
        {
            "overall": {"x": 0.5, "y": {"value": 0.6, "ci": [0.5, 0.7]}, "z": {"estimate": 0.1}},
            "per_label": {"X": {"mean": 0.2, "lower": 0.1, "upper": 0.3, "n": 7}},
        }
    )
    got = [(r.section, r.measure, r.value, r.ci, r.n) for r in rows]
    assert got == [
        ("overall", "x", 0.5, None, None),
        ("overall", "y", 0.6, (0.5, 0.7), None),
        ("overall", "z", 0.1, None, None),
        ("per_label", "X", 0.2, (0.1, 0.3), 7),
    ]


def test_load_agreement_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such agreement file"):
        load_agreement(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="must be an object"):
        load_agreement(bad)
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read agreement JSON"):
        load_agreement(bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"overall": {"strict": {"f1": 1.0}}}), encoding="utf-8")
    assert load_agreement(good)["overall"]["strict"]["f1"] == 1.0
