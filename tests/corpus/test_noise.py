"""The synthetic annotators: seeded, valid, and disagreeing in the documented ways."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from backchannel.documents import Document, Relation, Span, validate_document
from corpora import noise

TEXT = (
    "President Anna Reyes phoned the Kremlin on Monday about the grain deal. "
    "Prime Minister Sir Alan Hartley will visit Riyadh next week, Downing Street said."
)


def _span(sid: str, surface: str, label: str, **attrs: str) -> Span:
    start = TEXT.index(surface)
    return Span(
        id=sid, start=start, end=start + len(surface), label=label, text=surface, attrs=attrs
    )


def _gold() -> Document:
    spans = [
        _span("a1", "President Anna Reyes", "ACTOR", actor_kind="person", country="PHL"),
        _span("c1", "phoned", "CHANNEL", channel_kind="phone_call", modality="actual"),
        _span("a2", "the Kremlin", "ACTOR", actor_kind="government", metonymy="yes"),
        _span("i1", "the grain deal", "ISSUE"),
        _span("a3", "Prime Minister Sir Alan Hartley", "ACTOR", actor_kind="person"),
        _span("c2", "visit", "CHANNEL", channel_kind="visit", modality="planned"),
        _span("v1", "Riyadh", "VENUE"),
        _span("a4", "Downing Street", "ACTOR", actor_kind="government", metonymy="yes"),
    ]
    relations = [
        Relation("c1", "a1", "PARTICIPANT", attrs={"role": "initiator"}),
        Relation("c1", "a2", "PARTICIPANT", attrs={"role": "recipient"}),
        Relation("c1", "i1", "ABOUT"),
        Relation("c2", "a3", "PARTICIPANT", attrs={"role": "visitor"}),
        Relation("c2", "v1", "HELD_AT"),
        Relation("a4", "a3", "STANCE", attrs={"polarity": "favor", "expressed": "reported"}),
    ]
    return Document(
        id="g1",
        text=TEXT,
        spans=spans,
        relations=relations,
        doc_labels={"relevant": "yes", "framing": "cooperative"},
        annotator="gold",
    )


ALWAYS = noise.NoiseProfile("ann_test", "always wrong", 0.0, 1.0, 1.0, 1.0, 0.0, 1.0)


def test_same_seed_same_output_and_gold_untouched(schema):
    gold = _gold()
    before = gold.spans[:]
    items = [(f"{n:03d}-x", gold) for n in range(5)]
    first = noise.make_annotations(items, schema, seed=7)
    second = noise.make_annotations(items, schema, seed=7)
    assert [n.document for n in first] == [n.document for n in second]
    assert [n.events for n in first] == [n.events for n in second]
    other = noise.make_annotations(items, schema, seed=8)
    assert [n.document for n in first] != [n.document for n in other]
    assert gold.spans == before


def test_noise_of_one_article_does_not_depend_on_the_others(schema):
    gold = _gold()
    average = noise.DEFAULT_PROFILES[1]
    alone = noise.perturb(gold, "003-x", average, schema, seed=1)
    many = noise.make_annotations(
        [("001-a", gold), ("002-b", gold), ("003-x", gold)], schema, profiles=[average], seed=1
    )
    assert many[2].document == alone.document
    assert many[0].document != alone.document  # a different key gives different noise


def test_maximal_noise_shows_every_confusion_and_still_validates(schema):
    result = noise.perturb(_gold(), "001-x", ALWAYS, schema, seed=3)
    doc = result.document
    validate_document(doc, schema)
    kinds = Counter(e.kind for e in result.events)
    assert kinds["boundary_title"] == 2  # "President ", "Prime Minister Sir "
    assert {s.text for s in doc.spans} >= {"Anna Reyes", "Alan Hartley", "Kremlin"}
    assert kinds["label_confusion"] >= 2  # the Kremlin / Downing Street become VENUE, Riyadh ACTOR
    assert kinds["modality_confusion"] == 1  # planned -> requested
    assert {s.attrs.get("modality") for s in doc.spans if s.label == "CHANNEL"} == {
        "actual",
        "requested",
    }
    assert kinds["role_confusion"] >= 1
    assert kinds["doc_label_confusion"] == 1 and doc.doc_labels["framing"] == "mixed"
    # relations to spans that stopped being ACTOR/VENUE are gone, never dangling
    assert kinds["relation_lost"] >= 1
    assert doc.annotator == "ann_test" and doc.annotation and doc.annotation.ground_truth is False


def test_span_ids_are_fresh_region_ids_in_text_order(schema):
    doc = noise.perturb(_gold(), "001-x", noise.DEFAULT_PROFILES[0], schema, seed=3).document
    assert [s.id for s in doc.spans] == [f"s{i}" for i in range(1, len(doc.spans) + 1)]
    assert [s.start for s in doc.spans] == sorted(s.start for s in doc.spans)


def test_missed_mentions_take_their_relations_with_them(schema):
    drop_all = noise.NoiseProfile("ann_gone", "misses everything", 1.0, 0, 0, 0, 0, 0)
    result = noise.perturb(_gold(), "001-x", drop_all, schema)
    assert result.document.spans == [] and result.document.relations == []
    assert Counter(e.kind for e in result.events)["missed_mention"] == 8
    validate_document(result.document, schema)


def test_skips_are_seeded_and_exact(schema):
    keys = [f"{n:03d}-x" for n in range(30)]
    sloppy = noise.DEFAULT_PROFILES[2]
    assert len(noise.skipped_articles(keys, sloppy)) == sloppy.skips == 1
    assert noise.skipped_articles(keys, sloppy) == noise.skipped_articles(keys, sloppy)
    assert noise.skipped_articles(keys, noise.DEFAULT_PROFILES[0]) == set()


def test_profiles_are_ordered_careful_to_sloppy():
    careful, average, sloppy = noise.DEFAULT_PROFILES
    for field in ("miss", "boundary", "label", "attr", "relation", "doc"):
        assert getattr(careful, field) < getattr(average, field) < getattr(sloppy, field)


def test_docs_table_matches_the_profiles():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "corpus.md").read_text(encoding="utf-8")
    for p in noise.DEFAULT_PROFILES:
        cells = [p.miss, p.boundary, p.label, p.attr, p.relation, p.doc]
        row = f"| `{p.name}` ({p.description}) | " + " | ".join(f"{c:.2f}" for c in cells)
        assert f"{row} | {p.skips} |" in docs
