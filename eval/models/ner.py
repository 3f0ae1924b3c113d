"""The ``spacy`` baseline: a span categorizer trained on the gold with spaCy's config system.

Why ``spancat`` rather than ``ner``: the gold nests mentions ("[[Russia]'s Security Council]
secretary") and ``ner`` cannot.  Training builds a config with ``spacy init config``'s own
generator (``tok2vec`` + ``spancat``, efficiency preset, n-gram suggester 1-6 tokens), converts
the gold to ``DocBin`` files, and runs spaCy's training loop.  ``--base PIPELINE`` sources every
component of an installed pipeline (frozen) and adds a ``spancat`` with its own embedding.

spaCy predicts labels only, so the rest is learned beside it from the same gold
(:class:`~backchannel.eval.models.learned.Heads`): one logistic-regression classifier per span
attribute of the schema (over the span's words, shape and sentence context), one per pair of
span labels a relation allows (over pairs in one sentence: distance, order, words between,
mentions between), and one per relation attribute (``role``, ``polarity``, …).  Nothing is
copied from the gold or the rules at prediction time.

Model directory (written atomically)::

    models/spacy/
      pipeline/        the trained spaCy pipeline (spacy.load-able; model-best)
      config.cfg       the exact training config (paths.train/dev left null)
      heads.json       the learned heads: names, classes, feature names (see learned/store.py)
      heads.npz        their weights and intercepts (numpy, read with allow_pickle=False)
      meta.json        {"model": "spacy", "version", "documents", "spans", "epochs", "base",
                        "spacy", "sklearn", "scores": {...dev scores...}, "heads": {...},
                        "gold_sha256"}

A directory from before the heads (with ``attributes.json``, the old memo of the gold, and no
``heads.json``) is refused with a message to retrain.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.documents import Document, read_documents
from backchannel.errors import ModelError
from backchannel.eval.models.base import make_prediction
from backchannel.eval.models.learned import Heads
from backchannel.eval.models.registry import TrainOptions, TrainResult
from backchannel.eval.models.training import TrainingRun, read_meta

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = ["SpacyModel", "build_config", "to_docbin"]

SPANS_KEY = "sc"
DEFAULT_EPOCHS = 12
SUGGESTER_SIZES = [1, 2, 3, 4, 5, 6]


def to_docbin(nlp: Any, docs: Iterable[Document]) -> tuple[Any, int]:
    """Gold Documents -> a ``DocBin`` with spans under ``doc.spans["sc"]``; returns (bin, spans).

    Spans whose edges fall inside a token are widened to token edges (``expand``), so no gold
    span is lost to tokenisation.
    """
    from spacy.tokens import DocBin

    db = DocBin(store_user_data=False)
    n = 0
    for doc in docs:
        sdoc = nlp.make_doc(doc.text)
        spans = []
        for s in doc.spans:
            span = sdoc.char_span(s.start, s.end, label=s.label, alignment_mode="expand")
            if span is not None and len(span):
                spans.append(span)
        sdoc.spans[SPANS_KEY] = spans
        n += len(spans)
        db.add(sdoc)
    return db, n


def build_config(
    train_path: Path, dev_path: Path, *, epochs: int, seed: int, base: str | None
) -> Any:
    """The training config: spaCy's own generated config with our paths, sizes and budget."""
    import spacy
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["spancat"], optimize="efficiency", gpu=False)
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    config["system"]["seed"] = seed
    training = config["training"]
    training["max_epochs"] = epochs
    training["max_steps"] = 0
    training["patience"] = 0
    training["eval_frequency"] = 50
    training["batcher"]["size"] = {
        "@schedules": "compounding.v1",
        "start": 200,
        "stop": 1000,
        "compound": 1.001,
        "t": 0.0,
    }
    config["components"]["spancat"]["suggester"]["sizes"] = list(SUGGESTER_SIZES)
    if base is not None:
        try:
            base_nlp = spacy.load(base)
        except OSError as exc:
            raise ModelError(
                f"cannot load base pipeline {base!r}: {exc}",
                hint="install it first (for example python -m spacy download en_core_web_sm)",
            ) from None
        pipes = [p for p in base_nlp.pipe_names if p != "spancat"]
        config["nlp"]["lang"] = base_nlp.lang
        config["nlp"]["pipeline"] = [*pipes, "spancat"]
        spancat = config["components"]["spancat"]
        config["components"] = {p: {"source": base} for p in pipes}
        spancat["model"]["tok2vec"] = {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "width": 96,
            "depth": 4,
            "embed_size": 2000,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
            "pretrained_vectors": bool(base_nlp.vocab.vectors.shape[0]),
        }
        config["components"]["spancat"] = spancat
        training["frozen_components"] = pipes
        training["annotating_components"] = []
        if base_nlp.vocab.vectors.shape[0]:
            config["initialize"]["vectors"] = base
    return config


