"""``backchannel ingest`` through the CLI: the summary, and one exact line per bad input.

Every error case also checks that no output file (and no temporary file) is left behind, and
that an existing corpus at the output path is left exactly as it was.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.cli.app import app


def _ingest(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, ["ingest", *map(str, args)])
    return result.exit_code, result.stderr


def test_summary_and_duplicate_lines(
    runner: CliRunner, files, tmp_path: Path, base_text: str, near_text: str
) -> None:
    files.write("arts/a.txt", base_text)
    files.write("arts/b.txt", base_text + "\n")
    files.write("arts/c.txt", near_text)
    out = tmp_path / "corpus.jsonl"
    code, err = _ingest(runner, tmp_path / "arts", "-o", out)
    assert code == 0, err
    a, c = files.read("corpus.jsonl")
    sim = c.meta["near_duplicate_similarity"]
    assert err == (
        f"dropped {tmp_path}/arts/b.txt: same text as {a.id}\n"
        f"flagged {tmp_path}/arts/c.txt ({c.id}): near-duplicate of {a.id} (similarity {sim:.2f})\n"
        f"ingested 2 documents from 3 files (1 exact duplicate dropped, 1 near-duplicate flagged)"
        f" -> {out}\n"
    )


def test_quiet_prints_only_the_summary(runner: CliRunner, files, tmp_path: Path) -> None:
    files.write("a.txt", "x")
    files.write("b.txt", "x")
    code, err = _ingest(
        runner, tmp_path / "a.txt", tmp_path / "b.txt", "-q", "-o", tmp_path / "c.jsonl"
    )
    assert code == 0
    assert err.count("\n") == 1
    assert err.startswith("ingested 1 document from 2 files (1 exact duplicate dropped")


def test_stdout_output(runner: CliRunner, files, tmp_path: Path) -> None:
    files.write("a.txt", "to stdout")
    result = runner.invoke(app, ["ingest", str(tmp_path / "a.txt")])
    assert result.exit_code == 0
    assert result.stdout.startswith('{"id":"')
    assert '"text":"to stdout"' in result.stdout


def test_stdin_source(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    result = runner.invoke(app, ["ingest", "-", "-o", str(out)], input='{"text": "piped"}\n')
    assert result.exit_code == 0, result.stderr
    assert '"text":"piped"' in out.read_text()


def _unreadable(files, tmp_path: Path) -> Path:
    # A socket exists but cannot be opened as a file, even by root (unlike chmod 000).
    path = tmp_path / "sock.txt"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


CASES = [
    # name, make the bad source (returns the argument and the expected message)
    (
        "missing file",
        lambda f, t: (t / "nope.txt", f"{t}/nope.txt: no such file or directory"),
    ),
    (
        "glob without match",
        lambda f, t: (t / "*.html", f"{t}/*.html: no files match this pattern"),
    ),
    (
        "unsupported type",
        lambda f, t: (
            f.write("doc.pdf", "x"),
            f"{t}/doc.pdf: unsupported file type '.pdf' (expected .txt, .html, .htm, .jsonl)",
        ),
    ),
    (
        "folder without articles",
        lambda f, t: (
            f.write("empty/notes.md", "x").parent,
            f"{t}/empty: no .txt, .html, .htm, .jsonl files in this folder",
        ),
    ),
    (
        "unreadable file",
        lambda f, t: (_unreadable(f, t), f"{t}/sock.txt: cannot read (No such device or address)"),
    ),
    (
        "invalid UTF-8 in a text file",
        lambda f, t: (
            f.write("bad.txt", b"fine line\nbad \xff byte\n"),
            f"{t}/bad.txt:2: not valid UTF-8 (byte 0xff at column 5)",
        ),
    ),
    (
        "invalid UTF-8 in a JSONL line",
        lambda f, t: (
            f.write("bad.jsonl", b'{"text": "ok"}\n{"text": "\xc3("}\n'),
            f"{t}/bad.jsonl:2: not valid UTF-8 (byte 0xc3 at column 11)",
        ),
    ),
    (
        "empty article",
        lambda f, t: (
            f.write("blank.txt", " \r\n\t\r\n"),
            f"{t}/blank.txt: empty article (no text left after normalisation)",
        ),
    ),
    (
        "empty JSONL text",
        lambda f, t: (
            f.jsonl("e.jsonl", {"text": "ok"}, {"text": "\n\n"}),
            f"{t}/e.jsonl:2: empty article (no text left after normalisation)",
        ),
    ),
    (
        "JSONL record without text",
        lambda f, t: (
            f.jsonl("r.jsonl", {"text": "ok"}, {"meta": {"title": "no text"}}),
            f'{t}/r.jsonl:2: record has no "text" (expected a string)',
        ),
    ),
    (
        "JSONL text not a string",
        lambda f, t: (
            f.jsonl("r.jsonl", {"text": ["a", "b"]}),
            f'{t}/r.jsonl:1: record has a list as "text" (expected a string)',
        ),
    ),
    (
        "JSONL line not JSON",
        lambda f, t: (
            f.write("r.jsonl", '{"text": "ok"}\n\n{"text": \n'),
            f"{t}/r.jsonl:3: not valid JSON (Input data was truncated): " + "'{\"text\":'",
        ),
    ),
    (
        "JSONL record not an object",
        lambda f, t: (
            f.write("r.jsonl", '["text"]\n'),
            f"{t}/r.jsonl:1: record is a JSON list, not an object",
        ),
    ),
    (
        "JSONL unexpected field",
        lambda f, t: (
            f.jsonl("r.jsonl", {"text": "ok", "spans": []}),
            f"{t}/r.jsonl:1: unexpected field 'spans' (a record has text, meta and optional id, "
            "url; put other metadata under meta)",
        ),
    ),
    (
        "JSONL meta not an object",
        lambda f, t: (
            f.jsonl("r.jsonl", {"text": "ok", "meta": "x"}),
            f'{t}/r.jsonl:1: "meta" is not an object',
        ),
    ),
    (
        "JSONL id not a string",
        lambda f, t: (
            f.jsonl("r.jsonl", {"text": "ok", "id": 7}),
            f'{t}/r.jsonl:1: "id" is not a non-empty string: 7',
        ),
    ),
    (
        "JSONL id reused for another text",
        lambda f, t: (
            f.jsonl("r.jsonl", {"id": "a1", "text": "one"}, {"id": "a1", "text": "two"}),
            f"{t}/r.jsonl:2: document a1: id already used by an earlier article with a "
            "different text",
        ),
    ),
    (
        "HTML not in the encoding it declares",
        lambda f, t: (
            f.write("legacy.html", b'<meta charset="us-ascii">\n<p>Caf\xe9 talks</p>'),
            f"{t}/legacy.html:2: not valid ascii, the encoding the page declares (byte 0xe9 at "
            "column 7)",
        ),
    ),
    (
        "HTML without article text",
        lambda f, t: (
            f.write("empty.html", "<html><head><title>x</title></head><body></body></html>"),
            f"{t}/empty.html: no article text found in the HTML (trafilatura extracted nothing)",
        ),
    ),
]


@pytest.mark.parametrize("preexisting", [False, True], ids=["no-output-yet", "old-output"])
@pytest.mark.parametrize(("name", "make"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_leaves_no_output(
    runner: CliRunner, files, tmp_path: Path, name: str, make, preexisting: bool
) -> None:
    good = files.write("good.txt", "A good article that comes first.")
    out = tmp_path / "out" / "corpus.jsonl"
    if preexisting:
        out.parent.mkdir()
        out.write_bytes(b"previous corpus\n")
    bad, message = make(files, tmp_path)
    code, err = _ingest(runner, good, bad, "-o", out)
    assert code == 1
    assert err == f"error: {message}\n"
    if preexisting:
        assert out.read_bytes() == b"previous corpus\n"
    else:
        assert not out.exists()
    assert files.leftovers() == []


def test_require_license_names_the_record(runner: CliRunner, files, tmp_path: Path) -> None:
    src = files.jsonl("r.jsonl", {"text": "ok", "meta": {"license": "CC0-1.0"}}, {"text": "none"})
    out = tmp_path / "c.jsonl"
    code, err = _ingest(runner, src, "--require-license", "-o", out)
    assert code == 1
    assert err == (
        f"error: {src}:2: no meta.license (every bundled article needs one) "
        "(give one with --license, or add it to the record's meta)\n"
    )
    assert not out.exists()
    code, err = _ingest(runner, src, "--require-license", "--license", "CC-BY-4.0", "-o", out)
    assert code == 0, err


def test_threshold_out_of_range(runner: CliRunner, files, tmp_path: Path) -> None:
    src = files.write("a.txt", "x")
    result = runner.invoke(app, ["ingest", str(src), "--near-dup-threshold", "1.5"])
    assert result.exit_code == 2
    assert "less than or equal to 1" in " ".join(result.stderr.replace("│", " ").split())
    code, err = _ingest(runner, src, "--near-dup-threshold", "0", "-o", tmp_path / "c.jsonl")
    assert (code, err) == (1, "error: near-duplicate threshold must be in (0, 1], got 0.0\n")
