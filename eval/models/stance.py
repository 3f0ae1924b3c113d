"""The ``stance`` baseline: TF-IDF of the holder-target context and logistic regression.

Stance in the schema is a ``STANCE`` relation from a holder ACTOR to a target ACTOR or ISSUE.
This model classifies *candidate pairs*: every ACTOR paired with every other ACTOR or ISSUE in
the same sentence, taken from the input Document's spans when it has ACTOR spans (gold, or an
upstream model's predictions) and otherwise from the ``rules`` model.  Each pair becomes one
short text: the words between the two mentions and a few words either side, with the mentions
replaced by ``HOLDER`` and ``TARGET`` markers; the class is a polarity or ``none``.

Training takes the pairs from the gold spans; pairs with a gold STANCE relation are labelled with
its polarity, all other pairs ``none``.  Predictions keep everything the input gave (spans with
their ids, other relations, document labels, meta) and replace its STANCE relations with one per
pair where a polarity beats ``none`` (``score`` = the class probability); ``meta.layers`` records
that spans, relations and document labels were given and only stance predicted.

Model directory (written atomically)::

    models/stance/
      model.joblib   sklearn Pipeline(TfidfVectorizer, LogisticRegression), saved with joblib
      meta.json      {"model": "stance", "version", "labels", "documents", "examples",
                      "uncovered", "sklearn", "window", "gold_sha256"}

``joblib`` files are pickles: load only model directories you trust (or made yourself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.documents import (
    AnnotationInfo,
    Document,
    Relation,
    Span,
    read_documents,
)
from backchannel.errors import ModelError
from backchannel.eval.models.base import declare_layers
from backchannel.eval.models.registry import TrainOptions, TrainResult
from backchannel.eval.models.training import TrainingRun, read_meta

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = ["Candidate", "StanceModel", "candidates", "pair_text"]

NONE = "none"
WINDOW = 5  # words of context either side of the pair
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+|\n+")
_WORD = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]")
_QUOTES = ('"', "“", "”")


class Candidate:
    """A holder-target pair inside one sentence."""

    __slots__ = ("holder", "sentence", "target")

    def __init__(self, holder: Span, target: Span, sentence: tuple[int, int]) -> None:
        self.holder = holder
        self.target = target
        self.sentence = sentence


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for m in _SENT_SPLIT.finditer(text):
        bounds.append((start, m.start() + len(m.group(0).rstrip())))
        start = m.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if e > s]


def candidates(doc: Document) -> list[Candidate]:
    """Every ACTOR x (ACTOR | ISSUE) pair in the same sentence, non-overlapping, in text order."""
    sents = _sentences(doc.text)
    where: dict[str, int] = {}
    for span in doc.spans:
        for k, (s, e) in enumerate(sents):
            if s <= span.start < e:
                where[span.id] = k
                break
    out = []
    actors = [s for s in doc.spans if s.label == "ACTOR"]
    targets = [s for s in doc.spans if s.label in ("ACTOR", "ISSUE")]
    for h in actors:
        for t in targets:
            if h.id == t.id or where.get(h.id) is None or where.get(h.id) != where.get(t.id):
                continue
            if h.start < t.end and t.start < h.end:
                continue
            out.append(Candidate(h, t, sents[where[h.id]]))
    return out


def pair_text(text: str, cand: Candidate, window: int = WINDOW) -> str:
    """The classifier's input: markers for the mentions, the words between, context around."""
    h, t = cand.holder, cand.target
    first, second = (h, t) if h.start < t.start else (t, h)
    s0, s1 = cand.sentence
    left = _WORD.findall(text[s0 : first.start])[-window:]
    between = _WORD.findall(text[first.end : second.start])
    right = _WORD.findall(text[second.end : s1])[:window]
    m1 = "HOLDER" if first is h else "TARGET"
    m2 = "TARGET" if m1 == "HOLDER" else "HOLDER"
    if len(between) > 24:
        between = [*between[:12], "GAP", *between[-12:]]
    order = "ORDER_HT" if first is h else "ORDER_TH"
    kind = f"TARGET_{t.label}"
    return " ".join([order, kind, *left, m1, *between, m2, *right]).lower()


