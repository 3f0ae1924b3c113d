"""MinHash, LSH band choice and the disk-backed duplicate index."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backchannel.annotation.ingest.dedupe import (
    _PERM_A,
    _PERM_B,
    NUM_PERM,
    DedupeIndex,
    jaccard,
    lsh_params,
    minhash,
    shingles,
    word_hashes,
)

VOCAB = ["talks", "summit", "minister", "Vienna", "call", "envoy", "deal", "grain", "the", "of"]


def reference_jaccard(a: str, b: str, k: int = 5) -> float:
    """Jaccard of word k-shingle sets with plain Python tuples: what the hashes stand for."""

    def grams(text: str) -> set[tuple[str, ...]]:
        words = [
            w
            for w in "".join(c if c.isalnum() or c == "_" else " " for c in text.casefold()).split()
        ]
        if not words:
            return set()
        k_ = min(k, len(words))
        return {tuple(words[i : i + k_]) for i in range(len(words) - k_ + 1)}

    ga, gb = grams(a), grams(b)
    if not ga and not gb:
        return 1.0
    return len(ga & gb) / len(ga | gb)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(VOCAB), min_size=5, max_size=60),
    st.lists(st.sampled_from(VOCAB), min_size=5, max_size=60),
)
def test_exact_jaccard_matches_python_sets(a: list[str], b: list[str]) -> None:
    ta, tb = " ".join(a), " ".join(b)
    assert jaccard(shingles(ta), shingles(tb)) == reference_jaccard(ta, tb)


def test_shingles_are_case_and_punctuation_insensitive() -> None:
    assert np.array_equal(
        shingles("The envoy, met THE minister!"), shingles("the envoy met the minister")
    )
    # Unicode spaces, dashes and quotes separate words like their ASCII counterparts.
    assert np.array_equal(
        shingles("“Kyiv’s envoy”\u00a0— met  the…minister"),
        shingles('"kyiv\'s envoy" - met the...minister'),
    )
    assert len(shingles("— !! ...")) == 0
    assert len(shingles("two words")) == 1
    assert len(shingles("🤝🤝")) == 1  # non-ASCII characters are word characters


def test_word_hashes_match_the_polynomial_definition() -> None:
    text = "Café talks, 東京 summit_2 ok"
    words = ["café", "talks", "東京", "summit_2", "ok"]
    expected = []
    for word in words:
        value = 0
        for j, byte in enumerate(word.encode("utf-8")):
            value = (value + byte * pow(0x100000001B3, j, 1 << 64)) % (1 << 64)
        expected.append(value)
    assert word_hashes(text).tolist() == expected


def test_minhash_estimate_agrees_with_exact_and_with_datasketch(
    base_text: str, near_text: str
) -> None:
    from datasketch import MinHash

    a, b = shingles(base_text), shingles(near_text)
    exact = jaccard(a, b)
    ours = float(np.mean(minhash(a) == minhash(b)))
    ma, mb = MinHash(num_perm=NUM_PERM, seed=1), MinHash(num_perm=NUM_PERM, seed=1)
    ma.update_batch([int(x).to_bytes(8, "little") for x in a])
    mb.update_batch([int(x).to_bytes(8, "little") for x in b])
    theirs = ma.jaccard(mb)
    # Standard error of a 128-permutation estimate at J~0.84 is ~0.03: allow 3 sigma.
    assert abs(ours - exact) < 0.1
    assert abs(theirs - exact) < 0.1


def test_minhash_of_a_long_text_is_computed_in_chunks_with_the_same_result() -> None:
    rng = np.random.default_rng(0)
    many = np.unique(rng.integers(0, 2**63, size=10_000, dtype=np.uint64))
    one_pass = np.multiply.outer(_PERM_A, many)
    one_pass += _PERM_B[:, None]
    assert np.array_equal(minhash(many), one_pass.min(axis=1) >> np.uint64(32))


def test_lsh_params_keep_recall_at_the_threshold() -> None:
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95):
        bands, rows = lsh_params(threshold)
        assert bands * rows <= NUM_PERM
        assert 1 - (1 - threshold**rows) ** bands >= 0.99
        # One more row per band would drop recall below 0.99: the bands are as precise as allowed.
        more = rows + 1
        assert 1 - (1 - threshold**more) ** (NUM_PERM // more) < 0.99
    assert lsh_params(0.8) == (21, 6)


def test_index_check_does_not_add(base_text: str) -> None:
    with DedupeIndex(0.8) as index:
        assert index.check("a", base_text).exact_of is None
        assert len(index) == 0
        index.add("a", base_text)
        assert index.check("b", base_text).exact_of == "a"
        assert len(index) == 1


def test_index_picks_the_most_similar_earlier_article(base_text: str, near_text: str) -> None:
    nearer = base_text.replace("on Tuesday", "on Wednesday")
    with DedupeIndex(0.8) as index:
        index.add("near", near_text)
        index.add("base", base_text)
        verdict = index.check_and_add("new", nearer)
    assert verdict.near_of == "base"
    assert verdict.similarity == round(jaccard(shingles(nearer), shingles(base_text)), 4)


def test_index_texts_without_words_are_exact_deduped_only() -> None:
    with DedupeIndex(0.8) as index:
        assert index.check_and_add("a", "🤝🤝").near_of is None
        assert index.check_and_add("b", "🤝🤝").exact_of == "a"
        assert index.check_and_add("c", "🤝").near_of is None


def test_index_reports_a_reused_id() -> None:
    with DedupeIndex(0.8) as index:
        index.add("a", "one text")
        verdict = index.check_and_add("a", "another text")
    assert verdict.id_taken and verdict.exact_of is None


def test_index_file_is_removed_on_close(tmp_path) -> None:
    index = DedupeIndex(0.8, directory=tmp_path)
    index.add("a", "text")
    assert list(tmp_path.iterdir())
    index.close()
    assert list(tmp_path.iterdir()) == []


def test_band_keys_do_not_depend_on_python_hash_seed(base_text: str) -> None:
    code = (
        "import sys\n"
        "from backchannel.annotation.ingest.dedupe import DedupeIndex, shingles\n"
        "with DedupeIndex(0.8) as ix:\n"
        "    print(ix._band_keys(shingles(sys.stdin.read())))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=base_text,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
