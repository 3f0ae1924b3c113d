"""Every ``--help`` reads like git's or click's: no Python types, nothing cut, paragraphs wrapped.

typer's rich renderer tagged every parameter with a Python type (``<bool>`` even on
``--help``), cut long option help with ``…`` at 80 columns and kept a docstring's single line
breaks (``studio up``).  These tests render each command's help at 80 columns.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from backchannel.cli.app import app

WIDTH = 80


def _command_paths(command: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        if not sub.hidden:
            found += _command_paths(sub, [*path, name])
    return found


COMMANDS = _command_paths(typer.main.get_command(app), [])


def _help(path: list[str]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.output


def _description_paragraphs(text: str) -> list[list[str]]:
    """The paragraphs between the usage line and the first section heading."""
    lines = text.splitlines()
    body: list[str] = []
    for line in lines[1:]:
        if re.match(r"^[A-Z][a-z]+:$", line):
            break
        body.append(line)
    paragraphs: list[list[str]] = [[]]
    for line in body:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "backchannel")
def test_help_has_no_python_types_and_nothing_cut(path: list[str]) -> None:
    text = _help(path)
    assert not re.search(r"<(bool|str|int|float|file|dir|path|list\[[^>]*\])[^>]*>", text), text
    assert "…" not in text
    assert not re.search(r"\{[A-Z_]+\}", text), text  # typer's {ARG} in usage lines
    assert max(len(line) for line in text.splitlines()) <= WIDTH


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "backchannel")
def test_description_paragraphs_are_wrapped_not_broken(path: list[str]) -> None:
    """A line ends early only where the paragraph ends: the next word would not have fitted."""
    for paragraph in _description_paragraphs(_help(path)):
        for line, following in itertools.pairwise(paragraph):
            next_word = following.split()[0]
            assert len(line.rstrip()) + 1 + len(next_word) > WIDTH - 2, (line, following)


def test_options_show_click_placeholders_and_flags_none() -> None:
    text = _help(["ingest"])
    assert "Usage: backchannel ingest [OPTIONS] SRC..." in text
    assert re.search(r"^  -o, --output TEXT\s", text, re.M)
    assert re.search(r"^  --near-dup-threshold FLOAT\s", text, re.M)
    assert re.search(r"^  --skip-bad\s+Skip", text, re.M)
    assert re.search(r"^  -h, --help\s+Show this message", text, re.M)
    agree = _help(["agree"])
    assert re.search(r"^  --format \[json\|md\|html\]\s", agree, re.M)
    assert re.search(r"^  --gold FILE\s", agree, re.M)
    assert re.search(r"^  --bootstrap INTEGER\s", agree, re.M)
    assert re.search(r"^  --data-dir DIRECTORY\s", _help(["studio", "up"]), re.M)
