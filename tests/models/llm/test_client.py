"""The Chat Completions client against a real HTTP server on 127.0.0.1 (scripted answers)."""

from __future__ import annotations

import time

import httpx
import pytest
from openai_server import ScriptedOpenAI, answer

from backchannel.eval.models.llm.client import ChatClient, RequestFailed, retry_after_seconds

SCHEMA = {"type": "object"}
MESSAGES = [{"role": "user", "content": "Annotate this article:\n<article>\nHi\n</article>"}]


def make_client(server: ScriptedOpenAI, **kwargs) -> tuple[ChatClient, list[float]]:
    waits: list[float] = []
    kwargs.setdefault("backoff", 0.01)
    client = ChatClient(server.url, "scripted", "sk-test-secret", sleep=waits.append, **kwargs)
    return client, waits


@pytest.mark.parametrize("stream", [False, True])
def test_answer_and_usage_streaming_and_not(openai_server: ScriptedOpenAI, stream: bool) -> None:
    openai_server.queue({"content": '{"extractions": [], "relations": []}', "prompt_tokens": 321})
    client, _ = make_client(openai_server, stream=stream)
    done = client.complete(MESSAGES, SCHEMA)
    assert done.content == '{"extractions": [], "relations": []}'
    assert done.usage == {"prompt_tokens": 321, "completion_tokens": 10}
    body = openai_server.requests[0]
    assert bool(body.get("stream")) is stream
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["temperature"] == 0.0
    assert openai_server.auth == ["Bearer sk-test-secret"]


def test_429_with_retry_after_then_success(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue(
        {"status": 429, "headers": {"Retry-After": "3"}},
        {"status": 503, "headers": {"retry-after-ms": "250"}},
        answer(("Hi", "ACTOR")),
    )
    client, waits = make_client(openai_server)
    done = client.complete(MESSAGES, SCHEMA)
    assert '"Hi"' in done.content
    assert done.attempts == 3
    assert waits == [3.0, 0.25]  # exactly what the server asked, not our own backoff
    assert client.retries == 2


def test_retry_after_is_capped(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue({"status": 429, "headers": {"Retry-After": "3600"}}, answer())
    client, waits = make_client(openai_server, max_wait=5.0)
    client.complete(MESSAGES, SCHEMA)
    assert waits == [5.0]


def test_5xx_without_retry_after_backs_off_exponentially(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue({"status": 500}, {"status": 502}, {"status": 500}, answer())
    client, waits = make_client(openai_server, backoff=1.0)
    client.complete(MESSAGES, SCHEMA)
    assert len(waits) == 3
    for k, wait in enumerate(waits):
        assert 2**k <= wait <= 2**k * 1.25


def test_timeout_is_retried(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue({"sleep": 2.0, "content": "late"}, answer(("Hi", "ACTOR")))
    client, waits = make_client(openai_server, timeout=0.5)
    started = time.monotonic()
    done = client.complete(MESSAGES, SCHEMA)
    assert '"Hi"' in done.content
    assert done.attempts == 2 and len(waits) == 1
    assert time.monotonic() - started < 2.0  # did not wait for the slow answer


def test_retries_run_out_with_one_line_and_no_key(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue(*[{"status": 429, "headers": {"Retry-After": "0"}}] * 3)
    client, _ = make_client(openai_server, max_retries=2)
    with pytest.raises(RequestFailed) as info:
        client.complete(MESSAGES, SCHEMA)
    message = str(info.value)
    assert "HTTP 429 after 3 attempts" in message and "cached" in message
    assert "sk-test-secret" not in message
    assert len(openai_server.requests) == 3


@pytest.mark.parametrize("status", [401, 403, 404, 400])
def test_refusals_stop_at_once_without_the_key(openai_server: ScriptedOpenAI, status: int) -> None:
    openai_server.queue({"status": status, "message": "Incorrect API key provided: sk-test-secret"})
    client, waits = make_client(openai_server)
    with pytest.raises(RequestFailed) as info:
        client.complete(MESSAGES, SCHEMA)
    assert f"HTTP {status}" in str(info.value)
    assert "sk-test-secret" not in str(info.value)
    assert waits == [] and len(openai_server.requests) == 1


def test_server_without_structured_output_gets_plain_json(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue({"refuse_format": True}, answer(), answer())
    client, waits = make_client(openai_server)
    first = client.complete(MESSAGES, SCHEMA)
    second = client.complete(MESSAGES, SCHEMA)
    assert not first.structured and not second.structured and waits == []
    formats = ["response_format" in body for body in openai_server.requests]
    assert formats == [True, False, False]  # asked once, then remembered


def test_connection_refused_is_retried_then_reported() -> None:
    client = ChatClient(
        "http://127.0.0.1:9/v1", "m", "k", max_retries=1, backoff=0.0, sleep=lambda s: None
    )
    with pytest.raises(RequestFailed, match="unreachable after 2 attempts"):
        client.complete(MESSAGES, SCHEMA)


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx.Headers({"retry-after": "7"})) == 7.0
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert retry_after_seconds(httpx.Headers({"retry-after": date}), now=1445412480.0) == 10.0
    assert retry_after_seconds(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None


def test_model_refusing_temperature_is_asked_without(openai_server: ScriptedOpenAI) -> None:
    openai_server.queue(
        {"status": 400, "message": "Unsupported value: 'temperature' does not support 0"},
        answer(),
        answer(),
    )
    client, waits = make_client(openai_server)
    client.complete(MESSAGES, SCHEMA)
    client.complete(MESSAGES, SCHEMA)
    assert ["temperature" in body for body in openai_server.requests] == [True, False, False]
    assert waits == [] and client.structured  # the format was not the problem
