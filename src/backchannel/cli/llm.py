"""The ``--model llm`` options of ``backchannel predict`` and what the CLI does with them.

Kept apart from :mod:`backchannel.cli.evaluate` so the generic ``predict`` command stays short: this
module declares the options (shown in their own panel of ``predict --help``), turns them into
the model's keyword arguments, prints the ``--dry-run`` plan and the token/cost summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from backchannel.errors import InputError
from backchannel.text import plural

PANEL = "LLM model (--model llm)"

EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Base URL of an OpenAI-compatible Chat Completions API, e.g. "
        "http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama), "
        "https://api.openai.com/v1.",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
LLMModelOpt = Annotated[
    str | None,
    typer.Option("--llm-model", help="Model name the server knows.", rich_help_panel=PANEL),
]
ExamplesOpt = Annotated[
    Path | None,
    typer.Option(
        "--examples",
        dir_okay=False,
        help="Gold Document JSONL to draw few-shot examples from (never the documents being "
        "predicted: they are excluded by id and text).",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
ShotsOpt = Annotated[
    int,
    typer.Option(
        "--shots",
        min=0,
        help="Few-shot examples per request (the shortest annotated ones).",
        rich_help_panel=PANEL,
    ),
]
ApiKeyEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--api-key-env",
        help="Environment variable holding the API key (default OPENAI_API_KEY; none needed "
        "for local servers). The key is never printed.",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
ConcurrencyOpt = Annotated[
    int,
    typer.Option("--concurrency", min=1, help="Requests in flight at once.", rich_help_panel=PANEL),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        file_okay=False,
        help="On-disk answer cache: a rerun costs nothing and writes identical output "
        "(default .cache/llm; 'none' to disable).",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]
DryRunOpt = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Print the first prompt and the estimated tokens of the run; send nothing.",
        rich_help_panel=PANEL,
    ),
]
ChunkOpt = Annotated[
    int,
    typer.Option(
        "--chunk-chars",
        min=0,
        help="Longest text per request; longer articles go in overlapping chunks (0: never).",
        rich_help_panel=PANEL,
    ),
]
StreamOpt = Annotated[
    bool,
    typer.Option("--stream", help="Ask for streamed replies.", rich_help_panel=PANEL),
]
TimeoutOpt = Annotated[
    float,
    typer.Option("--timeout", min=0.1, help="Seconds per request.", rich_help_panel=PANEL),
]
RetriesOpt = Annotated[
    int,
    typer.Option(
        "--max-retries",
        min=0,
        help="Retries for 429, 5xx and timeouts (exponential backoff, honouring Retry-After).",
        rich_help_panel=PANEL,
    ),
]
PriceOpt = Annotated[
    str | None,
    typer.Option(
        "--price",
        help="IN/OUT: USD per million prompt/completion tokens, e.g. 0.15/0.60, to print the "
        "cost of the run.",
        rich_help_panel=PANEL,
        show_default=False,
    ),
]

DEFAULT_CACHE = Path(".cache", "llm")


def parse_price(value: str | None) -> tuple[float, float] | None:
    """``IN/OUT`` in USD per million tokens, or ``None``."""
    if value is None:
        return None
    try:
        a, b = value.split("/")
        price = (float(a), float(b))
    except ValueError:
        raise InputError(
            f"--price {value!r}: expected IN/OUT in USD per million tokens, e.g. 0.15/0.60"
        ) from None
    if min(price) < 0:
        raise InputError(f"--price {value!r}: prices cannot be negative")
    return price


def llm_options(
    *,
    corpus: str,
    endpoint: str | None,
    llm_model: str | None,
    examples: Path | None,
    shots: int,
    api_key_env: str | None,
    concurrency: int,
    cache_dir: Path | None,
    chunk_chars: int,
    stream: bool,
    timeout: float,
    max_retries: int,
    dry_run: bool,
) -> dict[str, Any]:
    """The LLM model's keyword arguments from the CLI options (checked)."""
    if not dry_run and not endpoint:
        raise InputError(
            "--model llm needs --endpoint URL and --llm-model NAME",
            hint="e.g. --endpoint http://localhost:11434/v1 --llm-model qwen2.5:7b",
        )
    if not dry_run and not llm_model:
        raise InputError("--model llm needs --llm-model NAME (the model the server knows)")
    if shots and examples is None:
        raise InputError("--shots needs --examples GOLD (the gold file to draw examples from)")
    if cache_dir is None:
        cache = DEFAULT_CACHE
    elif str(cache_dir).lower() == "none":
        cache = None
    else:
        cache = cache_dir
    return {
        "endpoint": endpoint,
        "llm_model": llm_model,
        "examples": examples,
        "shots": shots,
        "exclude_corpus": corpus,
        "api_key_env": api_key_env,
        "concurrency": concurrency,
        "cache_dir": cache,
        "chunk_chars": chunk_chars,
        "stream": stream,
        "timeout": timeout,
        "max_retries": max_retries,
    }


def dry_run(corpus: str, options: dict[str, Any], schema: str | Path | None) -> None:
    """Print the first request's messages (stdout) and the run's estimate (stderr)."""
    from backchannel.documents import read_documents
    from backchannel.eval.models.llm.model import LLMModel
    from backchannel.schema import load_schema

    loaded = load_schema(schema)
    model = LLMModel(schema=loaded, **options)
    docs = read_documents(corpus, schema=loaded)
    first = next(docs, None)
    if first is None:
        raise InputError("the corpus holds no document", path=corpus)
    for message in model.plan(first)[0][1]:
        typer.echo(f"----- {message['role']} -----")
        typer.echo(message["content"])
    rest = model.estimate(docs)
    head = model.estimate([first])
    requests = head["requests"] + rest["requests"]
    tokens = head["prompt_tokens"] + rest["prompt_tokens"]
    typer.echo(
        f"dry run: first request about {head['prompt_tokens']} prompt tokens; whole run "
        f"{plural(1 + rest['documents'], 'document')}, {plural(requests, 'request')}, "
        f"about {tokens} prompt tokens "
        "(estimated at ~4 characters a token; completions extra); nothing sent",
        err=True,
    )


def usage_line(usage: dict[str, Any], price: tuple[float, float] | None) -> str:
    """The summary of a run: tokens, cache hits, grounding, cost."""
    placed = usage.get("placed", {})
    line = (
        f"llm: {plural(usage.get('requests', 0), 'request')} ({usage.get('cached', 0)} from cache, "
        f"{plural(usage.get('retries', 0), 'retry', 'retries')}, "
        f"{plural(usage.get('malformed', 0), 'malformed answer')}, "
        f"{plural(usage.get('failed_documents', 0), 'document')} failed); tokens "
        f"{usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} "
        f"completion, billed this run {usage.get('billed_prompt_tokens', 0)} + "
        f"{usage.get('billed_completion_tokens', 0)}; placed "
        + ", ".join(f"{k} {v}" for k, v in placed.items())
        + f"; dropped {usage.get('dropped', 0)} extractions the text does not hold"
    )
    if price is not None:
        cost = (
            usage.get("billed_prompt_tokens", 0) * price[0]
            + usage.get("billed_completion_tokens", 0) * price[1]
        ) / 1e6
        line += f"; cost ${cost:.4f}"
    return line
