"""Grounding quoted strings on exact offsets: hand-checkable cases and hypothesis properties."""

from __future__ import annotations

import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backchannel.eval.models.llm.grounding import MIN_COVERAGE, Grounder, normalise


def place_all(text: str, quotes: list[tuple[str, str]]) -> list[tuple[str, str] | None]:
    """Place quotes in order; each result is ``(text[start:end], method)`` or ``None``."""
    g = Grounder(text)
    out = []
    for quote, label in quotes:
        p = g.place(quote, label)
        if p is not None:
            assert 0 <= p.start < p.end <= len(text)
        out.append(None if p is None else (text[p.start : p.end], p.method))
    return out


def test_exact_quote_is_placed_exactly() -> None:
    text = "Koval spoke to Hartley."
    g = Grounder(text)
    p = g.place("Hartley", "ACTOR")
    assert (p.start, p.end, p.method) == (15, 22, "exact")


def test_repeated_surfaces_take_occurrences_in_order() -> None:
    text = "Koval called Hartley. Hartley called Koval back. Koval hung up."
    g = Grounder(text)
    starts = [g.place("Koval", "ACTOR").start for _ in range(3)]
    assert starts == [0, 37, 49]
    assert [text[s : s + 5] for s in starts] == ["Koval"] * 3


def test_a_surface_listed_more_often_than_it_occurs_is_a_duplicate() -> None:
    g = Grounder("Koval met Hartley.")
    assert not g.place("Koval", "ACTOR").duplicate
    again = g.place("Koval", "ACTOR")
    assert (again.start, again.duplicate) == (0, True)


def test_case_change_is_placed_normalised() -> None:
    text = "The Kremlin said nothing."
    assert place_all(text, [("the kremlin", "ACTOR")]) == [("The Kremlin", "normalised")]


def test_curly_and_straight_quotes_and_dashes() -> None:
    text = "Ukraine’s President called it “just and lasting” – a pause."
    got = place_all(
        text,
        [
            ("Ukraine's President", "ACTOR"),
            ('"just and lasting"', "ISSUE"),
            ("lasting\u201d - a pause", "ISSUE"),
        ],
    )
    assert got == [
        ("Ukraine’s President", "normalised"),
        ("“just and lasting”", "normalised"),
        ("lasting” – a pause", "normalised"),
    ]


def test_whitespace_and_line_breaks_collapse() -> None:
    text = "Hartley spoke by\n\nphone with Koval."
    assert place_all(text, [("spoke by phone", "CHANNEL")]) == [("spoke by\n\nphone", "normalised")]


def test_transliteration_without_diacritics() -> None:
    text = "She met Dragan Milovanović in Belgrade."
    assert place_all(text, [("Dragan Milovanovic", "ACTOR")]) == [
        ("Dragan Milovanović", "normalised")
    ]


def test_transliteration_variant_is_placed_fuzzy() -> None:
    text = "President Volodymyr Zelensky spoke to Sir Alan Hartley."
    g = Grounder(text)
    p = g.place("President Volodymyr Zelenskiy", "ACTOR")
    assert text[p.start : p.end] == "President Volodymyr Zelensky"
    assert p.method == "fuzzy" and MIN_COVERAGE <= p.coverage < 1.0


def test_misquoted_string_is_placed_on_the_words_it_misquotes() -> None:
    text = "The minister said talks would resume in Riyadh next week."
    p = Grounder(text).place("talks will resume in Riyadh", "CHANNEL")
    assert text[p.start : p.end] == "talks would resume in Riyadh"
    assert p.method == "fuzzy"


def test_text_the_article_does_not_hold_is_not_placed() -> None:
    text = "Prime Minister Sir Alan Hartley spoke to the Norwegian foreign ministry."
    g = Grounder(text)
    assert g.place("Chancellor Ingrid Vasquez", "ACTOR") is None
    assert g.place("the Andorran foreign ministry", "ACTOR") is None
    assert g.place("   ", "ACTOR") is None


