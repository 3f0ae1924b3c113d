"""docs/architecture.md is drawn from the code: each path it names exists, each package is named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
TREES = ("src/backchannel", "annotation", "eval")


def _packages() -> list[str]:
    return sorted(
        p.parent.relative_to(ROOT).as_posix()
        for tree in TREES
        for p in (ROOT / tree).rglob("__init__.py")
    )


def test_every_package_folder_has_a_row() -> None:
    rows = set(re.findall(r"^\| `([^`]+)/` \|", DOC, flags=re.M))
    rows |= {f"eval/models/{name}" for name in re.findall(r"`(\w+)/` \(", DOC)}
    missing = [p for p in _packages() if p not in rows]
    assert missing == [], f"packages with no row in docs/architecture.md: {missing}"


def test_every_module_named_in_a_row_exists() -> None:
    for line in DOC.splitlines():
        m = re.match(r"^\| `([^`]+)/` \|", line)
        if not m:
            continue
        folder = ROOT / m.group(1)
        assert folder.is_dir(), m.group(1)
        for name in re.findall(r"`(\w+)\.py`", line):
            hits = list(folder.rglob(f"{name}.py"))
            assert hits, f"docs/architecture.md names {m.group(1)}/{name}.py, which does not exist"


def test_every_module_is_named() -> None:
    """A module added without a word in the map fails here, so the map stays the code's."""
    missing = []
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if path.name == "__init__.py":
                continue
            if f"`{path.name}`" not in DOC and f"`{path.stem}`" not in DOC:
                missing.append(path.relative_to(ROOT).as_posix())
    assert missing == [], f"modules docs/architecture.md does not name: {missing}"
