"""``score()`` end to end on files: relations, stance, attributes, joining, errors."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from scoring_helpers import TEXT, doc, write_pair

from backchannel.documents import Document, Relation, Span, write_documents
from backchannel.errors import DocumentError, InputError
from backchannel.eval.scoring.scorer import score

FAVOR, AGAINST = {"polarity": "favor"}, {"polarity": "against"}
ROLE = {"role": "participant"}


def _relation_fixture() -> tuple[Document, Document]:
    # gold spans: 0 ACTOR [0,5), 1 CHANNEL [10,15), 2 ACTOR [20,25), 3 ISSUE [30,35),
    #             4 ACTOR [40,45)
    gold = doc(
        "d1",
        [(0, 5, "ACTOR"), (10, 15, "CHANNEL"), (20, 25, "ACTOR"), (30, 35, "ISSUE"),
         (40, 45, "ACTOR")],
        [(1, 0, "PARTICIPANT", ROLE), (1, 2, "PARTICIPANT", ROLE), (1, 3, "ABOUT", {}),
         (0, 4, "STANCE", FAVOR), (0, 3, "STANCE", AGAINST)],
    )  # fmt: skip
    # predicted: span 2 one character short, span 3 labelled ACTOR instead of ISSUE, no ABOUT,
    # and the stance 0->4 with the other polarity.
    pred = doc(
        "d1",
        [(0, 5, "ACTOR"), (10, 15, "CHANNEL"), (20, 24, "ACTOR"), (30, 35, "ACTOR"),
         (40, 45, "ACTOR")],
        [(1, 0, "PARTICIPANT", ROLE), (1, 2, "PARTICIPANT", ROLE),
         (0, 4, "STANCE", AGAINST), (0, 3, "STANCE", AGAINST)],
    )  # fmt: skip
    return gold, pred


def test_relations_strict_and_boundaries(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, *map(lambda d: [d], _relation_fixture()))
    r = score(g, p, bootstrap=0).to_dict()["relations"]
    # strict: PARTICIPANT(1->0) and STANCE(0->4) agree on label, argument boundaries and labels.
    #   PARTICIPANT(1->2) has a shorter tail, STANCE(0->3) a tail labelled ACTOR, ABOUT missing.
    assert (r["micro"]["strict"]["TP"], r["micro"]["strict"]["ACT"]) == (2, 4)
    assert r["micro"]["strict"]["POS"] == 5
    assert r["micro"]["strict"]["precision"] == pytest.approx(2 / 4)
    assert r["micro"]["strict"]["recall"] == pytest.approx(2 / 5)
    # boundaries: argument labels ignored, so STANCE(0->3) now counts: 3 TP.
    assert r["micro"]["boundaries"]["TP"] == 3
    assert r["micro"]["boundaries"]["f1"] == pytest.approx(2 * 3 / (4 + 5))
    per = r["per_label"]
    assert per["PARTICIPANT"]["strict"]["f1"] == pytest.approx(0.5)  # 1 TP, 2 gold, 2 predicted
    assert per["ABOUT"]["strict"]["f1"] == 0.0  # gold has one, nothing predicted: defined, 0
    assert per["STANCE"]["strict"]["f1"] == pytest.approx(0.5)
    assert per["HELD_AT"]["strict"]["f1"] is None  # nothing on either side: undefined
    assert per["HELD_AT"]["strict"]["ci_low"] is None
    # macro over the defined labels only: (0.5 + 0 + 0.5) / 3
    assert r["macro"]["strict"]["f1"] == pytest.approx(1 / 3)


def test_relation_scores_do_not_depend_on_how_far_into_the_text(tmp_path: Path) -> None:
    """Offsets near 100,000 make relation keys too wide to pack: arguments get boundary ids.

    The same spans shifted that far into a longer text must score exactly the same.
    """
    short = score(*write_pair(tmp_path, *map(lambda d: [d], _relation_fixture())), bootstrap=0)
    shift = 100_000
    far = []
    for d in _relation_fixture():
        spans = [msgspec.structs.replace(x, start=x.start + shift, end=x.end + shift)
                 for x in d.spans]  # fmt: skip
        far.append(msgspec.structs.replace(d, text="x" * shift + d.text, spans=spans))
    (tmp_path / "far").mkdir()
    long = score(*write_pair(tmp_path / "far", [far[0]], [far[1]]), bootstrap=0)
    rel = {k: v for k, v in short.values.items() if k.startswith(("relations.", "stance."))}
    assert rel and {k: long.values[k] for k in rel} == rel


def test_stance_polarity_on_matched_pairs(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, *map(lambda d: [d], _relation_fixture()))
    s = score(g, p, bootstrap=0).to_dict()["stance"]
    # Scored as relations: same figures as relations.per_label.STANCE.
    assert s["relations"]["strict"]["f1"] == pytest.approx(0.5)
    # Only holder-target pair 0->4 matches strictly; gold says favor, the model against.
    pol = s["polarity"]
    assert pol["pairs"] == 1
    assert pol["accuracy"] == 0.0
    assert pol["per_label"]["favor"]["f1"] == 0.0
    assert pol["per_label"]["against"]["f1"] == 0.0
    assert pol["per_label"]["neutral"]["f1"] is None  # never gold, never predicted
    assert pol["macro_f1"] == 0.0 and pol["f_avg"] == 0.0
    assert s["with_polarity"]["TP"] == 0  # no stance right including its polarity


def test_stance_polarity_f_avg_from_schema_labels(tmp_path: Path) -> None:
    # Three matched pairs: favor->favor, against->against, against->favor.
    # favor: P 1/2, R 1/1 -> F1 2/3; against: P 1/1, R 1/2 -> F1 2/3; neutral undefined.
    spans = [(0, 5, "ACTOR"), (10, 15, "ACTOR"), (20, 25, "ISSUE"), (30, 35, "ACTOR")]
    gold = doc("d", spans, [(0, 1, "STANCE", FAVOR), (0, 2, "STANCE", AGAINST),
                            (0, 3, "STANCE", AGAINST)])  # fmt: skip
    pred = doc("d", spans, [(0, 1, "STANCE", FAVOR), (0, 2, "STANCE", AGAINST),
                            (0, 3, "STANCE", FAVOR)])  # fmt: skip
    g, p = write_pair(tmp_path, [gold], [pred])
    pol = score(g, p, bootstrap=0).to_dict()["stance"]["polarity"]
    assert pol["per_label"]["favor"]["f1"] == pytest.approx(2 / 3)
    assert pol["per_label"]["against"]["f1"] == pytest.approx(2 / 3)
    assert pol["f_avg"] == pytest.approx(2 / 3)
    assert pol["macro_f1"] == pytest.approx(2 / 3)  # neutral undefined, left out
    assert pol["accuracy"] == pytest.approx(2 / 3)


def test_attribute_accuracy_on_strict_matches(tmp_path: Path) -> None:
    def d(country: str, kind: str, end: int) -> Document:
        return Document(
            id="d",
            text=TEXT,
            spans=[
                Span("a", 0, 5, "ACTOR", attrs={"actor_kind": "person", "country": country}),
                Span("c", 10, 15, "CHANNEL", attrs={"channel_kind": kind}),
                Span("b", 20, end, "ACTOR", attrs={"actor_kind": "state"}),
            ],
        )

    # The third span is not strictly matched (end differs), so its attributes do not count.
    g, p = write_pair(tmp_path, [d("GBR", "phone_call", 25)], [d("FRA", "meeting", 24)])
    a = score(g, p, bootstrap=0).to_dict()["attributes"]
    assert (a["ACTOR"]["actor_kind"]["correct"], a["ACTOR"]["actor_kind"]["total"]) == (1, 1)
    assert a["ACTOR"]["country"]["accuracy"] == 0.0
    # anonymous and metonymy default to "no" on both sides: right.
    assert a["ACTOR"]["anonymous"]["accuracy"] == 1.0
    assert a["ACTOR"]["sector"]["accuracy"] is None  # no gold value
    assert a["CHANNEL"]["channel_kind"]["accuracy"] == 0.0
    assert a["CHANNEL"]["modality"]["accuracy"] == 1.0  # default "actual" on both sides
    # micro: actor_kind 1/1, country 0/1, anonymous 1/1, metonymy 1/1, channel_kind 0/1,
    # modality 1/1 -> 4/6
    assert a["micro"]["accuracy"] == pytest.approx(4 / 6)


def test_perfect_predictions_score_one_everywhere(tmp_path: Path) -> None:
    gold, _ = _relation_fixture()
    g, p = write_pair(tmp_path, [gold], [gold])
    res = score(g, p, bootstrap=50)
    for name, value in res.values.items():
        if name.startswith("stance.majority_baseline."):
            continue  # the baseline's figures, not the predictions'
        if name.rsplit(".", 1)[-1] in ("precision", "recall", "f1", "accuracy", "f_avg"):
            assert value in (None, 1.0), name
    assert res.values["spans.micro.strict.f1"] == 1.0
    assert res.intervals["spans.micro.strict.f1"] == (1.0, 1.0)


def test_per_label_tables_restrict_both_sides(tmp_path: Path) -> None:
    # gold CHANNEL [10,15) predicted as ACTOR: micro strict INC; per label it is a CHANNEL miss
    # and an ACTOR spurious; VENUE is undefined.
    gold = doc("d", [(0, 5, "ACTOR"), (10, 15, "CHANNEL")])
    pred = doc("d", [(0, 5, "ACTOR"), (10, 15, "ACTOR")])
    g, p = write_pair(tmp_path, [gold], [pred])
    s = score(g, p, bootstrap=0).to_dict()["spans"]
    assert s["micro"]["strict"]["INC"] == 1
    assert s["per_label"]["ACTOR"]["strict"]["SPU"] == 1
    assert s["per_label"]["ACTOR"]["strict"]["precision"] == 0.5
    assert s["per_label"]["CHANNEL"]["strict"]["MIS"] == 1
    assert s["per_label"]["CHANNEL"]["strict"]["f1"] == 0.0
    assert s["per_label"]["VENUE"]["strict"]["f1"] is None
    # macro strict F1 = mean(ACTOR 2/3, CHANNEL 0) over the two defined labels
    assert s["macro"]["strict"]["f1"] == pytest.approx(1 / 3)


def test_labels_option_restricts_scoring(tmp_path: Path) -> None:
    gold = doc("d", [(0, 5, "ACTOR"), (10, 15, "CHANNEL")])
    pred = doc("d", [(0, 5, "ACTOR")])
    g, p = write_pair(tmp_path, [gold], [pred])
    out = score(g, p, bootstrap=0, labels=["ACTOR"]).to_dict()
    assert out["spans"]["micro"]["strict"]["f1"] == 1.0
    assert list(out["spans"]["per_label"]) == ["ACTOR"]
    with pytest.raises(InputError, match="unknown span label 'PERSON' in --labels"):
        score(g, p, labels=["PERSON"])


def test_prediction_order_does_not_matter(tmp_path: Path) -> None:
    golds = [doc(f"d{i}", [(i, i + 5, "ACTOR"), (20, 30, "ISSUE")]) for i in range(6)]
    preds = [doc(f"d{i}", [(i, i + 4, "ACTOR"), (20, 30, "ISSUE")]) for i in range(6)]
    g, p = write_pair(tmp_path, golds, preds)
    ordered = score(g, p, bootstrap=100).to_dict()
    shuffled = tmp_path / "shuffled.jsonl"
    write_documents([preds[i] for i in (3, 0, 5, 1, 4, 2)], shuffled)
    assert score(g, shuffled, bootstrap=100).to_dict()["spans"] == ordered["spans"]


def test_bootstrap_is_seeded(tmp_path: Path) -> None:
    golds = [doc(f"d{i}", [(0, 5, "ACTOR"), (10, 15, "ISSUE")]) for i in range(30)]
    preds = [
        doc(f"d{i}", [(0, 5, "ACTOR")] + ([(10, 15, "ISSUE")] if i % 3 else [])) for i in range(30)
    ]
    g, p = write_pair(tmp_path, golds, preds)
    a = score(g, p, bootstrap=200, seed=1).intervals["spans.micro.strict.f1"]
    b = score(g, p, bootstrap=200, seed=1).intervals["spans.micro.strict.f1"]
    c = score(g, p, bootstrap=200, seed=2).intervals["spans.micro.strict.f1"]
    assert a == b and a != c
    value = score(g, p, bootstrap=0).values["spans.micro.strict.f1"]
    assert a[0] is not None and a[1] is not None
    assert a[0] <= value <= a[1] and a[0] < a[1]


# -- joining and errors ---------------------------------------------------------------------------
def test_missing_prediction_is_an_error_unless_allowed(tmp_path: Path) -> None:
    golds = [doc("d1", [(0, 5, "ACTOR")]), doc("d2", [(0, 5, "ACTOR")])]
    g, p = write_pair(tmp_path, golds, golds[:1])
    with pytest.raises(DocumentError) as err:
        score(g, p)
    assert err.value.one_line() == (
        f"{g}:2: document d2: no prediction for this gold document in {p} "
        "(pass --allow-missing to count it as all missed)"
    )
    res = score(g, p, allow_missing=True, bootstrap=0)
    assert res.meta["missing_predictions"] == 1
    assert res.to_dict()["spans"]["micro"]["strict"]["MIS"] == 1


def test_extra_prediction_is_an_error_unless_allowed(tmp_path: Path) -> None:
    golds = [doc("d1", [(0, 5, "ACTOR")])]
    g, p = write_pair(tmp_path, golds, [*golds, doc("zz", [])])
    with pytest.raises(DocumentError, match=r"pred.jsonl:2: document zz: prediction for a doc"):
        score(g, p)
    assert score(g, p, allow_missing=True, bootstrap=0).meta["documents"] == 1


def test_text_mismatch_names_both_hashes(tmp_path: Path) -> None:
    gold = doc("d1", [(0, 5, "ACTOR")])
    pred = doc("d1", [(0, 5, "ACTOR")], text=TEXT.upper())
    g, p = write_pair(tmp_path, [gold], [pred])
    with pytest.raises(
        DocumentError, match=r"pred.jsonl:1: document d1: text differs from the gold"
    ):
        score(g, p)


def test_unknown_label_in_predictions(tmp_path: Path) -> None:
    gold = doc("d1", [(0, 5, "ACTOR")])
    pred = Document(id="d1", text=TEXT, spans=[Span("x", 0, 5, "PERSON")])
    g, p = write_pair(tmp_path, [gold], [pred])
    with pytest.raises(DocumentError) as err:
        score(g, p)
    assert err.value.one_line().startswith(
        f"{p}:1: document d1, span x: unknown span label 'PERSON' (schema diplomacy"
    )


def test_offsets_outside_the_text(tmp_path: Path) -> None:
    gold = doc("d1", [(0, 5, "ACTOR")])
    pred = Document(id="d1", text=TEXT, spans=[Span("x", 95, 120, "ACTOR")])
    g, p = write_pair(tmp_path, [gold], [pred])
    with pytest.raises(DocumentError, match=r"span x: offsets \[95, 120\) out of range"):
        score(g, p)


def test_unknown_attribute_value_and_relation_end(tmp_path: Path) -> None:
    gold = doc("d1", [(0, 5, "ACTOR")])
    bad_span = Span("x", 0, 5, "ACTOR", attrs={"actor_kind": "cat"})
    bad_attr = Document(id="d1", text=TEXT, spans=[bad_span])
    g, p = write_pair(tmp_path, [gold], [bad_attr])
    with pytest.raises(DocumentError, match=r"unknown value 'cat' for ACTOR\.actor_kind"):
        score(g, p)
    bad_rel = Document(id="d1", text=TEXT, spans=[Span("x", 0, 5, "ACTOR")],
                       relations=[Relation("x", "nope", "STANCE", attrs=FAVOR)])  # fmt: skip
    write_documents([bad_rel], p)
    with pytest.raises(DocumentError, match="tail points at missing span id 'nope'"):
        score(g, p)


def test_duplicate_gold_id(tmp_path: Path) -> None:
    golds = [doc("d1", []), doc("d1", [])]
    g, p = write_pair(tmp_path, golds, golds[:1])
    with pytest.raises(DocumentError, match=r"gold.jsonl:2: document d1: duplicate document id"):
        score(g, p)


def test_malformed_json_line(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, [doc("d1", [])], [doc("d1", [])])
    p.write_text('{"id": "d1", "text": \n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"pred.jsonl:1: not valid JSON"):
        score(g, p)


def test_empty_files_give_undefined_figures(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, [], [])
    out = score(g, p).to_dict()
    assert out["meta"]["documents"] == 0
    assert out["spans"]["micro"]["strict"]["f1"] is None
    json.dumps(out, allow_nan=False)  # strict JSON: no NaN anywhere


def test_unordered_predictions_with_a_gap(tmp_path: Path) -> None:
    # Predictions out of order and one missing: the index-by-offset path, with --allow-missing.
    golds = [doc(f"d{i}", [(0, 5, "ACTOR")]) for i in range(5)]
    preds = [golds[i] for i in (4, 2, 0, 1)]
    g, p = write_pair(tmp_path, golds, preds)
    res = score(g, p, allow_missing=True, bootstrap=0)
    assert res.meta["missing_predictions"] == 1
    strict = res.to_dict()["spans"]["micro"]["strict"]
    assert (strict["COR"], strict["MIS"]) == (4, 1)


def test_byte_order_mark_and_blank_lines(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, [doc("d1", [(0, 5, "ACTOR")])], [doc("d1", [(0, 5, "ACTOR")])])
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes() + b"\n\n")
    assert score(g, p, bootstrap=0).values["spans.micro.strict.f1"] == 1.0


def test_full_featured_documents_score(tmp_path: Path, doc: Document) -> None:
    # The shared fixture has meta, doc_labels, relations with attributes; add provenance and
    # Label Studio info: fields scoring does not read must not get in the way.
    from backchannel.documents import AnnotationInfo, Provenance

    gold = msgspec.structs.replace(
        doc,
        annotation=AnnotationInfo(ground_truth=True, lead_time=3.5),
        source_ids={"ls_task": 17},
        provenance={"s1": Provenance(annotators=["alice", "bob"], method="majority", votes=2)},
        annotator="gold",
        score=0.5,
    )
    g, p = write_pair(tmp_path, [gold], [doc])
    res = score(g, p, bootstrap=0)
    assert res.values["spans.micro.strict.f1"] == 1.0
    assert res.values["relations.micro.strict.f1"] == 1.0


def test_unknown_attribute_name_is_a_one_line_error(tmp_path: Path) -> None:
    gold = doc("d1", [(0, 5, "ACTOR")])
    pred = Document(id="d1", text=TEXT, spans=[Span("x", 0, 5, "ACTOR", attrs={"mood": "sad"})])
    g, p = write_pair(tmp_path, [gold], [pred])
    with pytest.raises(
        DocumentError, match=r"pred.jsonl:1: document d1, span x: unknown attribute"
    ):
        score(g, p)