def test_whole_words_before_substrings() -> None:
    text = "Iranian officials said Iran would reply."
    p = Grounder(text).place("Iran", "ACTOR")
    assert (p.start, text[p.start : p.end]) == (23, "Iran")


def test_offsets_are_exact_with_emoji_combining_marks_and_other_scripts() -> None:
    # emoji with skin tone and ZWJ, a decomposed é, Cyrillic, Arabic and CJK
    text = (
        "👩🏽‍💼 Minister Amélie Durand (e\u0301crit) met Драган Миловановић, "
        "then محمد بن سلمان and 王毅 in Genève 🇨🇭."
    )
    quotes = [
        ("Minister Amelie Durand", "ACTOR"),
        ("ecrit", "CHANNEL"),
        ("Драган Миловановић", "ACTOR"),
        ("محمد بن سلمان", "ACTOR"),
        ("王毅", "ACTOR"),
        ("Geneve", "VENUE"),
    ]
    got = place_all(text, quotes)
    assert got == [
        ("Minister Amélie Durand", "normalised"),
        ("e\u0301crit", "normalised"),
        ("Драган Миловановић", "exact"),
        ("محمد بن سلمان", "exact"),
        ("王毅", "exact"),
        ("Genève", "normalised"),
    ]


def test_a_decomposed_accent_at_the_end_is_not_cut_off() -> None:
    text = "They met at the cafe\u0301 today."
    got = place_all(text, [("the cafe", "VENUE")])
    assert got == [("the cafe\u0301", "normalised")]


# -- properties ---------------------------------------------------------------------------

_LATIN = list("abcdeKLMN  ,.-'\"’“”–—\n")
_OTHER = ["é", "e\u0301", "ß", "İ", "Ж", "ж", "ع", "王", "😀", "👍🏽", "\u200d", "ﬁ", "Å"]
_alphabet = st.sampled_from([*_LATIN, *_OTHER])
texts = st.lists(_alphabet, min_size=1, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_a_quote_cut_from_the_text_is_always_placed_exactly(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    assume(quote.strip() == quote and quote)
    # a cut inside a character sequence ("e" of "e" + U+0301) is not a quote a model gives:
    # grounding then prefers the whole character (tested below)
    assume(end == len(text) or not unicodedata.category(text[end]).startswith("M"))
    assume(not unicodedata.category(text[start]).startswith("M"))
    p = Grounder(text).place(quote, "ACTOR")
    assert p is not None
    assert p.method == "exact"
    assert text[p.start : p.end] == quote


@settings(max_examples=300, deadline=None)
@given(text=texts, quote=texts)
def test_any_placement_holds_the_quote_or_its_normal_form(text: str, quote: str) -> None:
    p = Grounder(text).place(quote, "ACTOR")
    if p is None:
        return
    assert 0 <= p.start < p.end <= len(text)
    placed = text[p.start : p.end]
    if p.method == "exact":
        assert placed == quote.strip()
    elif p.method == "normalised":
        assert normalise(placed) == normalise(quote)
    else:
        assert p.method == "fuzzy" and p.coverage >= MIN_COVERAGE


@settings(max_examples=200, deadline=None)
@given(text=texts, data=st.data())
def test_changed_case_and_quotes_are_placed_on_the_same_stretch(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    assume(quote.strip() == quote and normalise(quote))
    variant = quote.swapcase().replace("’", "'").replace("“", '"').replace("–", "-")
    p = Grounder(text).place(variant, "ACTOR")
    assert p is not None
    assert normalise(text[p.start : p.end]) == normalise(variant)


@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_normalising_never_loses_the_map_back(text: str) -> None:
    from backchannel.eval.models.llm.grounding import NormalisedText

    norm = NormalisedText(text)
    assert len(norm.origin) == len(norm.text) == len(norm.first)
    assert all(0 <= i < len(text) for i in norm.origin)
    assert norm.origin == sorted(norm.origin)
    # every character kept maps back to a character whose normal form contains it
    for k, ch in enumerate(norm.text):
        source = text[norm.origin[k]]
        folded = unicodedata.normalize("NFKD", source).casefold()
        assert ch in folded or ch in "'- "
