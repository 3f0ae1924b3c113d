"""Escaping: hostile strings from articles, schemas and annotators never become markup.

Every string a user or annotator controls (article text, titles, document ids, annotator names,
attribute values and their definitions) goes through the real commands into every HTML, XML and
Markdown output: the score HTML report, the agreement HTML report, the dataset card, the Label
Studio labeling config and the gold diff Markdown.  The proof is structural: the same flow run
with harmless placeholders instead of the hostile strings gives exactly the same element
structure (tags and attribute names), so no input added or closed an element, and the hostile
strings are present in escaped form (they were shown, not dropped).  The labeling config is
parsed as XML and must give back each hostile value exactly.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
import yaml
from typer.testing import CliRunner

from backchannel.cli.app import app
from backchannel.documents import Document, Relation, write_documents
from backchannel.markdown import escape
from backchannel.schema import default_schema_path
from tests.conftest import TEXT, span_of

HOSTILE = [
    "<script>alert(1)</script>",
    '"onload=alert(2) x="',
    "</textarea><img src=x onerror=alert(3)>",
    "&amp;",
    "]]>",
    "{{7*7}}",
    "'><svg/onload=alert(4)>",
    "a|b`c*d_e[f](javascript:alert(5))",
    "``` <b>fence</b>",
    "[click](https://evil.example/x)",
]
DANGEROUS = {"a", "img", "script", "svg", "textarea", "iframe", "b", "style", "object", "link"}
BENIGN = [f"plain{i}" for i in range(len(HOSTILE))]


class Structure(HTMLParser):
    """The element structure of a page: every start/end tag with its attribute names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, tuple(sorted(a for a, _ in attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, ()))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def structure(page: str) -> Structure:
    parser = Structure()
    parser.feed(page)
    parser.close()
    return parser


def _schema(strings: list[str], path: Path) -> Path:
    data = yaml.safe_load(default_schema_path().read_text(encoding="utf-8"))
    actor = data["spans"]["ACTOR"]
    actor["definition"] = f"An actor {strings[0]} {strings[4]}"
    values = actor["attributes"]["actor_kind"]["values"]
    for s in strings:
        values[s] = {"definition": f"kind {s}", "example": f"[{s}]"}
    data["description"] = " ".join(strings)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _documents(strings: list[str], annotator: str | None) -> list[Document]:
    docs = []
    for i, s in enumerate(strings):
        text = f"{TEXT} Then {s} said so."
        spans = [
            span_of(text, "President Anna Reyes", "s1", "ACTOR", actor_kind=s, country="PHL"),
            span_of(text, "phoned", "s2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            span_of(text, "the Kremlin", "s3", "ACTOR", actor_kind="government"),
            span_of(text, s, "s4", "ISSUE"),
        ]
        docs.append(
            Document(
                id=f"doc-{i}-{s}",
                text=text,
                meta={"title": f"Title {s}", "license": f"CC-BY-4.0 {s}"},
                spans=spans,
                relations=[
                    Relation(
                        head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "initiator"}
                    ),
                    Relation(head="s2", tail="s4", label="ABOUT"),
                ],
                doc_labels={"relevant": "yes"},
                annotator=annotator,
            )
        )
    return docs


@dataclass
class Outputs:
    score_html: str
    agree_html: str
    card: str
    config: str
    diff_md: str
    agree_md: str
    score_md: str
    strings: list[str]


