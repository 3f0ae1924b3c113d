"""Security promises: the token never leaks, Label Studio listens on loopback only, and
``publish`` sends nothing without ``--yes``.

The token test runs the whole flow against the session's real Label Studio as real subprocesses
whose standard error is a pseudo-terminal (so progress bars are drawn), including failures
(dead server, missing project) and a traceback rendered with every frame's local variables, then
searches every byte of every file written, every stdout and stderr, and the server's own log.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import traceback
import uuid
from pathlib import Path

import httpx
import msgspec
import psutil
import pytest
from typer.testing import CliRunner

from backchannel.annotation.labelstudio import regions
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.pull import pull
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.cli.app import app
from backchannel.documents import write_documents
from backchannel.errors import StudioError
from backchannel.schema import Schema
from tests.conftest import sample_document

BACKCHANNEL = str(Path(sys.executable).with_name("backchannel"))


def run_on_tty(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run a command with stderr on a pseudo-terminal, as a person at a terminal sees it."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [BACKCHANNEL, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, out.decode(errors="replace"), b"".join(chunks).decode(errors="replace")


def _pull_traceback(studio: Studio, title: str, out: Path, schema: Schema) -> str:
    """The traceback of a failed pull with every frame's local variables (from here down:
    the test's own frame holds the token on purpose)."""
    try:
        pull(studio, title, out, schema)
    except StudioError as exc:
        tb = traceback.TracebackException.from_exception(exc, capture_locals=True)
        return "".join(tb.format())
    raise AssertionError("the pull did not fail")


@pytest.mark.studio
def test_token_never_appears_in_any_output_log_progress_line_or_traceback(
    studio_server: ServerInfo,
    connection: Connection,
    studio: Studio,
    schema: Schema,
    tmp_path: Path,
) -> None:
    token = connection.token
    title = f"leak-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "BACKCHANNEL_NO_PROGRESS"}
    env.update(LABEL_STUDIO_URL=connection.url, LABEL_STUDIO_API_KEY=token, COLUMNS="100")
    base = sample_document()
    texts = {f"art-{i}": f"{base.text} Ref {i}." for i in range(8)}
    with (tmp_path / "articles.jsonl").open("wb") as fh:
        for doc_id, text in texts.items():
            fh.write(msgspec.json.encode({"id": doc_id, "text": text}) + b"\n")
    preds = [msgspec.structs.replace(base, id=k, text=t) for k, t in texts.items()]
    write_documents(preds, tmp_path / "preds.jsonl")

    streams: list[str] = []

    def run(*args: str, code: int = 0) -> str:
        rc, out, err = run_on_tty(list(args), tmp_path, env)
        streams.extend([out, err])
        assert rc == code, (args, out, err)
        assert "Traceback" not in err, err
        return err

    run("ingest", "articles.jsonl", "-o", "corpus.jsonl")
    run("tasks", "corpus.jsonl", "--predictions", "preds.jsonl", "-o", "tasks.json")
    pushed = run("push", "corpus.jsonl", "--project", title, "--predictions", "preds.jsonl")
    assert "8 tasks created" in pushed
    tasks = studio.existing_tasks(studio.project_id(title))
    other = studio.create_user(f"second-{uuid.uuid4().hex[:6]}@example.org")
    for pred in preds:
        result = regions.document_to_result(pred)
        studio.create_annotation(tasks[pred.id].task_id, result)
        studio.create_annotation(tasks[pred.id].task_id, result, completed_by=other)
    run("pull", "--project", title, "-o", "annotations.jsonl")
    run("agree", "annotations.jsonl", "--format", "html", "-o", "agree.html", "--bootstrap", "20")
    run("adjudicate", "annotations.jsonl", "-o", "gold")
    run("export", "gold/v0001.jsonl", "-o", "dataset", "--no-spacy")
    run("score", "gold/v0001.jsonl", "preds.jsonl", "-f", "html", "-o", "score.html")
    # failures that involve the token: a dead server, a missing project, a token on the command line
    dead = f"http://127.0.0.1:{free_port()}"
    failed = run("push", "corpus.jsonl", "--project", title, "--url", dead, code=3)
    assert failed.strip().startswith("error: ") and "cannot reach" in failed
    run("pull", "--project", f"{title}-missing", "-o", "never.jsonl", code=3)
    run("push", "corpus.jsonl", "--url", dead, "--token", token, code=3)
    assert any("push" in s and "━" in s for s in streams), "no progress bar was drawn"

    # A traceback with every frame's locals, from an error raised deep in the client.
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"detail": "boom"})

    from label_studio_sdk import LabelStudio

    faulty = Studio(connection)
    faulty._sdk = LabelStudio(
        base_url=connection.url,
        api_key=token,
        httpx_client=httpx.Client(transport=httpx.MockTransport(broken)),
    )
    rendered = _pull_traceback(faulty, title, tmp_path / "never2.jsonl", schema)
    assert "HTTP 500" in rendered and "self = Studio(" in rendered  # locals are in it
    streams.append(rendered)

    leaks = [i for i, s in enumerate(streams) if token in s]
    assert not leaks, f"token in stream(s) {leaks}"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 20  # corpus, tasks, annotations, gold, dataset, reports...
    assert not [p for p in written if token.encode() in p.read_bytes()]
    log = Path(studio_server.log_path).read_bytes()
    assert log and token.encode() not in log  # Label Studio itself does not log it either


