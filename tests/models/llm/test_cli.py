"""``backchannel predict --model llm`` from the command line, against the scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai_server import ScriptedOpenAI, answer

from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents

SECRET = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    write_documents(
        [
            Document(id="d1", text="Koval spoke by phone with Hartley."),
            Document(id="d2", text="The Kremlin did not comment on the call."),
        ],
        path,
    )
    return path


def llm_args(server: ScriptedOpenAI, *more: str) -> list[str]:
    """The options every run here shares; no cache unless a test gives one (later wins)."""
    return [
        "predict", "--model", "llm", "--endpoint", server.url, "--llm-model", "m",
        "--cache-dir", "none", *more,
    ]  # fmt: skip


def test_predict_writes_documents_and_a_summary_without_the_key(
    openai_server: ScriptedOpenAI, corpus: Path, tmp_path: Path, runner, monkeypatch
) -> None:
    monkeypatch.setenv("MY_KEY", SECRET)
    openai_server.queue(
        {"status": 429, "headers": {"Retry-After": "0"}},
        answer(("Koval", "ACTOR"), ("spoke by phone", "CHANNEL"), ("Hartley", "ACTOR")),
        answer(("the Kremlin", "ACTOR"), ("the call", "CHANNEL"), ("Moscow", "VENUE")),
    )
    out = tmp_path / "pred.jsonl"
    args = llm_args(openai_server, "--api-key-env", "MY_KEY", "--concurrency", "1")
    result = runner.invoke(
        app, [*args, "--cache-dir", str(tmp_path / "c"), str(corpus), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    assert openai_server.auth[-1] == f"Bearer {SECRET}"  # it was sent, only to the server
    preds = list(read_documents(out))
    assert [[s.text for s in p.spans] for p in preds] == [
        ["Koval", "spoke by phone", "Hartley"],
        ["The Kremlin", "the call"],
    ]
    assert "llm-1+m: 2 documents" in result.output
    assert "llm: 2 requests (0 from cache, 1 retry, 0 malformed answers" in result.output
    assert "dropped 1 extractions the text does not hold" in result.output
    # a rerun from the cache: nothing sent, same bytes
    before = out.read_bytes()
    sent = len(openai_server.requests)
    result = runner.invoke(
        app, [*args, "--cache-dir", str(tmp_path / "c"), str(corpus), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == before and len(openai_server.requests) == sent
    assert "2 from cache" in result.output and "billed this run 0 + 0" in result.output


def test_dry_run_sends_nothing(openai_server: ScriptedOpenAI, corpus: Path, runner) -> None:
    result = runner.invoke(app, [*llm_args(openai_server), "--dry-run", str(corpus)])
    assert result.exit_code == 0, result.output
    assert openai_server.requests == []
    assert "----- system -----" in result.output and "Span labels:" in result.output
    assert "<article>\nKoval spoke by phone with Hartley.\n</article>" in result.output
    assert "2 documents, 2 requests, about" in result.output and "nothing sent" in result.output


def test_dry_run_needs_no_endpoint(corpus: Path, runner) -> None:
    result = runner.invoke(app, ["predict", "--model", "llm", "--dry-run", str(corpus)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "llm"], "--model llm needs --endpoint URL and --llm-model NAME"),
        (["--model", "llm", "--endpoint", "http://x/v1"], "needs --llm-model NAME"),
        (["--model", "rules", "--endpoint", "http://x/v1"], "apply to --model llm only"),
        (
            ["--model", "llm", "--endpoint", "http://x/v1", "--llm-model", "m", "--shots", "2"],
            "--shots needs --examples GOLD",
        ),
        (
            ["--model", "llm", "--endpoint", "http://x/v1", "--llm-model", "m", "--price", "9"],
            "expected IN/OUT",
        ),
    ],
)
def test_bad_options_are_one_line(corpus: Path, runner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["predict", *args, str(corpus)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_exhausted_retries_stop_the_run_with_no_partial_output(
    openai_server: ScriptedOpenAI, corpus: Path, tmp_path: Path, runner
) -> None:
    openai_server.responder = lambda body: {"status": 503, "headers": {"Retry-After": "0"}}
    out = tmp_path / "pred.jsonl"
    args = [*llm_args(openai_server, "--max-retries", "1"), str(corpus), "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "HTTP 503 after 2 attempts" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_wrong_key_is_reported_without_it(
    openai_server: ScriptedOpenAI, corpus: Path, tmp_path: Path, runner, monkeypatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.responder = lambda body: {
        "status": 401,
        "message": f"Incorrect API key provided: {SECRET}",
    }
    result = runner.invoke(app, [*llm_args(openai_server), str(corpus), "-o", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "refused the API key (HTTP 401)" in result.output
    assert SECRET not in result.output and SECRET[:12] not in result.output


def test_predictions_score_against_gold(
    openai_server: ScriptedOpenAI, corpus: Path, tmp_path: Path, runner
) -> None:
    openai_server.responder = lambda body: answer(("Koval", "ACTOR"), ("Hartley", "ACTOR"))
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, [*llm_args(openai_server), str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    report = runner.invoke(app, ["score", str(corpus), str(out), "--bootstrap", "0"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["meta"]["documents"] == 2


def test_examples_from_the_corpus_itself_are_refused(
    openai_server: ScriptedOpenAI, tmp_path: Path, runner
) -> None:
    from backchannel.documents import Span

    gold = tmp_path / "gold.jsonl"
    write_documents(
        [
            Document(
                id="g", text="Koval spoke.", spans=[Span(id="a1", start=0, end=5, label="ACTOR")]
            )
        ],
        gold,
    )
    args = [*llm_args(openai_server, "--examples", str(gold), "--shots", "1"), str(gold)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "no few-shot example left" in result.output and "Traceback" not in result.output
    assert openai_server.requests == []
