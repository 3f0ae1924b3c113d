"""The spaCy span categorizer: trains on a tiny gold and predicts valid Documents."""

from __future__ import annotations

import json

import pytest

from backchannel.documents import Document, read_documents, validate_document
from backchannel.errors import ModelError
from backchannel.eval.models.ner import SpacyModel, to_docbin
from backchannel.eval.models.registry import TrainOptions

from .conftest import tiny_gold


@pytest.fixture(scope="module")
def trained(tmp_path_factory, schema):
    from backchannel.documents import write_documents

    tmp = tmp_path_factory.mktemp("spacy")
    write_documents(tiny_gold(), tmp / "gold.jsonl")
    model = SpacyModel(schema=schema)
    result = model.train(tmp / "gold.jsonl", tmp / "model", TrainOptions(epochs=2, seed=1))
    return tmp, result


def test_docbin_keeps_every_gold_span():
    import spacy

    db, n = to_docbin(spacy.blank("en"), tiny_gold())
    assert n == sum(len(d.spans) for d in tiny_gold())
    assert len(db) == 4


def test_training_writes_a_loadable_directory(trained, schema):
    tmp, result = trained
    assert result.documents == 4 and result.examples > 0
    model_dir = tmp / "model"
    assert {p.name for p in model_dir.iterdir()} == {
        "pipeline",
        "config.cfg",
        "heads.json",
        "heads.npz",
        "meta.json",
    }
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["model"] == "spacy" and meta["epochs"] == 2 and meta["seed"] == 1
    assert meta["heads"]["span/CHANNEL/modality"]["examples"] == 5
    assert meta["heads"]["pair/CHANNEL/ACTOR"]["classes"] == 2  # none, PARTICIPANT
    assert "spancat" in (model_dir / "config.cfg").read_text(encoding="utf-8")


def test_predictions_are_valid_documents(trained, schema):
    tmp, _ = trained
    model = SpacyModel(tmp / "model", schema=schema)
    docs = [*read_documents(tmp / "gold.jsonl"), Document(id="new", text="Nothing here.")]
    preds = list(model.predict(docs))
    assert [p.id for p in preds] == [d.id for d in docs]
    for p in preds:
        validate_document(p, schema)
        assert p.annotator == "spacy"
        assert p.annotation.model_version == f"spacy-{model.version}"
        for s in p.spans:
            assert 0 <= s.score <= 1 and s.reason.startswith("spancat")
            if s.label == "CHANNEL":
                assert {"channel_kind", "modality"} <= set(s.attrs)


def test_prediction_copies_nothing_from_the_rules(trained, schema, monkeypatch):
    """Attributes and relations come from the learned heads: the rules are never built."""
    from backchannel.eval.models.rules import extractor

    def refuse(*args, **kwargs):
        raise AssertionError("the spacy model built the rules extractor")

    monkeypatch.setattr(extractor.RuleExtractor, "__init__", refuse)
    tmp, _ = trained
    model = SpacyModel(tmp / "model", schema=schema)
    preds = list(model.predict(read_documents(tmp / "gold.jsonl")))
    assert sum(len(p.spans) for p in preds) > 0
    for p in preds:
        assert all(r.reason.startswith("pair classifier p=") for r in p.relations)


def test_saved_and_loaded_model_predicts_the_same(trained, schema):
    tmp, _ = trained
    docs = list(read_documents(tmp / "gold.jsonl"))
    first = SpacyModel(tmp / "model", schema=schema)
    second = SpacyModel(tmp / "model", schema=schema)
    for a, b in zip(first.predict(docs), second.predict(docs), strict=True):
        assert a.spans == b.spans and a.relations == b.relations


def test_a_model_directory_from_before_the_heads_asks_for_retraining(trained, tmp_path, schema):
    import shutil

    tmp, _ = trained
    old = tmp_path / "old"
    shutil.copytree(tmp / "model", old)
    (old / "heads.json").unlink()
    (old / "heads.npz").unlink()
    (old / "attributes.json").write_text('{"ACTOR|the kremlin": {}}\n', encoding="utf-8")
    with pytest.raises(ModelError, match="predates the learned") as info:
        SpacyModel(old, schema=schema)
    assert "retrain" in info.value.hint


def test_untrained_or_wrong_directory(tmp_path, schema):
    with pytest.raises(ModelError, match="needs a trained model directory"):
        list(SpacyModel(schema=schema).predict([Document(id="x", text="A.")]))
    with pytest.raises(ModelError, match=r"no meta\.json"):
        SpacyModel(tmp_path, schema=schema)


def test_missing_base_pipeline_is_a_clear_error(tmp_path, schema):
    from backchannel.documents import write_documents

    write_documents(tiny_gold(), tmp_path / "gold.jsonl")
    with pytest.raises(ModelError, match="cannot load base pipeline 'xx_not_installed'"):
        SpacyModel(schema=schema).train(
            tmp_path / "gold.jsonl", tmp_path / "m", TrainOptions(base="xx_not_installed")
        )
    assert not (tmp_path / "m").exists()


def test_base_pipeline_components_are_sourced_and_frozen(tmp_path, schema):
    import spacy

    from backchannel.documents import write_documents

    base = spacy.blank("en")
    base.add_pipe("sentencizer")
    base.to_disk(tmp_path / "base")
    write_documents(tiny_gold(), tmp_path / "gold.jsonl")
    model = SpacyModel(schema=schema)
    opts = TrainOptions(base=str(tmp_path / "base"), epochs=1)
    model.train(tmp_path / "gold.jsonl", tmp_path / "m", opts)
    assert model.nlp.pipe_names == ["sentencizer", "spancat"]
    cfg = (tmp_path / "m" / "config.cfg").read_text(encoding="utf-8")
    assert 'frozen_components = ["sentencizer"]' in cfg
    [pred] = model.predict([Document(id="x", text="The Kremlin said nothing.")])
    validate_document(pred, schema)
