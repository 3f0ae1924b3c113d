"""Where a Label Studio server is, how we authenticate, and how its errors read.

The token is read from ``--token``, ``$LABEL_STUDIO_API_KEY`` or the 0600 file of a server
started by ``backchannel studio up``; :class:`Connection` hides it from ``repr``.  Every SDK and
httpx error is turned by :func:`translate_error` into a :class:`StudioError` subclass built from
the status code and body only, so that (raised ``from None``) no traceback carries request
headers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.annotation.labelstudio.credentials import read_token
from backchannel.annotation.labelstudio.server import DEFAULT_DATA_DIR, status
from backchannel.errors import (
    StudioAuthError,
    StudioConnectionError,
    StudioError,
    quote,
)

__all__ = ["RERUN_HINT", "Connection", "resolve_connection", "translate_error"]

URL_ENV = "LABEL_STUDIO_URL"
TOKEN_ENV = "LABEL_STUDIO_API_KEY"
RERUN_HINT = (
    "the server's log says why; run the command again when it is healthy: "
    "push and pull are safe to re-run"
)


@dataclass(frozen=True)
class Connection:
    """Where the server is and how to authenticate; the token never shows in ``repr``."""

    url: str
    token: str = field(repr=False)
    source: str = "arguments"

    def __str__(self) -> str:
        return f"{self.url} (token from {self.source})"


def resolve_connection(
    url: str | None = None,
    token: str | None = None,
    *,
    data_dir: str | Path | None = DEFAULT_DATA_DIR,
) -> Connection:
    """``--url``/``--token``, else ``$LABEL_STUDIO_URL``/``$LABEL_STUDIO_API_KEY``, else the server
    started by ``backchannel studio up`` in ``data_dir``.

    Raises:
        StudioAuthError: no token anywhere.
        StudioConnectionError: no URL anywhere.
    """
    source = "arguments"
    url = url or os.environ.get(URL_ENV)
    if token is None and os.environ.get(TOKEN_ENV):
        token, source = os.environ[TOKEN_ENV], f"${TOKEN_ENV}"
    if (url is None or token is None) and data_dir is not None:
        local = status(data_dir)
        if local is not None:
            if url is None:
                url = local.url
            if token is None and url.rstrip("/") == local.url:
                token, source = read_token(local.token_file), local.token_file
    if url is None:
        raise StudioConnectionError(
            "no Label Studio URL",
            hint=f"pass --url, set ${URL_ENV}, or start one with `backchannel studio up`",
        )
    if not token:
        raise StudioAuthError(
            f"no API token for {url}",
            hint=f"pass --token or set ${TOKEN_ENV} (Account & Settings in the web UI)",
        )
    return Connection(url=url.rstrip("/"), token=token.strip(), source=source)


# -- error mapping ------------------------------------------------------------------------------


def _body_text(body: Any) -> str:
    if isinstance(body, Mapping):
        for key in ("detail", "validation_errors", "error", "message"):
            if key in body:
                return quote(body[key], 200)
    return quote(body, 200)


def translate_error(exc: BaseException, what: str, url: str) -> StudioError | None:
    """An upstream error as one of ours, built from status and body only (never headers)."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    if isinstance(exc, StudioError):
        return exc
    if isinstance(exc, ApiError):
        code = exc.status_code
        if code in (401, 403):
            return StudioAuthError(
                f"{what}: the server at {url} refused the token (HTTP {code}: "
                f"{_body_text(exc.body)})",
                hint=f"check --token / ${TOKEN_ENV}",
            )
        return StudioError(
            f"{what}: HTTP {code} from {url}: {_body_text(exc.body)}",
            hint=RERUN_HINT if code >= 500 else None,
        )
    if isinstance(exc, httpx.TimeoutException):
        return StudioConnectionError(f"{what}: {url} timed out", hint=RERUN_HINT)
    if isinstance(exc, httpx.TransportError):
        return StudioConnectionError(
            f"{what}: cannot reach Label Studio at {url} ({type(exc).__name__})",
            hint="is it running? `backchannel studio status`",
        )
    if isinstance(exc, httpx.HTTPError):
        return StudioError(f"{what}: {type(exc).__name__} talking to {url}")
    return None
