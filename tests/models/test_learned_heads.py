"""The learned attribute and relation heads, on a handful of sentences a reader can check.

The training sentences teach: *called* is a phone call, *visit* a visit, *met*/*meet* a meeting;
*will* before a contact makes it planned, *did not* negated; the caller is the initiator and the
one called the recipient; a place after *in* is where the contact was held.
"""

from __future__ import annotations

import numpy as np
import pytest

from backchannel.documents import Document, Relation, Span
from backchannel.errors import ModelError
from backchannel.eval.models.learned import Heads
from backchannel.eval.models.learned.features import gazetteer
from backchannel.eval.models.learned.linear import C, fit_linear

from .conftest import locate

Mention = tuple[str, str, dict[str, str]]  # surface, label, attributes
Link = tuple[str, str, str, dict[str, str]]  # head surface, tail surface, label, attributes


def person(name: str) -> Mention:
    return (name, "ACTOR", {"actor_kind": "person"})


def contact(surface: str, kind: str, modality: str) -> Mention:
    return (surface, "CHANNEL", {"channel_kind": kind, "modality": modality})


def make(doc_id: str, text: str, mentions: list[Mention], links: list[Link]) -> Document:
    """A gold Document from surface strings (each the first occurrence in ``text``)."""
    spans = [
        locate(text, s, f"s{k}", label, **attrs) for k, (s, label, attrs) in enumerate(mentions)
    ]
    ids = {text[sp.start : sp.end]: sp.id for sp in spans}
    relations = [Relation(head=ids[h], tail=ids[t], label=lab, attrs=a) for h, t, lab, a in links]
    return Document(id=doc_id, text=text, spans=spans, relations=relations)


def call(doc_id: str, caller: str, callee: str, verb: str, modality: str) -> Document:
    text = f"{caller} {verb} {callee} on Monday."
    return make(
        doc_id,
        text,
        [person(caller), contact(verb.split()[-1], "phone_call", modality), person(callee)],
        [
            (verb.split()[-1], caller, "PARTICIPANT", {"role": "initiator"}),
            (verb.split()[-1], callee, "PARTICIPANT", {"role": "recipient"}),
        ],
    )


def meeting(doc_id: str, a: str, b: str, verb: str, modality: str, place: str) -> Document:
    text = f"{a} {verb} {b} in {place}."
    trigger = verb.split()[-1]
    return make(
        doc_id,
        text,
        [person(a), contact(trigger, "meeting", modality), person(b), (place, "VENUE", {})],
        [
            (trigger, a, "PARTICIPANT", {"role": "participant"}),
            (trigger, b, "PARTICIPANT", {"role": "participant"}),
            (trigger, place, "HELD_AT", {}),
        ],
    )


def visit(doc_id: str, who: str, verb: str, modality: str, place: str) -> Document:
    text = f"{who} {verb} {place} next week."
    trigger = verb.split()[-1]
    return make(
        doc_id,
        text,
        [person(who), contact(trigger, "visit", modality), (place, "VENUE", {})],
        [(trigger, who, "PARTICIPANT", {"role": "visitor"}), (trigger, place, "HELD_AT", {})],
    )


def group(doc_id: str, surface: str, country: str) -> Document:
    text = f"{surface} criticised the plan."
    return make(doc_id, text, [(surface, "ACTOR", {"actor_kind": "group", "country": country})], [])


