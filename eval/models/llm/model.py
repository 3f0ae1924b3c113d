"""The ``llm`` model: any OpenAI-compatible chat model as an extractor, grounded to offsets.

For each Document (in chunks when it is long): build the prompt from the schema, the guidelines
and few-shot gold examples; ask the server (or the on-disk cache); parse the answer; place every
quoted extraction on the article with :class:`~backchannel.eval.models.llm.grounding.Grounder`;
let relations and stances follow their extractions; hand the result to
:func:`~backchannel.eval.models.base.make_prediction` like every other baseline.

What a run records, per prediction Document in ``meta["llm"]`` and in total in
:attr:`LLMModel.usage` (printed by ``backchannel predict``): tokens, requests, how each span was
placed (``exact``, ``normalised``, ``fuzzy``), extractions dropped because the article does not
hold them, relations dropped with them, items the schema refused and, for a document whose
answer stayed malformed after the retries, ``error``.  Token counts in ``meta`` are those the
provider reported when the answer was first received (the cache keeps them), so a rerun from
the cache writes byte-identical output; the summary tells apart what this run was billed for.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.documents import read_documents
from backchannel.errors import ModelError
from backchannel.eval.models.base import Found, FoundRelation, make_prediction
from backchannel.eval.models.llm.answer import MalformedAnswer, ParsedAnswer, parse_answer
from backchannel.eval.models.llm.cache import AnswerCache, cache_key
from backchannel.eval.models.llm.chunking import chunk_text, merge_found
from backchannel.eval.models.llm.client import ChatClient
from backchannel.eval.models.llm.grounding import Grounder
from backchannel.eval.models.llm.prompt import (
    answer_from_gold,
    dumps_answer,
    estimate_tokens,
    load_guidelines,
    response_schema,
    system_prompt,
    user_message,
)
from backchannel.eval.models.registry import TrainOptions, TrainResult

if TYPE_CHECKING:
    from backchannel.documents import Document
    from backchannel.schema import Schema

__all__ = ["LLMModel"]

VERSION = "1"
_METHOD_SCORE = {"exact": 1.0, "normalised": 0.9, "fuzzy": 0.75}


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _corpus_keys(path: str | Path | None) -> tuple[set[str], set[str]]:
    """Ids and text hashes of the documents being predicted (never used as examples)."""
    ids: set[str] = set()
    hashes: set[str] = set()
    if path is None or str(path) == "-":
        return ids, hashes
    for doc in read_documents(path, validate=False):
        ids.add(doc.id)
        hashes.add(_text_hash(doc.text))
    return ids, hashes


class LLMModel:
    """The ``llm`` model behind the :class:`~backchannel.eval.models.registry.Model` protocol.

    Args:
        model_dir: unused (an LLM has no local weights); accepted for the registry.
        schema: the schema that drives the prompt and checks the answers.
        endpoint: base URL of an OpenAI-compatible API (``http://localhost:8000/v1``).
        llm_model: the model name the server knows.
        examples: gold Document JSONL to draw few-shot examples from.
        shots: how many examples (the shortest annotated gold documents not being predicted).
        exclude_corpus: the corpus being predicted; its documents are never examples.
        api_key_env: environment variable holding the key (default ``OPENAI_API_KEY``).
        concurrency: requests in flight at once.
        cache_dir: on-disk answer cache (``None``: no cache).
        chunk_chars: longest text sent in one request; longer articles are chunked.
        stream: ask for streamed replies.
        timeout: seconds per request.
        max_retries: retries for 429, 5xx and timeouts.
        malformed_retries: extra requests when an answer is not the expected JSON.
        temperature: sampling temperature.
        client: a ready client (tests); otherwise one is built from the arguments above.
    """

    name = "llm"
    trainable = False

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        schema: Schema,
        endpoint: str | None = None,
        llm_model: str | None = None,
        examples: str | Path | None = None,
        shots: int = 0,
        exclude_corpus: str | Path | None = None,
        api_key_env: str | None = None,
        concurrency: int = 4,
        cache_dir: str | Path | None = None,
        chunk_chars: int = 6000,
        stream: bool = False,
        timeout: float = 120.0,
        max_retries: int = 5,
        malformed_retries: int = 2,
        temperature: float = 0.0,
        client: ChatClient | None = None,
    ) -> None:
        del model_dir
        self.schema = schema
        self.endpoint = endpoint
        self.llm_model = llm_model or "unnamed"
        self.version = f"{VERSION}+{self.llm_model}"
        self.concurrency = max(1, concurrency)
        self.chunk_chars = chunk_chars
        self.malformed_retries = max(0, malformed_retries)
        self.temperature = temperature
        self.cache = AnswerCache(cache_dir)
        self.system = system_prompt(schema, load_guidelines(schema))
        self.json_schema = response_schema(schema)
        self.shots = max(0, shots)
        self._examples = self._load_examples(examples, self.shots, exclude_corpus)
        self._client = client
        self._owns_client = client is None
        self._client_args = {
            "stream": stream,
            "timeout": timeout,
            "max_retries": max_retries,
            "temperature": temperature,
        }
        self._api_key_env = api_key_env
        self._lock = threading.Lock()
        self.usage: dict[str, Any] = {
            "documents": 0,
            "requests": 0,
            "cached": 0,
            "retries": 0,
            "malformed": 0,
            "failed_documents": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "billed_prompt_tokens": 0,
            "billed_completion_tokens": 0,
            "placed": {"exact": 0, "normalised": 0, "fuzzy": 0},
            "dropped": 0,
            "relations_dropped": 0,
        }

    # -- set-up ----------------------------------------------------------------------------

    def _load_examples(
        self, path: str | Path | None, shots: int, exclude: str | Path | None
    ) -> list[Document]:
        if path is None or shots <= 0:
            return []
        ids, hashes = _corpus_keys(exclude)
        pool = [
            d
            for d in read_documents(path, schema=self.schema)
            if d.spans and d.id not in ids and _text_hash(d.text) not in hashes
        ]
        if self.chunk_chars > 0:
            pool = [d for d in pool if len(d.text) <= self.chunk_chars] or pool
        if not pool:
            raise ModelError(
                "no few-shot example left: every annotated document of --examples is being "
                "predicted (or none has spans)",
                path=path,
                hint="give a gold file that does not overlap the corpus, or --shots 0",
            )
        pool.sort(key=lambda d: (len(d.text), d.id))
        # one more than asked, so a document that is itself an example can be skipped
        return pool[: shots + 1]

    def _client_or_build(self) -> ChatClient:
        with self._lock:
            if self._client is None:
                if not self.endpoint:
                    raise ModelError(
                        "the llm model needs --endpoint (an OpenAI-compatible API base URL)",
                        hint="e.g. --endpoint http://localhost:8000/v1 --llm-model NAME",
                    )
                if self._api_key_env:
                    key = os.environ.get(self._api_key_env)
                    if not key:
                        raise ModelError(
                            f"environment variable {self._api_key_env} is not set or empty",
                            hint="export it, or drop --api-key-env for a server without keys",
                        )
                else:
                    key = os.environ.get("OPENAI_API_KEY") or "EMPTY"
                self._client = ChatClient(self.endpoint, self.llm_model, key, **self._client_args)
            return self._client

    # -- prompts ---------------------------------------------------------------------------

    def messages_for(
        self, doc: Document, chunk_start: int, chunk_end: int, context_start: int
    ) -> list[dict[str, str]]:
        """The message list for one chunk of ``doc``: system, few-shot turns, the text."""
        shots = [d for d in self._examples if d.id != doc.id and d.text != doc.text]
        shots = shots[: self.shots]
        messages = [{"role": "system", "content": self.system}]
        for ex in shots:
            messages.append({"role": "user", "content": user_message(ex.text)})
            messages.append({"role": "assistant", "content": dumps_answer(answer_from_gold(ex))})
        context = doc.text[context_start:chunk_start]
        messages.append(
            {"role": "user", "content": user_message(doc.text[chunk_start:chunk_end], context)}
        )
        return messages

    def plan(self, doc: Document) -> list[tuple[tuple[int, int], list[dict[str, str]]]]:
        """Every request ``doc`` needs: ``((chunk_start, chunk_end), messages)``."""
        return [
            ((c.start, c.end), self.messages_for(doc, c.start, c.end, c.context_start))
            for c in chunk_text(doc.text, self.chunk_chars)
        ]

    def estimate(self, docs: Iterable[Document]) -> dict[str, int]:
        """Requests and estimated prompt tokens for ``docs``, without sending anything."""
        requests = tokens = documents = 0
        for doc in docs:
            documents += 1
            for _, messages in self.plan(doc):
                requests += 1
                tokens += estimate_tokens(messages)
        return {"documents": documents, "requests": requests, "prompt_tokens": tokens}

    # -- asking ----------------------------------------------------------------------------

    def _ask(self, messages: list[dict[str, str]]) -> tuple[ParsedAnswer | None, dict[str, Any]]:
        """The parsed answer (``None`` when it stayed malformed) and what it cost."""
        key = cache_key(self.llm_model, messages, {"temperature": self.temperature})
        entry = self.cache.get(key)
        if entry is not None:
            try:
                parsed = parse_answer(entry["content"], self.schema)
            except MalformedAnswer:
                parsed = None
            if parsed is not None:
                usage = {k: int(v) for k, v in dict(entry.get("usage") or {}).items()}
                return parsed, {"usage": usage, "cached": True, "requests": 0, "malformed": 0}
        client = self._client_or_build()
        usage = {"prompt_tokens": 0, "completion_tokens": 0}
        asked = list(messages)
        malformed = 0
        error = ""
        for attempt in range(1 + self.malformed_retries):
            done = client.complete(asked, self.json_schema)
            if not done.usage.get("prompt_tokens"):
                done.usage = {
                    "prompt_tokens": estimate_tokens(asked),
                    "completion_tokens": len(done.content) // 4,
                }
            for k in usage:
                usage[k] += done.usage.get(k, 0)
            try:
                parsed = parse_answer(done.content, self.schema)
            except MalformedAnswer as exc:
                malformed += 1
                error = str(exc)
                asked = [
                    *messages,
                    {"role": "assistant", "content": done.content[:2000]},
                    {
                        "role": "user",
                        "content": f"That answer was not usable: {exc}. Answer again with one "
                        "JSON object with the keys extractions and relations, nothing else.",
                    },
                ]
                continue
            self.cache.put(key, done.content, usage)
            return parsed, {
                "usage": usage,
                "cached": False,
                "requests": attempt + 1,
                "malformed": malformed,
            }
        return None, {
            "usage": usage,
            "cached": False,
            "requests": 1 + self.malformed_retries,
            "malformed": malformed,
            "error": error,
        }

    # -- one document ----------------------------------------------------------------------

    def predict_one(self, doc: Document) -> tuple[Document, dict[str, Any]]:
        """The prediction Document for ``doc`` and this run's accounting for it."""
        spans: list[Found] = []
        rels: list[FoundRelation] = []
        stats: dict[str, Any] = {
            "model": self.llm_model,
            "requests": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "placed": {"exact": 0, "normalised": 0, "fuzzy": 0},
            "dropped": 0,
            "relations_dropped": 0,
            "invalid": 0,
        }
        run = {"cached": 0, "requests": 0, "malformed": 0, "billed": [0, 0]}
        errors: list[str] = []
        for (c_start, c_end), messages in self.plan(doc):
            parsed, info = self._ask(messages)
            stats["requests"] += 1
            stats["prompt_tokens"] += info["usage"].get("prompt_tokens", 0)
            stats["completion_tokens"] += info["usage"].get("completion_tokens", 0)
            run["cached"] += int(info["cached"])
            run["requests"] += info["requests"]
            run["malformed"] += info["malformed"]
            if not info["cached"]:
                run["billed"][0] += info["usage"].get("prompt_tokens", 0)
                run["billed"][1] += info["usage"].get("completion_tokens", 0)
            if parsed is None:
                errors.append(f"malformed answer: {info.get('error', '')}")
                continue
            self._ground(doc.text, c_start, c_end, parsed, spans, rels, stats)
        spans, rels = merge_found(spans, rels)
        relevant = any(
            r.label == "PARTICIPANT" and r.head.attrs.get("modality", "actual") == "actual"
            for r in rels
        )
        pred = make_prediction(
            doc,
            model=self.name,
            version=self.version,
            spans=spans,
            relations=rels,
            schema=self.schema,
            doc_labels={"relevant": "yes" if relevant else "no"}
            if "relevant" in self.schema.doc_labels
            else None,
        )
        if errors:
            stats["error"] = "; ".join(errors)
        pred.meta = {**pred.meta, "llm": stats}
        return pred, run

    def _ground(
        self,
        text: str,
        c_start: int,
        c_end: int,
        parsed: ParsedAnswer,
        spans: list[Found],
        rels: list[FoundRelation],
        stats: dict[str, Any],
    ) -> None:
        grounder = Grounder(text[c_start:c_end])
        placed: list[Found | None] = []
        stats["invalid"] += parsed.invalid_items + parsed.invalid_attrs
        for ext in parsed.extractions:
            if ext is None:
                placed.append(None)
                continue
            where = grounder.place(ext.text, ext.label)
            if where is None:
                stats["dropped"] += 1
                placed.append(None)
                continue
            stats["placed"][where.method] += 1
            why = f"llm {self.llm_model}: {where.method}"
            if where.method == "fuzzy":
                why += f" ({where.coverage:.0%} of tokens)"
            found = Found(
                start=where.start + c_start,
                end=where.end + c_start,
                label=ext.label,
                attrs=ext.attrs,
                score=round(_METHOD_SCORE[where.method] * where.coverage, 4),
                reason=why,
            )
            spans.append(found)
            placed.append(found)
        for rel in parsed.relations:
            ok = 0 <= rel.head < len(placed) and 0 <= rel.tail < len(placed)
            head = placed[rel.head] if ok else None
            tail = placed[rel.tail] if ok else None
            rdef = self.schema.relations[rel.label]
            if head is None or tail is None or head is tail:
                stats["relations_dropped"] += 1
                continue
            if (rdef.head and head.label not in rdef.head) or (
                rdef.tail and tail.label not in rdef.tail
            ):
                stats["invalid"] += 1
                continue
            rels.append(
                FoundRelation(
                    head=head,
                    tail=tail,
                    label=rel.label,
                    attrs=rel.attrs,
                    score=min(head.score, tail.score),
                    reason=f"llm {self.llm_model}",
                )
            )

    # -- the Model protocol ----------------------------------------------------------------

    def _account(self, pred: Document, run: dict[str, Any]) -> None:
        stats = pred.meta["llm"]
        u = self.usage
        u["documents"] += 1
        u["requests"] += run["requests"]
        u["cached"] += run["cached"]
        u["malformed"] += run["malformed"]
        u["failed_documents"] += int("error" in stats)
        u["prompt_tokens"] += stats["prompt_tokens"]
        u["completion_tokens"] += stats["completion_tokens"]
        u["billed_prompt_tokens"] += run["billed"][0]
        u["billed_completion_tokens"] += run["billed"][1]
        for k, v in stats["placed"].items():
            u["placed"][k] += v
        u["dropped"] += stats["dropped"]
        u["relations_dropped"] += stats["relations_dropped"]
        if self._client is not None:
            u["retries"] = self._client.retries

    def predict(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Prediction Documents in input order, ``concurrency`` documents in flight at once."""
        pending: deque[Future] = deque()
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="llm")
        try:
            for doc in docs:
                pending.append(pool.submit(self.predict_one, doc))
                while len(pending) > self.concurrency:
                    pred, run = pending.popleft().result()
                    self._account(pred, run)
                    yield pred
            while pending:
                pred, run = pending.popleft().result()
                self._account(pred, run)
                yield pred
        except BaseException:
            if self._client is not None:
                self._client.cancel()  # documents still in flight stop retrying
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if self._owns_client and self._client is not None:
                self._client.close()
                self._client = None

    def train(
        self, gold_path: Path, out_dir: Path, options: TrainOptions | None = None
    ) -> TrainResult:
        """An LLM is not trained here; give it examples with ``--examples GOLD --shots K``."""
        del gold_path, out_dir, options
        raise ModelError(
            "the llm model has no training step",
            hint="use few-shot examples: backchannel predict --model llm --examples GOLD --shots 3",
        )
