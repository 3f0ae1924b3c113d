"""The layering of docs/architecture.md, checked on the source: a broken arrow fails here.

Every ``import`` and ``from ... import`` in the package, at module level or inside a function,
is read with :mod:`ast` (nothing is imported), and each contract names the modules that may not
import a target.  The kernel (``backchannel.*`` outside ``cli``) sees neither side; annotation
never sees eval; no library module sees the command line; only ``annotation.labelstudio`` talks
to Label Studio's SDK.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = {
    "backchannel": ROOT / "src" / "backchannel",
    "backchannel.annotation": ROOT / "annotation",
    "backchannel.eval": ROOT / "eval",
}


@dataclass(frozen=True)
class Edge:
    """One import: ``module`` (where) imports ``target`` (what) at ``line``."""

    module: str
    target: str
    line: int


def _module_name(prefix: str, root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([prefix, *parts])


def _edges() -> list[Edge]:
    edges = []
    for prefix, root in TREES.items():
        for path in sorted(root.rglob("*.py")):
            module = _module_name(prefix, root, path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    edges += [Edge(module, alias.name, node.lineno) for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    edges.append(Edge(module, node.module, node.lineno))
                    # ``from backchannel.eval import scoring`` reaches the submodule too
                    edges += [
                        Edge(module, f"{node.module}.{alias.name}", node.lineno)
                        for alias in node.names
                    ]
    return edges


EDGES = _edges()


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _is_kernel(module: str) -> bool:
    return (
        _inside(module, "backchannel")
        and not _inside(module, "backchannel.annotation")
        and not _inside(module, "backchannel.eval")
        and not _inside(module, "backchannel.cli")
        and module != "backchannel.__main__"  # ``python -m backchannel``: the CLI's door
    )


CONTRACTS = {
    "the kernel imports neither side nor the CLI": (
        _is_kernel,
        ("backchannel.annotation", "backchannel.eval", "backchannel.cli"),
    ),
    "annotation never imports eval or the CLI": (
        lambda m: _inside(m, "backchannel.annotation"),
        ("backchannel.eval", "backchannel.cli"),
    ),
    "eval never imports the CLI": (lambda m: _inside(m, "backchannel.eval"), ("backchannel.cli",)),
    "only annotation.labelstudio imports label_studio_sdk": (
        lambda m: not _inside(m, "backchannel.annotation.labelstudio"),
        ("label_studio_sdk",),
    ),
}


@pytest.mark.parametrize("contract", sorted(CONTRACTS))
def test_contract_holds(contract: str) -> None:
    applies, forbidden = CONTRACTS[contract]
    broken = [
        f"{e.module}:{e.line} imports {e.target}"
        for e in EDGES
        if applies(e.module) and any(_inside(e.target, f) for f in forbidden)
    ]
    assert broken == [], f"{contract}: " + "; ".join(broken)


def test_the_checker_sees_imports_inside_functions() -> None:
    """The contracts would be empty promises if lazy imports were invisible."""
    lazy = [e for e in EDGES if e.module == "backchannel.annotation.labelstudio.api"]
    assert any(e.target.startswith("label_studio_sdk") for e in lazy)


def test_every_package_folder_is_read() -> None:
    """A new subpackage is covered without editing this file."""
    modules = {e.module for e in EDGES}
    for expected in (
        "backchannel.documents",
        "backchannel.cli.app",
        "backchannel.annotation.ingest.corpus",
        "backchannel.annotation.export.dataset",
        "backchannel.eval.scoring.scorer",
        "backchannel.eval.models.registry",
    ):
        assert expected in modules
