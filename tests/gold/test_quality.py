"""Per-annotator precision / recall / F1 against a gold version (strict match)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.annotation.agreement.quality import PRF, quality, quality_to_markdown
from backchannel.annotation.gold.adjudicate import adjudicate_file
from backchannel.errors import GoldError


def test_prf_rates() -> None:
    assert PRF.of(3, 1, 2) == PRF(
        tp=3, fp=1, fn=2, precision=0.75, recall=0.6, f1=pytest.approx(6 / 9)
    )
    assert PRF.of(0, 0, 0).f1 is None


def test_quality_against_adjudicated_gold(annotations_path: Path, tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    adjudicate_file(annotations_path, gold_dir)
    rep = quality(annotations_path, "v0001", directory=gold_dir)
    by = {q.annotator: q for q in rep.annotators}
    # gold d1: President Anna Reyes, phoned, the Kremlin, the grain deal; d2: all four spans.
    # alice marked exactly these (d3 is not in the gold): 8 TP.
    assert (by["alice"].spans.tp, by["alice"].spans.fp, by["alice"].spans.fn) == (8, 0, 0)
    # bob: "Anna Reyes" is FP, "President Anna Reyes" FN, the rest TP (7)
    assert (by["bob"].spans.tp, by["bob"].spans.fp, by["bob"].spans.fn) == (7, 1, 1)
    # carol (d1 only): PAR and phoned TP, "Kremlin" FP, "the Kremlin" and grain deal FN
    c = by["carol"]
    assert (c.documents, c.spans.tp, c.spans.fp, c.spans.fn) == (1, 2, 1, 2)
    assert c.per_label["ISSUE"].recall == 0.0
    assert c.per_label["VENUE"].f1 is None
    # relations: gold d1 has 3 and d2 the STANCE; carol has only phoned->PAR
    assert (c.relations.tp, c.relations.fp, c.relations.fn) == (1, 0, 2)
    md = quality_to_markdown(rep)
    assert "| carol | 1 | all spans | 0.667 | 0.500 | 0.571 | 2 | 1 | 2 |" in md


def test_gold_sharing_nothing_is_an_error(annotations_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text('{"id":"zzz","text":"a"}\n')
    with pytest.raises(GoldError, match="shares no document"):
        quality(annotations_path, other)
