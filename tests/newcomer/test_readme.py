"""Every command in README.md's (and docs/quickstart.md's) ```bash blocks still runs, in order.

Each page's commands run as a newcomer types them, top to bottom.

The commands run through ``bash -c`` (so ``> file`` redirections and ``# comments`` work) in a
sandbox working directory:

- ``corpora/`` is a symlink to the repository's and ``.venv/`` to the running environment,
  ``out/`` is an empty writable directory, and ``.venv/bin`` is first on PATH, so
  ``backchannel ...``, ``.venv/bin/backchannel ...`` and ``.venv/bin/python corpora/build.py
  ...`` all resolve;
- the placeholder file names README uses stand for small real files made from the bundled corpus
  (six articles, for speed): see :data:`PLACEHOLDERS`;
- commands that need a live Label Studio (push, pull, review push/pull, studio status) get one:
  when README starts its own with ``backchannel studio up``, that line runs with ``--detach``
  added and its ``--port`` replaced by a free one, with the fixed test credentials seeded into
  its data directory, and the server is stopped afterwards; otherwise the session's server is passed
  in through ``$LABEL_STUDIO_URL`` / ``$LABEL_STUDIO_API_KEY``.

A failure names the page and line and shows the command's output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from backchannel.annotation.labelstudio.credentials import seed_credentials
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.server import stop_server
from tests.conftest import TEST_PASSWORD, TEST_TOKEN, TEST_USER

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "corpora" / "diplomacy"
ARTICLES = 6

PLACEHOLDERS = {
    "articles.jsonl": "the first six bundled articles (corpora/diplomacy/articles.jsonl)",
    "corpus.jsonl": "the same six articles as Documents without annotations",
    "gold.jsonl": "the bundled gold of those six articles",
    "annotations.jsonl": "the three synthetic annotators on those six articles",
    "predictions.jsonl": "the same six articles with every fourth gold span left out",
}
"""Files README may name without a path, and what the sandbox holds under that name."""

SERVER_COMMANDS = re.compile(r"^backchannel (push|pull|review (push|pull)|studio status)\b")
RUNNABLE = re.compile(
    r"^(backchannel |\.venv/bin/backchannel |\.venv/bin/python corpora/build\.py)"
)


@dataclass(frozen=True)
class Command:
    """One README command line and where it is."""

    line: int
    text: str


def readme_commands(text: str) -> list[Command]:
    """The runnable lines of every ```bash block, continuation lines joined, in order."""
    commands: list[Command] = []
    in_bash = False
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("```"):
            in_bash = not in_bash and stripped in ("```bash", "```sh", "```shell")
            continue
        if not in_bash or not stripped:
            continue
        if pending is not None:
            start, head = pending
            stripped = head + " " + stripped
            number = start
            pending = None
        if stripped.endswith("\\"):
            pending = (number, stripped[:-1].rstrip())
            continue
        # `make ...` sets up a venv and runs the whole demo / suite: other tests cover those, and
        # running them here would recurse into this very test.
        if stripped.startswith("make "):
            continue
        # `pip install` (and the `python3 -m venv` before it) would reinstall the package into the
        # shared venv; the Makefile's setup target is what CI uses for that.
        if "pip install" in stripped:
            continue
        # publishing for real needs the Hugging Face Hub (network); the dry run is kept.
        if stripped.startswith("backchannel publish") and "--yes" in stripped:
            continue
        if RUNNABLE.match(stripped):
            commands.append(Command(number, stripped))
    return commands


def _without_comment(command: str) -> str:
    return command.split(" #", 1)[0].strip()


def _studio_up(command: str, port: int) -> str:
    """README's ``studio up`` made runnable in a test: detached, on a free port."""
    words = shlex.split(_without_comment(command))
    if "--detach" not in words:
        words.append("--detach")
    if "--port" in words:  # README's port may be taken on a CI machine: always a free one
        del words[words.index("--port") : words.index("--port") + 2]
    return shlex.join([*words, "--port", str(port)])


def _data_dir(command: str, sandbox: Path) -> Path:
    words = shlex.split(_without_comment(command))
    if "--data-dir" in words:
        return sandbox / words[words.index("--data-dir") + 1]
    return sandbox / ".studio"


