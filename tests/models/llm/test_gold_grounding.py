"""Done means: a scripted model quoting the bundled gold is grounded on the gold's offsets.

The scripted answers (``benchmarks/bench_llm_grounding.py``: the gold's own mentions in order,
every 9th with its case changed, quotes swapped or transliterated, repeats listed once per
occurrence, one invented mention per article) travel through the real HTTP server and the whole
``backchannel predict --model llm`` path.  At least 97% of the real mentions must land on their
exact gold offsets and every invented one must be dropped.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from openai_server import ScriptedOpenAI, article_of

from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents

ROOT = Path(__file__).resolve().parents[3]
GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_llm_grounding", ROOT / "benchmarks" / "bench_llm_grounding.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scripted_gold_surfaces_land_on_gold_offsets(
    openai_server: ScriptedOpenAI, tmp_path: Path, runner
) -> None:
    bench = _bench()
    gold = list(read_documents(GOLD))
    answers = {}
    perturbed = {"case": 0, "quotes": 0, "transliteration": 0, "invented": 0}
    for k, doc in enumerate(gold):
        answer, changed = bench.scripted_answer(doc, k)
        answers[doc.text] = json.dumps(answer, ensure_ascii=False)
        for key, v in changed.items():
            perturbed[key] += v
    # the script really does misquote: enough of each kind to matter
    assert perturbed["case"] > 100 and perturbed["transliteration"] > 100
    assert perturbed["quotes"] > 5 and perturbed["invented"] == len(gold)
    openai_server.responder = lambda body: {
        "content": answers[article_of(body)],
        "prompt_tokens": 1000,
        "completion_tokens": 200,
    }
    corpus = tmp_path / "corpus.jsonl"
    write_documents((Document(id=d.id, text=d.text) for d in gold), corpus)
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(
        app,
        [
            "predict", "--model", "llm", "--endpoint", openai_server.url,
            "--llm-model", "scripted", "--chunk-chars", "0", "--cache-dir", "none",
            "--stream", "--price", "2.50/10", str(corpus), "-o", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    preds = list(read_documents(out))
    figures = bench.measure(gold, preds)
    assert figures["placement_rate"] >= 0.97, figures
    assert figures["dropped"] == figures["invented"] == len(gold), figures
    assert figures["relations_kept"] >= 0.95 * figures["relations"], figures
    # every span holds its text, every document has its token counts; the summary has the cost
    assert all(p.meta["llm"]["prompt_tokens"] == 1000 for p in preds)
    cost = len(gold) * (1000 * 2.5 + 200 * 10) / 1e6
    assert f"cost ${cost:.4f}" in result.output
    assert f"tokens {1000 * len(gold)} prompt + {200 * len(gold)} completion" in result.output