def _flow(strings: list[str], root: Path) -> Outputs:
    """ingest-free flow from annotations to every rendered output, through the real commands."""
    root.mkdir()
    runner = CliRunner()

    def run(*args: str) -> str:
        res = runner.invoke(app, [*args, "--schema", str(schema)])
        assert res.exit_code == 0, (args, res.output)
        return res.output

    schema = _schema(strings, root / "schema.yaml")
    annotators = [f"ann {s}" for s in strings[:3]]
    ann: list[Document] = []
    for k, who in enumerate(annotators):
        for d in _documents(strings, who):
            if k == 2:  # one annotator disagrees: review items, disagreement rows, diffs
                d = msgspec.structs.replace(d, spans=d.spans[:3], relations=d.relations[:1])
            ann.append(d)
    write_documents(ann, root / "ann.jsonl")
    write_documents([d for d in ann if d.annotator == annotators[2]], root / "ann2.jsonl")
    run("agree", str(root / "ann.jsonl"), "--format", "html", "-o", str(root / "agree.html"),
        "--bootstrap", "20")  # fmt: skip
    run("agree", str(root / "ann.jsonl"), "--format", "json", "-o", str(root / "agree.json"),
        "--bootstrap", "20")  # fmt: skip
    run("agree", str(root / "ann.jsonl"), "--format", "md", "-o", str(root / "agree.md"),
        "--bootstrap", "20")  # fmt: skip
    run("adjudicate", str(root / "ann.jsonl"), "-o", str(root / "gold"))
    run("adjudicate", str(root / "ann2.jsonl"), "-o", str(root / "gold"), "--min-votes", "1")
    res = runner.invoke(
        app,
        [
            "gold",
            "diff",
            "v0001",
            "v0002",
            "--dir",
            str(root / "gold"),
            "-o",
            str(root / "diff.md"),
        ],
    )
    assert res.exit_code == 0, res.output
    run("export", str(root / "gold" / "v0001.jsonl"), "-o", str(root / "ds"), "--name",
        f"data {strings[0]} {strings[5]}", "--agreement", str(root / "agree.json"),
        "--no-spacy", "--no-events")  # fmt: skip
    preds = [msgspec.structs.replace(d, annotator=None, spans=d.spans[::2], relations=[])
             for d in _documents(strings, None)]  # fmt: skip
    write_documents(preds, root / "preds.jsonl")
    run("score", str(root / "gold" / "v0001.jsonl"), str(root / "preds.jsonl"), "-f", "html",
        "-o", str(root / "score.html"), "--bootstrap", "20")  # fmt: skip
    run("score", str(root / "gold" / "v0001.jsonl"), str(root / "preds.jsonl"), "-f", "md",
        "-o", str(root / "score.md"), "--bootstrap", "20")  # fmt: skip
    config = runner.invoke(app, ["schema", "config", "--schema", str(schema)])
    assert config.exit_code == 0, config.output

    def read(name: str) -> str:
        return (root / name).read_text(encoding="utf-8")

    return Outputs(
        read("score.html"), read("agree.html"), read("ds/README.md"), config.output,
        read("diff.md"), read("agree.md"), read("score.md"), strings,
    )  # fmt: skip


@pytest.fixture(scope="module")
def flows(tmp_path_factory: pytest.TempPathFactory) -> tuple[Outputs, Outputs]:
    root = tmp_path_factory.mktemp("escaping")
    return _flow(HOSTILE, root / "hostile"), _flow(BENIGN, root / "benign")


def _no_raw_markup(text: str, where: str) -> None:
    # Quotes only matter inside attributes, which the structure comparison covers; an
    # unescaped < or > anywhere can open or close an element.
    for s in HOSTILE:
        if "<" in s or ">" in s:
            assert s not in text, (where, s)
    assert "<script" not in text.lower(), where


