"""Talking to an OpenAI-compatible Chat Completions server, as a paying user would want.

Built on the ``openai`` package's client (``base_url`` is the endpoint, so vLLM, Ollama,
llama.cpp's server, OpenAI and others all work) with its own retries turned off
(``max_retries=0``): the retry policy is ours, so it is the same on every server and tested:

* 429, 5xx, timeouts and dropped connections are retried with exponential backoff and jitter,
  waiting at least what ``Retry-After`` (or ``retry-after-ms``) asks, capped at ``max_wait``;
* 401/403 (the key), 404 (the model name) and other 4xx stop the run at once with one line:
  retrying cannot fix them and every further request would be billed or refused;
* structured output (``response_format`` with a JSON schema) is asked for first; a server that
  refuses it (400/422 naming the format) is asked for plain JSON from then on; likewise a model
  that refuses ``temperature`` (reasoning models sample only at their default) is asked without.

The API key is handed to the client and never appears in a message: errors are reported by
status code and error kind only, because provider error bodies can echo part of the key.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai

from backchannel.errors import ModelError

__all__ = ["ChatClient", "Completion", "RequestFailed", "retry_after_seconds"]


class RequestFailed(ModelError):
    """The server kept failing (429/5xx/timeouts) after every retry, or refused the request."""


@dataclass
class Completion:
    """One answer: its text and the tokens it cost.

    Attributes:
        content: the assistant message text.
        usage: ``prompt_tokens`` and ``completion_tokens`` as the server reported them
            (estimated when it reported none).
        attempts: requests made for it (1 when the first succeeded).
        structured: whether it was asked for with a JSON-schema response format.
    """

    content: str
    usage: dict[str, int] = field(default_factory=dict)
    attempts: int = 1
    structured: bool = True


def retry_after_seconds(headers: httpx.Headers | None, now: float | None = None) -> float | None:
    """What ``Retry-After`` (seconds or HTTP date) or ``retry-after-ms`` asks us to wait."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _refuses(exc: openai.APIStatusError, *words: str) -> bool:
    """True when a 400/422 names one of ``words`` (a parameter the server does not take)."""
    if exc.status_code not in (400, 422):
        return False
    try:
        body = exc.response.text.lower()
    except Exception:
        body = str(exc).lower()
    return any(word in body for word in words)


def _refuses_format(exc: openai.APIStatusError) -> bool:
    """True when a 400/422 is about ``response_format`` (the server lacks structured output)."""
    return _refuses(exc, "response_format", "json_schema")


