"""Helpers shared by the studio tests and their conftest (imported by path, see conftest.py)."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """Fail in CI, skip locally: a missing server or browser must never pass silently."""
    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)
