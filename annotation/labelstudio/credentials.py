"""The admin credentials of a local Label Studio data directory, kept in files of mode 0600.

Each data directory has one admin: its email in ``admin-user``, its password (for the web UI) in
``admin-password`` and its API token in ``api-token``.  A new directory gets random ones; tests
and benchmarks fix them with :func:`seed_credentials`.  Secrets are read from their files when
needed and are never printed or logged.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from backchannel.errors import StudioServerError

__all__ = [
    "DEFAULT_USERNAME",
    "PASSWORD_FILE",
    "TOKEN_FILE",
    "credentials",
    "read_token",
    "seed_credentials",
]

DEFAULT_USERNAME = "admin@backchannel.local"
TOKEN_FILE = "api-token"
PASSWORD_FILE = "admin-password"
USER_FILE = "admin-user"


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)


def read_token(path: str | Path) -> str:
    """Read a secret file written by :func:`credentials` or :func:`seed_credentials`."""
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise StudioServerError(f"cannot read the token file ({exc.strerror})", path=path) from None


def credentials(data_dir: Path, username: str | None) -> tuple[str, str, str, bool]:
    """Existing credentials of a data dir, or new random ones (written 0600); True if new."""
    token_file, password_file = data_dir / TOKEN_FILE, data_dir / PASSWORD_FILE
    user_file = data_dir / USER_FILE
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
    (data_dir / USER_FILE).write_text(username + "\n", encoding="utf-8")
    _write_secret(data_dir / PASSWORD_FILE, password)
    _write_secret(data_dir / TOKEN_FILE, token)
