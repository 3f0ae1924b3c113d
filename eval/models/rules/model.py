"""The ``rules`` model behind the registry: :class:`RulesModel`, no training step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from backchannel.errors import ModelError
from backchannel.eval.models.base import make_prediction
from backchannel.eval.models.lexicon import load_lexicon
from backchannel.eval.models.registry import TrainOptions, TrainResult
from backchannel.eval.models.rules.extractor import RuleExtractor

if TYPE_CHECKING:
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["VERSION", "RulesModel"]

VERSION = "1.0"


class RulesModel:
    """The ``rules`` model: :class:`RuleExtractor` behind the :class:`Model` protocol."""

    name = "rules"
    trainable = False

    def __init__(self, model_dir: Path | None = None, *, schema: Schema | None = None) -> None:
        self.schema = schema
        data_dir = None
        if model_dir is not None and (Path(model_dir) / "lexicon.yaml").is_file():
            data_dir = str(model_dir)  # a user's own word lists
        self.lexicon = load_lexicon(data_dir)
        self.version = f"{VERSION}+lex{self.lexicon.version}"
        self.extractor = RuleExtractor(self.lexicon)

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Pre-annotate Documents; spans and relations carry ``score`` and ``reason``."""
        texts = ((d.text, d) for d in docs)
        for sdoc, doc in self.extractor.nlp.pipe(texts, as_tuples=True, batch_size=64):
            spans, rels = self.extractor.extract_doc(sdoc)
            relevant = any(
                r.label == "PARTICIPANT" and r.head.attrs.get("modality") == "actual" for r in rels
            )
            yield make_prediction(
                doc,
                model=self.name,
                version=self.version,
                spans=spans,
                relations=rels,
                schema=self.schema,
                doc_labels={"relevant": "yes" if relevant else "no"},
            )

    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """The rules model learns nothing; copy ``lexicon.yaml`` into a directory to adapt it."""
        del gold_path, out_dir, options
        raise ModelError(
            "the rules model has no training step",
            hint="edit a copy of eval/models/data/ and pass it with --model-dir",
        )
