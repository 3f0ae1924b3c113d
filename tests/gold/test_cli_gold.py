"""The CLI of agreement and gold: formats, files, exact error lines, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, Span


def test_agree_json(runner: CliRunner, annotations_path: Path) -> None:
    result = runner.invoke(
        app, ["agree", str(annotations_path), "--format", "json", "--bootstrap", "50"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "overall",
        "per_label",
        "pairs",
        "attributes",
        "relations",
        "stance",
        "disagreements",
    ):
        assert key in data
    assert data["overall"]["strict"]["f1"] == (0.875 + 4 / 7 + 2 / 7) / 3
    assert data["bootstrap"] == {"resamples": 50, "seed": 0, "confidence": 0.95}


def test_agree_markdown_to_file(runner: CliRunner, annotations_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = runner.invoke(
        app, ["agree", str(annotations_path), "-o", str(out), "--bootstrap", "0"]
    )
    assert result.exit_code == 0, result.output
    md = out.read_text()
    assert md.startswith("# Inter-annotator agreement")
    assert "| alice / bob | 2 | 0.875 | 1.000 | 0.857 |" in md
    assert "## Disagreements (13)" in md
    assert "### d1 (11)" in md
    assert "| doc_label | document label relevant | relevant | yes | yes | no |" in md
    # d2 was not annotated by carol: its table has no carol column
    assert "### d2 (2)\n\n| kind | item | attribute | alice | bob |\n" in md


def test_agree_with_gold_adds_quality(
    runner: CliRunner, annotations_path: Path, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    assert runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "agree",
            str(annotations_path),
            "--format",
            "json",
            "--bootstrap",
            "0",
            "--gold",
            str(gold / "v0001.jsonl"),
        ],
    )
    assert result.exit_code == 0, result.output
    quality = {q["annotator"]: q for q in json.loads(result.stdout)["quality"]}
    assert quality["alice"]["spans"]["f1"] == 1.0


def test_html_escapes_everything(runner: CliRunner, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    text = "Rome <b>met</b> Paris"
    docs = [
        Document(
            id="d&1",
            text=text,
            meta={"title": "<i>Title</i>"},
            annotator=evil,
            spans=[Span(id="s", start=0, end=4, label="ACTOR")],
        ),
        Document(
            id="d&1",
            text=text,
            annotator="bob",
            spans=[Span(id="s", start=5, end=13, label="ACTOR")],
        ),
    ]
    from backchannel.documents import write_documents

    path = tmp_path / "a.jsonl"
    write_documents(docs, path)
    result = runner.invoke(app, ["agree", str(path), "--format", "html", "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;met&lt;/" in page
    assert "d&amp;1" in page
    assert "<h3>d&amp;1: &lt;i&gt;Title&lt;/i&gt; (2)</h3>" in page
    md = runner.invoke(app, ["agree", str(path), "--bootstrap", "0"]).stdout
    assert "<script>" not in md


def test_agree_missing_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["agree", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path / 'nope.jsonl'}: no such file\n"


def test_agree_failure_writes_no_output(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Hi"}\n')
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["agree", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {bad}: document x: annotation has no 'annotator': "
        "agreement needs to know who made it\n"
    )
    assert not out.exists()


def test_adjudicate_then_unchanged_then_diff(
    runner: CliRunner, annotations_path: Path, tmp_path: Path, kit
) -> None:
    gold = tmp_path / "gold"
    first = runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        f"{gold / 'v0001.jsonl'}: v0001 (parent none): "
        "2 documents, 8 spans, 4 relations, 2 document labels",
        f"{gold / 'v0001.review.jsonl'}: 7 items to review",
    ]
    again = runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)])
    assert (
        again.stdout
        == f"{gold / 'v0001.jsonl'}: unchanged, same content as v0001; no new version\n"
    )
    lower = runner.invoke(
        app, ["adjudicate", str(annotations_path), "-o", str(gold), "--min-votes", "3"]
    )
    assert lower.exit_code == 0 and "v0002 (parent v0001)" in lower.stdout
    diff = runner.invoke(
        app, ["gold", "diff", "v0001", "v0002", "--dir", str(gold), "--format", "json"]
    )
    assert diff.exit_code == 0, diff.output
    summary = json.loads(diff.stdout)["summary"]
    assert summary["spans_removed"] == 7  # only "phoned" keeps three votes
    md = runner.invoke(app, ["gold", "diff", "v0001", "v0002", "--dir", str(gold)])
    assert "# Gold diff: v0001 → v0002" in md.stdout
    listing = runner.invoke(app, ["gold", "list", "--dir", str(gold)])
    assert [line.split()[0] for line in listing.stdout.splitlines()] == ["v0001", "v0002"]
    show = runner.invoke(app, ["gold", "show", "v0002", "--dir", str(gold)])
    assert json.loads(show.stdout)["parent"] == "v0001"
    quality = runner.invoke(
        app, ["gold", "quality", str(annotations_path), "v0001", "--dir", str(gold)]
    )
    assert quality.exit_code == 0 and "| alice | 2 | all spans |" in quality.stdout


def test_adjudicate_refuses_existing_version(
    runner: CliRunner, annotations_path: Path, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)])
    result = runner.invoke(
        app,
        [
            "adjudicate",
            str(annotations_path),
            "-o",
            str(gold),
            "--min-votes",
            "3",
            "--version",
            "v0001",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {gold}: gold version v0001 already exists (v0001.jsonl); versions are never "
        "overwritten (omit --version to write the next free number)\n"
    )


def test_gold_diff_unknown_version(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["gold", "diff", "v0001", "v0002", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path}: no gold version 'v0001'")


def test_gold_show_detects_tampering(
    runner: CliRunner, annotations_path: Path, tmp_path: Path
) -> None:
    gold = tmp_path / "gold"
    runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)])
    (gold / "v0001.jsonl").write_text("")
    result = runner.invoke(app, ["gold", "show", "v0001", "--dir", str(gold)])
    assert result.exit_code == 1
    assert "was modified after it was written" in result.stderr


def test_review_pull_from_an_export_file(
    runner: CliRunner, annotations_path: Path, tmp_path: Path
) -> None:
    from backchannel.annotation.labelstudio import convert, regions
    from backchannel.documents import read_documents

    gold = tmp_path / "gold"
    runner.invoke(app, ["adjudicate", str(annotations_path), "-o", str(gold)])
    d2 = next(d for d in read_documents(gold / "v0001.jsonl") if d.id == "d2")
    decided = Document(
        id="d2",
        text=d2.text,
        spans=[
            Span(id=s.id, start=s.start, end=s.end, label=s.label, attrs=s.attrs) for s in d2.spans
        ],
        doc_labels={"relevant": "yes"},
    )
    export = [
        {
            "id": 1,
            "data": convert.document_to_data(d2),
            "annotations": [
                {"id": 9, "completed_by": 4, "result": regions.document_to_result(decided)}
            ],
        }
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    result = runner.invoke(
        app,
        ["review", "pull", "--dir", str(gold), "--from-export", str(path), "--adjudicator", "Ann"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{gold / 'v0002.jsonl'}: v0002 (parent v0001): 1 document decided by Ann; "
        "4 items kept, 0 decided, 1 dropped; 2 review items resolved, 5 left\n"
    )
    show = json.loads(runner.invoke(app, ["gold", "show", "v0002", "--dir", str(gold)]).stdout)
    assert (show["method"], show["decided_by"], show["parent"]) == ("review", "Ann", "v0001")


def test_review_push_without_a_server_is_one_line(
    runner: CliRunner, annotations_path: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["review", "push", str(annotations_path)])
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no Label Studio URL")


def test_agree_without_shared_documents_warns(runner: CliRunner, tmp_path: Path) -> None:
    from backchannel.documents import write_documents

    path = tmp_path / "one.jsonl"
    write_documents([Document(id="a", text="Hi", annotator="x")], path)
    result = runner.invoke(app, ["agree", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: no document in {path} has two or more annotators; agreement is undefined\n"
    )
    data = json.loads(result.stdout)
    assert (data["documents"], data["single_annotator_documents"]) == (0, 1)
    assert data["overall"]["strict"] == {"f1": None, "ci_low": None, "ci_high": None, "pairs": 0}


def test_adjudicate_and_gold_list_share_one_default_folder(
    runner: CliRunner, annotations_path: Path, tmp_path: Path, monkeypatch
) -> None:
    """Before: nothing tied the defaults together and an empty listing exited 0."""
    monkeypatch.chdir(tmp_path)
    empty = runner.invoke(app, ["gold", "list"])
    assert empty.exit_code == 1
    assert empty.stderr == (
        "error: no gold versions in gold/ (no such folder) (adjudicate writes them: "
        "backchannel adjudicate ANNOTATIONS -o DIR; list another folder with --dir DIR)\n"
    )
    made = runner.invoke(app, ["adjudicate", str(annotations_path)])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "gold" / "v0001.manifest.json").is_file()
    listing = runner.invoke(app, ["gold", "list"])
    assert listing.exit_code == 0, listing.output
    assert [line.split()[0] for line in listing.stdout.splitlines()] == ["v0001"]
    show = runner.invoke(app, ["gold", "show", "v0001"])
    assert show.exit_code == 0 and json.loads(show.stdout)["version"] == "v0001"


def test_gold_list_of_an_empty_folder_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    as_json = runner.invoke(app, ["gold", "list", "--dir", str(tmp_path), "--json"])
    assert as_json.exit_code == 1
    assert as_json.stdout == ""
    assert as_json.stderr.startswith(f"error: no gold versions in {tmp_path.as_posix()}/ (")
    assert "--dir DIR" in as_json.stderr


def test_help_names_the_default_gold_folder(runner: CliRunner) -> None:
    for command in (["adjudicate"], ["gold", "list"], ["review", "pull"]):
        text = " ".join(runner.invoke(app, [*command, "--help"]).stdout.split())
        assert "gold/" in text, command
