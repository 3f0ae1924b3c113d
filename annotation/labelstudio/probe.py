"""Ask the network about a local Label Studio: is a port free, does the server answer, as whom.

Everything runs on 127.0.0.1 (:data:`HOST`).  A busy port makes Label Studio move silently to the
next free one, so the server module checks the port itself first, and afterwards checks with
:func:`whoami` that ``/api/current-user/whoami`` answers as our admin.  Plain ``urllib`` on
purpose: these probes run before and beside the SDK, and must never raise on a dead server.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

__all__ = ["HOST", "free_port", "healthy", "port_in_use", "whoami"]

HOST = "127.0.0.1"


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something already listens on ``host:port`` (or the port cannot be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        if sock.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port() -> int:
    """A port the kernel says is free right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError, TimeoutError):
        return 0, b""


def healthy(url: str) -> bool:
    """True when ``/health/`` answers 200 with ``UP``."""
    status_code, body = _get(f"{url}/health/")
    return status_code == 200 and b"UP" in body


def whoami(url: str, token: str) -> str | None:
    """The email the token belongs to, or None when the server refuses it."""
    status_code, body = _get(f"{url}/api/current-user/whoami", token)
    if status_code != 200:
        return None
    try:
        return str(json.loads(body).get("email"))
    except ValueError:
        return None
