"""Start, stop and inspect a local Label Studio: used by ``backchannel studio`` and by the tests.

The pieces live beside this module: :mod:`~backchannel.annotation.labelstudio.install` (the
pinned application in ``.venv-ls``), :mod:`~backchannel.annotation.labelstudio.environment` (the
clean environment it runs in), :mod:`~backchannel.annotation.labelstudio.credentials` (the 0600
token and password files) and :mod:`~backchannel.annotation.labelstudio.probe` (port and health
checks).  This module runs the server process.

Facts it relies on (measured with label-studio 1.23.2, see docs/labelstudio.md):

- ``LABEL_STUDIO_USERNAME`` / ``_PASSWORD`` / ``_USER_TOKEN`` create the admin and its token when
  the database is first initialised; the token (a "legacy" token) is refused by the API unless
  ``LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true`` was set when the organisation was created.
- A busy port makes Label Studio move silently to the next free one, so we check the port
  ourselves first, and afterwards check that ``/api/current-user/whoami`` answers as our admin.
- ``label-studio init`` migrates and creates the admin without serving: the result is kept as a
  template data directory (per credentials) and copied for each new data directory, which cuts a
  cold start from about 30 s to a few seconds.

``server.json`` in the data directory records the URL, pid, port and log path (no secret).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from backchannel.annotation.labelstudio.credentials import (
    PASSWORD_FILE,
    TOKEN_FILE,
    credentials,
    read_token,
)
from backchannel.annotation.labelstudio.environment import server_environment
from backchannel.annotation.labelstudio.install import Say, ensure_installed, executable
from backchannel.annotation.labelstudio.probe import HOST, healthy, port_in_use, whoami
from backchannel.atomic import atomic_write
from backchannel.errors import StudioServerError
from backchannel.processes import alive, terminate_group

__all__ = [
    "DB_FILE",
    "DEFAULT_DATA_DIR",
    "DEFAULT_PORT",
    "LOG_FILE",
    "ServerInfo",
    "start_server",
    "status",
    "stop_server",
]

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = Path(".studio")
STATE_FILE = "server.json"
LOG_FILE = "label-studio.log"
DB_FILE = "label_studio.sqlite3"
START_TIMEOUT = 240.0


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class ServerInfo:
    """A running (or last started) local Label Studio; holds no secret.

    Attributes:
        url: base URL, always on 127.0.0.1.
        port: the TCP port.
        pid: process id of the server (leader of its own process group).
        data_dir: where the database, media, log and token file live.
        username: the admin's email.
        token_file: file (mode 0600) holding the admin's API token.
        password_file: file (mode 0600) holding the admin's password (for the web UI).
        log_path: the server's combined stdout/stderr.
    """

    url: str
    port: int
    pid: int
    data_dir: str
    username: str
    token_file: str
    password_file: str
    log_path: str

    def token(self) -> str:
        """The API token, read from its file (kept out of the dataclass so it never prints)."""
        return read_token(self.token_file)

    def password(self) -> str:
        return read_token(self.password_file)


# -- state and process -------------------------------------------------------------------------


def _state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def _read_state(data_dir: Path) -> ServerInfo | None:
    try:
        raw = json.loads(_state_path(data_dir).read_text(encoding="utf-8"))
        return ServerInfo(**raw)
    except (OSError, ValueError, TypeError):
        return None


def _log_tail(log: Path, lines: int = 1) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    for line in reversed(text[-40:]):
        line = line.strip()
        if line and not line.startswith(("WARNING: Location", "warnings.warn")):
            return line[:160]
    return ""


# -- init template ------------------------------------------------------------------------------


def _template_dir(venv: Path, username: str, password: str, token: str) -> Path:
    key = hashlib.sha256(f"{username}\0{password}\0{token}".encode()).hexdigest()[:16]
    return venv / "backchannel-templates" / key


def _initialise(
    venv: Path, data_dir: Path, username: str, password: str, token: str, *, cache: bool = True
) -> None:
    """Create the database and admin in ``data_dir``, from a cached template when possible.

    With ``cache`` false (one-off random credentials) the template is built in a scratch
    directory and not kept: nobody would ever reuse it.
    """
    template = _template_dir(venv, username, password, token)
    if not cache:
        template = data_dir / ".init-template"
    if not (template / DB_FILE).is_file():
        building = template.with_name(template.name + f".building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        log = building / "init.log"
        with open(log, "w", encoding="utf-8") as fh:
            done = subprocess.run(
                [str(executable(venv)), "init", "--data-dir", str(building), "--quiet"],
                env=server_environment(building, username, password, token),
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=building,
                timeout=600,
            )
        if done.returncode != 0 or not (building / DB_FILE).is_file():
            kept = data_dir / "init.log"
            data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, kept)
            raise StudioServerError(f"label-studio init failed: {_log_tail(log)}", path=kept)
        with contextlib.suppress(OSError):
            os.replace(building, template)
        shutil.rmtree(building, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(template / DB_FILE, data_dir / DB_FILE)
    if not cache:
        shutil.rmtree(template, ignore_errors=True)


# -- start / stop / status ----------------------------------------------------------------------


def start_server(
    *,
    port: int = DEFAULT_PORT,
    data_dir: str | Path = DEFAULT_DATA_DIR,
    username: str | None = None,
    venv: Path | None = None,
    timeout: float = START_TIMEOUT,
    say: Say = _quiet,
) -> ServerInfo:
    """Start Label Studio on ``127.0.0.1:port`` in the background and wait until it serves.

    The data directory keeps the database, the log, ``server.json`` and the 0600 token and
    password files; re-using it keeps projects and annotations.  The server runs in its own
    process group and survives this process; stop it with :func:`stop_server`.

    Raises:
        StudioServerError: port in use, installation or start failed, or the server died; the
            message names the log file.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    running = status(data_dir)
    if running is not None:
        raise StudioServerError(
            f"a Label Studio from this data directory already runs at {running.url} "
            f"(pid {running.pid})",
            path=data_dir,
            hint="use `backchannel studio down` first, or another --data-dir",
        )
    if port_in_use(port):
        raise StudioServerError(
            f"port {port} on {HOST} is in use",
            hint=f"choose another with --port, e.g. --port {port + 1}",
        )
    venv = ensure_installed(venv, say)
    user, password, token, generated = credentials(data_dir, username)
    if not (data_dir / DB_FILE).is_file():
        say("Initialising a new Label Studio database (about 30 s the first time)…")
        _initialise(venv, data_dir, user, password, token, cache=not generated)
    log = data_dir / LOG_FILE
    env = server_environment(data_dir, user, password, token)
    with open(log, "ab") as fh:
        proc = subprocess.Popen(
            [
                str(executable(venv)),
                "start",
                "--no-browser",
                "--data-dir",
                str(data_dir),
                "--internal-host",
                HOST,
                "--port",
                str(port),
            ],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data_dir,
            start_new_session=True,
        )
    url = f"http://{HOST}:{port}"
    info = ServerInfo(
        url=url,
        port=port,
        pid=proc.pid,
        data_dir=str(data_dir),
        username=user,
        token_file=str(data_dir / TOKEN_FILE),
        password_file=str(data_dir / PASSWORD_FILE),
        log_path=str(log),
    )
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc.poll() is not None:
            raise StudioServerError(
                f"Label Studio exited during start (code {proc.returncode}): {_log_tail(log)}",
                path=log,
            )
        if time.monotonic() > deadline:
            terminate_group(proc.pid)
            raise StudioServerError(
                f"Label Studio did not become healthy in {timeout:.0f} s", path=log
            )
        time.sleep(0.3)
    who = whoami(url, token)
    if who != user:
        terminate_group(proc.pid)
        raise StudioServerError(
            f"the server on {url} does not accept our admin token (answered as {who!r}); "
            "another Label Studio may hold the port, or the data directory belongs to other "
            "credentials",
            path=log,
        )
    with atomic_write(_state_path(data_dir)) as fh:
        json.dump(asdict(info), fh, indent=2)
    return info


def status(data_dir: str | Path = DEFAULT_DATA_DIR) -> ServerInfo | None:
    """The server started from ``data_dir`` if it still runs and answers, else None."""
    data_dir = Path(data_dir).expanduser().resolve()
    info = _read_state(data_dir)
    if info is None or not alive(info.pid):
        return None
    if not healthy(info.url):
        return None
    return info


def stop_server(data_dir: str | Path = DEFAULT_DATA_DIR) -> ServerInfo | None:
    """Stop the server started from ``data_dir``; returns what was stopped, or None.

    Raises:
        StudioServerError: when a server is recorded but will not die.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    info = _read_state(data_dir)
    if info is None or not alive(info.pid):
        with contextlib.suppress(FileNotFoundError):
            _state_path(data_dir).unlink()
        return None
    terminate_group(info.pid)
    if alive(info.pid):
        raise StudioServerError(f"Label Studio (pid {info.pid}) did not stop", path=info.log_path)
    with contextlib.suppress(FileNotFoundError):
        _state_path(data_dir).unlink()
    return info
