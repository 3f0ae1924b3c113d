"""A real HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions API.

The model is the only fake: requests arrive over TCP through the ``openai`` client exactly as
they would at vLLM or OpenAI, and the answers are scripted.  A test queues *actions*; each
request takes the next one (or, when the queue is empty, asks ``responder`` for one):

* ``{"content": "..."}``: a normal answer (streamed as server-sent events when the request
  asks ``stream: true``), with ``usage`` counts;
* ``{"status": 429, "headers": {"Retry-After": "0.2"}}``: an error status with headers;
* ``{"sleep": 2.0, "content": "..."}``: answer only after a delay (a timeout, for a short
  client timeout);
* ``{"refuse_format": True}``: reject ``response_format`` like a server without structured
  output (400), then answer the next request normally.

Every request body is kept in ``requests`` so tests can check what was sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from backchannel.annotation.labelstudio.probe import free_port

Action = dict[str, Any]


def article_of(body: dict[str, Any]) -> str:
    """The text between <article> tags in the last user message that has them."""
    content = next(
        m["content"] for m in reversed(body["messages"]) if "<article>\n" in m["content"]
    )
    start = content.index("<article>\n") + len("<article>\n")
    return content[start : content.rindex("\n</article>")]


def answer(*extractions: tuple, relations: tuple = ()) -> Action:
    """A scripted answer: extractions as ``(text, label[, attrs])``, relations as
    ``(head, tail, label[, attrs])``."""
    ex = [{"text": e[0], "label": e[1], "attrs": e[2] if len(e) > 2 else {}} for e in extractions]
    rels = [
        {"head": r[0], "tail": r[1], "label": r[2], "attrs": r[3] if len(r) > 3 else {}}
        for r in relations
    ]
    return {"content": json.dumps({"extractions": ex, "relations": rels}, ensure_ascii=False)}


class ScriptedOpenAI:
    """The server: ``url`` is the API base (``http://127.0.0.1:PORT/v1``)."""

    def __init__(self) -> None:
        self.script: deque[Action] = deque()
        self.responder: Callable[[dict[str, Any]], Action] | None = None
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        app = Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> ScriptedOpenAI:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the scripted OpenAI server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def reset(self) -> None:
        self.script.clear()
        self.responder = None
        self.requests.clear()
        self.auth.clear()

    def queue(self, *actions: Action) -> None:
        self.script.extend(actions)

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.auth.append(request.headers.get("authorization"))
        if self.script:
            action = self.script.popleft()
        elif self.responder is not None:
            action = self.responder(body)
        else:
            return JSONResponse({"error": {"message": "nothing scripted"}}, status_code=500)
        if action.get("sleep"):
            await asyncio.sleep(action["sleep"])
        if action.get("refuse_format"):
            return JSONResponse(
                {"error": {"message": "response_format json_schema is not supported"}},
                status_code=400,
            )
        if "status" in action:
            return JSONResponse(
                {"error": {"message": action.get("message", "scripted error")}},
                status_code=action["status"],
                headers=action.get("headers", {}),
            )
        content = action["content"]
        usage = {
            "prompt_tokens": action.get("prompt_tokens", 100),
            "completion_tokens": action.get("completion_tokens", 10),
            "total_tokens": action.get("prompt_tokens", 100) + action.get("completion_tokens", 10),
        }
        base = {"id": "chatcmpl-1", "created": 0, "model": body.get("model", "scripted")}
        if not body.get("stream"):
            return JSONResponse(
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                }
            )

        async def events():
            step = max(1, len(content) // 5)
            for k in range(0, len(content), step):
                chunk = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"content": content[k : k + step]},
                            "finish_reason": None,
                        }
                    ],
                }
                yield f"data: {json.dumps(chunk)}\n\n"
            final = {**base, "object": "chat.completion.chunk", "choices": [], "usage": usage}
            yield f"data: {json.dumps(final)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")
