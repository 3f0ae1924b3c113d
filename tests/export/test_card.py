"""The card's pieces: escaping, size buckets, defensive reading of agreement JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backchannel.annotation.export.card_agreement import agreement_rows, load_agreement
from backchannel.annotation.export.card_metadata import size_category
from backchannel.errors import InputError


@pytest.mark.parametrize(
    ("n", "bucket"),
    [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (50_000, "10K<n<100K"), (10**6, "1M<n<10M")],
)
def test_size_category(n: int, bucket: str) -> None:
    assert size_category(n) == bucket


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


REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpora" / "diplomacy"


@pytest.fixture(scope="module")
def real_agreement(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``backchannel agree --format json`` on the bundled annotations (3 annotators, 42 docs)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("agree") / "agreement.json"
    exe = str(Path(sys.executable).with_name("backchannel"))
    subprocess.run(
        [exe, "agree", str(CORPUS / "annotations.jsonl"), "--format", "json", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    return out


def test_kappa_and_alpha_rows_of_a_real_agree_file_have_intervals(real_agreement: Path) -> None:
    data = load_agreement(real_agreement)
    rows = agreement_rows(data, limit=1000)
    chance = [r for r in rows if r.measure.endswith(("cohen_kappa", "krippendorff_alpha"))]
    assert {r.section for r in chance} == {"attributes", "stance", "doc_labels"}
    for row in chance:
        assert row.ci is not None, row
        assert row.ci[0] <= row.value + 1e-9 and row.value <= row.ci[1] + 1e-9, row
    framing = {r.measure: r for r in chance if r.section == "doc_labels"}
    kappa = framing["framing.cohen_kappa"]
    assert kappa.ci == tuple(data["doc_labels"]["framing"]["cohen_kappa_ci"])
    assert kappa.ci[1] - kappa.ci[0] > 0.05  # 42 articles: a real interval, not a point
    # the interval keys are read as intervals, never as figures of their own
    assert not any(r.measure.endswith("_ci") for r in rows)


def test_exported_card_shows_the_intervals_and_no_fake_link(
    real_agreement: Path, tmp_path: Path
) -> None:
    from backchannel.annotation.export.dataset import export_dataset

    out = tmp_path / "dataset"
    export_dataset(CORPUS / "gold.jsonl", out, agreement=real_agreement, docbin=False, events=False)
    card = (out / "README.md").read_text(encoding="utf-8")
    kappa_rows = [line for line in card.splitlines() if "cohen_kappa" in line]
    alpha_rows = [line for line in card.splitlines() if "krippendorff_alpha" in line]
    assert kappa_rows and alpha_rows
    assert not [line for line in kappa_rows + alpha_rows if "n/a" in line]
    assert "example.invalid" not in card
    assert "https://" not in card.split("## Citation")[0]  # no link the project cannot vouch for


def test_pyproject_names_no_fake_url() -> None:
    assert "example.invalid" not in (REPO / "pyproject.toml").read_text(encoding="utf-8")
