"""``backchannel serve --detach``: run the ML backend in the background, stop it with the studio.

A detached backend is a ``backchannel serve`` child process in its own session (it survives the
command that started it).  Its state file ``DATA_DIR/backend-PORT.json`` (URL, pid, log; no
secret) lives beside the local Label Studio's, so ``backchannel studio down`` stops both.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from backchannel.atomic import atomic_write
from backchannel.errors import StudioServerError
from backchannel.processes import alive, terminate_group

__all__ = ["BackendInfo", "backend_answers", "running_backends", "start_detached", "stop_backends"]

STATE_PREFIX = "backend-"


@dataclass(frozen=True)
class BackendInfo:
    """A detached backend (no secret)."""

    url: str
    port: int
    pid: int
    model: str
    log_path: str


def backend_answers(url: str, timeout: float = 2.0) -> bool:
    """True when ``url/health`` answers (401 counts: the backend runs with basic auth)."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout) as resp:
            return resp.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code == 401
    except (urllib.error.URLError, OSError, TimeoutError):
        return False


def _state_path(data_dir: Path, port: int) -> Path:
    return data_dir / f"{STATE_PREFIX}{port}.json"


def start_detached(
    argv: Sequence[str],
    *,
    url: str,
    port: int,
    model: str,
    data_dir: str | Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> BackendInfo:
    """Start ``argv`` (a ``backchannel serve`` without ``--detach``) and wait until it answers.

    Raises:
        StudioServerError: the backend exited or did not answer in time (the log is named).
    """
    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"{STATE_PREFIX}{port}.log"
    with open(log, "ab") as fh:
        proc = subprocess.Popen(
            list(argv),
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while not backend_answers(url):
        if proc.poll() is not None:
            raise StudioServerError(
                f"the backend exited during start (code {proc.returncode})", path=log
            )
        if time.monotonic() > deadline:
            terminate_group(proc.pid)
            raise StudioServerError(f"the backend did not answer in {timeout:.0f} s", path=log)
        time.sleep(0.2)
    info = BackendInfo(url=url, port=port, pid=proc.pid, model=model, log_path=str(log))
    with atomic_write(_state_path(data_dir, port)) as fh:
        json.dump(asdict(info), fh, indent=2)
    return info


def running_backends(data_dir: str | Path) -> list[BackendInfo]:
    """Detached backends recorded in ``data_dir`` whose process still runs."""
    data_dir = Path(data_dir).expanduser().resolve()
    out = []
    for path in sorted(data_dir.glob(f"{STATE_PREFIX}*.json")):
        try:
            info = BackendInfo(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
        if alive(info.pid):
            out.append(info)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return out


def stop_backends(data_dir: str | Path) -> list[BackendInfo]:
    """Stop every detached backend recorded in ``data_dir``; returns what was stopped."""
    data_dir = Path(data_dir).expanduser().resolve()
    stopped = []
    for info in running_backends(data_dir):
        terminate_group(info.pid)
        with contextlib.suppress(FileNotFoundError):
            _state_path(data_dir, info.port).unlink()
        stopped.append(info)
    return stopped
