"""Start, stop and inspect a local Label Studio: used by ``backchannel studio`` and by the tests.

Label Studio is a Django application with heavy pinned dependencies, so it lives in its own
virtualenv (``.venv-ls/`` at the repository root, or ``$BACKCHANNEL_LS_VENV``), installed on first
use from :data:`LABEL_STUDIO_REQUIREMENT`, the one place the version is pinned.

Facts this module relies on (measured with label-studio 1.23.2, see docs/labelstudio.md):

- Label Studio reads ``LABEL_STUDIO_X``, then ``HEARTEX_X``, then plain ``X`` for its settings, so
  a stray ``HOST``, ``PORT``, ``USERNAME`` or ``DJANGO_DB`` in the caller's environment would leak
  in: the server always starts with a cleaned environment (:func:`server_environment`).
- ``LABEL_STUDIO_USERNAME`` / ``_PASSWORD`` / ``_USER_TOKEN`` create the admin and its token when
  the database is first initialised; the token (a "legacy" token) is refused by the API unless
  ``LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true`` was set when the organisation was created.
  Credentials go through the environment, never the command line (``ps`` shows arguments).
- A busy port makes Label Studio move silently to the next free one, so we check the port
  ourselves first, and afterwards check that ``/api/current-user/whoami`` answers as our admin.
- ``label-studio init`` migrates and creates the admin without serving: the result is kept as a
  template data directory (per credentials) and copied for each new data directory, which cuts a
  cold start from about 30 s to a few seconds.

The token is written to a file of mode 0600 in the data directory and is never printed or logged;
``server.json`` beside it records the URL, pid, port and log path (no secret).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from backchannel.annotation.labelstudio.network import loopback_backend_environment
from backchannel.atomic import atomic_write
from backchannel.errors import StudioServerError

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_PORT",
    "LABEL_STUDIO_REQUIREMENT",
    "ServerInfo",
    "ensure_installed",
    "read_token",
    "seed_credentials",
    "server_environment",
    "start_server",
    "status",
    "stop_server",
]

LABEL_STUDIO_REQUIREMENT = "label-studio==1.23.2"
"""The one pin of the Label Studio application (the SDK is pinned in pyproject.toml)."""

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = Path(".studio")
DEFAULT_USERNAME = "admin@backchannel.local"
STATE_FILE = "server.json"
TOKEN_FILE = "api-token"
PASSWORD_FILE = "admin-password"
LOG_FILE = "label-studio.log"
DB_FILE = "label_studio.sqlite3"
HOST = "127.0.0.1"
START_TIMEOUT = 240.0

Say = Callable[[str], None]


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


# -- installation -------------------------------------------------------------------------------


def _repo_root() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "annotation").is_dir():
            return parent
    return None


def default_venv() -> Path:
    """``$BACKCHANNEL_LS_VENV``, else ``.venv-ls`` at the repository root (or the user cache)."""
    env = os.environ.get("BACKCHANNEL_LS_VENV")
    if env:
        return Path(env).expanduser().resolve()
    root = _repo_root()
    if root is not None:
        return root / ".venv-ls"
    return Path.home() / ".cache" / "backchannel" / "venv-ls"


def _executable(venv: Path) -> Path:
    return venv / "bin" / "label-studio"


def _installed_version(venv: Path) -> str | None:
    marker = venv / ".backchannel-installed"
    if marker.is_file() and _executable(venv).is_file():
        return marker.read_text(encoding="utf-8").strip()
    return None


def ensure_installed(venv: Path | None = None, say: Say = _quiet) -> Path:
    """Install Label Studio into its own virtualenv on first use; return the venv path.

    Raises:
        StudioServerError: when the virtualenv or the pip install fails (with the log path).
    """
    venv = venv or default_venv()
    if _installed_version(venv) == LABEL_STUDIO_REQUIREMENT:
        return venv
    python = venv / "bin" / "python"
    if _executable(venv).is_file():
        # Installed by hand (or by an older backchannel): accept it if the version is right.
        probe = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
            capture_output=True,
            text=True,
            env=_base_env(),
        )
        wanted = LABEL_STUDIO_REQUIREMENT.split("==", 1)[1]
        if probe.returncode == 0 and probe.stdout.strip() == wanted:
            (venv / ".backchannel-installed").write_text(LABEL_STUDIO_REQUIREMENT + "\n")
            return venv
    venv.mkdir(parents=True, exist_ok=True)  # `python -m venv` accepts an existing empty dir
    log = venv / "backchannel-install.log"
    say(
        f"Installing {LABEL_STUDIO_REQUIREMENT} into {venv} (first use only; this takes a few "
        f"minutes; log: {log})"
    )
    with open(log, "w", encoding="utf-8") as fh:
        if not python.is_file():
            done = subprocess.run(
                [sys.executable, "-m", "venv", str(venv)], stdout=fh, stderr=subprocess.STDOUT
            )
            if done.returncode != 0:
                raise StudioServerError(
                    f"could not create the Label Studio virtualenv {venv}", path=log
                )
        done = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                LABEL_STUDIO_REQUIREMENT,
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0 or not _executable(venv).is_file():
        raise StudioServerError(f"pip install {LABEL_STUDIO_REQUIREMENT} failed", path=log)
    (venv / ".backchannel-installed").write_text(LABEL_STUDIO_REQUIREMENT + "\n")
    say(f"Installed {LABEL_STUDIO_REQUIREMENT}.")
    return venv


# -- environment and files ----------------------------------------------------------------------


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def server_environment(data_dir: Path, username: str, password: str, token: str) -> dict[str, str]:
    """The whole environment of the server process: nothing of the caller's leaks in.

    Label Studio falls back from ``LABEL_STUDIO_X`` to ``HEARTEX_X`` to plain ``X``, so starting
    from the caller's environment would let ``HOST``, ``PORT``, ``USERNAME``, ``DJANGO_DB`` and the
    like change the server.  Offline settings keep it from calling home.
    """
    env = _base_env()
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_USERNAME": username,
            "LABEL_STUDIO_PASSWORD": password,
            "LABEL_STUDIO_USER_TOKEN": token,
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "false",
            "DJANGO_DB": "sqlite",
        }
    )
    env.update(loopback_backend_environment())  # an ML backend on this machine: docs/serve.md
    return env


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)


def read_token(path: str | Path) -> str:
    """Read a secret file written by :func:`start_server`."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise StudioServerError(f"cannot read the token file ({exc.strerror})", path=path) from None


