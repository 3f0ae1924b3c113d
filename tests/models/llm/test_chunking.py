"""Chunks of long articles: they cover the text, overlap, and stay within the limit."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.eval.models.base import Found, FoundRelation
from backchannel.eval.models.llm.chunking import chunk_text, merge_found

words = st.lists(st.sampled_from(["Koval", "met", "Hartley.", "\n\n", "talks", "in", "Вена,"]))


@settings(max_examples=200, deadline=None)
@given(parts=words, limit=st.integers(20, 200), overlap=st.integers(0, 80))
def test_chunks_cover_the_text_in_order_within_the_limit(
    parts: list[str], limit: int, overlap: int
) -> None:
    text = " ".join(parts)
    chunks = chunk_text(text, limit, overlap=overlap, context=50)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for prev, nxt in pairwise(chunks):
        assert prev.start < nxt.start <= prev.end  # no gap, always progress
        assert nxt.context_start == max(0, nxt.start - 50)
    for c in chunks:
        assert c.end - c.start <= limit


def test_short_text_is_one_chunk() -> None:
    assert [(c.start, c.end) for c in chunk_text("Koval met Hartley.", 6000)] == [(0, 18)]
    assert len(chunk_text("x" * 10_000, 0)) == 1


def test_chunks_end_at_sentence_boundaries_when_they_can() -> None:
    text = "Koval met Hartley. " * 20
    chunks = chunk_text(text, 100, overlap=20)
    assert all(text[c.end - 2 : c.end] == ". " for c in chunks[:-1])


def test_seam_duplicates_merge_and_relations_follow() -> None:
    a1, c1 = Found(0, 5, "ACTOR"), Found(6, 12, "CHANNEL", attrs={})
    a1_again = Found(0, 5, "ACTOR")
    c1_again = Found(6, 12, "CHANNEL", attrs={"channel_kind": "phone_call"})
    rel = FoundRelation(head=c1_again, tail=a1_again, label="PARTICIPANT")
    spans, rels = merge_found([a1, c1, a1_again, c1_again], [rel])
    assert spans == [a1, c1]
    assert rels[0].head is c1 and rels[0].tail is a1
    assert c1.attrs == {"channel_kind": "phone_call"}  # the seam copy knew more
