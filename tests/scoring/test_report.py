"""Reports and the CLI: JSON key contract, Markdown, offline HTML, escaping, errors, docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from scoring_helpers import TEXT, doc, write_pair
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, Span, write_documents
from backchannel.eval.scoring.report import to_html, to_markdown
from backchannel.eval.scoring.scorer import score

ROOT = Path(__file__).resolve().parents[2]
EVIL = '<script>alert(1)</script>"onload=alert(1)'


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold = doc("d1", [(0, 5, "ACTOR"), (10, 15, "CHANNEL"), (20, 25, "ISSUE")])
    pred = doc("d1", [(0, 5, "ACTOR"), (10, 14, "CHANNEL"), (30, 35, "VENUE")])
    return write_pair(tmp_path, [gold, doc("d2", [(0, 5, "ACTOR")])], [pred, doc("d2", [])])


def test_json_key_contract(files: tuple[Path, Path]) -> None:
    out = score(*files, bootstrap=50).to_dict()
    strict = out["spans"]["micro"]["strict"]
    for key in ("COR", "INC", "PAR", "MIS", "SPU", "ACT", "POS", "precision", "recall", "f1"):
        assert key in strict
    for fig in ("precision", "recall", "f1"):
        assert strict[f"{fig}_ci_low"] <= strict[fig] <= strict[f"{fig}_ci_high"]
    assert (strict["ci_low"], strict["ci_high"]) == (strict["f1_ci_low"], strict["f1_ci_high"])
    assert isinstance(out["spans"]["per_label"]["ACTOR"]["partial"]["f1"], float)
    assert set(out["spans"]["macro"]["strict"]) >= {"precision", "recall", "f1", "ci_low"}
    assert set(out["relations"]["micro"]) == {"strict", "boundaries"}
    assert {"relations", "with_polarity", "polarity"} <= set(out["stance"])
    assert {"macro_f1", "f_avg", "accuracy", "pairs"} <= set(out["stance"]["polarity"])
    assert "accuracy" in out["attributes"]["ACTOR"]["actor_kind"]
    assert out["meta"]["documents"] == 2 and out["meta"]["seed"] == 13
    assert out["confusion"]["labels"][-1] == "(none)"
    json.dumps(out, allow_nan=False)


def test_markdown_report(files: tuple[Path, Path]) -> None:
    md = to_markdown(score(*files, bootstrap=50))
    assert md.startswith("# Scoring report\n")
    assert re.search(r"^\| strict \| 1 \| 1 \| 0 \| 2 \| 1 \| ", md, re.M)
    assert "## Spans per label" in md and "## Relations" in md and "## Stance" in md


def test_html_is_self_contained(files: tuple[Path, Path]) -> None:
    page = to_html(score(*files, bootstrap=50))
    assert page.count("src='data:image/png;base64,") == 2
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    assert "<script" not in page.lower()
    assert "d1: " in page  # the error browser lists the document


def _evil_schema(tmp_path: Path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text(
        "name: evil\nversion: '1'\nspans:\n  ACTOR:\n    attributes:\n      note:\n"
        f"        values: [{json.dumps(EVIL)}, plain]\n  ISSUE: {{}}\n",
        encoding="utf-8",
    )
    return path


def test_everything_is_html_escaped(tmp_path: Path) -> None:
    # Article text, document id, attribute values and file paths all carry markup.
    text = f"{EVIL} said {EVIL} and more text follows here."
    span = Span("a", 0, len(EVIL), "ACTOR", attrs={"note": EVIL})
    other = Span("b", text.index("said"), text.index("said") + 4, "ISSUE")
    gold = Document(id=EVIL, text=text, spans=[span, other])
    pred = Document(id=EVIL, text=text, spans=[Span("a", 0, 10, "ACTOR", attrs={"note": EVIL})])
    folder = tmp_path / 'x<script>"onload=y'
    folder.mkdir()
    g, p = write_pair(folder, [gold], [pred])
    res = score(g, p, bootstrap=20, schema=_evil_schema(tmp_path))
    for page in (to_html(res), to_markdown(res)):
        assert "<script" not in page.lower()
        assert '"onload=' not in page
    page = to_html(res)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=alert(1)" in page


def test_cli_score_writes_each_format(tmp_path: Path, files: tuple[Path, Path]) -> None:
    runner = CliRunner()
    for fmt in ("json", "md", "html"):
        out = tmp_path / f"report.{fmt}"
        res = runner.invoke(
            app,
            ["score", *map(str, files), "--format", fmt, "-o", str(out), "--bootstrap", "30"],
        )
        assert res.exit_code == 0, res.output
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["meta"]["bootstrap"] == 30
    # strict: COR 1, INC 1, MIS 2, SPU 1 -> P 1/3, R 1/4, F1 2/7
    assert res.stderr == f"scored 2 documents: strict span F1 0.286; report written to {out}\n"


def test_cli_score_summary_line_counts_one_document(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, [doc("d1", [(0, 5, "ACTOR")])], [doc("d1", [(0, 5, "ACTOR")])])
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["score", str(g), str(p), "-o", str(out), "--bootstrap", "0"])
    assert res.exit_code == 0, res.output
    assert res.stderr == f"scored 1 document: strict span F1 1.000; report written to {out}\n"


def test_cli_score_to_stdout_and_labels(files: tuple[Path, Path]) -> None:
    res = CliRunner().invoke(
        app, ["score", *map(str, files), "--bootstrap", "0", "--labels", "ACTOR,ISSUE"]
    )
    assert res.exit_code == 0, res.output
    assert list(json.loads(res.stdout)["spans"]["per_label"]) == ["ACTOR", "ISSUE"]


def test_cli_error_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    g, p = write_pair(tmp_path, [doc("d1", [])], [doc("d1", [], text=TEXT.upper())])
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["score", str(g), str(p), "-f", "html", "-o", str(out)])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {p}:1: document d1: text differs")
    assert not out.exists()
    assert [x.name for x in tmp_path.iterdir() if x.name.startswith(".report")] == []


def test_cli_unknown_format(files: tuple[Path, Path]) -> None:
    res = CliRunner().invoke(app, ["score", *map(str, files), "--format", "pdf"])
    assert res.exit_code == 1
    assert res.stderr.strip() == "error: unknown --format 'pdf' (use json, md, html)"


def test_cli_compare(tmp_path: Path, files: tuple[Path, Path]) -> None:
    g, p = files
    out = tmp_path / "cmp.json"
    res = CliRunner().invoke(
        app,
        ["compare", str(g), str(p), str(g), "-f", "json", "-o", str(out), "--bootstrap", "50",
         "--permutations", "50"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    row = json.loads(out.read_text(encoding="utf-8"))["metrics"]["spans.micro.strict.f1"]
    assert row["b"] == 1.0 and row["delta"] == pytest.approx(1.0 - row["a"])
    assert {"ci_low", "ci_high", "p_bootstrap", "p_randomisation"} <= set(row)
    md = CliRunner().invoke(app, ["compare", str(g), str(p), str(g), "--bootstrap", "20",
                                  "--permutations", "20"])  # fmt: skip
    assert md.exit_code == 0 and md.stdout.startswith("# Comparison")


def test_docs_cover_every_option_and_key() -> None:
    doc_text = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    for option in ("--format", "-o", "--bootstrap", "--seed", "--labels", "--allow-missing",
                   "--schema", "--permutations"):  # fmt: skip
        assert f"`{option}" in doc_text, option
    keys = ["spans.micro.strict", "spans.per_label", "spans.macro", "relations.micro",
            "stance.polarity.f_avg", "attributes", "ci_low", "f1_ci_low", "confusion"]  # fmt: skip
    for key in keys:
        assert key in doc_text, key


def test_written_reports_are_atomic(tmp_path: Path, files: tuple[Path, Path]) -> None:
    out = tmp_path / "r.md"
    out.write_text("old", encoding="utf-8")
    write_documents([doc("d1", [(0, 5, "PERSON")])], files[1])  # invalid: unknown label
    res = CliRunner().invoke(app, ["score", *map(str, files), "-f", "md", "-o", str(out)])
    assert res.exit_code == 1
    assert out.read_text(encoding="utf-8") == "old"


def test_cli_compare_says_what_it_wrote(tmp_path: Path, files: tuple[Path, Path]) -> None:
    g, p = files
    out = tmp_path / "cmp.md"
    res = CliRunner().invoke(
        app,
        ["compare", str(g), str(p), str(g), "-o", str(out), "--bootstrap", "50",
         "--permutations", "40"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    line = res.stderr.strip()
    # a: COR 1 of ACT 3 and POS 4 -> P 1/3, R 1/4, F1 2/7; b is the gold itself.
    assert line.startswith("compared 2 documents: spans.micro.strict.f1 0.286 -> 1.000 (delta ")
    assert line.endswith(f"; report written to {out}")
    md = out.read_text(encoding="utf-8")
    head, rest = md.split("## Headline figures", 1)[1].split("## Other figures", 1)
    rows = [x for x in head.splitlines() if x.startswith("| ") and not x.startswith("| figure")]
    assert 1 <= len(rows) <= 8, rows
    assert "spans.micro.exact.f1" in rest and "Headline figures only" not in md
    args = ["compare", str(g), str(p), str(g), "-f", "json", "--bootstrap", "50"]
    meta = json.loads(CliRunner().invoke(app, [*args, "--permutations", "40"]).stdout)["meta"]
    assert meta["p_floor"] == {"bootstrap": 1 / 51, "randomisation": 1 / 41}


def test_p_value_at_the_resolution_floor() -> None:
    from backchannel.eval.scoring.report import _p

    assert _p(1 / 1001, 1000) == "< 0.001"
    assert _p(2 / 1001, 1000) == "0.0020"
    assert _p(1 / 51, 50) == "< 0.02"
    assert _p(None, 1000) == "n/a"
