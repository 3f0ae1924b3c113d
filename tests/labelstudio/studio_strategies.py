"""Hypothesis strategies: schema-valid Documents with emoji, combining marks and line breaks."""

from __future__ import annotations

from hypothesis import strategies as st

from backchannel.documents import Document, Relation, Span
from backchannel.schema import Schema, load_schema

SCHEMA: Schema = load_schema()

# Characters that break naive offset handling: astral emoji (2 UTF-16 units), combining marks
# (their own code point), line breaks (CRLF counts 2), plus plain letters and spaces.
PIECES = st.sampled_from(
    [
        "a",
        "b",
        "Z",
        " ",
        " ",
        "\n",
        "\r\n",
        "😀",
        "🤝",
        "👩🏽‍⚕️",
        "e\u0301",
        "\u0301",
        "ß",
        "中",
        "\u00a0",
        "\t",
        "é",
    ]
)


def _attrs_for(label: str, draw: st.DrawFn, kind: str = "span") -> dict[str, str]:
    defs = SCHEMA.spans[label].attributes if kind == "span" else SCHEMA.relations[label].attributes
    out = {}
    for name, adef in defs.items():
        if draw(st.booleans()):
            out[name] = draw(st.sampled_from(list(adef.values)))
    return out


@st.composite
def documents(draw: st.DrawFn, doc_id: str | None = None) -> Document:
    """A Document valid against the default schema, with overlapping and nested spans."""
    text = "".join(draw(st.lists(PIECES, min_size=4, max_size=40)))
    n = len(text)
    spans: list[Span] = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        label = draw(st.sampled_from(SCHEMA.span_labels))
        score = draw(st.one_of(st.none(), st.floats(0, 1)))
        spans.append(
            Span(
                id=f"r{i}",
                start=start,
                end=end,
                label=label,
                attrs=_attrs_for(label, draw),
                score=score,
            )
        )
    relations: list[Relation] = []
    for rname, rdef in SCHEMA.relations.items():
        heads = [s for s in spans if s.label in rdef.head]
        tails = [s for s in spans if s.label in rdef.tail]
        if heads and tails and draw(st.booleans()):
            head = draw(st.sampled_from(heads))
            tail = draw(st.sampled_from(tails))
            if head.id != tail.id:
                relations.append(
                    Relation(
                        head=head.id,
                        tail=tail.id,
                        label=rname,
                        attrs=_attrs_for(rname, draw, "relation"),
                        id=draw(st.sampled_from([None, f"rel-{rname.lower()}"])),
                    )
                )
    doc_labels = {}
    for name, adef in SCHEMA.doc_labels.items():
        if draw(st.booleans()):
            doc_labels[name] = draw(st.sampled_from(list(adef.values)))
    meta = draw(st.dictionaries(st.sampled_from(["title", "source", "url"]), st.text(max_size=8)))
    return Document(
        id=doc_id or f"doc-{draw(st.integers(0, 10**9))}",
        text=text,
        meta=meta,
        spans=spans,
        relations=relations,
        doc_labels=doc_labels,
        schema_version=draw(st.sampled_from([None, SCHEMA.version])),
    )


def content(doc: Document) -> Document:
    """The annotation content of a Document, without where it came from on the server."""
    return Document(
        id=doc.id,
        text=doc.text,
        meta=doc.meta,
        spans=doc.spans,
        relations=doc.relations,
        doc_labels=doc.doc_labels,
        schema_version=doc.schema_version,
    )
