"""Build the bundled corpora from their hand-annotated sources, deterministically.

Two corpora share one format (:data:`CORPUS_SPECS`): ``corpora/diplomacy/`` (fictional, written
by the team, with synthetic annotators) and ``corpora/realnews/`` (real, openly licensed texts
with a hand-made gold and no synthetic annotators).  The sources are pairs in
``corpora/<name>/articles/``: ``NNN-slug.txt`` (the article) and ``NNN-slug.yaml``
(metadata and the hand annotation, by surface string; see
``docs/corpus.md``).  Offsets are never typed by hand: this
module finds each surface in the normalised text, refuses ambiguous or missing surfaces, checks
every Document against the schema, and writes three Document JSONL files plus the statistics
table of ``corpora/README.md``::

    articles.jsonl     raw text as authored (CRLF, NFD kept) + meta: input of ``backchannel ingest``
    gold.jsonl         normalised text, id = document_id(text), gold spans and relations
    annotations.jsonl  three synthetic annotators derived from the gold by ``corpora/noise.py``

Usage::

    .venv/bin/python corpora/build.py            # rebuild everything (atomic writes)
    .venv/bin/python corpora/build.py --check    # exit 1 if committed outputs differ from a rebuild
    .venv/bin/python corpora/build.py --only 007 # check one article and print its spans
    .venv/bin/python corpora/build.py --corpus realnews   # the same for the real-text corpus

``--check`` without ``--corpus`` checks every corpus.

Everything is also a function (:func:`build_corpus`, :func:`check_outputs`, :func:`build_gold`)
returning typed records, so tests call the library rather than parse output.  Library functions
raise :class:`~backchannel.errors.DocumentError`; only :func:`main` prints.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

if __package__ in (None, ""):  # run as a script: make ``corpora`` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backchannel.atomic import atomic_write
from backchannel.documents import (
    Document,
    Relation,
    Span,
    encode_document,
    validate_document,
    write_documents,
)
from backchannel.errors import BackchannelError, DocumentError, quote
from backchannel.normalise import document_id, normalise_text
from backchannel.schema import Schema, load_schema

__all__ = [
    "CORPUS_SPECS",
    "ArticleSource",
    "BuildResult",
    "CheckResult",
    "CorpusSpec",
    "CorpusStats",
    "FileDiff",
    "build_corpus",
    "build_gold",
    "check_outputs",
    "corpus_stats",
    "find_sources",
    "load_source",
    "locate",
    "main",
    "render_stats",
    "replace_stats",
    "write_outputs",
]

CORPORA = Path(__file__).resolve().parent
ROOT = CORPORA.parent
CORPUS_DIR = CORPORA / "diplomacy"
ARTICLES_DIR = CORPUS_DIR / "articles"
README = CORPORA / "README.md"
STATS_START = "<!-- stats:start -->"
STATS_END = "<!-- stats:end -->"
GOLD_ANNOTATOR = "gold"

_REALNEWS_META = ("title", "source", "url", "published", "license")
_NAME = re.compile(r"^(\d{3})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
_META_REQUIRED = ("title", "outlet", "published", "synthetic", "license", "authored_by")
_TOP_KEYS = {"meta", "doc_labels", "spans", "relations"}
_SPAN_KEYS = {"id", "label", "surface", "nth", "attrs"}
_REL_KEYS = {"head", "tail", "label", "attrs"}
_ID_PREFIX = {"ACTOR": "a", "CHANNEL": "c", "VENUE": "v", "ISSUE": "i"}


@dataclass(frozen=True)
class CorpusSpec:
    """What differs between the bundled corpora; everything else (format, checks) is shared.

    Attributes:
        name: the folder under ``corpora/``.
        meta_required: keys every YAML ``meta`` must have.
        synthetic: the value ``meta.synthetic`` must have (real texts: absent or false), so a
            real text can never be mistaken for an invented one and the other way round.
        annotators: derive the synthetic annotators (``annotations.jsonl``) from the gold.
        stats_start: the README marker opening this corpus's statistics table.
        stats_end: the README marker closing it.
    """

    name: str
    meta_required: tuple[str, ...]
    synthetic: bool
    annotators: bool
    stats_start: str
    stats_end: str

    @property
    def dir(self) -> Path:
        return CORPORA / self.name

    @property
    def articles_dir(self) -> Path:
        return self.dir / "articles"


CORPUS_SPECS = {
    "diplomacy": CorpusSpec("diplomacy", _META_REQUIRED, True, True, STATS_START, STATS_END),
    "realnews": CorpusSpec(
        "realnews",
        _REALNEWS_META,
        False,
        False,
        "<!-- realnews-stats:start -->",
        "<!-- realnews-stats:end -->",
    ),
}


# -- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpanSpec:
    """One span as written in the YAML: located later by ``surface`` and ``nth``."""

    id: str
    label: str
    surface: str
    nth: int | None
    attrs: dict[str, str]


@dataclass(frozen=True)
class ArticleSource:
    """One ``NNN-slug.txt`` + ``NNN-slug.yaml`` pair, read and shape-checked but not located."""

    number: str
    slug: str
    txt_path: Path
    yaml_path: Path
    raw_text: str
    meta: dict[str, Any]
    doc_labels: dict[str, str]
    spans: list[SpanSpec]
    relations: list[Relation]

    @property
    def key(self) -> str:
        """``NNN-slug``: the stable name of the article (used to seed the noise model)."""
        return f"{self.number}-{self.slug}"


@dataclass
class CorpusStats:
    """Counts over the gold, rendered as the README table."""

    documents: int = 0
    words: int = 0
    span_labels: Counter[str] = field(default_factory=Counter)
    span_attrs: Counter[str] = field(default_factory=Counter)
    relation_labels: Counter[str] = field(default_factory=Counter)
    relation_attrs: Counter[str] = field(default_factory=Counter)
    doc_labels: Counter[str] = field(default_factory=Counter)
    annotators: Counter[str] = field(default_factory=Counter)
    noise: dict[str, Counter[str]] = field(default_factory=dict)
    sources: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass
class BuildResult:
    """Everything one build produces, in memory, before anything is written."""

    sources: list[ArticleSource]
    articles: list[Document]
    gold: list[Document]
    annotations: list[Document]
    stats: CorpusStats
    readme: str
    out_dir: Path = CORPUS_DIR
    readme_path: Path = README
    spec: CorpusSpec = CORPUS_SPECS["diplomacy"]

    def outputs(self) -> dict[Path, bytes]:
        """The bytes each output file must hold."""
        out = {
            self.out_dir / "articles.jsonl": _jsonl(self.articles),
            self.out_dir / "gold.jsonl": _jsonl(self.gold),
        }
        if self.spec.annotators:
            out[self.out_dir / "annotations.jsonl"] = _jsonl(self.annotations)
        out[self.readme_path] = self.readme.encode("utf-8")
        return out


@dataclass(frozen=True)
class FileDiff:
    """How one committed output differs from a rebuild."""

    path: Path
    summary: str


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``--check``: empty ``diffs`` means the committed outputs are up to date."""

    diffs: list[FileDiff]

    @property
    def ok(self) -> bool:
        return not self.diffs


