"""The ``llm`` model end to end against a real scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from openai_server import ScriptedOpenAI, answer, article_of

from backchannel.documents import (
    Document,
    Relation,
    Span,
    encode_document,
    validate_document,
    write_documents,
)
from backchannel.errors import ModelError
from backchannel.eval.models.llm.model import LLMModel
from backchannel.eval.models.registry import load_model
from backchannel.schema import Schema, load_schema

TEXT = (
    "Ukraine’s President Taras Koval spoke by phone with Prime Minister Sir Alan Hartley. "
    "Koval thanked Hartley for “steady leadership”. Later Koval called Dragan Milovanović."
)


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def make(server: ScriptedOpenAI, schema: Schema, **kwargs) -> LLMModel:
    kwargs.setdefault("llm_model", "scripted-1")
    return LLMModel(schema=schema, endpoint=server.url, max_retries=1, **kwargs)


def spans_of(pred: Document) -> list[tuple[str, str, str]]:
    return [(s.text, s.label, (s.reason or "").split(": ")[-1]) for s in pred.spans]


def test_llm_answer_quirks_are_grounded(openai_server: ScriptedOpenAI, schema: Schema) -> None:
    openai_server.queue(
        answer(
            ("Ukraine's President Taras Koval", "ACTOR", {"actor_kind": "person"}),  # straight '
            ("spoke by phone", "CHANNEL", {"channel_kind": "phone_call", "modality": "actual"}),
            ("prime minister Sir Alan Hartley", "ACTOR", {"actor_kind": "person"}),  # case
            ("Koval", "ACTOR"),
            ("Hartley", "ACTOR"),
            ('"steady leadership"', "ISSUE"),  # straight for curly quotes
            ("Koval", "ACTOR"),  # repeated surface: the second occurrence
            ("called", "CHANNEL", {"channel_kind": "phone_call"}),
            ("Dragan Milovanovic", "ACTOR"),  # transliteration
            ("Chancellor Ingrid Vasquez", "ACTOR"),  # not in the article
            relations=[
                (1, 0, "PARTICIPANT", {"role": "initiator"}),
                (1, 2, "PARTICIPANT", {"role": "recipient"}),
                (3, 4, "STANCE", {"polarity": "favor", "expressed": "reported"}),
                (7, 6, "PARTICIPANT", {"role": "initiator"}),
                (7, 8, "PARTICIPANT", {"role": "recipient"}),
                (7, 9, "PARTICIPANT", {"role": "recipient"}),  # its tail was dropped
            ],
        )
    )
    (pred,) = make(openai_server, schema).predict([Document(id="d1", text=TEXT)])
    validate_document(pred, schema)
    assert spans_of(pred) == [
        ("Ukraine’s President Taras Koval", "ACTOR", "normalised"),
        ("spoke by phone", "CHANNEL", "exact"),
        ("Prime Minister Sir Alan Hartley", "ACTOR", "normalised"),
        ("Koval", "ACTOR", "exact"),
        ("Hartley", "ACTOR", "exact"),
        ("“steady leadership”", "ISSUE", "normalised"),
        ("Koval", "ACTOR", "exact"),
        ("called", "CHANNEL", "exact"),
        ("Dragan Milovanović", "ACTOR", "normalised"),
    ]
    koval = [s.start for s in pred.spans if s.text == "Koval"]
    assert koval == [TEXT.index("Koval thanked"), TEXT.index("Koval called")]
    by_id = {s.id: s.text for s in pred.spans}
    rels = {
        (by_id[r.head], by_id[r.tail], r.label, tuple(r.attrs.values())) for r in pred.relations
    }
    assert rels == {
        ("spoke by phone", "Ukraine’s President Taras Koval", "PARTICIPANT", ("initiator",)),
        ("spoke by phone", "Prime Minister Sir Alan Hartley", "PARTICIPANT", ("recipient",)),
        ("Koval", "Hartley", "STANCE", ("favor", "reported")),
        ("called", "Koval", "PARTICIPANT", ("initiator",)),
        ("called", "Dragan Milovanović", "PARTICIPANT", ("recipient",)),
    }
    stats = pred.meta["llm"]
    assert stats["dropped"] == 1 and stats["relations_dropped"] == 1
    assert stats["placed"] == {"exact": 5, "normalised": 4, "fuzzy": 0}
    assert stats["prompt_tokens"] == 100 and stats["completion_tokens"] == 10
    assert pred.annotator == "llm" and pred.annotation.model_version == "llm-1+scripted-1"
    assert pred.doc_labels == {"relevant": "yes"}


def test_offsets_hold_with_emoji_and_other_scripts(
    openai_server: ScriptedOpenAI, schema: Schema
) -> None:
    text = "🇺🇦👍🏽 Зеленський spoke to 王毅 in Genève (e\u0301te\u0301) and محمد بن سلمان."
    openai_server.queue(
        answer(
            ("Зеленський", "ACTOR"),
            ("spoke", "CHANNEL"),
            ("王毅", "ACTOR"),
            ("Geneve", "VENUE"),
            ("ete", "ISSUE"),
            ("محمد بن سلمان", "ACTOR"),
        )
    )
    (pred,) = make(openai_server, schema).predict([Document(id="u", text=text)])
    validate_document(pred, schema)  # text[start:end] == span.text for each
    assert [s.text for s in pred.spans] == [
        "Зеленський",
        "spoke",
        "王毅",
        "Genève",
        "e\u0301te\u0301",
        "محمد بن سلمان",
    ]


def test_malformed_answer_is_retried(openai_server: ScriptedOpenAI, schema: Schema) -> None:
    openai_server.queue(
        {"content": "Sure! Here are the mentions: Koval, Hartley"}, answer(("Koval", "ACTOR"))
    )
    (pred,) = make(openai_server, schema).predict([Document(id="d", text=TEXT)])
    assert [s.text for s in pred.spans] == ["Koval"]
    assert "error" not in pred.meta["llm"]
    # the retry shows the model its bad answer and asks again
    retry = openai_server.requests[1]["messages"]
    assert retry[-2] == {
        "role": "assistant",
        "content": "Sure! Here are the mentions: Koval, Hartley",
    }
    assert "not usable" in retry[-1]["content"]


def test_malformed_answers_count_against_the_document_only(
    openai_server: ScriptedOpenAI, schema: Schema
) -> None:
    docs = [Document(id="bad", text="Koval met Hartley."), Document(id="ok", text="Koval called.")]

    def respond(body: dict) -> dict:
        if article_of(body).startswith("Koval met"):
            return {"content": '{"extractions": [{"text": "Koval", "label": '}  # cut off
        return answer(("Koval", "ACTOR"), ("called", "CHANNEL"))

    openai_server.responder = respond
    model = make(openai_server, schema, concurrency=2)
    preds = list(model.predict(docs))
    assert [p.id for p in preds] == ["bad", "ok"]
    assert preds[0].spans == [] and "malformed answer" in preds[0].meta["llm"]["error"]
    assert [s.text for s in preds[1].spans] == ["Koval", "called"]
    assert model.usage["failed_documents"] == 1 and model.usage["malformed"] == 3
    assert preds[0].meta["llm"]["prompt_tokens"] == 300  # three paid attempts, all counted


def test_cache_makes_a_rerun_free_and_identical(
    openai_server: ScriptedOpenAI, schema: Schema, tmp_path: Path
) -> None:
    openai_server.responder = lambda body: answer(("Koval", "ACTOR"), ("Hartley", "ACTOR"))
    docs = [Document(id=f"d{k}", text=f"Koval met Hartley {k} times.") for k in range(5)]
    first = make(openai_server, schema, cache_dir=tmp_path / "cache")
    out1 = b"".join(encode_document(p) for p in first.predict(docs))
    assert len(openai_server.requests) == 5 and first.usage["billed_prompt_tokens"] == 500
    openai_server.responder = None  # a request now would get a 500
    again = make(openai_server, schema, cache_dir=tmp_path / "cache")
    out2 = b"".join(encode_document(p) for p in again.predict(docs))
    assert out2 == out1
    assert len(openai_server.requests) == 5
    assert again.usage["cached"] == 5 and again.usage["billed_prompt_tokens"] == 0
    assert again.usage["prompt_tokens"] == 500  # what the answers cost when first received


def test_cache_key_changes_with_model_and_text(
    openai_server: ScriptedOpenAI, schema: Schema, tmp_path: Path
) -> None:
    openai_server.responder = lambda body: answer(("Koval", "ACTOR"))
    doc = Document(id="d", text="Koval spoke.")
    list(make(openai_server, schema, cache_dir=tmp_path).predict([doc]))
    list(make(openai_server, schema, cache_dir=tmp_path, llm_model="other").predict([doc]))
    list(
        make(openai_server, schema, cache_dir=tmp_path).predict(
            [Document(id="d", text="Koval spoke!")]
        )
    )
    assert len(openai_server.requests) == 3


def test_concurrency_keeps_input_order(openai_server: ScriptedOpenAI, schema: Schema) -> None:
    def respond(body: dict) -> dict:
        text = article_of(body)
        # the first documents answer slowest
        return {**answer((text.split()[0], "ACTOR")), "sleep": 0.3 if text.startswith("A") else 0}

    openai_server.responder = respond
    docs = [Document(id=str(k), text=f"{name} spoke.") for k, name in enumerate("ABCDEF")]
    preds = list(make(openai_server, schema, concurrency=4).predict(docs))
    assert [p.id for p in preds] == [str(k) for k in range(6)]
    assert [p.spans[0].text for p in preds] == list("ABCDEF")


def test_long_article_is_chunked_with_seams_merged(
    openai_server: ScriptedOpenAI, schema: Schema
) -> None:
    sentences = [f"Envoy Number{k} met Koval in Vienna." for k in range(30)]
    text = " ".join(sentences)

    def respond(body: dict) -> dict:
        chunk = article_of(body)
        found = [(w, "ACTOR") for w in chunk.replace(".", "").split() if w.startswith("Number")]
        return answer(*found)

    openai_server.responder = respond
    (pred,) = make(openai_server, schema, chunk_chars=300).predict([Document(id="l", text=text)])
    assert pred.meta["llm"]["requests"] > 3
    assert [s.text for s in pred.spans] == [f"Number{k}" for k in range(30)]  # once each
    for s in pred.spans:
        assert text[s.start : s.end] == s.text
    # chunks after the first carry the text before them as context, not to annotate
    second = openai_server.requests[1]["messages"][-1]["content"]
    assert "<context>" in second and article_of(openai_server.requests[1]) in text


def test_few_shot_examples_never_include_the_predicted_documents(
    openai_server: ScriptedOpenAI, schema: Schema, tmp_path: Path
) -> None:
    def gold(doc_id: str, text: str) -> Document:
        end = text.index(" ")
        return Document(
            id=doc_id,
            text=text,
            spans=[Span(id="a1", start=0, end=end, label="ACTOR")],
            relations=[],
        )

    golds = [
        gold("g1", "Osei called."),
        gold("g2", "Bondar wrote a letter."),
        gold("g3", "Koval met Hartley in a long meeting."),
    ]
    write_documents(golds, tmp_path / "gold.jsonl")
    write_documents([Document(id="g1", text="Osei called.")], tmp_path / "corpus.jsonl")
    openai_server.responder = lambda body: answer()
    model = make(
        openai_server,
        schema,
        examples=tmp_path / "gold.jsonl",
        shots=2,
        exclude_corpus=tmp_path / "corpus.jsonl",
    )
    list(model.predict([Document(id="g1", text="Osei called.")]))
    messages = openai_server.requests[0]["messages"]
    assert [m["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    shown = [article_of({"messages": [m]}) for m in messages[1:5:2]]
    assert shown == ["Bondar wrote a letter.", "Koval met Hartley in a long meeting."]
    assert json.loads(messages[2]["content"]) == {
        "extractions": [{"text": "Bondar", "label": "ACTOR", "attrs": {}}],
        "relations": [],
    }
    # every gold document being predicted: nothing left to show
    with pytest.raises(ModelError, match="no few-shot example left"):
        make(
            openai_server,
            schema,
            examples=tmp_path / "gold.jsonl",
            shots=1,
            exclude_corpus=tmp_path / "gold.jsonl",
        )


def test_prompt_comes_from_the_schema(openai_server: ScriptedOpenAI, schema: Schema) -> None:
    openai_server.queue(answer())
    list(make(openai_server, schema).predict([Document(id="d", text="Koval spoke.")]))
    body = openai_server.requests[0]
    system = body["messages"][0]["content"]
    for needle in [
        "ACTOR",
        "CHANNEL",
        "channel_kind",
        "phone_call",
        "PARTICIPANT (CHANNEL -> ACTOR)",
        "STANCE",
        "polarity",
        "Annotator guidelines",
        "Metonymy",
    ]:
        assert needle in system
    props = body["response_format"]["json_schema"]["schema"]["properties"]
    label_enum = props["extractions"]["items"]["properties"]["label"]["enum"]
    assert label_enum == ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]


def test_invalid_labels_and_attribute_values_are_dropped(
    openai_server: ScriptedOpenAI, schema: Schema
) -> None:
    openai_server.queue(
        answer(
            ("Koval", "PERSON"),
            ("Koval", "ACTOR", {"actor_kind": "wizard", "country": "UKR", "mood": "x"}),
            ("spoke", "CHANNEL"),
            relations=[(2, 1, "FRIENDS"), (1, 2, "PARTICIPANT", {"role": "host"})],
        )
    )
    (pred,) = make(openai_server, schema).predict([Document(id="d", text="Koval spoke.")])
    validate_document(pred, schema)
    assert [(s.text, s.label, s.attrs) for s in pred.spans] == [
        ("Koval", "ACTOR", {"country": "UKR"}),
        ("spoke", "CHANNEL", {}),
    ]
    assert pred.relations == []  # unknown label; PARTICIPANT with ends the wrong way round
    assert pred.meta["llm"]["invalid"] == 5


def test_registry_builds_it_and_needs_an_endpoint(schema: Schema) -> None:
    model = load_model("llm", schema=schema, options={"llm_model": "m"})
    with pytest.raises(ModelError, match="needs --endpoint"):
        list(model.predict([Document(id="d", text="x")]))


def test_api_key_variable_must_be_set(
    openai_server: ScriptedOpenAI, schema: Schema, monkeypatch
) -> None:
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    model = make(openai_server, schema, api_key_env="MY_LLM_KEY")
    with pytest.raises(ModelError, match="MY_LLM_KEY is not set"):
        list(model.predict([Document(id="d", text="x")]))


def test_gold_relations_survive_the_round_trip_through_the_prompt(schema: Schema) -> None:
    from backchannel.eval.models.llm.prompt import answer_from_gold

    doc = Document(
        id="d",
        text="Koval called Hartley.",
        spans=[
            Span(id="a2", start=13, end=20, label="ACTOR"),
            Span(id="c1", start=6, end=12, label="CHANNEL"),
            Span(id="a1", start=0, end=5, label="ACTOR"),
        ],
        relations=[
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "initiator"})
        ],
    )
    got = answer_from_gold(doc)
    assert [e["text"] for e in got["extractions"]] == ["Koval", "called", "Hartley"]
    assert got["relations"] == [
        {"head": 1, "tail": 0, "label": "PARTICIPANT", "attrs": {"role": "initiator"}}
    ]


def test_a_fatal_error_stops_documents_still_retrying(
    openai_server: ScriptedOpenAI, schema: Schema
) -> None:
    def respond(body: dict) -> dict:
        if article_of(body).startswith("Koval met"):
            return {"status": 401}
        return {"status": 503, "headers": {"Retry-After": "30"}}

    openai_server.responder = respond
    model = LLMModel(schema=schema, endpoint=openai_server.url, llm_model="m", concurrency=2)
    docs = [Document(id="a", text="Koval met Hartley."), Document(id="b", text="Osei wrote.")]
    started = time.monotonic()
    with pytest.raises(ModelError, match="refused the API key"):
        list(model.predict(docs))
    assert time.monotonic() - started < 10  # not the 30 s the 503 asked for, five times
