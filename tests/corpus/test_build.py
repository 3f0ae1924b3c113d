"""corpora/build.py on tiny hand-made article folders: locating, refusing, writing, checking."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backchannel.documents import read_documents
from backchannel.errors import DocumentError
from backchannel.normalise import document_id
from corpora import build


def _edit_yaml(root: Path, old: str, new: str) -> Path:
    path = root / "articles" / "001-reyes-call.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_spans_are_located_in_the_normalised_text(mini, build_mini):
    result = build_mini(mini)
    (gold,) = result.gold
    by_id = {s.id: s for s in gold.spans}
    assert by_id["a1"].text == "President Anna Reyes"
    assert by_id["a2"].start == gold.text.index("the Kremlin on Monday")
    assert gold.id == document_id(gold.text)
    assert gold.annotator == "gold"
    assert gold.meta["file"].endswith("001-reyes-call.txt")
    for span in gold.spans:
        assert gold.text[span.start : span.end] == span.text


def test_ambiguous_surface_without_nth_names_file_and_span(mini, build_mini):
    path = _edit_yaml(mini, 'surface: "the Kremlin", nth: 1,', 'surface: "the Kremlin",')
    with pytest.raises(DocumentError) as err:
        build_mini(mini)
    assert err.value.path == str(path)
    assert err.value.span_id == "a2"
    assert "occurs 2 times; add nth: 0..1" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('surface: "phoned"', 'surface: "telephoned"', "not found in the text"),
        ('surface: "the Kremlin", nth: 1,', 'surface: "the Kremlin", nth: 2,', "occurs only 2"),
        ('surface: "phoned"', 'surface: "phone", nth: 1', "inside the word 'phoned'"),
        ("modality: actual}}\n  - {id: a2", "modality: soon}}\n  - {id: a2", "unknown value"),
        (
            "attrs: {channel_kind: phone_call, modality: actual}}\n  - {id: a2",
            "attrs: {modality: actual}}\n  - {id: a2",
            "CHANNEL.channel_kind missing",
        ),
        ("{id: i1,", "{id: a1,", "duplicate span id"),
        ("{head: c1, tail: i1,", "{head: c1, tail: x9,", "missing span id 'x9'"),
        ('title: "Reyes phones the Kremlin"', 'title: "Another title"', "first line"),
        ("synthetic: true", "synthetic: false", "meta.synthetic must be true"),
        ("nth: 1,", "nth: one,", "nth must be a 0-based integer"),
        ('relevant: "yes"', "relevant: yes", "must be a string"),
    ],
)
def test_bad_sources_are_refused_with_one_line(mini, build_mini, old, new, message):
    path = _edit_yaml(mini, old, new)
    with pytest.raises(DocumentError) as err:
        build_mini(mini)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_orphan_text_file_is_refused(mini, build_mini):
    (mini / "articles" / "002-orphan.txt").write_text("Title\n\nBody.", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"has no matching 002-orphan\.yaml"):
        build_mini(mini)


def test_only_ignores_other_half_written_articles(mini, build_mini):
    (mini / "articles" / "002-orphan.txt").write_text("Title\n\nBody.", encoding="utf-8")
    result = build_mini(mini, only="001")
    assert [s.key for s in result.sources] == ["001-reyes-call"]
    assert result.annotations == []


def test_write_then_check_round_trip(mini, build_mini):
    result = build_mini(mini)
    assert not build.check_outputs(result).ok  # nothing written yet
    written = build.write_outputs(result)
    assert {p.name for p in written} == {
        "articles.jsonl",
        "gold.jsonl",
        "annotations.jsonl",
        "README.md",
    }
    assert build.check_outputs(build_mini(mini)).ok
    gold = list(read_documents(mini / "out" / "gold.jsonl", unique=True))
    assert gold == result.gold
    readme = (mini / "README.md").read_text(encoding="utf-8")
    assert "| span label | ACTOR | 2 |" in readme
    assert readme.startswith("# Test corpus\n")


def test_check_reports_a_stale_file(mini, build_mini):
    build.write_outputs(build_mini(mini))
    _edit_yaml(mini, '  - {id: i1, label: ISSUE, surface: "the grain deal"}\n', "")
    _edit_yaml(mini, "  - {head: c1, tail: i1, label: ABOUT}\n", "")
    check = build.check_outputs(build_mini(mini))
    stale = {d.path.name: d.summary for d in check.diffs}
    assert stale["gold.jsonl"].startswith("1 record(s) changed, 0 added, 0 removed")
    assert "README.md" in stale


def test_write_refuses_a_partial_build(mini, build_mini):
    with pytest.raises(DocumentError, match="partial build"):
        build.write_outputs(build_mini(mini, only="001"))


def test_build_is_byte_deterministic(mini, build_mini):
    first, second = build_mini(mini).outputs(), build_mini(mini).outputs()
    assert list(first.items()) == list(second.items())


def test_cli_only_lists_spans_and_check_exits_1_when_stale(mini, capsys):
    args = ["--articles", str(mini / "articles"), "--out", str(mini / "out")]
    args += ["--readme", str(mini / "README.md")]
    assert build.main([*args, "--only", "1"]) == 0
    out = capsys.readouterr().out
    assert "a1   ACTOR" in out and "'President Anna Reyes'" in out
    assert build.main([*args, "--check"]) == 1
    assert "stale outputs" in capsys.readouterr().err
    assert build.main(args) == 0
    assert build.main([*args, "--check"]) == 0


def test_cli_error_is_one_line_and_writes_nothing(mini, capsys):
    _edit_yaml(mini, 'surface: "phoned"', 'surface: "telephoned"')
    args = ["--articles", str(mini / "articles"), "--out", str(mini / "out")]
    assert build.main([*args, "--readme", str(mini / "README.md")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "span c1" in err[0]
    assert list((mini / "out").iterdir()) == []


WORD = st.text(alphabet="abcde", min_size=1, max_size=4)


@given(words=st.lists(WORD, min_size=1, max_size=12), data=st.data())
def test_locate_finds_the_chosen_whole_word_occurrence(words, data):
    text = " ".join(words)
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    surface = " ".join(words[i:j])
    start = len(" ".join(words[:i])) + (1 if i else 0)
    hits = []
    pos = text.find(surface)
    while pos != -1:
        hits.append(pos)
        pos = text.find(surface, pos + 1)
    nth = hits.index(start)
    assert build.locate(text, surface, nth) == (start, start + len(surface))
