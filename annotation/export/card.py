"""The dataset card: ``README.md`` with Hub YAML metadata and figures computed from the export.

Nothing here is typed by hand: counts come from :class:`~backchannel.annotation.export.label_counts.
SplitStats`, agreement figures from the agreement JSON (read defensively: missing keys are left
out, never invented), provenance from the documents' ``meta``.  Every piece of user text (labels,
titles, annotator names, license strings) is escaped before it goes into Markdown, so a ``|`` or
``<script>`` in the data cannot break a table or inject HTML into the Hub's page.

The YAML block is built with ``huggingface_hub.DatasetCardData`` and checked by parsing the whole
card back with ``huggingface_hub.DatasetCard`` (:func:`validate_card`).
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.errors import InputError, PublishError

if TYPE_CHECKING:
    from backchannel.annotation.export.label_counts import SplitStats
    from backchannel.schema import Schema

__all__ = [
    "AgreementRow",
    "CardInput",
    "agreement_rows",
    "load_agreement",
    "md",
    "render_card",
    "size_category",
    "synthetic_annotators",
    "validate_card",
]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HUB_LICENSE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
REQUIRED_YAML = (
    "license",
    "language",
    "task_categories",
    "size_categories",
    "pretty_name",
    "configs",
)


def md(value: object) -> str:
    """Escape user text for a Markdown table cell or paragraph (HTML first, then Markdown)."""
    text = html.escape(str(value), quote=True)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` examples."""
    if n < 1000:
        return "n<1K"
    bounds = [(10**3, "1K"), (10**4, "10K"), (10**5, "100K"), (10**6, "1M"), (10**7, "10M")]
    bounds += [(10**8, "100M"), (10**9, "1B"), (10**10, "10B"), (10**11, "100B")]
    for (low, low_name), (high, high_name) in itertools.pairwise(bounds):
        if low <= n < high:
            return f"{low_name}<n<{high_name}"
    return "n>1T"


