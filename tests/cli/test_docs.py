"""Documentation checked against the code: the CLI reference must match the command tree."""

from __future__ import annotations

from pathlib import Path

from backchannel.cli.app import app
from backchannel.cli.reference import render_reference


def test_cli_reference_is_current(repo_root: Path) -> None:
    committed = (repo_root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render_reference(app), (
        "docs/cli.md is stale: run `.venv/bin/python -m backchannel.cli.reference`"
    )


def test_every_command_is_in_the_reference() -> None:
    text = render_reference(app)
    for command in ("backchannel ingest", "backchannel schema validate", "backchannel studio up"):
        assert f"## `{command}`" in text
