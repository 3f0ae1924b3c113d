"""The rules model on small hand-checked texts (persons invented)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.documents import Document, validate_document
from backchannel.eval.models.lexicon import inflect
from backchannel.eval.models.rules import RulesModel


@pytest.fixture(scope="module")
def rules(schema) -> RulesModel:
    return RulesModel(schema=schema)


def run(model: RulesModel, text: str) -> Document:
    return next(iter(model.predict([Document(id="t", text=text)])))


def span(doc: Document, text: str, label: str, nth: int = 0):
    found = [s for s in doc.spans if s.text == text and s.label == label]
    assert len(found) > nth, f"no {label} {text!r} in {[(s.label, s.text) for s in doc.spans]}"
    return found[nth]


def roles(doc: Document, channel_id: str) -> dict[str, str]:
    by_id = {s.id: s.text for s in doc.spans}
    return {
        by_id[r.tail]: r.attrs["role"]
        for r in doc.relations
        if r.label == "PARTICIPANT" and r.head == channel_id
    }


def test_title_plus_name_is_one_person_actor(rules):
    doc = run(rules, "Foreign Secretary Miriam Osei spoke by phone with President Taras Bondar.")
    a = span(doc, "Foreign Secretary Miriam Osei", "ACTOR")
    assert a.attrs["actor_kind"] == "person"
    assert span(doc, "President Taras Bondar", "ACTOR").attrs["actor_kind"] == "person"
    c = span(doc, "spoke by phone", "CHANNEL")
    assert c.attrs == {"channel_kind": "phone_call", "modality": "actual"}
    assert set(roles(doc, c.id)) == {"Foreign Secretary Miriam Osei", "President Taras Bondar"}
    assert "title + name" in a.reason


def test_nationality_adjective_joins_the_title_and_gives_the_country(rules):
    doc = run(rules, "Russian Foreign Minister Pavel Ostrov met the German chancellor in Vienna.")
    a = span(doc, "Russian Foreign Minister Pavel Ostrov", "ACTOR")
    assert a.attrs["country"] == "RUS"
    role = span(doc, "the German chancellor", "ACTOR")
    assert role.attrs["actor_kind"] == "role" and role.attrs["country"] == "DEU"
    venue = span(doc, "Vienna", "VENUE")
    meet = span(doc, "met", "CHANNEL")
    assert any(
        r.head == meet.id and r.tail == venue.id and r.label == "HELD_AT" for r in doc.relations
    )


def test_seat_of_government_is_a_metonymic_actor(rules):
    doc = run(rules, "The Kremlin said the letter had arrived.")
    a = span(doc, "The Kremlin", "ACTOR")
    assert a.attrs == {
        "actor_kind": "government",
        "country": "RUS",
        "metonymy": "yes",
        "sector": "GOV",
    }
    assert span(doc, "the letter", "CHANNEL").attrs["channel_kind"] == "letter"


def test_seat_of_government_after_at_is_a_venue(rules):
    doc = run(rules, "The two leaders met at the White House on Friday.")
    assert span(doc, "the White House", "VENUE")
    assert not [s for s in doc.spans if s.label == "ACTOR" and "White House" in (s.text or "")]


def test_negated_call(rules):
    doc = run(rules, "President Lena Marsh did not call the Iranian foreign minister.")
    c = span(doc, "call", "CHANNEL")
    assert c.attrs["modality"] == "negated"
    assert "'not'" in c.reason
    assert roles(doc, c.id) == {
        "President Lena Marsh": "initiator",
        "the Iranian foreign minister": "recipient",
    }


def test_mediated_contact_through_a_third_state(rules):
    doc = run(rules, "Washington and Tehran held indirect talks through Oman.")
    c = span(doc, "indirect talks", "CHANNEL")
    assert c.attrs["channel_kind"] == "talks"
    assert roles(doc, c.id) == {
        "Washington": "participant",
        "Tehran": "participant",
        "Oman": "mediator",
    }
    assert span(doc, "Washington", "ACTOR").attrs["metonymy"] == "yes"
    assert span(doc, "Oman", "ACTOR").attrs == {"actor_kind": "state", "country": "OMN"}


def test_refused_meeting(rules):
    doc = run(rules, "Prime Minister Ivo Dalca refused to meet the envoy.")
    c = span(doc, "meet", "CHANNEL")
    assert c.attrs["modality"] == "refused"
    assert "Prime Minister Ivo Dalca" in roles(doc, c.id)


@pytest.mark.parametrize(
    ("text", "trigger", "modality"),
    [
        ("The two ministers will meet in Rome next week.", "meet", "planned"),
        (
            "Washington suspended intelligence-sharing with the unit.",
            "intelligence-sharing",
            "halted",
        ),
        ("Minister Ana Velez asked for a call with her counterpart.", "call", "requested"),
        ("The leaders could meet if the truce holds.", "meet", "hypothetical"),
    ],
)
def test_modality_cues(rules, text, trigger, modality):
    doc = run(rules, text)
    assert span(doc, trigger, "CHANNEL").attrs["modality"] == modality


def test_repeated_surname_is_linked_to_the_full_name(rules):
    doc = run(rules, "Chancellor Ruth Weber arrived. Later Weber said the visit went well.")
    s = span(doc, "Weber", "ACTOR")
    assert "Chancellor Ruth Weber" in s.reason


def test_anonymous_source(rules):
    doc = run(rules, "A senior Western official said the backchannel had been closed.")
    a = span(doc, "A senior Western official", "ACTOR")
    assert a.attrs["anonymous"] == "yes"
    c = span(doc, "the backchannel", "CHANNEL")
    assert c.attrs["visibility"] == "private" and c.attrs["official"] == "no"
    assert not roles(doc, c.id), "an anonymous source is not a participant"


def test_stance_cue_links_holder_and_target(rules):
    doc = run(rules, "Ambassador Karl Nyberg condemned the blockade.")
    holder = span(doc, "Ambassador Karl Nyberg", "ACTOR")
    target = span(doc, "the blockade", "ISSUE")
    [st_rel] = [r for r in doc.relations if r.label == "STANCE"]
    assert (st_rel.head, st_rel.tail, st_rel.attrs["polarity"]) == (holder.id, target.id, "against")


def test_verb_exclusions(rules):
    doc = run(rules, "The minister called for calm and called on both sides to stop.")
    assert not [s for s in doc.spans if s.label == "CHANNEL"]


def test_predictions_are_valid_and_carry_scores_and_reasons(rules, schema, doc):
    pred = run(rules, doc.text)
    validate_document(pred, schema)
    assert pred.annotator == "rules"
    assert pred.annotation is not None and pred.annotation.model_version.startswith("rules-")
    assert pred.spans and pred.relations
    for item in [*pred.spans, *pred.relations]:
        assert item.score is not None and 0.0 <= item.score <= 1.0
        assert item.reason


def test_inflection():
    assert inflect("call") == ["call", "calls", "called", "calling"]
    assert inflect("speak:spoke:spoken by phone") == [
        "speak by phone",
        "speaks by phone",
        "spoke by phone",
        "spoken by phone",
        "speaking by phone",
    ]
    assert inflect("visit") == ["visit", "visits", "visited", "visiting"]
    assert inflect("mediate")[2:] == ["mediated", "mediating"]


_WORDS = st.sampled_from(
    [
        "The",
        "Kremlin",
        "President",
        "Ana",
        "Ruiz",
        "called",
        "met",
        "in",
        "Geneva",
        "talks",
        "not",
        "through",
        "Oman",
        "said",
        ",",
        ".",
        "the",
        "deal",
        "Mr",
        "Ruiz's",
        "🙂",
        "\n",
        "e\u0301",
        "condemned",
        "a",
        "source",
        "will",
        "summit",
        "Osei",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=40))
def test_any_text_gives_a_valid_document(rules, schema, words):
    text = " ".join(words)
    pred = run(rules, text)
    validate_document(pred, schema)
    for s in pred.spans:
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text


def test_lexicon_covers_every_channel_kind_of_the_schema(schema):
    from backchannel.eval.models.lexicon import load_lexicon

    lex = load_lexicon()
    kinds = set(schema.spans["CHANNEL"].attributes["channel_kind"].values)
    found = set(lex.channel_nouns.values()) | set(lex.channel_verbs.values())
    assert found == kinds
    modalities = set(schema.spans["CHANNEL"].attributes["modality"].values)
    assert set(lex.modality_cues) | {"actual"} == modalities
    assert set(lex.stance_cues.values()) == set(schema.polarities)
    countries = set(schema.spans["ACTOR"].attributes["country"].values)
    assert {c.iso3 for c in lex.countries} <= countries
    assert set(lex.seats.values()) <= countries


def test_a_bad_lexicon_is_refused_with_its_file(tmp_path):
    import shutil

    from backchannel.errors import SchemaError
    from backchannel.eval.models.lexicon import _data_dir, load_lexicon

    shutil.copy(_data_dir() / "lexicon.yaml", tmp_path / "lexicon.yaml")
    shutil.copy(_data_dir().parents[2] / "src" / "backchannel" / "data" / "countries.tsv", tmp_path)
    text = (tmp_path / "lexicon.yaml").read_text(encoding="utf-8")
    (tmp_path / "lexicon.yaml").write_text(
        text.replace('"on", upon', "on, upon", 1), encoding="utf-8"
    )
    with pytest.raises(SchemaError, match=r"channel_exclusions\.call: item True is not a string"):
        load_lexicon(str(tmp_path))


def test_a_users_word_lists_are_used(tmp_path, schema):
    import shutil

    from backchannel.eval.models.lexicon import _data_dir

    shutil.copy(_data_dir() / "lexicon.yaml", tmp_path / "lexicon.yaml")
    shutil.copy(_data_dir().parents[2] / "src" / "backchannel" / "data" / "countries.tsv", tmp_path)
    with (tmp_path / "countries.tsv").open("a", encoding="utf-8") as fh:
        fh.write("XKX\tKosovo\tKosovar\tPristina\n")
    model = RulesModel(tmp_path, schema=None)
    doc = run(model, "Pristina said the talks would go on.")
    assert span(doc, "Pristina", "ACTOR").attrs["country"] == "XKX"
