"""The ``rules`` model behind the registry: :class:`RulesModel`, no training step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        schema: Schema | None = None,
        base: str | None = None,
    ) -> None:
        """Load the word lists (a user's own from ``model_dir``) and, with ``base``, a pipeline.

        ``base`` names an installed pretrained spaCy pipeline (a package name or a directory)
        whose PERSON, ORG, GPE and NORP entities are extra evidence; nothing is downloaded.
        """
        self.schema = schema
        self.base_nlp = _load_base(base) if base else None
        data_dir = None
        if model_dir is not None and (Path(model_dir) / "lexicon.yaml").is_file():
            data_dir = str(model_dir)  # a user's own word lists
        self.lexicon = load_lexicon(data_dir)
        self.version = f"{VERSION}+lex{self.lexicon.version}" + (f"+base:{base}" if base else "")
        self.extractor = RuleExtractor(self.lexicon)

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Pre-annotate Documents; spans and relations carry ``score`` and ``reason``."""
        texts = ((d.text, d) for d in docs)
        for sdoc, doc in self.extractor.nlp.pipe(texts, as_tuples=True, batch_size=64):
            ents = None
            if self.base_nlp is not None:
                ents = [(e.start_char, e.end_char, e.label_) for e in self.base_nlp(doc.text).ents]
            spans, rels = self.extractor.extract_doc(sdoc, ents)
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


def _load_base(name: str) -> Any:
    """An installed spaCy pipeline by package name or path; a ModelError when there is none."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"no spaCy pipeline {name!r} is installed",
            hint="install one (e.g. pip install en_core_web_sm) or give the path of a saved "
            "pipeline; the rules model downloads nothing",
        ) from exc
