"""Reports of a scoring run: JSON (for machines), Markdown (for pull requests), HTML (for people).

The HTML report is one self-contained file that works offline: plots are PNGs embedded as
``data:`` URIs, the styles are inline and there is no script at all.  Every string that comes
from the data (article text, document ids, labels, attribute values, file paths) goes through
:func:`html.escape` with ``quote=True``, so a ``<script>`` or ``"onload=`` in a document can only
ever show up as text.  All writers go through :func:`~backchannel.atomic.atomic_write`.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from backchannel.atomic import atomic_write
from backchannel.eval.scoring.counting import BrowserDoc
from backchannel.eval.scoring.matching import SCHEMAS
from backchannel.eval.scoring.metrics import REL_MODES
from backchannel.eval.scoring.scorer import CompareResult, ScoreResult
from backchannel.markdown import escape
from backchannel.markdown import to_html as md_to_html
from backchannel.text import plural

__all__ = [
    "ReportFormat",
    "compare_markdown",
    "compare_summary",
    "render",
    "render_compare",
    "stance_summary",
    "to_html",
    "to_json",
    "to_markdown",
    "write_report",
]


class ReportFormat(StrEnum):
    """Output formats of ``score`` (``compare`` supports json and md)."""

    JSON = "json"
    MD = "md"
    HTML = "html"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _ci(result: ScoreResult, name: str) -> str:
    val = result.values.get(name)
    lo, hi = result.intervals.get(name, (None, None))
    if val is None:
        return "n/a"
    if lo is None or hi is None:
        return _fmt(val)
    return f"{_fmt(val)} [{_fmt(lo)}, {_fmt(hi)}]"


def to_json(result: ScoreResult) -> str:
    """The JSON report (keys documented in ``docs/scoring.md``)."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _span_rows(result: ScoreResult) -> list[str]:
    lines = [
        "| schema | COR | INC | PAR | MIS | SPU | precision | recall | F1 | macro F1 |",
        "|---|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    v = result.values
    for schema in SCHEMAS:
        b = f"spans.micro.{schema.value}"
        counts = " | ".join(
            str(int(v[f"{b}.{c}"] or 0)) for c in ("COR", "INC", "PAR", "MIS", "SPU")
        )
        lines.append(
            f"| {schema.value} | {counts} | {_ci(result, b + '.precision')} | "
            f"{_ci(result, b + '.recall')} | {_ci(result, b + '.f1')} | "
            f"{_ci(result, f'spans.macro.{schema.value}.f1')} |"
        )
    return lines


def _given(result: ScoreResult, layer: str) -> bool:
    return layer in result.meta.get("given_layers", ())


def _baseline(result: ScoreResult, figure: str, verdict: bool = True) -> str:
    """`` (majority baseline X)`` beside a stance figure, saying when the model is no better."""
    base = result.values.get(f"stance.majority_baseline.{figure}")
    if base is None:
        return ""
    worse = verdict and result.beats_baseline(figure) is False
    return f" (majority baseline {_fmt(base)}{', NO BETTER than the baseline' if worse else ''})"


def stance_summary(result: ScoreResult) -> str | None:
    """One line of the stance figures beside the majority baseline, for the CLI (None: none)."""
    v = result.values
    if not v.get("stance.polarity.pairs"):
        return None
    parts = []
    for fig, name in (("macro_f1", "polarity macro-F1"), ("f_avg", "F_avg")):
        val = v.get(f"stance.polarity.{fig}")
        base = v.get(f"stance.majority_baseline.{fig}")
        if val is None:
            continue
        note = ""
        if base is not None:
            note = f" (majority baseline {base:.3f}"
            note += ")" if result.beats_baseline(fig) else ", no better)"
        parts.append(f"{name} {val:.3f}{note}")
    return ", ".join(parts) or None


def to_markdown(result: ScoreResult) -> str:
    """A Markdown report: headline tables with 95 % intervals, per label, relations, stance.

    Layers the predictions copied from their input (``meta.given_layers``) get one line saying
    so instead of their tables: they measure the input, not the model.
    """
    m = result.meta
    v = result.values
    lay = result.layout
    out = [
        "# Scoring report",
        "",
        f"Gold {escape(m['gold'])}, predictions {escape(m['predictions'])}: {m['documents']} "
        f"documents ({m['missing_predictions']} without prediction), schema "
        f"{escape(m['schema']['name'])} {escape(m['schema']['version'])}.  Figures are "
        f"value [low, high] with {int(m['confidence'] * 100)} % percentile-bootstrap intervals "
        f"over documents ({m['bootstrap']} replicates, seed {m['seed']}).",
    ]
    for note in m.get("notes", ()):
        out += ["", f"- {escape(note[:1].upper() + note[1:])}."]
    if not _given(result, "spans"):
        out += ["", "## Spans (micro)", "", *_span_rows(result)]
        out += [
            "",
            "## Spans per label",
            "",
            "| label | gold | predicted | strict F1 | exact F1 | partial F1 | type F1 |",
            "|---|---:|---:|---|---|---|---|",
        ]
        for lab in lay.span_labels:
            b = f"spans.per_label.{lab}"
            pos = int(v[f"{b}.strict.POS"] or 0)
            act = int(v[f"{b}.strict.ACT"] or 0)
            cells = " | ".join(_ci(result, f"{b}.{s.value}.f1") for s in SCHEMAS)
            out.append(f"| {escape(lab)} | {pos} | {act} | {cells} |")
    if lay.relation_labels and not _given(result, "relations"):
        out += [
            "",
            "## Relations",
            "",
            "| relation | gold | predicted | strict F1 | boundaries F1 |",
            "|---|---:|---:|---|---|",
        ]
        for scope in ("micro", "macro", *lay.relation_labels):
            base = "relations.micro" if scope == "micro" else f"relations.per_label.{scope}"
            if scope == "macro":
                cells = " | ".join(_ci(result, f"relations.macro.{md}.f1") for md in REL_MODES)
                out.append(f"| *macro* | | | {cells} |")
                continue
            pos = int(v[f"{base}.strict.POS"] or 0)
            act = int(v[f"{base}.strict.ACT"] or 0)
            cells = " | ".join(_ci(result, f"{base}.{md}.f1") for md in REL_MODES)
            name = "*micro*" if scope == "micro" else escape(scope)
            out.append(f"| {name} | {pos} | {act} | {cells} |")
    pairs_seen = sum(v.get(f"contacts.actor_pairs.{c}") or 0 for c in ("gold", "predicted"))
    if pairs_seen and not _given(result, "relations"):
        out += [
            "",
            "## Who talks to whom (contact pairs)",
            "",
            "Unordered pairs of resolved actors that share a contact, per document, whichever "
            "mentions named them; country pairs forgive the wrong person of the right country.",
            "",
            "| level | gold | predicted | found | precision | recall | F1 |",
            "|---|---:|---:|---:|---|---|---|",
        ]
        for level, name in (("actor_pairs", "actors"), ("country_pairs", "countries")):
            b = f"contacts.{level}"
            counts = " | ".join(str(int(v[f"{b}.{c}"] or 0)) for c in ("gold", "predicted", "tp"))
            figs = " | ".join(_ci(result, f"{b}.{f}") for f in ("precision", "recall", "f1"))
            out.append(f"| {name} | {counts} | {figs} |")
    if "stance.polarity.pairs" in v:
        out += [
            "",
            "## Stance",
            "",
            f"- stance relations, strict F1: {_ci(result, 'stance.relations.strict.f1')}",
            f"- stance relations with the right polarity, F1: "
            f"{_ci(result, 'stance.with_polarity.f1')}",
            f"- on {int(v['stance.polarity.pairs'] or 0)} matched holder-target pairs: polarity "
            f"macro-F1 {_ci(result, 'stance.polarity.macro_f1')}"
            f"{_baseline(result, 'macro_f1')}, F_avg "
            f"({', '.join(escape(p) for p in lay.favg)}) {_ci(result, 'stance.polarity.f_avg')}"
            f"{_baseline(result, 'f_avg')}, accuracy {_ci(result, 'stance.polarity.accuracy')}"
            f"{_baseline(result, 'accuracy', verdict=False)}",
        ]
        if m.get("majority_polarity") is not None:
            out.append(
                f"- majority baseline: predict {escape(m['majority_polarity'])} (the most frequent "
                "gold polarity) for every matched pair; a model is no better when the "
                "baseline lies inside or above its interval"
            )
    if lay.attributes and not _given(result, "spans"):
        out += [
            "",
            "## Attributes (accuracy on strictly matched spans)",
            "",
            "| attribute | pairs | accuracy |",
            "|---|---:|---|",
        ]
        for lab, attr in lay.attributes:
            b = f"attributes.{lab}.{attr}"
            out.append(
                f"| {escape(lab)}.{escape(attr)} | {int(v[b + '.total'] or 0)} | "
                f"{_ci(result, b + '.accuracy')} |"
            )
        out.append(
            f"| *all* | {int(v['attributes.micro.total'] or 0)} | "
            f"{_ci(result, 'attributes.micro.accuracy')} |"
        )
    return "\n".join(out) + "\n"


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plots(result: ScoreResult) -> tuple[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    lay = result.layout
    labels = list(lay.span_labels)
    fig, ax = plt.subplots(figsize=(max(5, 1.6 * len(labels) + 2), 3.4))
    width = 0.8 / len(SCHEMAS)
    x = np.arange(len(labels))
    for k, schema in enumerate(SCHEMAS):
        vals, lows, highs = [], [], []
        for lab in labels:
            name = f"spans.per_label.{lab}.{schema.value}.f1"
            val = result.values.get(name)
            lo, hi = result.intervals.get(name, (None, None))
            vals.append(np.nan if val is None else val)
            lows.append(0 if val is None or lo is None else val - lo)
            highs.append(0 if val is None or hi is None else hi - val)
        ax.bar(
            x + (k - 1.5) * width, vals, width, yerr=[lows, highs], capsize=3, label=schema.value
        )
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.set_title("Per-label F1 with 95 % bootstrap intervals")
    ax.legend(ncols=4, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.35))
    bars = _png(fig)
    plt.close(fig)

    conf = result.counts.confusion
    names = [*labels, "(none)"]
    fig, ax = plt.subplots(figsize=(1.0 * len(names) + 2, 0.9 * len(names) + 1.5))
    shade = np.log1p(conf)
    ax.imshow(shade, cmap="Blues")
    dark = 0.6 * float(shade.max()) if shade.size else 0.0
    for i in range(conf.shape[0]):
        for j in range(conf.shape[1]):
            colour = "white" if shade[i, j] > dark > 0 else "black"
            ax.text(j, i, str(int(conf[i, j])), ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("gold label")
    ax.set_title("Label confusion (partial-schema matching)")
    matrix = _png(fig)
    plt.close(fig)
    return bars, matrix


def _highlight(text: str, spans: list[tuple[int, int, str, str, dict[str, str]]]) -> str:
    """The text with each span wrapped in a <mark> coloured by status; overlaps stack titles."""
    cuts = sorted({0, len(text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    parts = []
    for a, b in itertools.pairwise(cuts):
        covering = [sp for sp in spans if sp[0] <= a and b <= sp[1]]
        seg = _esc(text[a:b])
        if covering:
            title = "; ".join(
                f"{lab} {status}"
                + (f" ({', '.join(f'{k}={v}' for k, v in attrs.items())})" if attrs else "")
                for _, _, lab, status, attrs in covering
            )
            status = covering[0][3]
            parts.append(
                f'<mark class="{_esc(status)}" title="{_esc(title)}">{seg}'
                f"<sub>{_esc(covering[0][2])}</sub></mark>"
            )
        else:
            parts.append(seg)
    return "".join(parts)


def _span_table(text: str, spans: list[tuple[int, int, str, str, dict[str, str]]]) -> str:
    rows = "".join(
        f"<tr><td>{s}</td><td>{e}</td><td>{_esc(lab)}</td><td class='{_esc(st)}'>{_esc(st)}</td>"
        f"<td>{_esc(text[s:e])}</td><td>{_esc(', '.join(f'{k}={v}' for k, v in attrs.items()))}"
        "</td></tr>"
        for s, e, lab, st, attrs in spans
    )
    return (
        "<table class='spans'><tr><th>start</th><th>end</th><th>label</th><th>status</th>"
        f"<th>text</th><th>attributes</th></tr>{rows}</table>"
    )


def _browser(docs: list[BrowserDoc]) -> str:
    if not docs:
        return "<p>No document has an error under the strict schema.</p>"
    items = []
    for d in docs:
        items.append(
            f"<details><summary>{_esc(d.doc_id)}: {d.errors} errors</summary>"
            "<div class='cols'><div><h4>gold</h4>"
            f"<p class='text'>{_highlight(d.text, d.gold)}</p>{_span_table(d.text, d.gold)}</div>"
            f"<div><h4>predicted</h4><p class='text'>{_highlight(d.text, d.pred)}</p>"
            f"{_span_table(d.text, d.pred)}</div></div></details>"
        )
    return "\n".join(items)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;
font-size:.9em;text-align:left}.text{white-space:pre-wrap;line-height:1.8}
mark{padding:0 .1em;border-radius:3px}mark sub{font-size:.6em;color:#444}
mark.COR{background:#c7f0c2}mark.INC,.INC{background:#ffe19c}mark.MIS,.MIS{background:#ffb3b3}
mark.SPU,.SPU{background:#d7c6ff}mark.PAR{background:#ffe19c}.cols{display:grid;
grid-template-columns:1fr 1fr;gap:1em}details{border:1px solid #ddd;margin:.4em 0;padding:.4em}
summary{cursor:pointer;font-weight:600}img{max-width:100%}
"""


def to_html(result: ScoreResult) -> str:
    """One self-contained offline HTML page: tables, plots, and the error browser.

    The span plots and the span error browser are left out when the spans were given.
    """
    # The Markdown body escapes every data string (backchannel.markdown.escape), and the
    # renderer shows raw HTML as text.
    body = md_to_html(to_markdown(result))
    spans = ""
    if not _given(result, "spans"):
        bars, matrix = _plots(result)
        spans = (
            f"<h2>Plots</h2><img alt='per-label F1 with intervals' src='{bars}'>"
            f"<img alt='label confusion matrix' src='{matrix}'>"
            "<h2>Error browser</h2><p>The documents with the most errors (strict schema: INC, "
            "MIS, SPU, plus relation errors). Green COR, yellow INC, red MIS, violet SPU; hover a "
            "span for its label and attributes.</p>"
            f"{_browser(result.counts.browser)}"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>backchannel scoring report</title>"
        f"<style>{_CSS}</style></head><body><h1>Scoring report</h1>"
        f"{body}{spans}</body></html>\n"
    )


def render(result: ScoreResult, fmt: ReportFormat) -> str:
    """The report as text in ``fmt``."""
    if fmt is ReportFormat.JSON:
        return to_json(result)
    if fmt is ReportFormat.MD:
        return to_markdown(result)
    return to_html(result)


#: The figures of the short headline table of ``compare`` (those present are shown).
COMPARE_HEADLINE = (
    "spans.micro.strict.f1",
    "spans.micro.partial.f1",
    "spans.macro.strict.f1",
    "relations.micro.strict.f1",
    "stance.relations.strict.f1",
    "stance.polarity.macro_f1",
    "stance.polarity.f_avg",
    "attributes.micro.accuracy",
)


def _is_summary(name: str) -> bool:
    """Micro and macro figures, stance and pooled attributes (not per label or attribute)."""
    if ".per_label." in name:
        return False
    return not (name.startswith("attributes.") and not name.startswith("attributes.micro."))


def _p(value: float | None, trials: int) -> str:
    """A p-value; at the resolution floor of ``trials`` replicates, ``< 1/trials``.

    Why: ``(1 + hits) / (1 + trials)`` with no hit is 1/1001 for 1,000 replicates, which only
    says the p-value is below what 1,000 replicates can resolve; ``0.0010`` would look exact.
    """
    if value is None:
        return "n/a"
    if trials > 0 and value <= 1 / (1 + trials) + 1e-12:
        return f"< {1 / trials:.2g}"
    return f"{value:.4f}"


def _compare_rows(result: CompareResult, names: list[str]) -> list[str]:
    m = result.meta
    out = [
        "| figure | a | b | delta [interval] | p (bootstrap) | p (randomisation) |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        r = result.rows[name]
        delta = "n/a" if r["delta"] is None else f"{r['delta']:+.3f}"
        if r["ci_low"] is not None and r["ci_high"] is not None:
            delta += f" [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}]"
        out.append(
            f"| {escape(name)} | {_fmt(r['a'])} | {_fmt(r['b'])} | {delta} | "
            f"{_p(r['p_bootstrap'], m['bootstrap'])} | "
            f"{_p(r['p_randomisation'], m['permutations'])} |"
        )
    return out


def compare_markdown(result: CompareResult) -> str:
    """Markdown of a comparison: a short headline table, then the other summary figures.

    Each row: a, b, delta [interval], both p-values.  Per-label figures are in the JSON.
    """
    m = result.meta
    headline = [n for n in COMPARE_HEADLINE if n in result.rows]
    rest = [n for n in result.rows if _is_summary(n) and n not in headline]
    out = [
        "# Comparison",
        "",
        f"a {escape(m['a'])}, b {escape(m['b'])} on gold {escape(m['gold'])} ({m['documents']} "
        f"documents).  delta = b - a with its {int(m['confidence'] * 100)} % paired-bootstrap "
        f"interval ({m['bootstrap']} replicates); two-sided p-values from the paired bootstrap "
        f"and from approximate randomisation ({m['permutations']} shuffles), seed {m['seed']}; "
        "a p-value shown as < 1/N is at the floor of N replicates.",
        "",
        "## Headline figures",
        "",
        *_compare_rows(result, headline),
    ]
    if rest:
        out += [
            "",
            "## Other figures (micro, macro, stance, pooled attributes)",
            "",
            "Per-label figures are in the JSON output (`--format json`).",
            "",
            *_compare_rows(result, rest),
        ]
    return "\n".join(out) + "\n"


def compare_summary(result: CompareResult) -> str:
    """The CLI's one-line summary of a comparison: documents and the first headline figure."""
    m = result.meta
    n = m["documents"]
    head = f"compared {plural(n, 'document')}"
    for name in COMPARE_HEADLINE:
        r = result.rows.get(name)
        if r is None or r["a"] is None or r["b"] is None or r["delta"] is None:
            continue
        return (
            f"{head}: {name} {r['a']:.3f} -> {r['b']:.3f} (delta {r['delta']:+.3f}, "
            f"p {_p(r['p_bootstrap'], m['bootstrap'])} bootstrap)"
        )
    return head


def render_compare(result: CompareResult, fmt: ReportFormat) -> str:
    if fmt is ReportFormat.JSON:
        return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt is ReportFormat.MD:
        return compare_markdown(result)
    body = md_to_html(compare_markdown(result))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>backchannel "
        f"comparison</title><style>{_CSS}</style></head><body><h1>Comparison</h1>{body}"
        "</body></html>\n"
    )


def write_report(text: str, path: str | Path) -> None:
    """Write a report atomically (``-`` for standard output)."""
    with atomic_write(path, "w") as fh:
        fh.write(text)