def training_gold() -> list[Document]:
    """Sixteen one-sentence articles (invented people)."""
    return [
        call("t1", "President Ana Lopes", "Prime Minister Omar Haddad", "called", "actual"),
        call("t2", "Chancellor Ruth Weber", "President Ivo Dalca", "called", "actual"),
        call("t3", "Minister Lena Marsh", "President Taras Bondar", "will call", "planned"),
        call("t4", "President Ivo Dalca", "Chancellor Ruth Weber", "did not call", "negated"),
        meeting("t5", "Envoy Karl Nyberg", "President Ana Lopes", "will meet", "planned", "Geneva"),
        meeting("t6", "President Taras Bondar", "Minister Lena Marsh", "met", "actual", "Oslo"),
        meeting("t7", "Minister Ana Lopes", "Envoy Karl Nyberg", "did not meet", "negated", "Rome"),
        meeting("t8", "Chancellor Ruth Weber", "President Omar Haddad", "met", "actual", "Paris"),
        visit("t9", "Minister Lena Marsh", "will visit", "planned", "Nairobi"),
        visit("t10", "Prime Minister Omar Haddad", "will visit", "planned", "Oslo"),
        visit("t11", "Envoy Karl Nyberg", "visited", "actual", "Lima"),
        call("t12", "Envoy Karl Nyberg", "President Taras Bondar", "will ring", "planned"),
        call("t13", "Minister Ana Lopes", "Chancellor Ruth Weber", "did not ring", "negated"),
        group("t14", "Russian diplomats", "RUS"),
        group("t15", "French officials", "FRA"),
        group("t16", "German diplomats", "DEU"),
    ]


@pytest.fixture(scope="module")
def heads(schema) -> Heads:
    return Heads.fit(training_gold(), schema, seed=0)


def predict(heads: Heads, doc: Document) -> Document:
    """Annotate the gold spans of ``doc`` (offsets and labels only) with the heads."""
    items = [(s.start, s.end, s.label, 1.0, "gold span") for s in doc.spans]
    found, rels = heads.annotate(doc.text, items)
    text = doc.text
    spans = [
        Span(id=text[f.start : f.end], start=f.start, end=f.end, label=f.label, attrs=f.attrs)
        for f in found
    ]
    relations = [
        Relation(
            head=text[r.head.start : r.head.end],
            tail=text[r.tail.start : r.tail.end],
            label=r.label,
            attrs=r.attrs,
        )
        for r in rels
    ]
    return Document(id=doc.id, text=text, spans=spans, relations=relations)


def by_text(doc: Document) -> dict[str, dict[str, str]]:
    return {doc.text[s.start : s.end]: s.attrs for s in doc.spans}


def relation_set(doc: Document) -> set[tuple[str, str, str, tuple]]:
    """Relations by the surface text of their ends, with their attributes."""
    surface = {s.id: doc.text[s.start : s.end] for s in doc.spans}
    return {
        (surface[r.head], surface[r.tail], r.label, tuple(sorted(r.attrs.items())))
        for r in doc.relations
    }


def test_training_sentences_are_recovered(heads):
    for gold in training_gold():
        pred = predict(heads, gold)
        want, got = by_text(gold), by_text(pred)
        for surface, attrs in want.items():
            for name, value in attrs.items():
                assert got[surface][name] == value, (gold.text, surface, name)
        assert relation_set(pred) == relation_set(gold), gold.text


def test_called_is_a_phone_call_and_will_makes_it_planned(heads):
    text = "President Mira Sol called Envoy Tomas Berg. Envoy Tomas Berg will visit Quito."
    doc = make(
        "n1",
        text,
        [person("President Mira Sol"), ("called", "CHANNEL", {}), person("Envoy Tomas Berg")],
        [],
    )
    doc.spans.append(locate(text, "visit", "v", "CHANNEL"))
    got = by_text(predict(heads, doc))
    assert (got["called"]["channel_kind"], got["called"]["modality"]) == ("phone_call", "actual")
    assert (got["visit"]["channel_kind"], got["visit"]["modality"]) == ("visit", "planned")


def test_an_unseen_contact_word_gets_its_modality_from_context(heads):
    """*phone* and *talk* never occur in training: only *will* and *did not* can tell."""
    for verb, trigger, modality in (
        ("will phone", "phone", "planned"),
        ("did not talk to", "talk", "negated"),
    ):
        text = f"Ambassador Mira Sol {verb} President Ivo Dalca."
        doc = make(
            "n2",
            text,
            [
                person("Ambassador Mira Sol"),
                (trigger, "CHANNEL", {}),
                person("President Ivo Dalca"),
            ],
            [],
        )
        assert by_text(predict(heads, doc))[trigger]["modality"] == modality


def test_a_seen_word_in_a_new_context_is_not_looked_up(heads):
    """*visit* was always planned in training; *did not* before it still makes it negated."""
    text = "Minister Lena Marsh did not visit Quito."
    doc = make("n3", text, [person("Minister Lena Marsh"), ("visit", "CHANNEL", {})], [])
    assert by_text(predict(heads, doc))["visit"]["modality"] == "negated"


