"""A real backend on 127.0.0.1: uvicorn serving the Starlette app in a thread of the test."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from backchannel.annotation.labelstudio.probe import free_port
from backchannel.documents import Document


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the backend did not start"
        assert thread.is_alive(), "the backend thread died"
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)


class FixedPredictor:
    """A model that predicts the spans it was given for each text (offsets under test)."""

    def __init__(self, by_text: dict[str, Document], version: str = "fixed-1") -> None:
        self.by_text = by_text
        self.model_version = version

    def predict(self, docs: Sequence[Document]) -> list[Document]:
        return [self.by_text[d.text] for d in docs]


def post(url: str, path: str, payload: Any, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{url}{path}", json=payload, timeout=60, **kwargs)
