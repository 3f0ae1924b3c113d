"""Render an :class:`~backchannel.annotation.agreement.agree.AgreementReport` as JSON, Markdown or
HTML.

JSON is for machines (every key of the report, ``null`` for undefined figures); Markdown is for
pull requests and terminals; HTML is a standalone page for a review meeting.  Everything a user
or annotator wrote (names, labels, document text) is escaped in Markdown tables and in HTML.
"""

from __future__ import annotations

import html
from enum import StrEnum

import msgspec

from backchannel.annotation.agreement.agree import (
    AgreementReport,
    CategoricalAgreement,
    Disagreement,
    MeanF1,
    PairF1,
)
from backchannel.annotation.agreement.quality import PRF
from backchannel.markdown import escape, table
from backchannel.text import plural

__all__ = ["ReportFormat", "render_report", "to_html", "to_json", "to_markdown"]


class ReportFormat(StrEnum):
    json = "json"
    md = "md"
    html = "html"


def to_json(report: AgreementReport) -> str:
    """The report as indented JSON (stable key order: the struct's field order)."""
    return msgspec.json.format(msgspec.json.encode(report), indent=2).decode() + "\n"


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _ci(s: MeanF1 | PairF1) -> str:
    if s.ci_low is None or s.ci_high is None:
        return "—"
    return f"[{s.ci_low:.3f}, {s.ci_high:.3f}]"


