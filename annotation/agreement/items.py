"""Per-article comparison of annotators: overlap matching, attribute units, disagreements.

:func:`~backchannel.annotation.agreement.agree.compute_agreement` walks the articles once; for each
it
calls :func:`collect_units`, which adds the article's categorical units (one row of
per-annotator values for every item marked identically by two or more annotators) and every
item the annotators differ on.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from backchannel.annotation.agreement.records import CategoricalAgreement, Disagreement, PairKappa
from backchannel.annotation.agreement.stats import (
    cohen_kappa,
    encode_values,
    krippendorff_alpha_nominal,
    value_counts,
)
from backchannel.annotation.annotation_set import AnnotatedDoc, RelKey, SpanKey
from backchannel.schema import AttributeDef, Schema

__all__ = ["Units", "collect_units"]


def _value(attrs: dict[str, str], name: str, adef: AttributeDef) -> str | None:
    value = attrs.get(name)
    return value if value is not None else adef.default


def _describe_span(text: str, key: SpanKey) -> str:
    start, end, label = key
    snippet = text[start:end]
    if len(snippet) > 60:
        snippet = snippet[:59] + "…"
    return f'{label} [{start},{end}) "{snippet}"'


def _describe_rel(text: str, key: RelKey) -> str:
    head, tail, label = key
    return f"{label}: {_describe_span(text, head)} → {_describe_span(text, tail)}"


class Units:
    """Collects categorical units (one row of per-annotator values each) for one attribute."""

    __slots__ = ("docs", "rows")

    def __init__(self) -> None:
        self.rows: list[list[str | None]] = []
        self.docs: list[int] = []  # the article of each row, for the bootstrap over articles

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Raters x units integer codes (``-1`` missing) and each unit's article."""
        columns = list(zip(*self.rows, strict=True))
        codes, _ = encode_values(*columns)
        matrix = np.vstack(codes) if codes else np.empty((0, 0), dtype=np.int64)
        return matrix, np.asarray(self.docs, dtype=np.int64)

    def result(self, annotators: list[str]) -> CategoricalAgreement:
        if not self.rows:
            return CategoricalAgreement(cohen_kappa=None, krippendorff_alpha=None, n=0)
        columns = list(zip(*self.rows, strict=True))
        codes, values = encode_values(*columns)
        matrix = np.vstack(codes) if codes else np.empty((0, 0), dtype=np.int64)
        alpha = krippendorff_alpha_nominal(value_counts(matrix))
        pairs = []
        kappas = []
        for i, j in combinations(range(len(annotators)), 2):
            both = (matrix[i] >= 0) & (matrix[j] >= 0)
            n = int(both.sum())
            if n == 0:
                continue
            k = cohen_kappa(matrix[i], matrix[j])
            pairs.append(PairKappa(annotators=[annotators[i], annotators[j]], cohen_kappa=k, n=n))
            if k is not None:
                kappas.append(k)
        n_units = int(((matrix >= 0).sum(axis=0) >= 2).sum())
        return CategoricalAgreement(
            cohen_kappa=float(np.mean(kappas)) if kappas else None,
            krippendorff_alpha=alpha,
            n=n_units,
            pairs=pairs,
            values=sorted(str(v) for v in values),
        )


def collect_units(
    adoc: AnnotatedDoc,
    schema: Schema,
    index: dict[str, int],
    attr_units: dict[str, Units],
    doc_units: dict[str, Units],
    out: list[Disagreement],
) -> None:
    """Add one article's attribute units and its disagreements."""
    anns = adoc.annotators
    text = adoc.text
    width = len(index)
    views = adoc.views
    raw_title = next(iter(views.values())).doc.meta.get("title")
    title = str(raw_title) if raw_title else None

    span_keys: dict[SpanKey, list[str]] = {}
    for a, view in views.items():
        for key in view.spans:
            span_keys.setdefault(key, []).append(a)
    for key, markers in span_keys.items():
        start, end, label = key
        if len(markers) < len(anns):
            values: dict[str, str | None] = {}
            for a in anns:
                if a in markers:
                    values[a] = "marked"
                else:
                    near = [
                        k for k in views[a].spans if k[0] < end and start < k[1] and k[2] == label
                    ] or [k for k in views[a].spans if k[0] < end and start < k[1]]
                    values[a] = "; ".join(_describe_span(text, k) for k in near) or None
            out.append(
                Disagreement(
                    title=title,
                    doc_id=adoc.id,
                    kind="span",
                    item=_describe_span(text, key),
                    values=values,
                    start=start,
                    end=end,
                )
            )
        if len(markers) < 2:
            continue
        for attr, adef in schema.spans[label].attributes.items():
            row: list[str | None] = [None] * width
            for a in markers:
                row[index[a]] = _value(views[a].spans[key].attrs, attr, adef)
            attr_units[f"{label}.{attr}"].rows.append(row)
            given = {row[index[a]] for a in markers}
            if len(given) > 1:
                out.append(
                    Disagreement(
                        title=title,
                        doc_id=adoc.id,
                        kind="span_attribute",
                        item=_describe_span(text, key),
                        attribute=f"{label}.{attr}",
                        values={a: row[index[a]] if a in markers else None for a in anns},
                        start=start,
                        end=end,
                    )
                )

    rel_keys: dict[RelKey, list[str]] = {}
    for a, view in views.items():
        for rkey in view.relations:
            rel_keys.setdefault(rkey, []).append(a)
    for rkey, markers in rel_keys.items():
        head, _tail, label = rkey
        if len(markers) < len(anns):
            out.append(
                Disagreement(
                    title=title,
                    doc_id=adoc.id,
                    kind="relation",
                    item=_describe_rel(text, rkey),
                    values={a: "marked" if a in markers else None for a in anns},
                    start=head[0],
                    end=head[1],
                )
            )
        if len(markers) < 2:
            continue
        for attr, adef in schema.relations[label].attributes.items():
            row = [None] * width
            for a in markers:
                row[index[a]] = _value(views[a].relations[rkey].attrs, attr, adef)
            attr_units[f"{label}.{attr}"].rows.append(row)
            if len({row[index[a]] for a in markers}) > 1:
                out.append(
                    Disagreement(
                        title=title,
                        doc_id=adoc.id,
                        kind="relation_attribute",
                        item=_describe_rel(text, rkey),
                        attribute=f"{label}.{attr}",
                        values={a: row[index[a]] if a in markers else None for a in anns},
                        start=head[0],
                        end=head[1],
                    )
                )

    for name, adef in schema.doc_labels.items():
        row = [None] * width
        for a in anns:
            row[index[a]] = _value(views[a].doc.doc_labels, name, adef)
        doc_units[name].rows.append(row)
        if len({row[index[a]] for a in anns}) > 1:
            out.append(
                Disagreement(
                    title=title,
                    doc_id=adoc.id,
                    kind="doc_label",
                    item=f"document label {name}",
                    attribute=name,
                    values={a: row[index[a]] for a in anns},
                )
            )
