"""The model registry, ``predict`` / ``train`` library functions and their CLI commands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from backchannel.cli.app import app
from backchannel.documents import Document, Span, read_documents, write_documents
from backchannel.errors import DocumentError
from backchannel.eval.models import registry
from backchannel.eval.models.registry import (
    Model,
    ModelError,
    TrainOptions,
    TrainResult,
    available_models,
    load_model,
    register_model,
)
from backchannel.eval.predict import predict
from backchannel.eval.train import train


class EveryCapital:
    """A user's own model: every capitalised word is an ACTOR."""

    name = "capitals"
    version = "0.1"
    trainable = False

    def __init__(self, model_dir: Path | None = None, *, schema=None) -> None:
        self.model_dir = model_dir

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            spans, pos = [], 0
            for k, word in enumerate(doc.text.split(" ")):
                if word[:1].isupper():
                    spans.append(
                        Span(
                            id=f"s{k}",
                            start=pos,
                            end=pos + len(word),
                            label="ACTOR",
                            attrs={"actor_kind": "person"},
                            score=1.0,
                            reason="capital",
                        )
                    )
                pos += len(word) + 1
            yield Document(id=doc.id, text=doc.text, spans=spans, annotator=self.name)

    def train(self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None):
        raise ModelError("nothing to train")


@pytest.fixture
def custom_model():
    register_model("capitals", EveryCapital)
    yield
    registry._RUNTIME.pop("capitals", None)


def test_builtins_are_listed():
    assert {"rules", "spacy", "stance"} <= set(available_models())


def test_unknown_model_names_the_alternatives():
    with pytest.raises(ModelError, match=r"unknown model 'nope'.*available: .*rules"):
        load_model("nope")


def test_builtin_models_implement_the_protocol(schema):
    for name in ("rules", "spacy", "stance"):
        assert isinstance(load_model(name, schema=schema), Model)


def test_a_registered_model_is_used_by_predict(custom_model, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    write_documents([Document(id="d1", text="Ana met Ruiz today")], corpus)
    result = predict("capitals", corpus, tmp_path / "out.jsonl", progress=False)
    assert result.documents == 1 and result.spans == {"ACTOR": 2}
    [doc] = read_documents(tmp_path / "out.jsonl")
    assert [s.text for s in doc.spans] == [None, None]
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["Ana", "Ruiz"]


def test_factory_returning_something_else_is_refused():
    register_model("broken", lambda model_dir, schema: object())
    try:
        with pytest.raises(ModelError, match="does not implement the Model protocol"):
            load_model("broken")
    finally:
        registry._RUNTIME.pop("broken", None)


def test_missing_model_dir_is_a_one_line_error(tmp_path):
    with pytest.raises(ModelError, match="no such model directory"):
        load_model("stance", tmp_path / "absent")


def test_predict_rules_writes_valid_predictions(tmp_path, doc, schema):
    corpus = tmp_path / "corpus.jsonl"
    write_documents([doc], corpus)
    out = tmp_path / "pred.jsonl"
    result = predict("rules", corpus, out, progress=False)
    assert result.documents == 1
    [pred] = read_documents(out, schema=schema)
    assert pred.id == doc.id and pred.text == doc.text
    assert pred.annotator == "rules"
    assert pred.annotation.model_version == result.model_version


def test_bad_corpus_leaves_no_output(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": 3}\n', encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    with pytest.raises(DocumentError) as info:
        predict("rules", corpus, out, progress=False)
    assert info.value.line == 2
    assert not out.exists()


def test_train_refuses_untrainable_and_existing_dirs(gold_path, tmp_path):
    with pytest.raises(ModelError, match="no training step"):
        train("rules", gold_path, tmp_path / "rules")
    (tmp_path / "exists").mkdir()
    with pytest.raises(ModelError, match="already exists"):
        train("stance", gold_path, tmp_path / "exists")


def test_cli_predict_and_train(runner, gold_path, tmp_path):
    out = tmp_path / "pred.jsonl"
    res = runner.invoke(app, ["predict", "--model", "rules", str(gold_path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    model_dir = tmp_path / "stance"
    res = runner.invoke(
        app, ["train", "--model", "stance", str(gold_path), "-o", str(model_dir), "--seed", "3"]
    )
    assert res.exit_code == 0, res.output
    assert "trained stance" in res.output
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 3 and meta["documents"] == 4
    out2 = tmp_path / "stance.jsonl"
    res = runner.invoke(
        app,
        ["predict", "-m", "stance", "--model-dir", str(model_dir), str(gold_path), "-o", str(out2)],
    )
    assert res.exit_code == 0, res.output
    assert all(d.annotator == "stance" for d in read_documents(out2))


def test_cli_errors_are_one_line(runner, gold_path, tmp_path):
    res = runner.invoke(
        app, ["train", "--model", "rules", str(gold_path), "-o", str(tmp_path / "m")]
    )
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "error: the rules model has no training step (it predicts as it is; use backchannel "
        "predict)"
    ]
    res = runner.invoke(app, ["predict", "--model", "spacy", str(gold_path)])
    assert res.exit_code == 1
    assert res.output.startswith("error: the spacy model needs a trained model directory")


def test_train_result_is_typed(gold_path, tmp_path):
    result = train("stance", gold_path, tmp_path / "s", options=TrainOptions(seed=1))
    assert isinstance(result, TrainResult)
    assert result.documents == 4 and result.examples > 8