def load_agreement(path: str | Path) -> dict[str, Any]:
    """Read the agreement helper's JSON (keys ``overall``, ``per_label``, ``attributes``...).

    Raises:
        InputError: if the file is missing or not a JSON object.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such agreement file", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read agreement JSON: {exc}", path=path) from None
    except RecursionError:
        raise InputError("cannot read agreement JSON: nested too deeply", path=path) from None
    if not isinstance(data, dict):
        raise InputError("agreement JSON must be an object", path=path)
    return data


_POINT_KEYS = ("value", "estimate", "point", "mean", "f1", "alpha", "kappa", "score")
_CI_PAIRS = (("low", "high"), ("ci_low", "ci_high"), ("lower", "upper"), ("lo", "hi"))


def _number(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        value = float(x)
    except OverflowError:  # an integer beyond any float: not a figure
        return None
    return value if math.isfinite(value) else None


def _figure(value: object) -> tuple[float, tuple[float, float] | None] | None:
    """``(point, (low, high) or None)`` from a number or a dict holding one, else ``None``."""
    point = _number(value)
    if point is not None:
        return point, None
    if not isinstance(value, dict):
        return None
    for key in _POINT_KEYS:
        point = _number(value.get(key))
        if point is not None:
            break
    else:
        return None
    ci = value.get("ci")
    if isinstance(ci, list | tuple) and len(ci) == 2:
        low, high = _number(ci[0]), _number(ci[1])
        if low is not None and high is not None:
            return point, (low, high)
    if isinstance(ci, dict):
        value = ci
    for lo_key, hi_key in _CI_PAIRS:
        low, high = _number(value.get(lo_key)), _number(value.get(hi_key))
        if low is not None and high is not None:
            return point, (low, high)
    return point, None


_COUNT_KEYS = frozenset({"n", "pairs", "documents", "matched", "a", "b", "resamples", "seed"})
_SECTIONS = ("overall", "per_label", "relations", "stance", "attributes", "doc_labels")


class AgreementRow(msgspec.Struct, array_like=True):
    """One agreement figure for the card: where it is, its value, interval and unit count."""

    section: str
    measure: str
    value: float
    ci: tuple[float, float] | None
    n: int | None


def agreement_rows(data: dict[str, Any], limit: int = 120) -> list[AgreementRow]:
    """Flatten the agreement JSON of ``backchannel agree`` into card rows.

    Reads defensively: from the sections ``overall``, ``per_label``, ``relations``, ``stance``,
    ``attributes`` and ``doc_labels`` it takes every number or object with a recognised value
    key (``f1``, ``value``, ``alpha``...) and optional interval (``ci_low``/``ci_high``,
    ``ci: [low, high]``, ``low``/``high``..., or a sibling ``<name>_ci: [low, high]``, as
    ``agree`` writes for ``cohen_kappa`` and ``krippendorff_alpha``).  Counts (``n``,
    ``pairs``...) become the ``n`` of their figure, lists (per-pair details, value lists) and
    nulls are skipped: nothing missing is invented.
    """
    rows: list[AgreementRow] = []

    def count_of(node: object) -> int | None:
        if isinstance(node, dict):
            n = node.get("n")
            if isinstance(n, int) and not isinstance(n, bool):
                return n
        return None

    def walk(
        section: str, prefix: str, node: object, parent: object, depth: int, sibling_ci: object
    ) -> None:
        if len(rows) >= limit or depth > 4:
            return
        fig = _figure(node)
        if fig is not None and fig[1] is None:  # a bare figure with its interval beside it
            bounds = _figure({"value": 0, "ci": sibling_ci})
            fig = (fig[0], bounds[1] if bounds else None)
        if fig is not None and prefix:
            n = count_of(node) if isinstance(node, dict) else count_of(parent)
            rows.append(AgreementRow(section, prefix, fig[0], fig[1], n))
            if not isinstance(node, dict):
                return
        if isinstance(node, dict):
            consumed = ("ci", *_POINT_KEYS, *(k for pair in _CI_PAIRS for k in pair))
            for key, child in node.items():
                if key in _COUNT_KEYS or (fig is not None and prefix and key in consumed):
                    continue
                if str(key).endswith("_ci") and str(key)[:-3] in node:
                    continue  # `cohen_kappa_ci` is the interval of `cohen_kappa`
                name = f"{prefix}.{key}" if prefix else str(key)
                walk(section, name, child, node, depth + 1, node.get(f"{key}_ci"))

    for section in _SECTIONS:
        if section in data:
            walk(section, "", data[section], None, 0, None)
    return rows


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def synthetic_annotators(data: dict[str, Any], agreement_path: str | Path) -> list[str]:
    """Annotators of the agreement's source file whose Documents say they are synthetic.

    The agreement JSON names its input (``source``); when that file can be found (as given, or
    next to the agreement file) its records are scanned for ``meta.synthetic_annotator``.
    Returns the sorted names, or an empty list when the file is absent or says nothing.
    """
    source = data.get("source")
    if not isinstance(source, str) or not source:
        return []
    candidates = [Path(source), Path(agreement_path).parent / source]
    path = next((p for p in candidates if _is_file(p)), None)
    if path is None:
        return []
    names: set[str] = set()
    decoder = msgspec.json.Decoder()
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                try:
                    rec = decoder.decode(raw)
                except (msgspec.DecodeError, UnicodeDecodeError):
                    continue
                meta = rec.get("meta") if isinstance(rec, dict) else None
                who = rec.get("annotator") if isinstance(rec, dict) else None
                if isinstance(meta, dict) and meta.get("synthetic_annotator") and who:
                    names.add(str(who))
    except OSError:
        return []
    return sorted(names)


def _agreement_section(
    data: dict[str, Any], source: str | None, synthetic: list[str] | None = None
) -> list[str]:
    src = f" (from {md(source)})" if source else ""
    out: list[str] = []
    docs = data.get("documents")
    people = data.get("annotators")
    if isinstance(docs, int) and isinstance(people, list) and people:
        names = ", ".join(md(p) for p in people)
        out += [f"Measured on {docs} articles by {len(people)} annotators ({names}){src}.", ""]
    elif src:
        out += [f"Figures{src}.", ""]
    if synthetic:
        out += [
            f"**Synthetic annotators: {', '.join(md(n) for n in synthetic)}.** Their records "
            "carry `meta.synthetic_annotator` (versions of a gold made by a noise model), so "
            "figures involving them measure the tooling, not human disagreement.",
            "",
        ]
    rows = agreement_rows(data)
    if not rows:
        return [*out, "The agreement file holds no figure this card can read.", ""]
    boot = data.get("bootstrap")
    level = _number(boot.get("confidence")) if isinstance(boot, dict) else None
    resamples = boot.get("resamples") if isinstance(boot, dict) else None
    ci_head = f"{level * 100:g}% CI" if level is not None else "CI"
    if level is not None and isinstance(resamples, int):
        out += [
            f"Intervals: bootstrap over articles, {resamples} resamples, {level * 100:g}% level. "
            "Span and relation figures are mean pairwise F1; attributes and document labels "
            "Cohen's kappa and Krippendorff's alpha; n is the number of units compared.",
            "",
        ]
    table = [
        [
            md(r.section),
            md(r.measure),
            f"{r.value:.3f}",
            f"[{r.ci[0]:.3f}, {r.ci[1]:.3f}]" if r.ci else "n/a",
            "" if r.n is None else str(r.n),
        ]
        for r in rows
    ]
    return [*out, _table(["section", "measure", "value", ci_head, "n"], table), ""]


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


def _license(total: SplitStats) -> tuple[str, list[str]]:
    names = [k for k in total.licenses if k != "unknown"]
    if len(names) == 1 and _HUB_LICENSE.match(names[0].lower()) and "unknown" not in total.licenses:
        return names[0].lower(), names
    return "other", names


def card_metadata(inp: CardInput) -> dict[str, Any]:
    """The YAML metadata (a dict ready for ``DatasetCardData``)."""
    license_id, license_names = _license(inp.total)
    meta: dict[str, Any] = {
        "license": license_id,
        "language": [inp.schema.language],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [size_category(inp.total.documents)],
        "pretty_name": inp.pretty_name,
        "tags": ["relation-extraction", "stance-detection", "event-extraction", "diplomacy"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": path} for split, path in inp.files.items()],
            }
        ],
    }
    if license_id == "other" and license_names:
        meta["license_name"] = "; ".join(sorted(license_names))
    synthetic = inp.total.synthetic
    if synthetic.get("true") == inp.total.documents and inp.total.documents:
        meta["language_creators"] = ["expert-generated"]
        meta["source_datasets"] = ["original"]
    meta["annotations_creators"] = ["expert-generated"]
    return meta


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _count_table(inp: CardInput, pick: str, keys: list[str], first: str) -> str:
    splits = list(inp.stats)
    rows = []
    for key in keys:
        cells = [md(key)]
        for split in splits:
            cells.append(str(getattr(inp.stats[split], pick).get(key, 0)))
        cells.append(str(getattr(inp.total, pick).get(key, 0)))
        rows.append(cells)
    return _table([first, *[md(s) for s in splits], "all"], rows)


def _nested_table(inp: CardInput, pick: str, key: str, values: list[str]) -> str:
    splits = list(inp.stats)
    rows = []
    for value in values:
        cells = [md(value)]
        for split in splits:
            cells.append(str(getattr(inp.stats[split], pick).get(key, {}).get(value, 0)))
        cells.append(str(getattr(inp.total, pick).get(key, {}).get(value, 0)))
        rows.append(cells)
    return _table(["value", *[md(s) for s in splits], "all"], rows)


def _ordered_values(declared: list[str], seen: dict[str, int]) -> list[str]:
    """Schema order for values that occur, then any undeclared ones (should not happen)."""
    return [v for v in declared if v in seen] + sorted(v for v in seen if v not in declared)


def render_card(inp: CardInput, *, today: datetime | None = None) -> str:
    """The whole ``README.md``: YAML metadata, then the Markdown body."""
    from huggingface_hub import DatasetCardData

    schema = inp.schema
    total = inp.total
    splits = list(inp.stats)
    data = DatasetCardData(**card_metadata(inp))
    out: list[str] = ["---", data.to_yaml(), "---", "", f"# {md(inp.pretty_name)}", ""]
    out += [md(schema.description), ""]
    out += [
        f"{total.documents} articles, {sum(total.spans.values())} spans, "
        f"{sum(total.relations.values())} relations, made with schema "
        f"{md(schema.name)} version {md(schema.version)} with backchannel.",
        "",
    ]

    # -- structure
    out += ["## Dataset structure", ""]
    rows = []
    for split in splits:
        st = inp.stats[split]
        rows.append(
            [
                md(split),
                str(st.documents),
                str(st.tokens),
                str(sum(st.spans.values())),
                str(sum(st.relations.values())),
                f"{inp.split_fractions.get(split, 0) * 100:.1f}%",
                f"{(st.documents / total.documents * 100) if total.documents else 0:.1f}%",
            ]
        )
    out.append(
        _table(
            ["split", "articles", "tokens", "spans", "relations", "target share", "actual share"],
            rows,
        )
    )
    out += [
        "",
        'Load it with `datasets.load_dataset("<this folder or repo>")`, or locally with '
        '`datasets.load_from_disk("<this folder>")`. One row per article; columns:',
        "",
        "- `id`, `text`, `meta` (JSON string), `annotator`;",
        "- `spans`: `id`, `start`, `end` (Python string offsets into `text`, end exclusive), "
        "`label` (ClassLabel), `text`, and one string field per attribute (null when absent);",
        "- `relations`: `id`, `head`, `tail` (span ids), `label` (ClassLabel), attributes;",
    ]
    if schema.stance is not None:
        out.append(
            f"- `stances`: the {md(schema.stance.relation)} relations flattened: `holder`, "
            "`target`, their texts, `polarity` (ClassLabel), other attributes;"
        )
    if schema.doc_labels:
        out.append("- `doc_labels`: one ClassLabel per document label, -1 when absent;")
    out += [
        "- `tokens`, `token_starts`, `token_ends`, `ner_tags` (BIO ClassLabel) for token "
        "classification.",
        "",
        "Tokens are runs of word characters or single other characters, further cut at every "
        "span boundary. BIO tags cannot hold overlapping spans: the longest span wins, then the "
        f"earliest; {total.bio_left_out} of {sum(total.spans.values())} spans are therefore "
        'only in `spans` (and spaCy\'s `doc.spans["sc"]`), not in `ner_tags` (nor `doc.ents`).',
        "",
    ]
    extra = ["`data/<split>-<content hash>.parquet` (what `load_dataset` reads)"]
    extra.append("`jsonl/<split>.jsonl` (the gold Documents, lossless, backchannel format)")
    extra.append("`<split>/` and `dataset_dict.json` (`save_to_disk` format)")
    if inp.docbin:
        extra.append(
            "`spacy/<split>/*.spacy` (spaCy DocBin shards) and `spacy/config.cfg` (a spancat "
            "training config)"
        )
    if inp.events is not None:
        extra.append(
            f"`events/events.parquet`, `events/events.csv` ({inp.events} rows, one per pair of "
            "resolved actors of a contact, with CAMEO and PLOVER codes), "
            "`events/events_unpaired.*` (contacts with fewer than two resolved actors) and "
            "`events/graph.png` (who talks to whom)"
        )
    extra.append("`splits.json` (the article ids of each split, the seed and the shares)")
    out += ["Files: " + "; ".join(extra) + ".", ""]

    # -- labels
    out += ["## Label statistics", "", "### Span labels", ""]
    out += [_count_table(inp, "spans", _ordered_values(schema.span_labels, total.spans), "label")]
    if total.relations:
        out += ["", "### Relation labels", ""]
        out += [
            _count_table(
                inp, "relations", _ordered_values(schema.relation_labels, total.relations), "label"
            )
        ]
    if total.doc_labels:
        out += ["", "### Document labels", ""]
        for name in _ordered_values(list(schema.doc_labels), total.doc_labels):
            declared = list(schema.doc_labels[name].values) if name in schema.doc_labels else []
            out += [f"**{md(name)}**:", ""]
            out += [
                _nested_table(
                    inp, "doc_labels", name, _ordered_values(declared, total.doc_labels[name])
                ),
                "",
            ]
    for title, pick, defs in (
        ("Span attributes", "span_attributes", schema.spans),
        ("Relation attributes", "relation_attributes", schema.relations),
    ):
        keys = getattr(total, pick)
        if not keys:
            continue
        out += ["", f"### {title}", ""]
        ordered = []
        for label, ldef in defs.items():
            for attr in ldef.attributes:
                if f"{label}.{attr}" in keys:
                    ordered.append((f"{label}.{attr}", list(ldef.attributes[attr].values)))
        ordered += [(k, []) for k in sorted(keys) if k not in dict(ordered)]
        for key, declared in ordered:
            out += [f"**{md(key)}**:", ""]
            out += [_nested_table(inp, pick, key, _ordered_values(declared, keys[key])), ""]

    # -- agreement
    out += ["## Annotator agreement", ""]
    if inp.agreement is None:
        out += [
            "No agreement figures were given to this export "
            "(`backchannel export --agreement agreement.json` adds them).",
            "",
        ]
    else:
        out += _agreement_section(inp.agreement, inp.agreement_source, inp.synthetic_annotators)

    # -- provenance
    out += ["## How the data was made", ""]
    synthetic_true = total.synthetic.get("true", 0)
    if synthetic_true:
        out.append(
            f"- Articles: {synthetic_true} of {total.documents} are synthetic (fictional "
            "articles written for this dataset; `meta.synthetic` is true)."
        )
    else:
        out.append(f"- Articles: {total.documents}, none marked synthetic in `meta.synthetic`.")
    if total.authored_by:
        who = ", ".join(f"{md(k)} ({v})" for k, v in sorted(total.authored_by.items()))
        out.append(f"- Written by: {who}.")
    licenses = ", ".join(f"{md(k)} ({v})" for k, v in sorted(total.licenses.items()))
    out.append(f"- Licenses (articles per license): {licenses}.")
    if total.annotators:
        names = ", ".join(f"{md(k)} ({v} articles)" for k, v in sorted(total.annotators.items()))
        out.append(f"- Annotators credited in the gold provenance: {names}.")
    out += [
        f"- Annotation scheme: {md(schema.name)} {md(schema.version)}: span labels "
        f"{', '.join(md(x) for x in schema.span_labels)}; relation labels "
        f"{', '.join(md(x) for x in schema.relation_labels) or 'none'}.",
        f"- Splits by article with seed {inp.seed}"
        + (
            f"; near-duplicate articles kept in one split ({inp.groups} groups for "
            f"{total.documents} articles)."
            if inp.groups is not None
            else "."
        ),
        "",
    ]

    # -- limitations
    out += ["## Limitations", ""]
    if synthetic_true:
        out.append(
            "- The articles are synthetic: names, events and quotes are invented; models trained "
            "on them learn the annotation scheme, not facts about the world."
        )
    if inp.synthetic_annotators:
        out.append(
            "- The agreement figures come from synthetic annotators "
            f"({', '.join(md(n) for n in inp.synthetic_annotators)}), not people."
        )
    if total.synthetic_annotation:
        out.append(
            f"- The annotation of {total.synthetic_annotation} articles comes from synthetic "
            "annotators (simulated from a gold by a noise model), so agreement figures on them "
            "measure the tooling, not human disagreement."
        )
    out.append(
        f"- Small data: {total.documents} articles; per-label figures for rare labels "
        "(see the tables above) have wide confidence intervals."
        if total.documents < 1000
        else f"- {total.documents} articles from the sources listed above only."
    )
    out += [
        f"- {total.bio_left_out} overlapping or nested spans are missing from the BIO view "
        "(`ner_tags`); use `spans` for the complete annotation.",
        "- Event codes (CAMEO, PLOVER) are derived from channel kind and modality by a fixed "
        "table, not coded by hand.",
        "",
    ]

    # -- citation
    year = (today or datetime.now(UTC)).year
    key = re.sub(r"[^a-z0-9]+", "_", inp.pretty_name.lower()).strip("_") or "dataset"
    out += [
        "## Citation",
        "",
        "```bibtex",
        f"@misc{{{key}_{year},",
        f"  title  = {{{_bibtex(inp.pretty_name)}}},",
        "  author = {The backchannel team},",
        f"  year   = {{{year}}},",
        f"  note   = {{Schema {_bibtex(schema.name)} {_bibtex(schema.version)}, "
        f"{total.documents} articles}}",
        "}",
        "```",
        "",
    ]
    return "\n".join(out)


def _bibtex(text: str) -> str:
    return re.sub(r"[{}\\]", "", text)


def validate_card(content: str) -> dict[str, Any]:
    """Parse a card with ``huggingface_hub`` and check the Hub metadata a dataset needs.

    Returns:
        The metadata as a dict.

    Raises:
        PublishError: naming the missing or malformed key.
    """
    from huggingface_hub import DatasetCard

    try:
        card = DatasetCard(content)
    except ValueError as exc:
        raise PublishError(f"dataset card: {exc}") from None
    meta = card.data.to_dict()
    for key in REQUIRED_YAML:
        if not meta.get(key):
            raise PublishError(f"dataset card: YAML metadata lacks {key!r}")
    for config in meta["configs"]:
        files = config.get("data_files")
        if not config.get("config_name") or not isinstance(files, list) or not files:
            raise PublishError("dataset card: each config needs config_name and data_files")
        for item in files:
            if not isinstance(item, dict) or not item.get("split") or not item.get("path"):
                raise PublishError("dataset card: each data_files entry needs split and path")
    return meta
