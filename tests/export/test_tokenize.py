"""The export tokenizer and BIO tagger: hand-checked examples and invariants."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.export.tokenize import bio_tags, non_overlapping, spacy_words, tokenize
from backchannel.documents import Span

LABELS = ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]


def surface(text: str, tokens: list) -> list[str]:
    return [text[t.start : t.end] for t in tokens]


def test_words_and_punctuation_are_tokens() -> None:
    text = "Kremlin's envoy, in Riyadh."
    assert surface(text, tokenize(text)) == ["Kremlin", "'", "s", "envoy", ",", "in", "Riyadh", "."]


def test_span_boundaries_cut_tokens() -> None:
    text = "Russian talks"
    assert surface(text, tokenize(text, [0, 6])) == ["Russia", "n", "talks"]


def test_bio_tags_by_hand() -> None:
    text = "President Anna Reyes phoned the Kremlin."
    spans = [
        Span(id="a", start=0, end=20, label="ACTOR"),
        Span(id="c", start=21, end=27, label="CHANNEL"),
        Span(id="k", start=28, end=39, label="ACTOR"),
    ]
    result = bio_tags(text, spans, LABELS)
    assert surface(text, result.tokens) == [
        "President", "Anna", "Reyes", "phoned", "the", "Kremlin", "."
    ]  # fmt: skip
    assert result.tags == ["B-ACTOR", "I-ACTOR", "I-ACTOR", "B-CHANNEL", "B-ACTOR", "I-ACTOR", "O"]
    assert result.left_out == []


def test_overlap_longest_wins_then_earliest() -> None:
    text = "Russia's Security Council secretary and France"
    outer = Span(id="outer", start=0, end=35, label="ACTOR")
    inner = Span(id="inner", start=0, end=6, label="ACTOR")
    crossing = Span(id="cross", start=26, end=46, label="ISSUE")
    result = bio_tags(text, [inner, outer, crossing], LABELS)
    assert [s.id for s in result.tagged] == ["outer"]
    assert {s.id for s in result.left_out} == {"inner", "cross"}
    # equal length: the earlier one wins
    a = Span(id="a", start=0, end=6, label="ACTOR")
    b = Span(id="b", start=3, end=9, label="ISSUE")
    assert [s.id for s in non_overlapping([b, a], LABELS)] == ["a"]


def test_adjacent_spans_do_not_overlap() -> None:
    a = Span(id="a", start=0, end=3, label="ACTOR")
    b = Span(id="b", start=3, end=6, label="ACTOR")
    assert [s.id for s in non_overlapping([b, a], LABELS)] == ["a", "b"]
    assert bio_tags("abcdef", [a, b], LABELS).tags == ["B-ACTOR", "B-ACTOR"]


def test_spacy_words_rebuild_text_with_odd_whitespace() -> None:
    text = "  Two  spaces\n\nand a tab\t. "
    words, spaces = spacy_words(text, tokenize(text))
    rebuilt = "".join(w + (" " if sp else "") for w, sp in zip(words, spaces, strict=True))
    assert rebuilt == text


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=80,
)


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = draw(texts)
    n = len(text)
    spans = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        spans.append(Span(id=f"s{i}", start=start, end=end, label=draw(st.sampled_from(LABELS))))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_bio_invariants(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    result = bio_tags(text, spans, LABELS)
    tokens = result.tokens
    # tokens are ordered, disjoint, non-empty, contain no whitespace, and cover every
    # non-whitespace character
    covered = set()
    for prev, tok in itertools.pairwise(tokens):
        assert prev.end <= tok.start
    for tok in tokens:
        assert tok.start < tok.end
        assert not any(c.isspace() for c in text[tok.start : tok.end])
        covered.update(range(tok.start, tok.end))
    assert covered == {i for i, c in enumerate(text) if not c.isspace()}
    # every span boundary falls between tokens
    for s in spans:
        for b in (s.start, s.end):
            assert not any(t.start < b < t.end for t in tokens)
    # tagged and left-out partition the spans; tagged spans do not overlap
    assert sorted(s.id for s in result.tagged + result.left_out) == sorted(s.id for s in spans)
    kept = sorted(result.tagged, key=lambda s: s.start)
    for a, b in itertools.pairwise(kept):
        assert a.end <= b.start
    # a well-formed BIO sequence that decodes back to exactly the tagged spans' tokens
    for i, tag in enumerate(result.tags):
        if tag.startswith("I-"):
            assert result.tags[i - 1][2:] == tag[2:] and i > 0
    decoded = []
    for i, tag in enumerate(result.tags):
        if tag.startswith("B-"):
            j = i + 1
            while j < len(tokens) and result.tags[j] == f"I-{tag[2:]}":
                j += 1
            decoded.append((tokens[i].start, tokens[j - 1].end, tag[2:]))
    expected = []
    for s in kept:
        inside = [t for t in tokens if s.start <= t.start and t.end <= s.end]
        expected.append((inside[0].start, inside[-1].end, s.label))
    assert decoded == expected
    # spaCy words rebuild the text exactly
    words, flags = spacy_words(text, tokens)
    assert "".join(w + (" " if f else "") for w, f in zip(words, flags, strict=True)) == text
