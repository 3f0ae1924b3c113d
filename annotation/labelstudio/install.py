"""Install the pinned Label Studio application into its own virtualenv, on first use.

Label Studio is a Django application with heavy pinned dependencies, so it lives in its own
virtualenv (``.venv-ls/`` at the repository root, or ``$BACKCHANNEL_LS_VENV``), installed from
:data:`LABEL_STUDIO_REQUIREMENT`, the one place the version is pinned.  A marker file in the
virtualenv records what was installed, so later starts cost nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from backchannel.annotation.labelstudio.environment import base_env
from backchannel.errors import StudioServerError

__all__ = [
    "LABEL_STUDIO_REQUIREMENT",
    "default_venv",
    "ensure_installed",
    "executable",
]

LABEL_STUDIO_REQUIREMENT = "label-studio==1.23.2"
"""The one pin of the Label Studio application (the SDK is pinned in pyproject.toml)."""

MARKER_FILE = ".backchannel-installed"

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


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


def executable(venv: Path) -> Path:
    """The ``label-studio`` command of a virtualenv."""
    return venv / "bin" / "label-studio"


def _installed_version(venv: Path) -> str | None:
    marker = venv / MARKER_FILE
    if marker.is_file() and executable(venv).is_file():
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
    if executable(venv).is_file():
        # Installed by hand (or by an older backchannel): accept it if the version is right.
        probe = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
            capture_output=True,
            text=True,
            env=base_env(),
        )
        wanted = LABEL_STUDIO_REQUIREMENT.split("==", 1)[1]
        if probe.returncode == 0 and probe.stdout.strip() == wanted:
            (venv / MARKER_FILE).write_text(LABEL_STUDIO_REQUIREMENT + "\n")
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
    if done.returncode != 0 or not executable(venv).is_file():
        raise StudioServerError(f"pip install {LABEL_STUDIO_REQUIREMENT} failed", path=log)
    (venv / MARKER_FILE).write_text(LABEL_STUDIO_REQUIREMENT + "\n")
    say(f"Installed {LABEL_STUDIO_REQUIREMENT}.")
    return venv