class ChatClient:
    """A thread-safe Chat Completions caller with our retry policy.

    Args:
        endpoint: base URL of the API (``.../v1``).
        model: model name the server knows.
        api_key: the key (``"EMPTY"`` for servers that need none).
        timeout: seconds before a request counts as timed out.
        max_retries: retries after the first attempt for 429, 5xx and timeouts.
        backoff: first backoff in seconds (doubled each retry, with jitter).
        max_wait: the longest single wait, even if ``Retry-After`` asks for more.
        stream: ask for a streamed reply (server-sent events) and assemble it.
        temperature: sampling temperature (0 for reproducible annotation).
        structured: ask for JSON-schema structured output first.
        sleep: the waiting function (tests record waits instead of sleeping); by default a
            wait that :meth:`cancel` cuts short.
    """

    def __init__(
        self,
        endpoint: str,
        model: str,
        api_key: str,
        *,
        timeout: float = 120.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        stream: bool = False,
        temperature: float = 0.0,
        structured: bool = True,
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.model = model
        self.endpoint = endpoint
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.stream = stream
        self.temperature = temperature
        self.structured = structured
        self.send_temperature = True
        self._cancelled = threading.Event()
        self.sleep = sleep if sleep is not None else self._cancelled.wait
        self.retries = 0
        self._lock = threading.Lock()
        self._client = openai.OpenAI(
            base_url=endpoint, api_key=api_key, max_retries=0, timeout=timeout
        )

    def close(self) -> None:
        self._client.close()

    def cancel(self) -> None:
        """Stop retrying: waits end now and no further request starts (the run is failing)."""
        self._cancelled.set()

    # -- one request -----------------------------------------------------------------------

    def _request(self, messages: list[dict[str, str]], schema: dict[str, Any] | None) -> Completion:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages}
        if self.send_temperature:
            kwargs["temperature"] = self.temperature
        if schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "extractions", "schema": schema, "strict": True},
            }
        if not self.stream:
            resp = self._client.chat.completions.create(**kwargs)
            content = resp.choices[0].message.content if resp.choices else None
            usage = resp.usage
            return Completion(
                content or "",
                {
                    "prompt_tokens": usage.prompt_tokens if usage else 0,
                    "completion_tokens": usage.completion_tokens if usage else 0,
                },
                structured=schema is not None,
            )
        parts: list[str] = []
        counts = {"prompt_tokens": 0, "completion_tokens": 0}
        stream = self._client.chat.completions.create(
            stream=True, stream_options={"include_usage": True}, **kwargs
        )
        with stream:
            for chunk in stream:
                for choice in chunk.choices or []:
                    if choice.delta is not None and choice.delta.content:
                        parts.append(choice.delta.content)
                if chunk.usage is not None:
                    counts = {
                        "prompt_tokens": chunk.usage.prompt_tokens or 0,
                        "completion_tokens": chunk.usage.completion_tokens or 0,
                    }
        return Completion("".join(parts), counts, structured=schema is not None)

    # -- with retries ----------------------------------------------------------------------

    def _wait(self, attempt: int, headers: httpx.Headers | None) -> None:
        asked = retry_after_seconds(headers)
        if asked is None:
            asked = self.backoff * (2**attempt) * (1 + random.random() / 4)
        self.sleep(min(asked, self.max_wait))

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> Completion:
        """One answer for ``messages``, retrying transient failures.

        Raises:
            RequestFailed: a non-retryable refusal (key, model name, bad request) or a
                transient failure that outlasted every retry.
        """
        attempt = 0
        while True:
            if self._cancelled.is_set():
                raise RequestFailed(f"{self.endpoint}: cancelled, another request failed")
            use_schema = schema if self.structured else None
            try:
                done = self._request(messages, use_schema)
                done.attempts = attempt + 1
                return done
            except openai.APIStatusError as exc:
                status = exc.status_code
                if use_schema is not None and _refuses_format(exc):
                    with self._lock:
                        self.structured = False
                    continue  # ask again, for plain JSON; not a retry
                if self.send_temperature and _refuses(exc, "temperature"):
                    with self._lock:
                        self.send_temperature = False
                    continue  # models that only sample at their default (reasoning models)
                if status == 429 or status >= 500:
                    if attempt >= self.max_retries:
                        raise RequestFailed(
                            f"{self.endpoint}: HTTP {status} after {attempt + 1} attempts",
                            hint="the server is overloaded or rate-limiting: rerun later; "
                            "answers already received are cached",
                        ) from None
                    self._count_retry()
                    self._wait(attempt, exc.response.headers)
                    attempt += 1
                    continue
                raise RequestFailed(_refusal(self.endpoint, self.model, status)) from None
            except (openai.APITimeoutError, openai.APIConnectionError) as exc:
                kind = "timed out" if isinstance(exc, openai.APITimeoutError) else "unreachable"
                if attempt >= self.max_retries:
                    raise RequestFailed(
                        f"{self.endpoint}: {kind} after {attempt + 1} attempts",
                        hint="check --endpoint and that the server is up; answers already "
                        "received are cached",
                    ) from None
                self._count_retry()
                self._wait(attempt, None)
                attempt += 1

    def _count_retry(self) -> None:
        with self._lock:
            self.retries += 1


def _refusal(endpoint: str, model: str, status: int) -> str:
    if status in (401, 403):
        return f"{endpoint}: the server refused the API key (HTTP {status})"
    if status == 404:
        return f"{endpoint}: HTTP 404: unknown model {model!r} or wrong endpoint path"
    return f"{endpoint}: the server refused the request (HTTP {status})"
