"""The rules model's recognisers, each run alone on one sentence (persons invented).

These pin today's behaviour of single recognisers (what ``eval/models/rules/`` splits the model
into), not a judgement of the rules: where the rules are naive, the test says so.
"""

from __future__ import annotations

import pytest

from backchannel.eval.models.base import Found
from backchannel.eval.models.rules.actors_people import anonymous
from backchannel.eval.models.rules.actors_titles import titles
from backchannel.eval.models.rules.channels import contact_sense, find_channels
from backchannel.eval.models.rules.context import Context, sentence_starts
from backchannel.eval.models.rules.extractor import RECOGNISERS, RuleExtractor, run
from backchannel.eval.models.rules.knowledge import name_key
from backchannel.eval.models.rules.modality import is_private, modality_of, window
from backchannel.eval.models.rules.relations import role_of


@pytest.fixture(scope="module")
def ex() -> RuleExtractor:
    return RuleExtractor()


def context(ex: RuleExtractor, text: str) -> Context:
    return Context(ex, ex.nlp(text))


def surface(ctx: Context, f: Found) -> str:
    return ctx.doc_text[f.start : f.end]


def token(ctx: Context, word: str) -> int:
    """Index of the first token ``word`` (the sentences here have each trigger once)."""
    return ctx.text.index(word)


def test_channel_recogniser_alone_finds_the_contact_and_claims_its_tokens(ex):
    ctx = context(ex, "The two ministers spoke by phone on Monday.")
    find_channels(ctx)
    assert [(surface(ctx, f), f.label) for f in ctx.spans] == [("spoke by phone", "CHANNEL")]
    assert ctx.spans[0].attrs == {"channel_kind": "phone_call", "modality": "actual"}
    assert ctx.channels == ctx.spans
    spoke = token(ctx, "spoke")
    assert [i for i in range(ctx.n) if ctx.taken[i]] == [spoke, spoke + 1, spoke + 2]


@pytest.mark.parametrize(
    ("text", "trigger", "expected"),
    [
        ("Ana Ruiz will visit Paris.", "visit", ("planned", "will")),
        ("Ana Ruiz visited Paris.", "visited", ("actual", None)),
        ("Ruiz did not call the envoy.", "call", ("negated", "not")),
    ],
)
def test_modality_comes_from_a_cue_before_the_trigger(ex, text, trigger, expected):
    ctx = context(ex, text)
    s = token(ctx, trigger)
    assert modality_of(ctx, s, s + 1) == expected


def test_a_cue_after_the_trigger_counts_for_halted(ex):
    ctx = context(ex, "The talks were suspended.")
    s = token(ctx, "talks")
    assert modality_of(ctx, s, s + 1) == ("halted", "suspended")


def test_the_window_stops_at_but(ex):
    ctx = context(ex, "Officials did not comment, but the ministers met in Vienna.")
    met = token(ctx, "met")
    lo, _ = window(ctx, met, met + 1)
    assert ctx.text[lo] == "the"  # the clause after "but": "not" is outside
    assert modality_of(ctx, met, met + 1) == ("actual", None)


@pytest.mark.parametrize(
    ("text", "private"),
    [("The envoys held secret talks in Oman.", True), ("The envoys held talks in Oman.", False)],
)
def test_a_secrecy_cue_in_the_window_makes_a_channel_private(ex, text, private):
    ctx = context(ex, text)
    s = token(ctx, "talks")
    assert is_private(ctx, s, s + 1) is private


@pytest.mark.parametrize(
    ("text", "contact"),
    [("He called the plan 'absurd'.", False), ("Ana Ruiz called Taras Bondar.", True)],
)
def test_called_before_a_quote_is_naming_not_phoning(ex, text, contact):
    ctx = context(ex, text)
    s = token(ctx, "called")
    assert contact_sense(ctx, "phone_call", s, s + 1, True) is contact


def test_anonymous_source_alone(ex):
    ctx = context(ex, "A senior Russian official said the talks would resume.")
    anonymous(ctx)
    assert [surface(ctx, f) for f in ctx.spans] == ["A senior Russian official"]
    assert ctx.spans[0].attrs == {
        "actor_kind": "person",
        "anonymous": "yes",
        "country": "RUS",
        "sector": "GOV",
    }


def test_title_plus_name_is_a_person_and_registers_the_surname(ex):
    ctx = context(ex, "Foreign Minister Ana Ruiz met the envoy.")
    titles(ctx)
    got = {surface(ctx, f): f.attrs["actor_kind"] for f in ctx.spans}
    assert got == {"Foreign Minister Ana Ruiz": "person", "the envoy": "role"}
    # surnames are remembered by their folded key ("Zelenskyy" and "Zelensky" are one)
    assert surface(ctx, ctx.surnames[name_key("Ruiz")]) == "Foreign Minister Ana Ruiz"


def test_order_matters_the_title_recogniser_claims_the_envoy_before_the_channels(ex):
    text = "Ruiz refused to meet the envoy."
    alone = context(ex, text)
    find_channels(alone)
    assert [surface(alone, f) for f in alone.spans] == ["meet", "the envoy"]  # a mission, alone

    ctx = context(ex, text)
    spans, _ = run(ctx)
    assert RECOGNISERS.index(titles) < RECOGNISERS.index(find_channels)
    assert sorted((surface(ctx, f), f.label) for f in spans) == [
        ("meet", "CHANNEL"),
        ("the envoy", "ACTOR"),
    ]
    assert next(f for f in spans if f.label == "CHANNEL").attrs["modality"] == "refused"


def test_role_of_subject_and_object_of_a_call(ex):
    ctx = context(ex, "Foreign Minister Ana Ruiz called President Taras Bondar.")
    spans, _ = run(ctx)
    call = next(f for f in spans if f.label == "CHANNEL")
    by_text = {surface(ctx, f): f for f in spans if f.label == "ACTOR"}
    assert role_of(ctx, call, by_text["Foreign Minister Ana Ruiz"]) == (
        "initiator",
        "subject of 'called'",
    )
    assert role_of(ctx, call, by_text["President Taras Bondar"]) == (
        "recipient",
        "object of 'called'",
    )


def test_sentences_start_after_a_full_stop_and_after_a_blank_line():
    words = ["Talks", "resume", "\n\n", "The", "envoy", "arrived", ".", "He", "left", "."]
    assert sentence_starts(words) == [0, 3, 7]