# -- reading sources -----------------------------------------------------------------------------
def find_sources(
    articles_dir: Path = ARTICLES_DIR, only: str | None = None
) -> list[tuple[Path, Path]]:
    """All ``(txt, yaml)`` pairs, sorted by name; an orphan or a misnamed file is an error.

    With ``only`` (an article number) just that article's pair is looked at, so an author can
    check one article while another author's half-written files sit in the same folder.
    """
    if not articles_dir.is_dir():
        raise DocumentError("no such articles folder", path=articles_dir)
    stems: dict[str, set[str]] = {}
    for path in sorted(articles_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if only is not None and not path.name.startswith(f"{only}-"):
            continue
        if path.suffix not in (".txt", ".yaml"):
            raise DocumentError(
                "unexpected file (only NNN-slug.txt and NNN-slug.yaml belong here)", path=path
            )
        if not _NAME.match(path.stem):
            raise DocumentError(
                "file name must be NNN-slug (three digits, lowercase words joined by -)", path=path
            )
        stems.setdefault(path.stem, set()).add(path.suffix)
    numbers: dict[str, str] = {}
    pairs = []
    for stem, suffixes in sorted(stems.items()):
        for need in (".txt", ".yaml"):
            if need not in suffixes:
                other = ".yaml" if need == ".txt" else ".txt"
                raise DocumentError(
                    f"has no matching {stem}{need}", path=articles_dir / f"{stem}{other}"
                )
        number = stem[:3]
        if number in numbers:
            raise DocumentError(
                f"article number {number} is also used by {numbers[number]}",
                path=articles_dir / f"{stem}.yaml",
            )
        numbers[number] = stem
        pairs.append((articles_dir / f"{stem}.txt", articles_dir / f"{stem}.yaml"))
    return pairs


def _str_map(value: Any, what: str, path: Path, item: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DocumentError(f"{what} must be a mapping", path=path, span_id=item)
    out = {}
    for k, v in value.items():
        if not isinstance(v, str):
            raise DocumentError(
                f'{what} value {k}: {quote(v)} must be a string (quote "yes"/"no")',
                path=path,
                span_id=item,
            )
        out[str(k)] = v
    return out


def load_source(
    txt_path: Path, yaml_path: Path, spec: CorpusSpec = CORPUS_SPECS["diplomacy"]
) -> ArticleSource:
    """Read one pair and check the YAML's shape (not yet the offsets or the schema)."""
    m = _NAME.match(yaml_path.stem)
    if m is None:
        raise DocumentError("file name must be NNN-slug", path=yaml_path)
    try:
        raw_text = txt_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"not UTF-8 ({exc.reason} at byte {exc.start})", path=txt_path
        ) from None
    try:
        data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DocumentError(
            f"invalid YAML: {problem}", path=yaml_path, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise DocumentError("must be a YAML mapping with meta, doc_labels, spans", path=yaml_path)
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise DocumentError(f"unknown top-level keys {sorted(unknown)}", path=yaml_path)
    meta = data.get("meta")
    if not isinstance(meta, dict):
        raise DocumentError("meta must be a mapping", path=yaml_path)
    for key in spec.meta_required:
        if key not in meta:
            raise DocumentError(f"meta.{key} is missing", path=yaml_path)
    if spec.synthetic and meta["synthetic"] is not True:
        raise DocumentError("meta.synthetic must be true (the corpus is fictional)", path=yaml_path)
    if not spec.synthetic and meta.get("synthetic", False) is not False:
        raise DocumentError(
            "meta.synthetic must be false (the corpus is real text)", path=yaml_path
        )
    meta = {str(k): (str(v) if k == "published" else v) for k, v in meta.items()}
    doc_labels = _str_map(data.get("doc_labels"), "doc_labels", yaml_path, None)

    spans: list[SpanSpec] = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("spans") or []):
        if not isinstance(item, dict):
            raise DocumentError(f"spans[{i}] must be a mapping", path=yaml_path)
        sid = str(item.get("id", f"#{i}"))
        extra = set(item) - _SPAN_KEYS
        if extra:
            raise DocumentError(f"unknown span keys {sorted(extra)}", path=yaml_path, span_id=sid)
        for key in ("id", "label", "surface"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise DocumentError(f"span needs a non-empty {key}", path=yaml_path, span_id=sid)
        if sid in seen:
            raise DocumentError("duplicate span id", path=yaml_path, span_id=sid)
        seen.add(sid)
        prefix = _ID_PREFIX.get(item["label"])
        if prefix is not None and not re.fullmatch(rf"{prefix}\d+", sid):
            raise DocumentError(
                f"{item['label']} span ids are {prefix}1, {prefix}2, ...",
                path=yaml_path,
                span_id=sid,
            )
        nth = item.get("nth")
        if nth is not None and (not isinstance(nth, int) or isinstance(nth, bool) or nth < 0):
            raise DocumentError(
                f"nth must be a 0-based integer, got {quote(nth)}", path=yaml_path, span_id=sid
            )
        spans.append(
            SpanSpec(
                id=sid,
                label=item["label"],
                surface=item["surface"],
                nth=nth,
                attrs=_str_map(item.get("attrs"), "attrs", yaml_path, sid),
            )
        )

    relations: list[Relation] = []
    keys: set[tuple[str, str, str]] = set()
    for i, item in enumerate(data.get("relations") or []):
        if not isinstance(item, dict):
            raise DocumentError(f"relations[{i}] must be a mapping", path=yaml_path)
        rid = f"{item.get('head')}->{item.get('tail')}"
        extra = set(item) - _REL_KEYS
        if extra:
            raise DocumentError(
                f"unknown relation keys {sorted(extra)}", path=yaml_path, span_id=rid
            )
        for key in ("head", "tail", "label"):
            if not isinstance(item.get(key), str):
                raise DocumentError(f"relation needs {key}", path=yaml_path, span_id=rid)
        key3 = (item["head"], item["tail"], item["label"])
        if key3 in keys:
            raise DocumentError(f"duplicate {item['label']} relation", path=yaml_path, span_id=rid)
        keys.add(key3)
        relations.append(
            Relation(
                head=item["head"],
                tail=item["tail"],
                label=item["label"],
                attrs=_str_map(item.get("attrs"), "attrs", yaml_path, rid),
            )
        )
    return ArticleSource(
        number=m.group(1),
        slug=m.group(2),
        txt_path=txt_path,
        yaml_path=yaml_path,
        raw_text=raw_text,
        meta=meta,
        doc_labels=doc_labels,
        spans=spans,
        relations=relations,
    )


# -- locating and building -----------------------------------------------------------------------
def _occurrences(text: str, surface: str) -> list[int]:
    """Start of every occurrence, counted as the format says: ``find(surface, prev + 1)``."""
    found = []
    start = text.find(surface)
    while start != -1:
        found.append(start)
        start = text.find(surface, start + 1)
    return found


def locate(
    text: str,
    surface: str,
    nth: int | None,
    *,
    path: Path | None = None,
    span_id: str | None = None,
) -> tuple[int, int]:
    """Half-open offsets of the ``nth`` occurrence of ``surface`` (NFC) in normalised ``text``.

    Raises:
        DocumentError: the surface is missing, ambiguous without ``nth``, or ``nth`` too large.
    """
    surface = unicodedata.normalize("NFC", surface)
    if surface != surface.strip():
        raise DocumentError(
            f"surface {quote(surface)} has leading or trailing whitespace",
            path=path,
            span_id=span_id,
        )
    hits = _occurrences(text, surface)
    if not hits:
        raise DocumentError(
            f"surface {quote(surface)} not found in the text", path=path, span_id=span_id
        )
    if nth is None:
        if len(hits) > 1:
            raise DocumentError(
                f"surface {quote(surface)} occurs {len(hits)} times; add nth: 0..{len(hits) - 1}",
                path=path,
                span_id=span_id,
            )
        nth = 0
    if nth >= len(hits):
        raise DocumentError(
            f"nth {nth} but surface {quote(surface)} occurs only {len(hits)} time(s)",
            path=path,
            span_id=span_id,
        )
    start = hits[nth]
    end = start + len(surface)
    if (start > 0 and text[start - 1].isalnum() and surface[0].isalnum()) or (
        end < len(text) and text[end].isalnum() and surface[-1].isalnum()
    ):
        word_start = start
        while word_start > 0 and text[word_start - 1].isalnum():
            word_start -= 1
        word_end = end
        while word_end < len(text) and text[word_end].isalnum():
            word_end += 1
        raise DocumentError(
            f"occurrence nth {nth} of {quote(surface)} is inside the word "
            f"{quote(text[word_start:word_end])}; pick the nth of a whole-word occurrence",
            path=path,
            span_id=span_id,
        )
    return start, end


def build_gold(source: ArticleSource, schema: Schema) -> Document:
    """Locate every span, build the gold Document and check it against text and schema.

    Raises:
        DocumentError: naming the YAML file and the span or relation at fault.
    """
    text, changes = normalise_text(source.raw_text)
    title = source.meta.get("title")
    first_line = text.split("\n", 1)[0]
    if title != first_line:
        raise DocumentError(
            f"meta.title {quote(title)} differs from the text's first line {quote(first_line)}",
            path=source.yaml_path,
        )
    spans = []
    for spec in source.spans:
        start, end = locate(text, spec.surface, spec.nth, path=source.yaml_path, span_id=spec.id)
        spans.append(
            Span(
                id=spec.id,
                start=start,
                end=end,
                label=spec.label,
                text=text[start:end],
                attrs=dict(sorted(spec.attrs.items())),
            )
        )
    spans.sort(key=lambda s: (s.start, -s.end, s.id))
    dupes = Counter((s.start, s.end, s.label) for s in spans)
    for span in spans:
        if dupes[(span.start, span.end, span.label)] > 1:
            raise DocumentError(
                f"two {span.label} spans on the same text {quote(span.text)}",
                path=source.yaml_path,
                span_id=span.id,
            )
    meta = dict(source.meta)
    meta["file"] = _display_path(source.txt_path)
    if changes:
        meta["normalised"] = changes
    doc = Document(
        id=document_id(text),
        text=text,
        meta=meta,
        spans=spans,
        relations=list(source.relations),
        doc_labels=dict(source.doc_labels),
        annotator=GOLD_ANNOTATOR,
        schema_version=schema.version,
    )
    check_document(doc, schema, source.yaml_path)
    return doc


def _display_path(path: Path) -> str:
    """Repository-relative path when inside the repository (stable across checkouts)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.name


def check_document(doc: Document, schema: Schema, path: Path) -> None:
    """Schema validation plus required attributes; errors name ``path`` (the YAML file)."""
    try:
        validate_document(doc, schema)
    except DocumentError as exc:
        raise DocumentError(exc.message, path=path, span_id=exc.span_id) from None
    missing = schema.missing_required(doc)
    if missing:
        raise DocumentError(
            f"required attributes missing: {'; '.join(missing)}", path=path, doc_id=doc.id
        )


def article_record(source: ArticleSource, gold: Document) -> Document:
    """The raw article as authored (CRLF and decomposed marks kept) with the gold's id and meta."""
    meta = {k: v for k, v in gold.meta.items() if k != "normalised"}
    return Document(id=gold.id, text=source.raw_text, meta=meta)


# -- statistics ----------------------------------------------------------------------------------
def corpus_stats(gold: list[Document], annotations: list[Document]) -> CorpusStats:
    """Counts per span label, attribute value, relation label, document label and annotator."""
    st = CorpusStats(documents=len(gold))
    for doc in gold:
        st.words += len(doc.text.split())
        for span in doc.spans:
            st.span_labels[span.label] += 1
            for k, v in span.attrs.items():
                st.span_attrs[f"{span.label}.{k} = {v}"] += 1
        for rel in doc.relations:
            st.relation_labels[rel.label] += 1
            for k, v in rel.attrs.items():
                st.relation_attrs[f"{rel.label}.{k} = {v}"] += 1
        for k, v in doc.doc_labels.items():
            st.doc_labels[f"{k} = {v}"] += 1
        if "source" in doc.meta:  # real texts: documents, licence and spans per source
            by = st.sources.setdefault(str(doc.meta["source"]), Counter())
            by["documents"] += 1
            by[f"license {doc.meta.get('license')}"] += 1
            by["words"] += len(doc.text.split())
            by["spans"] += len(doc.spans)
            by["relations"] += len(doc.relations)
            by["person"] += sum(
                1 for s in doc.spans if s.label == "ACTOR" and s.attrs.get("actor_kind") == "person"
            )
    for doc in annotations:
        st.annotators[doc.annotator or "?"] += 1
    return st


def _order(counter: Counter[str], schema: Schema, kind: str) -> list[tuple[str, int]]:
    """Schema order where the schema has one, so the table reads like the guide."""
    if kind == "span":
        rank = {name: i for i, name in enumerate(schema.span_labels)}
        return sorted(counter.items(), key=lambda kv: (rank.get(kv[0], 99), kv[0]))
    if kind == "relation":
        rank = {name: i for i, name in enumerate(schema.relation_labels)}
        return sorted(counter.items(), key=lambda kv: (rank.get(kv[0], 99), kv[0]))
    return sorted(counter.items())


def render_stats(st: CorpusStats, schema: Schema) -> str:
    """The Markdown that goes between the README's stats markers."""
    lines = [
        "<!-- generated by `.venv/bin/python corpora/build.py`; do not edit by hand -->",
        "",
        f"Gold: **{st.documents}** documents, **{st.words}** words "
        f"(whitespace tokens), **{sum(st.span_labels.values())}** spans, "
        f"**{sum(st.relation_labels.values())}** relations.",
        "",
        "| kind | label / value | count |",
        "|---|---|---:|",
    ]
    for name, n in _order(st.span_labels, schema, "span"):
        lines.append(f"| span label | {name} | {n} |")
    countries: list[tuple[str, int]] = []
    for name, n in _order(st.span_attrs, schema, "attr"):
        if name.startswith("ACTOR.country = "):
            countries.append((name.removeprefix("ACTOR.country = "), n))
            continue
        lines.append(f"| span attribute | {name} | {n} |")
    if countries:  # one row: ~80 rows of country codes would drown the table
        countries.sort(key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{code} {n}" for code, n in countries)
        lines.append(
            f"| span attribute | ACTOR.country ({len(countries)} codes): {shown} | "
            f"{sum(n for _, n in countries)} |"
        )
    for name, n in _order(st.relation_labels, schema, "relation"):
        lines.append(f"| relation label | {name} | {n} |")
    for name, n in _order(st.relation_attrs, schema, "attr"):
        lines.append(f"| relation attribute | {name} | {n} |")
    for name, n in _order(st.doc_labels, schema, "attr"):
        lines.append(f"| document label | {name} | {n} |")
    if st.sources:
        lines += ["", "Per source (what cross-validation by source groups on):", ""]
        lines.append("| source | licence | documents | words | spans | person ACTORs | relations |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        for src, c in sorted(st.sources.items()):
            licences = ", ".join(
                k.removeprefix("license ") for k in sorted(c) if k[:8] == "license "
            )
            lines.append(
                f"| {src} | {licences} | {c['documents']} | {c['words']} | {c['spans']} | "
                f"{c['person']} | {c['relations']} |"
            )
    if st.annotators:
        lines += ["", "Synthetic annotators (documents annotated, and the noise applied):", ""]
        from corpora.noise import NOISE_KINDS

        kinds = list(NOISE_KINDS)
        lines.append("| annotator | documents | " + " | ".join(kinds) + " |")
        lines.append("|---|---:|" + "---:|" * len(kinds))
        for ann, n in sorted(st.annotators.items()):
            c = st.noise.get(ann, Counter())
            lines.append(f"| {ann} | {n} | " + " | ".join(str(c[k]) for k in kinds) + " |")
    return "\n".join(lines)


def replace_stats(
    readme: str,
    table: str,
    path: Path = README,
    markers: tuple[str, str] = (STATS_START, STATS_END),
) -> str:
    """Put ``table`` between the stats ``markers`` of ``readme`` (one pair per corpus)."""
    open_, close = markers
    start = readme.find(open_)
    end = readme.find(close)
    if start == -1 or end == -1 or end < start:
        raise DocumentError(f"needs the markers {open_} and {close}", path=path)
    return readme[: start + len(open_)] + "\n" + table + "\n" + readme[end:]


# -- the whole build -----------------------------------------------------------------------------
def _jsonl(docs: list[Document]) -> bytes:
    return b"".join(encode_document(d) + b"\n" for d in docs)


def build_corpus(
    articles_dir: Path | None = None,
    *,
    corpus: str = "diplomacy",
    schema: Schema | None = None,
    readme: Path = README,
    out_dir: Path | None = None,
    only: str | None = None,
) -> BuildResult:
    """Read every source pair and build all outputs in memory (nothing is written).

    Args:
        articles_dir: the folder of ``NNN-slug.txt``/``.yaml`` pairs (default: the corpus's).
        corpus: a key of :data:`CORPUS_SPECS`: which meta is required, whether synthetic
            annotators are derived, which README markers hold the table.
        schema: the schema to validate against (default: the bundled one).
        readme: the README whose stats section is regenerated.
        out_dir: where the JSONL files go (default ``corpora/<corpus>``).
        only: an article number (``"007"``): build just that one (no noise, no README).

    Raises:
        DocumentError: the first bad source, naming its file and span.
    """
    from corpora.noise import DEFAULT_PROFILES, DEFAULT_SEED, make_annotations, skipped_articles

    if corpus not in CORPUS_SPECS:
        raise DocumentError(f"unknown corpus {quote(corpus)} (known: {', '.join(CORPUS_SPECS)})")
    spec = CORPUS_SPECS[corpus]
    articles_dir = articles_dir or spec.articles_dir
    out_dir = out_dir or spec.dir
    markers = (spec.stats_start, spec.stats_end)
    schema = schema or load_schema()
    pairs = find_sources(articles_dir, only)
    if only is not None and not pairs:
        raise DocumentError(f"no article numbered {only}", path=articles_dir)
    sources = [load_source(txt, yml, spec) for txt, yml in pairs]
    gold = [build_gold(src, schema) for src in sources]
    ids: dict[str, ArticleSource] = {}
    for src, doc in zip(sources, gold, strict=True):
        if doc.id in ids:
            raise DocumentError(
                f"same text as {ids[doc.id].txt_path.name}", path=src.txt_path, doc_id=doc.id
            )
        ids[doc.id] = src
    articles = [article_record(src, doc) for src, doc in zip(sources, gold, strict=True)]
    if only is not None:
        return BuildResult(
            sources, articles, gold, [], corpus_stats(gold, []), "", out_dir, readme, spec
        )
    if not spec.annotators:
        stats = corpus_stats(gold, [])
        text = readme.read_text(encoding="utf-8") if readme.exists() else ""
        new_readme = replace_stats(text, render_stats(stats, schema), readme, markers)
        return BuildResult(sources, articles, gold, [], stats, new_readme, out_dir, readme, spec)
    noisy = make_annotations(
        [(src.key, doc) for src, doc in zip(sources, gold, strict=True)],
        schema,
        profiles=DEFAULT_PROFILES,
        seed=DEFAULT_SEED,
    )
    annotations = [n.document for n in noisy]
    for n in noisy:
        check_document(n.document, schema, ids[n.document.id].yaml_path)
    stats = corpus_stats(gold, annotations)
    for n in noisy:
        counter = stats.noise.setdefault(n.document.annotator or "?", Counter())
        counter.update(e.kind for e in n.events)
    for profile in DEFAULT_PROFILES:
        counter = stats.noise.setdefault(profile.name, Counter())
        skipped = skipped_articles([src.key for src in sources], profile, DEFAULT_SEED)
        counter["skipped_article"] += len(skipped)
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    new_readme = replace_stats(text, render_stats(stats, schema), readme, markers)
    return BuildResult(
        sources, articles, gold, annotations, stats, new_readme, out_dir, readme, spec
    )


def write_outputs(result: BuildResult) -> list[Path]:
    """Write the JSONL files (via ``write_documents``) and the README, each atomically."""
    if not result.readme:
        raise DocumentError("refusing to write a partial build (built with only=...)")
    write_documents(result.articles, result.out_dir / "articles.jsonl")
    write_documents(result.gold, result.out_dir / "gold.jsonl")
    if result.spec.annotators:
        write_documents(result.annotations, result.out_dir / "annotations.jsonl")
    with atomic_write(result.readme_path, "w") as fh:
        fh.write(result.readme)
    return list(result.outputs())


def _jsonl_summary(old: bytes, new: bytes) -> str:
    """Count records (keyed by id and annotator) changed, added and removed by a rebuild."""

    def keyed(data: bytes) -> dict[tuple[str, str], bytes]:
        out: dict[tuple[str, str], bytes] = {}
        for n, line in enumerate(data.splitlines()):
            if not line.strip():
                continue
            try:
                obj = msgspec.json.decode(line)
                out[(str(obj.get("id")), str(obj.get("annotator")))] = line
            except (msgspec.DecodeError, AttributeError):
                out[("unparsable", str(n))] = line
        return out

    a, b = keyed(old), keyed(new)
    changed = sum(1 for k in a.keys() & b.keys() if a[k] != b[k])
    added, removed = len(b.keys() - a.keys()), len(a.keys() - b.keys())
    return f"{changed} record(s) changed, {added} added, {removed} removed by a rebuild"


def check_outputs(result: BuildResult) -> CheckResult:
    """Compare the committed outputs with ``result``; list each stale file with a summary."""
    diffs = []
    for path, expected in result.outputs().items():
        if not path.exists():
            diffs.append(FileDiff(path, "missing (run corpora/build.py)"))
            continue
        actual = path.read_bytes()
        if actual == expected:
            continue
        if path.suffix == ".jsonl":
            diffs.append(FileDiff(path, _jsonl_summary(actual, expected)))
        else:
            diffs.append(FileDiff(path, "statistics table is out of date"))
    return CheckResult(diffs)


def _describe(source: ArticleSource, doc: Document) -> str:
    """The eyeball listing of ``--only``: every span with offsets and text, then relations."""
    lines = [
        f"{source.key}: id {doc.id}, {len(doc.text.split())} words, "
        f"{len(doc.spans)} spans, {len(doc.relations)} relations, normalised: "
        f"{', '.join(doc.meta.get('normalised', [])) or 'nothing'}"
    ]
    for s in doc.spans:
        attrs = " ".join(f"{k}={v}" for k, v in s.attrs.items())
        lines.append(f"  {s.id:<4} {s.label:<7} [{s.start:>4},{s.end:>4}) {s.text!r}  {attrs}")
    by_id = {s.id: s for s in doc.spans}
    for r in doc.relations:
        attrs = " ".join(f"{k}={v}" for k, v in r.attrs.items())
        lines.append(
            f"  {r.label:<11} {r.head} {by_id[r.head].text!r} -> {r.tail} "
            f"{by_id[r.tail].text!r}  {attrs}"
        )
    lines.append(f"  doc_labels: {doc.doc_labels}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: build, ``--check`` or ``--only NNN``; errors are one line on stderr."""
    parser = argparse.ArgumentParser(
        prog="corpora/build.py", description="Build the bundled corpora (diplomacy, realnews)."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if outputs are stale")
    mode.add_argument("--only", metavar="NNN", help="build one article and list its spans")
    parser.add_argument(
        "--corpus",
        choices=sorted(CORPUS_SPECS),
        help="which corpus (default: diplomacy; --check without it checks every corpus)",
    )
    parser.add_argument("--articles", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    where = {"readme": args.readme, "out_dir": args.out}
    if args.corpus is not None:
        names = [args.corpus]
    elif args.check and args.articles is None and args.out is None:
        names = list(CORPUS_SPECS)
    else:
        names = ["diplomacy"]
    try:
        if args.only is not None:
            only = args.only.zfill(3)
            result = build_corpus(args.articles, corpus=names[0], only=only, **where)
            for source, doc in zip(result.sources, result.gold, strict=True):
                print(_describe(source, doc))
            return 0
        if args.check:
            stale = False
            for name in names:
                result = build_corpus(args.articles, corpus=name, **where)
                check = check_outputs(result)
                for diff in check.diffs:
                    print(f"{_display_path(diff.path)}: {diff.summary}", file=sys.stderr)
                stale = stale or not check.ok
                if check.ok:
                    print(f"ok: {name}: {len(result.gold)} articles, outputs up to date")
            if stale:
                print("stale outputs: run .venv/bin/python corpora/build.py", file=sys.stderr)
                return 1
            return 0
        result = build_corpus(args.articles, corpus=names[0], **where)
        written = write_outputs(result)
    except BackchannelError as exc:
        if exc.path is not None:  # repository-relative paths read better in a terminal
            exc.path = _display_path(Path(exc.path))
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    st = result.stats
    print(
        f"built {st.documents} articles ({st.words} words, {sum(st.span_labels.values())} spans, "
        f"{sum(st.relation_labels.values())} relations), {len(result.annotations)} annotator "
        f"documents"
    )
    for path in written:
        print(f"  wrote {_display_path(path)}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # `build.py --only 007 | head` is normal use
        sys.stderr.close()
        raise SystemExit(141) from None