def _table(head: list[str], rows: list[list[str]], escape: bool) -> list[str]:
    """Rows of strings -> table lines (Markdown) or an HTML table."""
    if escape:
        return table(head, rows)
    out = ["<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return out


def _sections(
    report: AgreementReport, max_disagreements: int | None
) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for every table of the report, shared by Markdown and HTML."""
    level = f"{report.bootstrap.confidence:.0%} CI"
    sections: list[tuple[str, list[str], list[list[str]]]] = []
    rows = [
        ["spans (strict)", _f(report.overall.strict.f1), _ci(report.overall.strict)],
        ["spans (overlap)", _f(report.overall.overlap.f1), _ci(report.overall.overlap)],
        ["relations (strict)", _f(report.relations.strict.f1), _ci(report.relations.strict)],
    ]
    if report.stance is not None:
        rows.append(
            [
                f"stance ({report.stance.relation})",
                _f(report.stance.strict.f1),
                _ci(report.stance.strict),
            ]
        )
    if report.contacts is not None:
        for name, m in (
            ("contacts: actor pairs", report.contacts.actor_pairs),
            ("contacts: country pairs", report.contacts.country_pairs),
        ):
            rows.append([name, _f(m.f1), _ci(m)])
    sections.append(("Overall (mean pairwise F1)", ["item", "F1", level], rows))
    rows = [
        [lab, _f(m.strict.f1), _ci(m.strict), _f(m.overlap.f1), _ci(m.overlap)]
        for lab, m in report.per_label.items()
    ]
    sections.append(("Spans per label", ["label", "strict F1", level, "overlap F1", level], rows))
    rows = [
        [
            " / ".join(p.annotators),
            str(p.documents),
            _f(p.strict.f1),
            _f(p.overlap.f1),
            _f(p.relations.f1),
        ]
        for p in report.pairs
    ]
    sections.append(
        ("Annotator pairs", ["pair", "documents", "strict F1", "overlap F1", "relations F1"], rows)
    )
    rows = [[lab, _f(m.f1), _ci(m)] for lab, m in report.relations.per_label.items()]
    sections.append(("Relations per label (strict)", ["label", "F1", level], rows))

    def cat_rows(items: dict[str, CategoricalAgreement]) -> list[list[str]]:
        return [
            [key, str(a.n), _f(a.cohen_kappa), _f(a.krippendorff_alpha)] for key, a in items.items()
        ]

    head = ["attribute", "n", "Cohen's kappa (mean)", "Krippendorff's alpha"]
    sections.append(("Attributes (on identically marked items)", head, cat_rows(report.attributes)))
    if report.stance is not None:
        pol = report.stance.polarity
        sections.append(
            (
                "Stance polarity (matched holder-target pairs)",
                head,
                cat_rows({f"{report.stance.relation}.{report.stance.attribute}": pol}),
            )
        )
    sections.append(("Document labels", ["label", *head[1:]], cat_rows(report.doc_labels)))
    if report.quality:
        rows = []
        for q in report.quality:
            rows.append(_prf_row(q.annotator, "all spans", q.spans))
            rows += [_prf_row(q.annotator, lab, prf) for lab, prf in q.per_label.items()]
            rows.append(_prf_row(q.annotator, "all relations", q.relations))
        sections.append(
            (
                "Annotator quality against the gold (strict)",
                ["annotator", "label", "P", "R", "F1", "TP", "FP", "FN"],
                rows,
            )
        )
    return sections


def _disagreement_sections(
    report: AgreementReport, max_disagreements: int | None
) -> tuple[str, list[tuple[str, list[str], list[list[str]]]]]:
    """The heading of the disagreement list, and one table per article to work through."""
    shown = report.disagreements
    if max_disagreements is not None:
        shown = shown[:max_disagreements]
    title = f"Disagreements ({len(report.disagreements)}"
    if len(shown) < len(report.disagreements):
        title += f", first {len(shown)} shown"
    title += ")"
    by_doc: dict[str, list[Disagreement]] = {}
    for d in shown:
        by_doc.setdefault(d.doc_id, []).append(d)
    tables = []
    for doc_id, items in by_doc.items():
        names = list(items[0].values)
        for d in items[1:]:
            names += [a for a in d.values if a not in names]
        heading = f"{doc_id}: {items[0].title}" if items[0].title else doc_id
        rows = [_dis_row(d, names) for d in items]
        tables.append((f"{heading} ({len(items)})", ["kind", "item", "attribute", *names], rows))
    return title, tables


def _prf_row(who: str, label: str, prf: PRF) -> list[str]:
    return [
        who,
        label,
        _f(prf.precision),
        _f(prf.recall),
        _f(prf.f1),
        str(prf.tp),
        str(prf.fp),
        str(prf.fn),
    ]


def _dis_row(d: Disagreement, names: list[str]) -> list[str]:
    cells = []
    for a in names:
        if a not in d.values:
            cells.append("(did not annotate)")
        else:
            v = d.values[a]
            cells.append("—" if v is None else v)
    return [d.kind, d.item, d.attribute or "", *cells]


def _header_lines(report: AgreementReport) -> list[str]:
    return [
        f"source: {report.source or '-'}; schema: {report.schema}",
        f"{plural(report.documents, 'document')} with two or more annotators "
        f"({report.single_annotator_documents} with one, ignored); "
        f"annotators: {', '.join(report.annotators) or 'none'}",
        f"bootstrap: {report.bootstrap.resamples} resamples over documents, "
        f"seed {report.bootstrap.seed}",
    ]


def to_markdown(report: AgreementReport, *, max_disagreements: int | None = None) -> str:
    """A Markdown report: summary tables, then the disagreement list to work through."""
    lines = ["# Inter-annotator agreement", ""]
    lines += [f"- {escape(x)}" for x in _header_lines(report)]
    for title, head, rows in _sections(report, max_disagreements):
        lines += ["", f"## {escape(title)}", ""]
        lines += _table(head, rows, escape=True) if rows else ["(none)"]
    title, tables = _disagreement_sections(report, max_disagreements)
    lines += ["", f"## {escape(title)}"]
    for heading, head, rows in tables:
        lines += ["", f"### {escape(heading)}", ""]
        lines += _table(head, rows, escape=True)
    return "\n".join(lines) + "\n"


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}"
)


def to_html(report: AgreementReport, *, max_disagreements: int | None = None) -> str:
    """A standalone HTML page; every value from the data is HTML-escaped."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Inter-annotator agreement</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Inter-annotator agreement</h1>",
        "<ul>",
        *[f"<li>{html.escape(x)}</li>" for x in _header_lines(report)],
        "</ul>",
    ]
    for title, head, rows in _sections(report, max_disagreements):
        out.append(f"<h2>{html.escape(title)}</h2>")
        out += _table(head, rows, escape=False) if rows else ["<p>(none)</p>"]
    title, tables = _disagreement_sections(report, max_disagreements)
    out.append(f"<h2>{html.escape(title)}</h2>")
    for heading, head, rows in tables:
        out.append(f"<h3>{html.escape(heading)}</h3>")
        out += _table(head, rows, escape=False)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_report(
    report: AgreementReport, fmt: ReportFormat | str, *, max_disagreements: int | None = None
) -> str:
    """Dispatch on the output format."""
    fmt = ReportFormat(fmt)
    if fmt is ReportFormat.json:
        return to_json(report)
    if fmt is ReportFormat.md:
        return to_markdown(report, max_disagreements=max_disagreements)
    return to_html(report, max_disagreements=max_disagreements)
