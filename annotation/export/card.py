"""The dataset card: ``README.md`` with Hub YAML metadata and figures computed from the export.

The card's prose and layout live in a Jinja2 template shipped with the package
(``templates/card.md.j2``); this module computes what goes into it, a typed
:class:`CardContext`, and renders it.  Nothing in the card is typed by hand: counts come from
:class:`~backchannel.annotation.export.label_counts.SplitStats`, agreement figures from the
agreement JSON (:mod:`~backchannel.annotation.export.card_agreement`), provenance from the
documents' ``meta``, the YAML header from :mod:`~backchannel.annotation.export.card_metadata`.

Escaping happens in one place, the template: the context holds user text (labels, titles,
annotator names, license strings) as it came, and the template sends every such string through
the ``md`` filter (:func:`backchannel.markdown.escape`) and every table through
:func:`backchannel.markdown.table`, which escapes each cell.  Autoescape is off because the
output is Markdown, not HTML; a ``|`` or ``<script>`` in the data still cannot break a table or
inject HTML into the Hub's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.card_agreement import agreement_rows, number

if TYPE_CHECKING:
    import jinja2

    from backchannel.annotation.export.label_counts import SplitStats
    from backchannel.schema import Schema

__all__ = [
    "AgreementContext",
    "CardContext",
    "CardInput",
    "card_context",
    "render_card",
    "render_context",
]

Row = list[Any]
"""One table row: user strings as they came, figures as numbers or formatted text."""


@dataclass(frozen=True, kw_only=True)
class CardInput:
    """What the card needs, gathered by the exporter.

    Attributes:
        schema: the schema the export was made with.
        stats: per split (in split order).
        total: all splits together.
        split_fractions: the requested shares.
        seed: the split seed.
        files: the data file of each split, relative to the folder (for ``configs``).
        pretty_name: the dataset's display name.
        agreement: the parsed agreement JSON, if any.
        agreement_source: where it came from (file name only).
        events: number of rows in the event table, if one was written.
        groups: article groups (near-duplicates together) the splits were made of.
        docbin: whether spaCy files were written.
        synthetic_annotators: annotators of the agreement figures known to be synthetic.
    """

    schema: Schema
    stats: dict[str, SplitStats]
    total: SplitStats
    split_fractions: dict[str, float]
    seed: int
    files: dict[str, str]
    pretty_name: str
    agreement: dict[str, Any] | None = None
    agreement_source: str | None = None
    events: int | None = None
    groups: int | None = None
    docbin: bool = True
    synthetic_annotators: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class AgreementContext:
    """The agreement section: what the agreement JSON says, as far as the card can read it.

    Attributes:
        source: the agreement file's name, if known.
        documents: articles measured (shown only with ``annotators``).
        annotators: who was compared; empty when the file does not say (values as found).
        synthetic: annotators known to be synthetic.
        rows: ``[section, measure, value, interval, n]`` per figure.
        ci_head: the interval column's title (``"90% CI"``, or ``"CI"`` without a level).
        level: the bootstrap level in percent, when both it and the resample count are known.
        resamples: the bootstrap resample count, when both it and the level are known.
    """

    source: str | None
    documents: Any = None
    annotators: list[Any] = field(default_factory=list)
    synthetic: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    ci_head: str = "CI"
    level: str | None = None
    resamples: int | None = None


@dataclass(frozen=True, kw_only=True)
class CardContext:
    """Everything the card template shows, computed; user strings not yet escaped.

    Count tables hold one row per label or value: the name, its count in each split, the total.
    Named tables (``doc_labels``, attribute sections) pair a heading with such rows.
    """

    yaml: str
    pretty_name: str
    description: str
    schema_name: str
    schema_version: str
    span_labels: list[str]
    relation_labels: list[str]
    stance_relation: str | None
    has_doc_labels: bool
    splits: list[str]
    documents: int
    spans: int
    relations: int
    bio_left_out: int
    structure: list[Row]
    span_counts: list[Row]
    relation_counts: list[Row]
    doc_label_tables: list[tuple[str, list[Row]]]
    attribute_sections: list[tuple[str, list[tuple[str, list[Row]]]]]
    docbin: bool
    events: int | None
    agreement: AgreementContext | None
    synthetic_documents: int
    authored_by: list[tuple[str, int]]
    licenses: list[tuple[str, int]]
    annotators: list[tuple[str, int]]
    seed: int
    groups: int | None
    synthetic_annotators: list[str]
    synthetic_annotation: int
    citation_key: str
    year: int


def _counts(inp: CardInput, pick: str, keys: list[str], nested: str | None = None) -> list[Row]:
    """Rows ``[key, count per split..., total]`` of one ``SplitStats`` field."""

    def count(stats: SplitStats, key: str) -> int:
        found = getattr(stats, pick)
        return (found.get(nested, {}) if nested is not None else found).get(key, 0)

    return [
        [key, *(count(st, key) for st in inp.stats.values()), count(inp.total, key)] for key in keys
    ]


def _ordered_values(declared: list[str], seen: dict[str, Any]) -> list[str]:
    """Schema order for values that occur, then any undeclared ones (should not happen)."""
    return [v for v in declared if v in seen] + sorted(v for v in seen if v not in declared)


def _attribute_sections(inp: CardInput) -> list[tuple[str, list[tuple[str, list[Row]]]]]:
    """Span and relation attribute tables, in schema order, sections without values left out."""
    sections = []
    for title, pick, defs in (
        ("Span attributes", "span_attributes", inp.schema.spans),
        ("Relation attributes", "relation_attributes", inp.schema.relations),
    ):
        keys = getattr(inp.total, pick)
        if not keys:
            continue
        ordered = [
            (f"{label}.{attr}", list(ldef.attributes[attr].values))
            for label, ldef in defs.items()
            for attr in ldef.attributes
            if f"{label}.{attr}" in keys
        ]
        ordered += [(k, []) for k in sorted(keys) if k not in dict(ordered)]
        tables = [
            (key, _counts(inp, pick, _ordered_values(declared, keys[key]), nested=key))
            for key, declared in ordered
        ]
        sections.append((title, tables))
    return sections


def _agreement_context(
    data: dict[str, Any], source: str | None, synthetic: list[str]
) -> AgreementContext:
    docs, people = data.get("documents"), data.get("annotators")
    measured = isinstance(docs, int) and isinstance(people, list) and bool(people)
    rows = [
        [
            r.section,
            r.measure,
            f"{r.value:.3f}",
            f"[{r.ci[0]:.3f}, {r.ci[1]:.3f}]" if r.ci else "n/a",
            "" if r.n is None else r.n,
        ]
        for r in agreement_rows(data)
    ]
    boot = data.get("bootstrap")
    level = number(boot.get("confidence")) if isinstance(boot, dict) else None
    resamples = boot.get("resamples") if isinstance(boot, dict) else None
    known = level is not None and isinstance(resamples, int)
    return AgreementContext(
        source=source,
        documents=docs if measured else None,
        annotators=people if measured else [],
        synthetic=synthetic,
        rows=rows,
        ci_head=f"{level * 100:g}% CI" if level is not None else "CI",
        level=f"{level * 100:g}" if known else None,
        resamples=resamples if known else None,
    )


def card_context(inp: CardInput, *, today: datetime | None = None) -> CardContext:
    """Compute every figure of the card from the export's statistics and the agreement JSON."""
    from backchannel.annotation.export.card_metadata import card_yaml

    schema, total = inp.schema, inp.total
    structure = [
        [
            split,
            st.documents,
            st.tokens,
            sum(st.spans.values()),
            sum(st.relations.values()),
            f"{inp.split_fractions.get(split, 0) * 100:.1f}%",
            f"{(st.documents / total.documents * 100) if total.documents else 0:.1f}%",
        ]
        for split, st in inp.stats.items()
    ]
    doc_label_tables = [
        (
            name,
            _counts(
                inp,
                "doc_labels",
                _ordered_values(
                    list(schema.doc_labels[name].values) if name in schema.doc_labels else [],
                    total.doc_labels[name],
                ),
                nested=name,
            ),
        )
        for name in _ordered_values(list(schema.doc_labels), total.doc_labels)
    ]
    agreement = None
    if inp.agreement is not None:
        agreement = _agreement_context(
            inp.agreement, inp.agreement_source, inp.synthetic_annotators
        )
    return CardContext(
        yaml=card_yaml(inp),
        pretty_name=inp.pretty_name,
        description=schema.description,
        schema_name=schema.name,
        schema_version=schema.version,
        span_labels=list(schema.span_labels),
        relation_labels=list(schema.relation_labels),
        stance_relation=schema.stance.relation if schema.stance is not None else None,
        has_doc_labels=bool(schema.doc_labels),
        splits=list(inp.stats),
        documents=total.documents,
        spans=sum(total.spans.values()),
        relations=sum(total.relations.values()),
        bio_left_out=total.bio_left_out,
        structure=structure,
        span_counts=_counts(inp, "spans", _ordered_values(schema.span_labels, total.spans)),
        relation_counts=_counts(
            inp, "relations", _ordered_values(schema.relation_labels, total.relations)
        ),
        doc_label_tables=doc_label_tables,
        attribute_sections=_attribute_sections(inp),
        docbin=inp.docbin,
        events=inp.events,
        agreement=agreement,
        synthetic_documents=total.synthetic.get("true", 0),
        authored_by=sorted(total.authored_by.items()),
        licenses=sorted(total.licenses.items()),
        annotators=sorted(total.annotators.items()),
        seed=inp.seed,
        groups=inp.groups,
        synthetic_annotators=list(inp.synthetic_annotators),
        synthetic_annotation=total.synthetic_annotation,
        citation_key=re.sub(r"[^a-z0-9]+", "_", inp.pretty_name.lower()).strip("_") or "dataset",
        year=(today or datetime.now(UTC)).year,
    )


def _bibtex(value: object) -> str:
    """A BibTeX field value: braced, with the braces and backslashes of the text removed."""
    return "{" + re.sub(r"[{}\\]", "", str(value)) + "}"


def _table(head: list[Any], rows: list[Row]) -> str:
    from backchannel.markdown import table

    return "\n".join(table(head, rows))


@cache
def _template() -> jinja2.Template:
    """The card template, loaded once.

    Autoescape is off: the output is Markdown, and HTML-escaping everything would still leave
    ``|`` and ``](`` live.  The template escapes explicitly (``md`` filter, ``table``).
    ``StrictUndefined`` makes a misspelt name an error rather than an empty string.
    """
    import jinja2

    from backchannel.markdown import escape

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("backchannel.annotation.export", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = escape
    env.filters["bibtex"] = _bibtex
    env.globals["table"] = _table
    return env.get_template("card.md.j2")


def render_context(context: CardContext) -> str:
    """The card of a computed context (the template does the escaping)."""
    return _template().render({f.name: getattr(context, f.name) for f in fields(context)})


def render_card(inp: CardInput, *, today: datetime | None = None) -> str:
    """The whole ``README.md``: YAML metadata, then the Markdown body."""
    return render_context(card_context(inp, today=today))
