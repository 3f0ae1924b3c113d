"""The scikit-learn stance classifier: candidates, features, training and prediction."""

from __future__ import annotations

import pytest

from backchannel.documents import Document, read_documents, validate_document
from backchannel.errors import ModelError
from backchannel.eval.models.registry import TrainOptions
from backchannel.eval.models.stance import Candidate, StanceModel, candidates, pair_text

from .conftest import locate, tiny_gold


def test_candidates_pair_actors_with_actors_and_issues_in_one_sentence():
    g1 = tiny_gold()[0]
    pairs = {(c.holder.id, c.target.id) for c in candidates(g1)}
    assert ("a1", "a2") in pairs and ("a2", "a1") in pairs
    assert ("a3", "i1") in pairs  # "Osei condemned the blockade."
    assert ("a3", "i2") not in pairs  # different sentence
    assert not any(h.startswith("i") for h, _ in pairs), "issues never hold a stance"


def test_pair_text_marks_holder_and_target():
    text = "Oh. Ruiz praised Ana warmly today. End."
    h = locate(text, "Ruiz", "a1", "ACTOR")
    t = locate(text, "Ana", "a2", "ACTOR")
    assert pair_text(text, Candidate(h, t, (4, 34))) == (
        "order_ht target_actor holder praised target warmly today ."
    )
    assert pair_text(text, Candidate(t, h, (4, 34))).startswith("order_th target_actor target")


def test_train_then_predict_valid_polarities(gold_path, tmp_path, schema):
    model = StanceModel(schema=schema)
    result = model.train(gold_path, tmp_path / "stance", TrainOptions(seed=0))
    assert result.metrics["stance_pairs"] == 7
    assert result.metrics["uncovered_pairs"] == 0
    assert set(model.meta["labels"]) == {"against", "favor", "none"}
    loaded = StanceModel(tmp_path / "stance", schema=schema)
    preds = list(loaded.predict(read_documents(gold_path)))
    assert len(preds) == 4
    stances = [r for p in preds for r in p.relations if r.label == "STANCE"]
    assert stances, "trained on these very pairs, it must find some"
    for p in preds:
        validate_document(p, schema)
        for r in p.relations:
            if r.label != "STANCE":
                continue  # kept from the input (see test_prediction_keeps_everything...)
            assert r.attrs["polarity"] in schema.polarities
            assert 0 < r.score <= 1
    # the training pairs come back with their polarity
    g1 = {(r.head, r.tail): r.attrs["polarity"] for r in preds[0].relations if r.label == "STANCE"}
    assert g1.get(("a3", "i1")) == "against"


def test_without_input_spans_candidates_come_from_the_rules(gold_path, tmp_path, schema):
    model = StanceModel(schema=schema)
    model.train(gold_path, tmp_path / "stance", TrainOptions())
    doc = Document(id="x", text="Foreign Secretary Miriam Osei condemned the blockade.")
    [pred] = model.predict([doc])
    assert {s.label for s in pred.spans} >= {"ACTOR", "ISSUE"}
    validate_document(pred, schema)


def test_untrained_model_says_how_to_train(schema):
    with pytest.raises(ModelError, match="needs a trained model directory"):
        list(StanceModel(schema=schema).predict([Document(id="x", text="A.")]))


def test_gold_without_stance_cannot_train(tmp_path, schema):
    from backchannel.documents import write_documents

    docs = [Document(id=d.id, text=d.text, spans=d.spans) for d in tiny_gold()]
    write_documents(docs, tmp_path / "g.jsonl")
    with pytest.raises(ModelError, match="0 STANCE pairs"):
        StanceModel(schema=schema).train(tmp_path / "g.jsonl", tmp_path / "m", TrainOptions())
    assert not (tmp_path / "m").exists()


def test_a_directory_of_another_model_is_refused(tmp_path, schema):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "meta.json").write_text('{"model": "spacy"}', encoding="utf-8")
    with pytest.raises(ModelError, match="holds a 'spacy' model"):
        StanceModel(tmp_path / "m", schema=schema)


def test_prediction_keeps_everything_it_was_given(gold_path, tmp_path, schema):
    """Spans and their ids, PARTICIPANT/HELD_AT/ABOUT relations and doc labels all survive."""
    model = StanceModel(schema=schema)
    model.train(gold_path, tmp_path / "stance", TrainOptions())
    gold = list(read_documents(gold_path))
    preds = list(model.predict(gold))
    for g, p in zip(gold, preds, strict=True):
        validate_document(p, schema)
        assert p.spans == g.spans
        assert [r for r in p.relations if r.label != "STANCE"] == [
            r for r in g.relations if r.label != "STANCE"
        ]
        assert p.doc_labels == g.doc_labels == {"relevant": "yes"}
        assert p.meta["layers"] == {
            "predicted": ["stance"],
            "given": ["spans", "relations", "doc_labels"],
        }
        assert p.annotator == "stance" and p.annotation.model_version.startswith("stance-")
        for r in p.relations:
            if r.label == "STANCE":  # gold stances are replaced, never copied
                assert r.reason and r.reason.startswith("tf-idf")
    assert {r.label for g in gold for r in g.relations} >= {"PARTICIPANT", "STANCE"}


def test_rules_spans_are_declared_predicted(gold_path, tmp_path, schema):
    model = StanceModel(schema=schema)
    model.train(gold_path, tmp_path / "stance", TrainOptions())
    doc = Document(
        id="x",
        text="Foreign Secretary Miriam Osei condemned the blockade.",
        doc_labels={"relevant": "no"},
    )
    [pred] = model.predict([doc])
    assert pred.meta["layers"]["given"] == ["doc_labels"]
    assert "spans" in pred.meta["layers"]["predicted"]
    assert pred.doc_labels["relevant"] == "no"  # the input's label wins over the rules'