def _rendered(markdown: str) -> Structure:
    """Markdown as a renderer that allows inline HTML (like GitHub's) turns it into HTML."""
    from markdown_it import MarkdownIt

    return structure(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


def _check_rendered(hostile: str, benign: str) -> None:
    """Rendered, hostile input adds no link, image, script or other dangerous element and no
    event-handler attribute (emphasis from a * in the data is harmless and allowed)."""

    def risky(page: Structure) -> list[tuple[str, str, tuple[str, ...]]]:
        return [e for e in page.events if e[1] in DANGEROUS]

    got = _rendered(hostile)
    assert risky(got) == risky(_rendered(benign))
    assert not [e for e in got.events if any(a.startswith("on") for a in e[2])]


def _outside_code(markdown: str) -> tuple[str, int]:
    """Markdown without its fenced code blocks (rendered as literal text), and their count."""
    fences = [i for i, line in enumerate(markdown.splitlines()) if line.startswith("```")]
    lines = markdown.splitlines()
    keep = []
    inside = False
    for line in lines:
        if line.startswith("```"):
            inside = not inside
            continue
        if not inside:
            keep.append(line)
    return "\n".join(keep), len(fences)


@pytest.mark.parametrize("page", ["score_html", "agree_html"])
def test_html_reports_keep_their_structure_under_hostile_strings(
    flows: tuple[Outputs, Outputs], page: str
) -> None:
    hostile, benign = (getattr(f, page) for f in flows)
    assert structure(hostile).events == structure(benign).events
    _no_raw_markup(hostile, page)
    shown = "".join(structure(hostile).text)
    assert "<script>alert(1)</script>" in shown  # escaped in the source, shown as text
    assert "&amp;" in shown  # the literal string, not an ampersand entity
    assert "{{7*7}}" in shown and "49" not in shown.replace("{{7*7}}", "")


def test_dataset_card_escapes_every_user_string(flows: tuple[Outputs, Outputs]) -> None:
    card, benign_card = flows[0].card, flows[1].card
    front, body = card.split("\n---\n", 1) if card.startswith("---\n") else ("", card)
    if front:
        yaml.safe_load(front.removeprefix("---\n"))  # the metadata block still parses
    text, fences = _outside_code(body)
    benign_text, benign_fences = _outside_code(benign_card.split("\n---\n", 1)[-1])
    assert fences == benign_fences  # no string opened or closed a code block
    assert structure(text).events == structure(benign_text).events  # inline HTML unchanged
    _no_raw_markup(text, "card")
    _check_rendered(body, benign_card.split("\n---\n", 1)[-1])  # hosts hide the YAML block
    assert html.escape("<script>alert(1)</script>") in body
    assert "&amp;amp;" in body  # the literal "&amp;" survives rendering
    assert re.search(r"\{\{7\\?\*7\}\}", body)  # shown literally (a Markdown-escaped * is fine)


def test_labeling_config_gives_back_each_hostile_value_exactly(
    flows: tuple[Outputs, Outputs],
) -> None:
    tree = ET.fromstring(flows[0].config)
    values = {el.get("value") for el in tree.iter("Choice")}
    hints = {el.get("hint") for el in tree.iter("Choice")}
    for s in HOSTILE:
        assert s in values, s
        assert f"kind {s}" in hints, s
    _no_raw_markup(flows[0].config, "config")


def test_gold_diff_markdown_escapes_every_user_string(flows: tuple[Outputs, Outputs]) -> None:
    diff = flows[0].diff_md
    assert diff.strip()
    benign = flows[1].diff_md
    assert structure(diff).events == structure(benign).events
    _no_raw_markup(diff, "gold diff")
    _check_rendered(diff, benign)
    assert html.escape("<script>alert(1)</script>") in diff  # the changed documents are named
    assert len(diff.splitlines()) == len(benign.splitlines())  # no row broken by a | or newline
    for line, ref in zip(diff.splitlines(), benign.splitlines(), strict=True):
        if ref.startswith("|"):
            assert line.count(" | ") - line.count("\\|") <= ref.count(" | "), line


@pytest.mark.parametrize("page", ["agree_md", "score_md"])
def test_markdown_reports_add_no_markup_when_rendered(
    flows: tuple[Outputs, Outputs], page: str
) -> None:
    hostile, benign = (getattr(f, page) for f in flows)
    _no_raw_markup(_outside_code(hostile)[0], page)
    _check_rendered(hostile, benign)


def _card_of(strings: list[str]) -> str:
    """The card template filled with ``strings`` in every place a user string can go."""
    from backchannel.annotation.export.card import AgreementContext, CardContext, render_context

    a, b, c = strings[0], strings[1], strings[2]
    counts = [[s, 1, 2, 3] for s in strings]
    return render_context(
        CardContext(
            yaml="license: other",
            pretty_name=" ".join(strings),
            description=" ".join(strings),
            schema_name=a,
            schema_version=b,
            span_labels=strings,
            relation_labels=strings,
            stance_relation=c,
            has_doc_labels=True,
            splits=[a, b],
            documents=5,
            spans=6,
            relations=7,
            bio_left_out=1,
            structure=[[s, 1, 2, 3, 4, "50.0%", "50.0%"] for s in strings],
            span_counts=counts,
            relation_counts=counts,
            doc_label_tables=[(s, counts) for s in strings],
            attribute_sections=[(t, [(s, counts) for s in strings]) for t in ("Span", "Relation")],
            docbin=True,
            events=3,
            agreement=AgreementContext(
                source=a,
                documents=5,
                annotators=strings,
                synthetic=strings,
                rows=[[s, s, "0.500", "[0.400, 0.600]", 3] for s in strings],
                ci_head="90% CI",
                level="90",
                resamples=200,
            ),
            synthetic_documents=5,
            authored_by=[(s, 1) for s in strings],
            licenses=[(s, 1) for s in strings],
            annotators=[(s, 1) for s in strings],
            seed=13,
            groups=4,
            synthetic_annotators=strings,
            synthetic_annotation=2,
            citation_key="key",
            year=2024,
        )
    )


def test_card_template_escapes_every_user_string_of_its_context() -> None:
    # Straight into the template, every field a user string can reach: annotator names,
    # labels, split names, the agreement source, licenses, titles.
    card, benign = _card_of(HOSTILE), _card_of(BENIGN)
    body, benign_body = card.split("\n---\n", 1)[1], benign.split("\n---\n", 1)[1]
    text, fences = _outside_code(body)
    benign_text, benign_fences = _outside_code(benign_body)
    assert fences == benign_fences  # no string opened or closed a code block
    assert structure(text).events == structure(benign_text).events  # no inline HTML added
    _no_raw_markup(text, "card template")
    _check_rendered(body, benign_body)  # rendered: no link, image, script or handler
    for s in HOSTILE:
        assert escape(s) in text, s  # shown, escaped, not dropped
    assert "49" not in card  # {{7*7}} in the data is text, never template code
