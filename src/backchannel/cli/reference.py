"""The CLI reference (docs/cli.md), generated from the command tree itself.

Rendered from click's parameter objects rather than from captured ``--help`` screens, so the
page is plain Markdown, independent of terminal width and colours, and a test can regenerate it
and fail when the committed page is stale (``python -m backchannel.cli.reference``
rewrites it).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import typer

from backchannel.atomic import atomic_write


def _subcommands(command: Any) -> dict[str, Any]:
    """Typer vendors its own click, so groups are recognised by shape, not by class."""
    return getattr(command, "commands", None) or {}


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    if _subcommands(command):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if not sub.hidden:
                found += _walk(sub, [*path, name])
    return found


def _param_row(param: Any) -> str:
    if param.param_type_name == "argument":
        name = f"`{(param.metavar or param.name or '').upper()}`"
        kind = "argument"
    else:
        name = ", ".join(f"`{opt}`" for opt in [*param.opts, *param.secondary_opts])
        kind = "flag" if getattr(param, "is_flag", False) else "option"
    help_text = " ".join((getattr(param, "help", None) or "").split())
    default = param.default
    shown = ""
    if kind == "option" and default not in (None, (), [], False) and not callable(default):
        shown = f" (default: `{default}`)"
    if param.required:
        shown += " (required)"
    return f"| {name} | {kind} | {help_text}{shown} |".replace("\n", " ")


def render_reference(app: typer.Typer) -> str:
    """Markdown for every command: usage line, description and a table of parameters."""
    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "_Generated from the command tree by `python -m backchannel.cli.reference`; "
        "a test fails when this page is stale._",
        "",
    ]
    for path, command in _walk(root, ["backchannel"]):
        title = " ".join(path)
        lines += [f"## `{title}`", ""]
        doc = inspect.cleandoc(command.help or "")
        if doc:
            lines += [doc.split("\n\n")[0].replace("\n", " "), ""]
        pieces = ["[OPTIONS]"]
        for param in command.params:
            if param.param_type_name != "argument":
                continue
            piece = (param.metavar or param.name or "").upper()
            piece += "..." if param.nargs == -1 else ""
            pieces.append(piece if param.required else f"[{piece}]")
        if _subcommands(command):
            pieces.append("COMMAND [ARGS]...")
        lines += ["```", f"{title} {' '.join(pieces)}".rstrip(), "```", ""]
        params = [p for p in command.params if p.name not in ("help",) and not p.hidden]
        if params:
            lines += ["| parameter | kind | description |", "|---|---|---|"]
            lines += [_param_row(p) for p in params]
            lines.append("")
        if _subcommands(command):
            subs = sorted(n for n, c in _subcommands(command).items() if not c.hidden)
            lines += ["Subcommands: " + ", ".join(f"`{s}`" for s in subs) + ".", ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    from backchannel.cli.app import app

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/cli.md")
    with atomic_write(target) as fh:
        fh.write(render_reference(app))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