class StanceModel:
    """The ``stance`` model (see the module docstring for what it learns and writes)."""

    name = "stance"
    trainable = True

    def __init__(self, model_dir: Path | None = None, *, schema: Schema | None = None) -> None:
        self.schema = schema
        self.pipeline: Any = None
        self.meta: dict[str, Any] = {}
        self.version = "untrained"
        self._rules: Any = None
        if model_dir is not None:
            self._load(Path(model_dir))

    def _load(self, model_dir: Path) -> None:
        import joblib

        self.meta = read_meta(model_dir, self.name)
        try:
            self.pipeline = joblib.load(model_dir / "model.joblib")
        except FileNotFoundError:
            raise ModelError("model.joblib missing", path=model_dir) from None
        self.version = str(self.meta.get("version", "unknown"))

    # -- prediction ----------------------------------------------------------------------------
    def _spans_for(self, doc: Document) -> Document:
        """The Document whose spans give candidates: the input's, or the rules model's."""
        if any(s.label == "ACTOR" for s in doc.spans):
            return doc
        if self._rules is None:
            from backchannel.eval.models.rules import RulesModel

            self._rules = RulesModel(schema=self.schema)
        return next(iter(self._rules.predict([doc])))

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Add STANCE relations to each Document, keeping everything else it was given.

        With ACTOR spans in the input, the output is the input Document (spans and their ids,
        other relations, document labels, meta) with its STANCE relations replaced by the
        predicted ones, and ``meta.layers`` says that only ``stance`` was predicted.  Without
        them, spans and relations come from the ``rules`` model (predicted) and the input's
        document labels are kept over the rules' ones.
        """
        if self.pipeline is None:
            raise ModelError(
                "the stance model needs a trained model directory",
                hint="train one with: backchannel train --model stance GOLD -o models/stance, "
                "then pass --model-dir models/stance",
            )
        classes = [str(c) for c in self.pipeline.classes_]
        stance_label = (
            self.schema.stance.relation if self.schema and self.schema.stance else "STANCE"
        )
        for doc in docs:
            base = self._spans_for(doc)
            given = base is doc
            stances = self._stances(base, classes, stance_label)
            kept = [r for r in base.relations if r.label != stance_label]
            score = (
                round(sum(r.score or 0.0 for r in stances) / len(stances), 4) if stances else None
            )
            if given:
                layers = ["spans", "relations", "doc_labels"]
                doc_labels = dict(doc.doc_labels)
            else:
                layers = ["doc_labels"] if doc.doc_labels else []
                doc_labels = {**base.doc_labels, **doc.doc_labels}
            yield msgspec.structs.replace(
                base,
                meta=declare_layers(doc.meta, layers),
                relations=[*kept, *stances],
                doc_labels=doc_labels,
                annotator=self.name,
                annotation=AnnotationInfo(model_version=f"{self.name}-{self.version}"),
                score=score,
                schema_version=(
                    self.schema.version if self.schema is not None else doc.schema_version
                ),
            )

    def _stances(self, base: Document, classes: list[str], label: str) -> list[Relation]:
        """The predicted stance relations between ``base``'s spans (by their ids)."""
        cands = candidates(base)
        if not cands:
            return []
        probs = self.pipeline.predict_proba([pair_text(base.text, c) for c in cands])
        out: list[Relation] = []
        seen: set[tuple[str, str]] = set()
        for cand, row in zip(cands, probs, strict=True):
            best = int(row.argmax())
            polarity = classes[best]
            key = (cand.holder.id, cand.target.id)
            if polarity == NONE or key in seen:
                continue
            seen.add(key)
            s0, s1 = cand.sentence
            quoted = any(q in base.text[s0:s1] for q in _QUOTES)
            out.append(
                Relation(
                    head=cand.holder.id,
                    tail=cand.target.id,
                    label=label,
                    attrs={"polarity": polarity, "expressed": "quoted" if quoted else "reported"},
                    score=round(float(row[best]), 4),
                    reason=f"tf-idf + logistic regression: p({polarity})={row[best]:.2f}",
                )
            )
        return out

    # -- training ------------------------------------------------------------------------------
    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """Fit on the gold's candidate pairs; write ``model.joblib`` and ``meta.json``."""
        import joblib
        import sklearn
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        options = options or TrainOptions()
        run = TrainingRun(self.name, gold_path)
        texts: list[str] = []
        labels: list[str] = []
        n_docs = 0
        uncovered = 0
        polarity_attr = (
            self.schema.stance.attribute if self.schema and self.schema.stance else ("polarity")
        )
        for doc in read_documents(gold_path, schema=self.schema):
            n_docs += 1
            gold = {
                (r.head, r.tail): r.attrs.get(polarity_attr, NONE)
                for r in doc.relations
                if r.label == "STANCE"
            }
            seen = set()
            for cand in candidates(doc):
                key = (cand.holder.id, cand.target.id)
                seen.add(key)
                texts.append(pair_text(doc.text, cand))
                labels.append(gold.get(key, NONE))
            uncovered += sum(1 for key in gold if key not in seen)
        positives = sum(1 for y in labels if y != NONE)
        if len(set(labels)) < 2 or positives == 0:
            raise ModelError(
                f"cannot train stance: {positives} STANCE pairs among {len(labels)} candidate "
                "pairs (need gold with STANCE relations between spans in one sentence)",
                path=gold_path,
            )
        pipeline = Pipeline(
            [
                (
                    "tfidf",
                    TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
                ),
                (
                    "clf",
                    LogisticRegression(
                        C=4.0,
                        class_weight="balanced",
                        max_iter=2000,
                        random_state=options.seed,
                    ),
                ),
            ]
        )
        pipeline.fit(texts, labels)
        train_acc = float(pipeline.score(texts, labels))
        version = run.version(f"s{options.seed}")
        counts = {y: labels.count(y) for y in sorted(set(labels))}
        meta = {
            "model": self.name,
            "version": version,
            "labels": [str(c) for c in pipeline.classes_],
            "label_counts": counts,
            "documents": n_docs,
            "examples": len(labels),
            "uncovered": uncovered,
            "sklearn": sklearn.__version__,
            "window": WINDOW,
            "seed": options.seed,
            "gold_sha256": run.gold_sha256,
        }
        with run.directory(out_dir, meta, overwrite=options.overwrite) as tmp:
            joblib.dump(pipeline, tmp / "model.joblib")
        self.pipeline, self.meta, self.version = pipeline, meta, version
        metrics = {"train_accuracy": train_acc, "stance_pairs": float(positives)}
        metrics["uncovered_pairs"] = float(uncovered)
        return run.result(version, out_dir, documents=n_docs, examples=len(labels), metrics=metrics)