class SpacyModel:
    """The ``spacy`` model (see the module docstring)."""

    name = "spacy"
    trainable = True

    def __init__(self, model_dir: Path | None = None, *, schema: Schema | None = None) -> None:
        self.schema = schema
        self.nlp: Any = None
        self.heads: Heads | None = None
        self.meta: dict[str, Any] = {}
        self.version = "untrained"
        if model_dir is not None:
            self._load(Path(model_dir))

    def _load(self, model_dir: Path) -> None:
        import spacy

        self.meta = read_meta(model_dir, self.name)
        try:
            self.nlp = spacy.load(model_dir / "pipeline")
        except OSError as exc:
            raise ModelError(f"cannot load the spaCy pipeline: {exc}", path=model_dir) from None
        if not (model_dir / "heads.json").is_file() and (model_dir / "attributes.json").is_file():
            raise ModelError(
                "this spacy model predates the learned attribute and relation heads "
                "(it has attributes.json, no heads.json)",
                path=model_dir,
                hint="retrain it: backchannel train --model spacy GOLD -o DIR --overwrite",
            )
        self.heads = Heads.load(model_dir, self._schema())
        self.version = str(self.meta.get("version", "unknown"))

    def _schema(self) -> Schema:
        if self.schema is None:
            from backchannel.schema import load_schema

            self.schema = load_schema()
        return self.schema

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Spans from the span categorizer; attributes and relations from the learned heads."""
        if self.nlp is None or self.heads is None:
            raise ModelError(
                "the spacy model needs a trained model directory",
                hint="train one with: backchannel train --model spacy GOLD -o models/spacy, "
                "then pass --model-dir models/spacy",
            )
        heads = self.heads
        pairs = ((d.text, d) for d in docs)
        for sdoc, doc in self.nlp.pipe(pairs, as_tuples=True, batch_size=32):
            group = sdoc.spans.get(SPANS_KEY, [])
            scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
            items = []
            for k, span in enumerate(group):
                if function_word(span):
                    continue  # "Meanwhile", "Alongside": never an actor, channel or place
                score = float(scores[k]) if scores is not None else 0.5
                items.append(
                    (
                        span.start_char,
                        span.end_char,
                        span.label_,
                        score,
                        f"spancat p={score:.2f}",
                    )
                )
            found, rels = heads.annotate(doc.text, items)
            yield make_prediction(
                doc,
                model=self.name,
                version=self.version,
                spans=found,
                relations=rels,
                schema=self.schema,
            )

    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """Train spancat on the gold (10% of documents held out for model selection), and the
        attribute and relation heads on every gold document."""
        import random

        import sklearn
        import spacy
        from spacy.training.initialize import init_nlp
        from spacy.training.loop import train as train_loop

        options = options or TrainOptions()
        run = TrainingRun(self.name, gold_path)
        docs = list(read_documents(gold_path, schema=self.schema))
        if len(docs) < 2 or not any(d.spans for d in docs):
            raise ModelError(
                f"cannot train spacy: need at least 2 gold documents with spans, got {len(docs)}",
                path=gold_path,
            )
        order = list(range(len(docs)))
        random.Random(options.seed).shuffle(order)
        n_dev = max(1, len(docs) // 10)
        dev = [docs[i] for i in order[:n_dev]]
        train_docs = [docs[i] for i in order[n_dev:]]
        epochs = options.epochs or DEFAULT_EPOCHS
        tokenizer = spacy.blank("en")
        with tempfile.TemporaryDirectory(prefix="backchannel-spacy-") as tmpname:
            tmp = Path(tmpname)
            train_bin, n_spans = to_docbin(tokenizer, train_docs)
            dev_bin, _ = to_docbin(tokenizer, dev)
            train_bin.to_disk(tmp / "train.spacy")
            dev_bin.to_disk(tmp / "dev.spacy")
            config = build_config(
                tmp / "train.spacy",
                tmp / "dev.spacy",
                epochs=epochs,
                seed=options.seed,
                base=options.base,
            )
            spacy.util.fix_random_seed(options.seed)
            log = io.StringIO()
            nlp = init_nlp(config)
            (tmp / "out").mkdir()
            final_nlp, _best = train_loop(nlp, tmp / "out", stdout=log, stderr=log)
            best = tmp / "out" / "model-best"
            if not best.is_dir():
                best = tmp / "out" / "model-last"
            scores = {
                k: float(v)
                for k, v in (final_nlp.meta.get("performance") or {}).items()
                if isinstance(v, int | float)
            }
            heads = Heads.fit(docs, self._schema(), seed=options.seed)
            version = run.version(f"e{epochs}", f"s{options.seed}")
            meta = {
                "model": self.name,
                "version": version,
                "documents": len(docs),
                "train_documents": len(train_docs),
                "dev_documents": len(dev),
                "spans": n_spans,
                "epochs": epochs,
                "seed": options.seed,
                "base": options.base,
                "spacy": spacy.__version__,
                "sklearn": sklearn.__version__,
                "suggester_sizes": SUGGESTER_SIZES,
                "scores": scores,
                "heads": heads.summary(),
                "gold_sha256": run.gold_sha256,
            }
            with run.directory(out_dir, meta, overwrite=options.overwrite) as target:
                shutil.copytree(best, target / "pipeline")
                config["paths"]["train"] = None  # temporary files: pass --paths.train to re-run
                config["paths"]["dev"] = None
                config.to_disk(target / "config.cfg")
                heads.save(target)
        self._load(Path(out_dir))
        metrics = {k: v for k, v in scores.items() if k.startswith("spans_sc")}
        return run.result(version, out_dir, documents=len(docs), examples=n_spans, metrics=metrics)


# Sentence adverbs and connectives spaCy's stop list lacks; spancat learns them from their
# capital letter at the start of a sentence.
_FUNCTION_EXTRA = frozenset(
    [
        "alongside",
        "meanwhile",
        "however",
        "moreover",
        "furthermore",
        "nevertheless",
        "nonetheless",
        "separately",
        "additionally",
        "instead",
        "also",
        "earlier",
        "later",
        "today",
        "yesterday",
    ]
)


def function_word(span: Any) -> bool:
    """True for a predicted span that is one function word (spaCy's English stop list, a
    sentence adverb) or starts with a stop word followed by a verb-like "include"/"includes".

    Why a filter and not more training: the gold never contains such spans, but spancat scores
    capitalised sentence-initial words highly; a cheap, transparent check removes them.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [t.lower_ for t in span if not t.is_punct]
    if not words:
        return True
    if len(words) == 1:
        w = words[0]
        return w in STOP_WORDS or w in _FUNCTION_EXTRA or (w.endswith("ly") and len(w) > 4)
    return any(w in ("include", "includes", "included") for w in words)
