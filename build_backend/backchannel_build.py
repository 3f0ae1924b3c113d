"""setuptools' build backend, without the one editable-install notice that does not apply here.

The repository keeps ``annotation/``, ``eval/`` and ``schemas/`` at the top level and maps them
under ``backchannel.*`` (``[tool.setuptools] package-dir``).  For such a layout setuptools makes
an editable install with a meta path finder and, on every ``pip install -e .``, warns to "be
careful with folders in your working directory with the same name as your package".  No folder
here is named ``backchannel`` (the package's only top-level name), so the notice can never apply;
pip 24+ shows it to every new user all the same.  Every hook is setuptools' own; only that one
notice (matched by its exact title) is filtered, so any other warning still reaches the user.
"""

from __future__ import annotations

import warnings
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (re-export every PEP 517/660 hook)

_NOTICE = r"Editable installation\."


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """setuptools' ``build_editable`` with its same-name-folder notice filtered out."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_NOTICE)
        return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
