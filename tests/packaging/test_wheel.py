"""A non-editable ``pip install .`` works: the wheel holds only ``backchannel.*``, the schema ships
inside it, and the installed console script runs from site-packages, not from the repository.

The source tree is copied first (only what pyproject.toml maps into the package, plus the
metadata files), so the build never writes ``build/`` or ``*.egg-info`` into the shared checkout
and the test sees exactly what a user's ``pip install .`` would package.  The wheel is built the
way pip builds it for a user (isolated build environment, from the package index or pip's cache).
The fresh venv gets the project's dependencies through a ``.pth`` line naming the test
interpreter's site-packages: a plain path line does not run that directory's own ``.pth`` files,
so the repository's editable install stays invisible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from backchannel import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _copy_sources(dest: Path) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    roots = {Path(p).parts[0] for p in config["tool"]["setuptools"]["package-dir"].values()}
    roots |= set(config["build-system"].get("backend-path", []))  # the in-tree build backend
    for name in ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"]:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    for root in sorted(roots):
        shutil.copytree(
            ROOT / root, dest / root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )


def _run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env["BACKCHANNEL_NO_PROGRESS"] = "1"
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    _copy_sources(src)
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src, cwd=src)
    [whl] = dist.glob("backchannel-*.whl")
    return whl


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir, cwd=env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=env_dir
        ).stdout.strip()
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_backchannel_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=env_dir,
    )  # fmt: skip
    return env_dir


def test_wheel_holds_only_the_backchannel_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {"backchannel", f"backchannel-{__version__}.dist-info"}
    # every module of the source tree, so a subpackage missing from pyproject's list fails here
    root = Path(__file__).resolve().parents[2]
    trees = {"src/backchannel": "backchannel", "annotation": "backchannel/annotation",
             "eval": "backchannel/eval"}  # fmt: skip
    required = {
        "backchannel/schemas/diplomacy.yaml",
        "backchannel/annotation/export/templates/card.md.j2",  # package data the card renders
    }
    for src, dst in trees.items():
        required |= {
            f"{dst}/{p.relative_to(root / src).as_posix()}" for p in (root / src).rglob("*.py")
        }
    assert sorted(required - set(names)) == []
    entry_points = zipfile.ZipFile(wheel).read(
        f"backchannel-{__version__}.dist-info/entry_points.txt"
    )
    assert b"backchannel = backchannel.cli.app:main" in entry_points


def test_installed_cli_runs_from_site_packages(venv: Path, tmp_path: Path) -> None:
    exe = venv / "bin" / "backchannel"
    version = _run(exe, "--version", cwd=tmp_path)
    assert version.stdout == f"backchannel {__version__}\n"
    python = venv / "bin" / "python"
    assert _run(python, "-m", "backchannel", "--version", cwd=tmp_path).stdout == version.stdout
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                cwd=tmp_path).stdout.strip()  # fmt: skip
    module = _run(python, "-c", "import backchannel.annotation as m; print(m.__file__)",
                  cwd=tmp_path).stdout.strip()  # fmt: skip
    assert Path(module).is_relative_to(site)
    assert not Path(module).is_relative_to(ROOT)


def test_installed_schema_is_the_shipped_copy(venv: Path, tmp_path: Path) -> None:
    out = _run(venv / "bin" / "backchannel", "schema", "show", cwd=tmp_path).stdout
    first = out.splitlines()[0]
    shipped = first[first.index("(") + 1 : first.rindex(")")]
    assert shipped.endswith("backchannel/schemas/diplomacy.yaml")
    assert str(venv.resolve()) in str(Path(shipped).resolve())
    assert not Path(shipped).resolve().is_relative_to(ROOT)
    assert "spans: ACTOR" in out


def test_no_bare_top_level_packages(venv: Path, tmp_path: Path) -> None:
    code = (
        "import importlib.util as u\n"
        "print([n for n in ('annotation', 'eval', 'schemas') if u.find_spec(n)])"
    )
    assert _run(venv / "bin" / "python", "-c", code, cwd=tmp_path).stdout.strip() == "[]"


SAME_NAME_NOTICE = "Please be careful with folders in your working directory"


def test_installs_print_no_same_name_folder_notice(wheel: Path, tmp_path: Path) -> None:
    """setuptools' editable-install notice about same-name folders never reaches a user.

    ``-v`` shows the build backend's whole output, which is what pip 24+ shows by default for
    its warnings; the notice was there on every ``pip install -e .`` before the in-tree backend.
    """
    src = tmp_path / "src"
    src.mkdir()
    _copy_sources(src)
    env_dir = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", env_dir, cwd=tmp_path)
    editable = _run(
        sys.executable, "-m", "pip", "--python", env_dir / "bin" / "python", "install", "-v",
        "--no-deps", "-e", src, cwd=src,
    )  # fmt: skip
    text = editable.stdout + editable.stderr
    assert "Successfully installed backchannel" in text
    assert SAME_NAME_NOTICE not in text
    built = _run(sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", tmp_path / "w",
                 src, cwd=src)  # fmt: skip
    assert "Successfully built backchannel" in built.stdout + built.stderr
    assert SAME_NAME_NOTICE not in built.stdout + built.stderr
