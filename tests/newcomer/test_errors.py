"""Every error a newcomer meets on the way: one line that says what to do, non-zero, no traceback.

Each case runs the real ``backchannel`` executable in a subprocess (as a person types it) from
an empty working directory with no ``LABEL_STUDIO_*`` variables, and checks that the whole
output is ONE line naming the problem and the remedy.  The cases that need a live server (wrong
token, port in use) use the session's Label Studio.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.server import ServerInfo

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "corpora" / "diplomacy" / "gold.jsonl"


@dataclass(frozen=True)
class Case:
    """One mistake: the command line and what its one line must say."""

    name: str
    args: list[str]
    says: list[str]
    env: dict[str, str] | None = None
    code: int | None = None


def _bad_label_file(where: Path) -> Path:
    """The first bundled gold article with one ACTOR mistyped as ACTRO."""
    first = GOLD.read_text(encoding="utf-8").splitlines()[0]
    path = where / "typo.jsonl"
    path.write_text(first.replace('"label":"ACTOR"', '"label":"ACTRO"', 1) + "\n", "utf-8")
    assert "ACTRO" in path.read_text(encoding="utf-8")
    return path


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    base["BACKCHANNEL_NO_PROGRESS"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "backchannel", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def assert_one_line(code: int, output: str, case: Case) -> None:
    lines = output.strip().splitlines()
    assert code != 0, f"{case.name}: exit 0\n{output}"
    if case.code is not None:
        assert code == case.code, f"{case.name}: exit {code}\n{output}"
    assert "Traceback" not in output, f"{case.name}: traceback\n{output}"
    assert len(lines) == 1, f"{case.name}: {len(lines)} lines\n{output}"
    for needle in case.says:
        assert needle in lines[0], f"{case.name}: {needle!r} not in {lines[0]!r}"


DEAD = f"http://127.0.0.1:{free_port()}"  # nothing listens there

OFFLINE = [
    Case(
        "push without a server",
        ["push", "corpus.jsonl"],
        ["error: no Label Studio URL", "backchannel studio up"],
        code=3,
    ),
    Case(
        "pull without a server",
        ["pull", "--project", "backchannel", "-o", "out.jsonl"],
        ["error: no Label Studio URL", "backchannel studio up"],
        code=3,
    ),
    Case(
        "review push without a server",
        ["review", "push", "corpus.jsonl", "--dir", "gold"],
        ["error: no Label Studio URL", "backchannel studio up"],
    ),
    Case(
        "studio status without a server",
        ["studio", "status"],
        ["no Label Studio running", "backchannel studio up"],
        code=1,
    ),
    Case(
        "push to a server that is not running",
        ["push", "corpus.jsonl"],
        ["cannot reach Label Studio", DEAD, "backchannel studio status"],
        env={"LABEL_STUDIO_URL": DEAD, "LABEL_STUDIO_API_KEY": "0" * 40},
        code=3,
    ),
    Case(
        "push a file that is not there, without a server",
        ["push", "crpus.jsonl"],
        ["error: crpus.jsonl", "no such file"],
    ),
    Case(
        "ingest a file that is not there",
        ["ingest", "artciles.jsonl", "-o", "corpus.jsonl"],
        ["error: artciles.jsonl", "no such file"],
    ),
    Case(
        "validate a file that is not there",
        ["schema", "validate", "gold.jsonl"],
        ["error: gold.jsonl", "no such file"],
    ),
    Case(
        "score without the gold file",
        ["score", "gold.jsonl", "corpus.jsonl"],
        ["error: gold.jsonl", "no such file"],
    ),
    Case(
        "export without the gold file",
        ["export", "gold.jsonl", "-o", "dataset"],
        ["error: gold.jsonl", "no such file"],
    ),
    Case(
        "adjudicate without the annotations file",
        ["adjudicate", "annotations.jsonl", "-o", "gold"],
        ["error: annotations.jsonl", "no such file"],
    ),
    Case(
        "agree without the annotations file",
        ["agree", "annotations.jsonl"],
        ["error: annotations.jsonl", "no such file"],
    ),
    Case(
        "unknown model name",
        ["predict", "--model", "rule", "corpus.jsonl"],
        ["error: unknown model 'rule'", "available: ", "rules"],
    ),
    Case(
        "spacy without a model directory",
        ["predict", "--model", "spacy", "corpus.jsonl", "-o", "preds.jsonl"],
        ["error:", "backchannel train --model spacy", "--model-dir"],
    ),
    Case(
        "spacy with a model directory that is not there",
        ["predict", "--model", "spacy", "corpus.jsonl", "--model-dir", "models/spcy"],
        ["error: models/spcy", "backchannel train --model spacy"],
    ),
    Case(
        "unknown label in a file (validate)",
        ["schema", "validate", "typo.jsonl"],
        ["error: typo.jsonl:1", "unknown span label 'ACTRO'", "ACTOR, CHANNEL"],
    ),
    Case(
        "unknown label in a file (score)",
        ["score", "typo.jsonl", "typo.jsonl"],
        ["error: typo.jsonl:1", "unknown span label 'ACTRO'", "ACTOR, CHANNEL"],
    ),
    Case(
        "unknown label in a file (agree)",
        ["agree", "typo.jsonl"],
        ["error: typo.jsonl:1", "unknown span label 'ACTRO'"],
    ),
    Case(
        "export with a schema that has no event model",
        ["export", "tiny.jsonl", "-o", "dataset", "--schema", "tiny.yaml"],
        ["error: tiny.yaml", "needs CHANNEL and PARTICIPANT", "--no-events"],
    ),
    Case(
        "unknown label in a file (export)",
        ["export", "typo.jsonl", "-o", "dataset"],
        ["error: typo.jsonl:1", "unknown span label 'ACTRO'"],
    ),
]


MINIMAL_SCHEMA = """name: tiny
version: "0.1.0"
spans:
  PARTY: {definition: A negotiating party.}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory with a small corpus, a file with a label typo and a schema without the
    event model, nothing else."""
    first = GOLD.read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "corpus.jsonl").write_text(first + "\n", encoding="utf-8")
    _bad_label_file(tmp_path)
    (tmp_path / "tiny.yaml").write_text(MINIMAL_SCHEMA, encoding="utf-8")
    (tmp_path / "tiny.jsonl").write_text(
        '{"id": "t1", "text": "Chile met Peru.", "spans": '
        '[{"id": "p1", "start": 0, "end": 5, "label": "PARTY"}]}\n',
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("case", OFFLINE, ids=[c.name for c in OFFLINE])
def test_offline_mistakes_are_one_line_with_a_remedy(case: Case, workdir: Path) -> None:
    code, output = run_cli(case.args, workdir, case.env)
    assert_one_line(code, output, case)
    assert not (workdir / "dataset").exists() and not (workdir / "preds.jsonl").exists()
    assert not (workdir / "out.jsonl").exists() and not (workdir / "gold").exists()


@pytest.mark.studio
def test_wrong_token_is_one_line(studio_server: ServerInfo, workdir: Path) -> None:
    case = Case(
        "wrong token",
        ["push", "corpus.jsonl", "--project", "never-created"],
        ["refused the token", "--token", "LABEL_STUDIO_API_KEY"],
        env={"LABEL_STUDIO_URL": studio_server.url, "LABEL_STUDIO_API_KEY": "f" * 40},
        code=3,
    )
    code, output = run_cli(case.args, workdir, case.env)
    assert_one_line(code, output, case)
    assert "f" * 40 not in output


@pytest.mark.studio
def test_wrong_file_with_a_live_server_is_one_line(
    studio_server: ServerInfo, workdir: Path
) -> None:
    env = {"LABEL_STUDIO_URL": studio_server.url, "LABEL_STUDIO_API_KEY": studio_server.token()}
    for case in (
        Case("push a file that is not there", ["push", "crpus.jsonl"], ["crpus.jsonl"]),
        Case(
            "push a file with an unknown label",
            ["push", "typo.jsonl", "--project", "never-created-typo"],
            ["typo.jsonl:1", "unknown span label 'ACTRO'"],
        ),
    ):
        code, output = run_cli(case.args, workdir, env)
        assert_one_line(code, output, case)


@pytest.mark.studio
def test_studio_up_on_a_busy_port_is_one_line(studio_server: ServerInfo, workdir: Path) -> None:
    case = Case(
        "studio up on a busy port",
        ["studio", "up", "--detach", "--port", str(studio_server.port), "--data-dir", "ls"],
        [f"port {studio_server.port}", "in use", f"--port {studio_server.port + 1}"],
    )
    code, output = run_cli(case.args, workdir)
    assert_one_line(code, output, case)