def make_sandbox(where: Path) -> Path:
    """A working directory holding what README's commands expect (see :data:`PLACEHOLDERS`)."""
    from backchannel.documents import Document, read_documents, write_documents

    (where / "corpora").symlink_to(ROOT / "corpora")
    # the environment running the tests (the repository's .venv under `make test`)
    (where / ".venv").symlink_to(Path(sys.prefix))
    (where / "out").mkdir()
    articles = BUNDLED.joinpath("articles.jsonl").read_text(encoding="utf-8").splitlines()
    (where / "articles.jsonl").write_text("\n".join(articles[:ARTICLES]) + "\n", "utf-8")
    gold = list(read_documents(BUNDLED / "gold.jsonl"))[:ARTICLES]
    ids = {d.id for d in gold}
    write_documents(gold, where / "gold.jsonl")
    write_documents(
        [Document(id=d.id, text=d.text, meta=d.meta) for d in gold], where / "corpus.jsonl"
    )
    kept = [d for d in read_documents(BUNDLED / "annotations.jsonl") if d.id in ids]
    write_documents(kept, where / "annotations.jsonl")
    preds = []
    for doc in gold:
        spans = [s for i, s in enumerate(doc.spans) if i % 4 != 3]
        keep = {s.id for s in spans}
        rels = [r for r in doc.relations if r.head in keep and r.tail in keep]
        preds.append(Document(id=doc.id, text=doc.text, spans=spans, relations=rels))
    write_documents(preds, where / "predictions.jsonl")
    return where


def test_readme_is_parsed_into_commands() -> None:
    """The extractor itself, on a small hand-written README."""
    text = "\n".join(
        [
            "```bash",
            "make demo    # the whole job",
            "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'",
            "backchannel schema show   # labels",
            "backchannel agree a.jsonl \\",
            "    --format md",
            "```",
            "```json",
            'backchannel "not a command"',
            "```",
            "```",
            "backchannel studio up   (a plain block: not run)",
            "```",
            "```bash",
            ".venv/bin/python corpora/build.py --check",
            "```",
        ]
    )
    got = readme_commands(text)
    assert got == [
        Command(4, "backchannel schema show   # labels"),
        Command(5, "backchannel agree a.jsonl --format md"),
        Command(15, ".venv/bin/python corpora/build.py --check"),
    ]
    assert _studio_up("backchannel studio up  # Ctrl-C", 9999) == (
        "backchannel studio up --detach --port 9999"
    )
    assert _studio_up("backchannel studio up --port 8080 --detach", 9999) == (
        "backchannel studio up --detach --port 9999"
    )


def run_commands(
    source: str, commands: list[Command], sandbox: Path, request: pytest.FixtureRequest
) -> list[dict[str, object]]:
    """Run ``commands`` (from the file named ``source``) in order in ``sandbox``; fail on the
    first that exits non-zero, naming its line.  Returns what ran, with timings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABEL_STUDIO_")}
    env["PATH"] = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["BACKCHANNEL_NO_PROGRESS"] = "1"
    starts_own = any(c.text.startswith("backchannel studio up") for c in commands)
    if not starts_own and any(SERVER_COMMANDS.match(c.text) for c in commands):
        server = request.getfixturevalue("studio_server")
        env["LABEL_STUDIO_URL"], env["LABEL_STUDIO_API_KEY"] = server.url, server.token()
    started: list[Path] = []
    ran: list[dict[str, object]] = []
    try:
        for command in commands:
            shell = command.text
            if shell.startswith("backchannel studio up"):
                shell = _studio_up(shell, free_port())
                data_dir = _data_dir(shell, sandbox)
                if not (data_dir / "api-token").exists():
                    seed_credentials(data_dir, TEST_USER, TEST_PASSWORD, TEST_TOKEN)
                started.append(data_dir)
            clock = time.perf_counter()
            done = subprocess.run(
                ["bash", "-c", shell],
                cwd=sandbox,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            seconds = round(time.perf_counter() - clock, 1)
            ran.append(
                {"line": command.line, "command": shell, "exit": done.returncode, "s": seconds}
            )
            assert done.returncode == 0, (
                f"{source} line {command.line} fails: {command.text}\n"
                f"(run in {sandbox} as: {shell})\nexit {done.returncode}\n"
                f"{(done.stdout + done.stderr)[-3000:]}"
            )
            assert "Traceback" not in done.stderr, f"{source} line {command.line}: traceback"
    finally:
        for data_dir in started:
            stop_server(data_dir)
        (sandbox / "ran.json").write_text(json.dumps(ran, indent=1), encoding="utf-8")
    return ran


@pytest.mark.studio
@pytest.mark.slow
@pytest.mark.parametrize("page", ["README.md", "docs/quickstart.md"])
def test_every_command_in_the_page_runs(
    page: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    commands = readme_commands((ROOT / page).read_text(encoding="utf-8"))
    assert commands, f"{page} has no ```bash block with a backchannel command"
    run_commands(page, commands, make_sandbox(tmp_path), request)