def _state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def _read_state(data_dir: Path) -> ServerInfo | None:
    try:
        raw = json.loads(_state_path(data_dir).read_text(encoding="utf-8"))
        return ServerInfo(**raw)
    except (OSError, ValueError, TypeError):
        return None


def _credentials(data_dir: Path, username: str | None) -> tuple[str, str, str, bool]:
    """Existing credentials of a data dir, or new random ones (written 0600); True if new."""
    token_file, password_file = data_dir / TOKEN_FILE, data_dir / PASSWORD_FILE
    user_file = data_dir / "admin-user"
    if token_file.is_file() and password_file.is_file() and user_file.is_file():
        return (
            user_file.read_text(encoding="utf-8").strip(),
            read_token(password_file),
            read_token(token_file),
            False,
        )
    user = username or DEFAULT_USERNAME
    password = secrets.token_urlsafe(18)
    token = secrets.token_hex(20)  # 40 hex characters, the size of a Django REST token
    data_dir.mkdir(parents=True, exist_ok=True)
    user_file.write_text(user + "\n", encoding="utf-8")
    _write_secret(password_file, password)
    _write_secret(token_file, token)
    return user, password, token, True


def seed_credentials(data_dir: str | Path, username: str, password: str, token: str) -> None:
    """Fix the admin credentials of a new data directory before its first start.

    Tests and benchmarks use this with fixed values so that the cached ``label-studio init``
    template is reused across runs (a person's ``studio up`` gets random ones).
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "admin-user").write_text(username + "\n", encoding="utf-8")
    _write_secret(data_dir / PASSWORD_FILE, password)
    _write_secret(data_dir / TOKEN_FILE, token)


# -- probing ------------------------------------------------------------------------------------


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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still "exists": ask waitpid when it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


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
                [str(_executable(venv)), "init", "--data-dir", str(building), "--quiet"],
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
    user, password, token, generated = _credentials(data_dir, username)
    if not (data_dir / DB_FILE).is_file():
        say("Initialising a new Label Studio database (about 30 s the first time)…")
        _initialise(venv, data_dir, user, password, token, cache=not generated)
    log = data_dir / LOG_FILE
    env = server_environment(data_dir, user, password, token)
    with open(log, "ab") as fh:
        proc = subprocess.Popen(
            [
                str(_executable(venv)),
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
            _terminate(proc.pid)
            raise StudioServerError(
                f"Label Studio did not become healthy in {timeout:.0f} s", path=log
            )
        time.sleep(0.3)
    who = whoami(url, token)
    if who != user:
        _terminate(proc.pid)
        raise StudioServerError(
            f"the server on {url} does not accept our admin token (answered as {who!r}); "
            "another Label Studio may hold the port, or the data directory belongs to other "
            "credentials",
            path=log,
        )
    with atomic_write(_state_path(data_dir)) as fh:
        json.dump(asdict(info), fh, indent=2)
    return info


def _terminate(pid: int, grace: float = 10.0) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        while _alive(pid) and time.monotonic() < deadline + 5:
            time.sleep(0.1)


def status(data_dir: str | Path = DEFAULT_DATA_DIR) -> ServerInfo | None:
    """The server started from ``data_dir`` if it still runs and answers, else None."""
    data_dir = Path(data_dir).expanduser().resolve()
    info = _read_state(data_dir)
    if info is None or not _alive(info.pid):
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
    if info is None or not _alive(info.pid):
        with contextlib.suppress(FileNotFoundError):
            _state_path(data_dir).unlink()
        return None
    _terminate(info.pid)
    if _alive(info.pid):
        raise StudioServerError(f"Label Studio (pid {info.pid}) did not stop", path=info.log_path)
    with contextlib.suppress(FileNotFoundError):
        _state_path(data_dir).unlink()
    return info
