"""The environment a Label Studio process runs in: built from scratch, nothing of the caller's.

Label Studio reads ``LABEL_STUDIO_X``, then ``HEARTEX_X``, then plain ``X`` for its settings, so a
stray ``HOST``, ``PORT``, ``USERNAME`` or ``DJANGO_DB`` in the caller's environment would leak in.
Both the installer's version probe and the server start from :func:`base_env`; the server adds
its own settings with :func:`server_environment`.  Credentials go through the environment,
never the command line (``ps`` shows arguments).
"""

from __future__ import annotations

import os
from pathlib import Path

from backchannel.annotation.labelstudio.network import loopback_backend_environment

__all__ = ["base_env", "server_environment"]


def base_env() -> dict[str, str]:
    """The few variables any subprocess needs (path, home, temp dir), plus a UTF-8 locale."""
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
    env = base_env()
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
