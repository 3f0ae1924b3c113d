"""README's install section leaves a newcomer with a working ``backchannel`` on PATH (issue 15).

README's commands are written as bare ``backchannel ...``; after ``.venv/bin/backchannel
--version`` it must say to activate the venv before the first of them, or a newcomer's shell
answers "command not found".
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bash_lines(text: str) -> list[str]:
    lines, inside = [], False
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("```"):
            inside = not inside and stripped in ("```bash", "```sh", "```shell")
            continue
        if inside and stripped:
            lines.append(stripped)
    return lines


def test_readme_activates_the_venv_before_bare_backchannel() -> None:
    lines = _bash_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    first_bare = next(i for i, line in enumerate(lines) if line.startswith("backchannel "))
    activate = [i for i, line in enumerate(lines) if line.startswith("source .venv/bin/activate")]
    assert activate, "README never says `source .venv/bin/activate`"
    assert activate[0] < first_bare


def test_readme_install_line_is_the_one_ci_checks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "check_install.sh").read_text(encoding="utf-8")
    line = "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'"
    assert line in readme
    assert line in script  # the script installs exactly this way (named in its comment)
    assert "bin/pip\" install -q --disable-pip-version-check -e '.[dev]'" in script
    assert "--upgrade pip" not in script