@pytest.mark.studio
def test_label_studio_listens_on_loopback_only(studio_server: ServerInfo) -> None:
    """Every listening socket of the server's process tree is bound to 127.0.0.1."""
    root = psutil.Process(studio_server.pid)
    procs = [root, *root.children(recursive=True)]
    listening = [
        c for p in procs for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN
    ]
    assert listening, "the server listens on nothing?"
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}, listening
    assert studio_server.port in {c.laddr.port for c in listening}
    # Cross-check with the kernel's own table: nothing of ours on 0.0.0.0 or ::.
    ports = {c.laddr.port for c in listening}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) in ports:  # 0A = LISTEN
                assert addr == "0100007F", (table, line)  # 127.0.0.1, little-endian hex


def test_studio_up_has_no_way_to_bind_elsewhere(runner: CliRunner) -> None:
    for option in ("--host", "--bind", "--internal-host"):
        res = runner.invoke(app, ["studio", "up", option, "0.0.0.0", "--port", "1"])
        assert res.exit_code == 2 and "No such option" in res.output, res.output


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch):
    """The export area's fake Hub (it records every request)."""
    from tests.export.conftest import FakeHub

    token = "hf_HARDENINGtoken0123456789"
    fake = FakeHub(token)
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    yield fake
    fake.close()


def test_publish_never_uploads_without_yes(hub, runner: CliRunner, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    write_documents(
        [msgspec.structs.replace(sample_document(), id=f"d{i}") for i in range(10)], gold
    )
    ds = tmp_path / "ds"
    res = runner.invoke(app, ["export", str(gold), "-o", str(ds), "--no-spacy", "--no-events"])
    assert res.exit_code == 0, res.output
    for extra in ([], ["--private"], ["--message", "release"], ["--private", "--message", "x"]):
        res = runner.invoke(app, ["publish", str(ds), "--repo-id", "org/ds", *extra], input="y\n")
        assert res.exit_code == 0, res.output
        assert "nothing was sent" in res.output
    assert hub.requests == [] and hub.repos == {}  # not one request reached the Hub
    done = runner.invoke(app, ["publish", str(ds), "--repo-id", "org/ds", "--yes"])
    assert done.exit_code == 0, done.output  # the positive control: the fake does work
    assert "README.md" in hub.repos["org/ds"] and hub.requests
    assert hub.token not in done.output