def test_participants_of_an_unseen_sentence(heads):
    text = "President Mira Sol called Chancellor Tomas Berg on Sunday."
    doc = make(
        "n4",
        text,
        [person("President Mira Sol"), ("called", "CHANNEL", {}), person("Chancellor Tomas Berg")],
        [],
    )
    assert relation_set(predict(heads, doc)) == {
        ("called", "President Mira Sol", "PARTICIPANT", (("role", "initiator"),)),
        ("called", "Chancellor Tomas Berg", "PARTICIPANT", (("role", "recipient"),)),
    }


def test_a_country_never_seen_in_training_comes_from_the_gazetteer(heads):
    text = "Kenyan diplomats criticised the plan."
    doc = make("n5", text, [("Kenyan diplomats", "ACTOR", {})], [])
    got = by_text(predict(heads, doc))["Kenyan diplomats"]
    assert got["country"] == "KEN" and got["actor_kind"] == "group"


def test_required_attributes_are_always_filled(heads, schema):
    text = "Nothing of note happened in Lima, and the summit was a failure."
    doc = make("n6", text, [("Lima", "VENUE", {}), ("summit", "CHANNEL", {})], [])
    got = by_text(predict(heads, doc))
    assert got["Lima"] == {}
    required = [n for n, a in schema.spans["CHANNEL"].attributes.items() if a.required]
    assert set(required) <= set(got["summit"])


def test_saved_and_loaded_heads_give_the_same_output(heads, schema, tmp_path):
    heads.save(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"heads.json", "heads.npz"}
    loaded = Heads.load(tmp_path, schema)
    for doc in training_gold():
        items = [(s.start, s.end, s.label, 1.0, "") for s in doc.spans]
        a_spans, a_rels = heads.annotate(doc.text, items)
        b_spans, b_rels = loaded.annotate(doc.text, items)
        assert [(f.start, f.end, f.attrs) for f in a_spans] == [
            (f.start, f.end, f.attrs) for f in b_spans
        ]
        assert [(r.head.start, r.tail.start, r.label, r.attrs, r.score) for r in a_rels] == [
            (r.head.start, r.tail.start, r.label, r.attrs, r.score) for r in b_rels
        ]


def test_a_corrupt_heads_file_is_a_model_error(heads, schema, tmp_path):
    heads.save(tmp_path)
    (tmp_path / "heads.json").write_text('{"format": 99, "heads": {}}', encoding="utf-8")
    with pytest.raises(ModelError, match="format 99, expected 1"):
        Heads.load(tmp_path, schema)
    (tmp_path / "heads.json").unlink()
    with pytest.raises(ModelError, match=r"no heads\.json"):
        Heads.load(tmp_path, schema)


@pytest.mark.parametrize("labels", [["a", "b", "a", "b"], ["a", "b", "c", "a"], ["a", "a"]])
def test_linear_head_probabilities_equal_scikit_learn(labels):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [{"w=x": 1.0, f"k={i % 2}": 1.0, f"i={i}": 1.0} for i in range(len(labels))]
    head = fit_linear(rows, labels, seed=0)
    probs = head.proba([*rows, {"unseen": 1.0}])
    if len(set(labels)) == 1:
        assert np.allclose(probs, 1.0) and head.classes == ["a"]
        return
    vec = DictVectorizer()
    clf = LogisticRegression(C=C, max_iter=2000, random_state=0)
    clf.fit(vec.fit_transform(rows), labels)
    expected = clf.predict_proba(vec.transform([*rows, {}]))
    assert head.classes == list(clf.classes_)
    assert np.allclose(probs, expected)


def test_the_gazetteer_reads_names_adjectives_and_capitals():
    gaz = gazetteer()
    assert gaz.hits(["the", "Kenyan", "envoy", "in", "Nairobi"]) == ["KEN", "KEN"]
    assert gaz.hits(["United", "States"]) == ["USA"]
    assert gaz.hits(["turkey"]) == []  # case-sensitive: a bird is no country
