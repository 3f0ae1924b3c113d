"""Property tests: ingest is idempotent for any text, and for any corpus it produced."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backchannel.annotation.ingest.corpus import ingest
from backchannel.documents import read_documents
from backchannel.normalise import normalise_text

# Text with the characters that break offsets: emoji, CR/LF, combining marks, BOM, NBSP.
tricky = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(
            [
                "\r\n",
                "\r",
                "\n",
                "\u0301",
                "\u0308",
                "e",
                "\U0001f91d",
                "\ufeff",
                "\u00a0",
                " ",
                "\t",
            ]
        ),
    ),
    min_size=1,
    max_size=80,
).map("".join)


def _ingest_texts(root: Path, name: str, records: list[dict]) -> Path:
    src = root / f"{name}.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = root / f"{name}.out.jsonl"
    ingest([src], out)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tricky)
def test_ingesting_the_output_text_again_gives_the_same_text_and_id(raw: str) -> None:
    assume(normalise_text(raw)[0])
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        [first] = read_documents(_ingest_texts(root, "one", [{"text": raw}]))
        [second] = read_documents(_ingest_texts(root, "two", [{"text": first.text}]))
    assert second.text == first.text
    assert second.id == first.id
    assert second.meta["normalised"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tricky, min_size=1, max_size=6))
def test_reingesting_a_corpus_is_byte_identical(raws: list[str]) -> None:
    assume(all(normalise_text(r)[0] for r in raws))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        first = _ingest_texts(root, "one", [{"text": r} for r in raws])
        second = root / "two.jsonl"
        ingest([first], second)
        assert second.read_bytes() == first.read_bytes()
