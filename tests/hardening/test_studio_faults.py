"""Faults at the Label Studio boundary: nothing annotated is lost, nothing partial is written.

The server stopping in the middle of a push and of a pull uses a real, throwaway Label Studio
(started like the session's, killed with SIGKILL, restarted on the same data directory), so the
session server other tests share is never touched.  Server errors and timeouts in the middle of an
export use a transport that forwards every request to the real server and damages the chosen one
(a 500, a timeout, or a 500 returned *after* the server did the work, so the client believes an
import failed that in fact succeeded).  After each fault: one line saying what happened and what
to do, no output file, and a re-run completes with every document exactly once.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import msgspec
import pytest
from typer.testing import CliRunner

from backchannel.annotation.labelstudio import regions
from backchannel.annotation.labelstudio.api import Studio, connect
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.credentials import seed_credentials
from backchannel.annotation.labelstudio.probe import free_port
from backchannel.annotation.labelstudio.pull import pull
from backchannel.annotation.labelstudio.push import push
from backchannel.annotation.labelstudio.server import ServerInfo, start_server, stop_server
from backchannel.cli.app import app
from backchannel.documents import Document, read_documents, write_documents
from backchannel.errors import StudioConnectionError, StudioError
from backchannel.schema import Schema
from tests.conftest import TEST_PASSWORD, TEST_TOKEN, TEST_USER, missing, sample_document

pytestmark = pytest.mark.studio

Fault = Callable[[httpx.Request], httpx.Response | None]


class FaultyTransport(httpx.BaseTransport):
    """Forwards to the real server; ``before`` may answer or raise instead, ``after`` may
    replace the real answer (the server did the work, the client hears a failure)."""

    def __init__(self, before: Fault | None = None, after: Fault | None = None) -> None:
        self.real = httpx.HTTPTransport()
        self.before, self.after = before, after
        self.hits = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.before is not None:
            injected = self.before(request)
            if injected is not None:
                self.hits += 1
                return injected
        response = self.real.handle_request(request)
        if self.after is not None:
            injected = self.after(request)
            if injected is not None:
                response.read()
                response.close()
                self.hits += 1
                return injected
        return response


def faulty_studio(conn: Connection, transport: FaultyTransport) -> Studio:
    from label_studio_sdk import LabelStudio

    studio = Studio(conn)
    studio._sdk = LabelStudio(
        base_url=conn.url,
        api_key=conn.token,
        httpx_client=httpx.Client(transport=transport, timeout=60),
        timeout=60,
    )
    return studio


def _docs(n: int, prefix: str) -> list[Document]:
    base = sample_document()
    return [msgspec.structs.replace(base, id=f"{prefix}{i}") for i in range(n)]


def _doc_ids_on_server(studio: Studio, title: str) -> list[str]:
    snapshot = msgspec.json.decode(studio.export_snapshot(studio.project_id(title)))
    return sorted(t["data"]["doc_id"] for t in snapshot)


def _annotate(studio: Studio, title: str, docs: list[Document]) -> None:
    tasks = studio.existing_tasks(studio.project_id(title))
    for doc in docs:
        studio.create_annotation(tasks[doc.id].task_id, regions.document_to_result(doc))


def _one_line(exc: BaseException, *needles: str) -> str:
    message = str(exc)
    assert "\n" not in message and message, message
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def _no_output(out: Path) -> None:
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


# -- a throwaway real server ------------------------------------------------------------------


class Throwaway:
    """A second Label Studio, ours to kill and restart on the same data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.info: ServerInfo | None = None

    def start(self) -> ServerInfo:
        try:
            self.info = start_server(port=free_port(), data_dir=self.data_dir)
        except StudioError as exc:
            missing(f"a throwaway Label Studio could not start: {exc}")
        assert self.info is not None
        return self.info

    def kill(self) -> None:
        """SIGKILL the whole process group: no goodbye, like a crash or a pulled plug."""
        assert self.info is not None
        os.killpg(self.info.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.info.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def connection(self) -> Connection:
        assert self.info is not None
        return Connection(self.info.url, self.info.token())


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Throwaway]:
    data_dir = tmp_path_factory.mktemp("throwaway-studio")
    seed_credentials(data_dir, TEST_USER, TEST_PASSWORD, TEST_TOKEN)  # cached init template
    server = Throwaway(data_dir)
    server.start()
    yield server
    stop_server(data_dir)


def test_server_killed_mid_push_and_mid_pull_rerun_completes(
    throwaway: Throwaway, schema: Schema, tmp_path: Path
) -> None:
    title = "killed-mid-push"
    docs = _docs(30, "k")
    studio = connect(throwaway.connection())

    def dies_after(n: int) -> Iterator[Document]:
        yield from docs[:n]
        throwaway.kill()  # the server dies while batches are still to come
        yield from docs[n:]

    with pytest.raises(StudioConnectionError) as err:
        push(studio, title, dies_after(17), schema, batch_size=5)
    _one_line(err.value, "cannot reach Label Studio", "is it running?")

    throwaway.start()  # same data directory: what was imported is still there
    studio = connect(throwaway.connection())
    again = push(studio, title, docs, schema, batch_size=5)
    assert again.skipped == 15 and again.created == 15, again  # three whole batches survived
    assert _doc_ids_on_server(studio, title) == sorted(d.id for d in docs)  # each exactly once
    annotated = docs[:6]
    _annotate(studio, title, annotated)

    out = tmp_path / "pulled.jsonl"
    write_documents([], tmp_path / "unrelated.jsonl")

    def kill_on_download(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/download"):
            throwaway.kill()  # the snapshot exists; the server dies before it is sent
        return None

    transport = FaultyTransport(before=kill_on_download)
    with pytest.raises(StudioConnectionError) as err:
        pull(faulty_studio(throwaway.connection(), transport), title, out, schema)
    _one_line(err.value, "downloading the export snapshot", "cannot reach")
    _no_output(out)

    throwaway.start()
    got = pull(connect(throwaway.connection()), title, out, schema)
    assert got.documents == len(annotated)
    pulled = list(read_documents(out, schema=schema))
    assert sorted(d.id for d in pulled) == sorted(d.id for d in annotated)
    assert all(d.spans == docs[0].spans and d.relations == docs[0].relations for d in pulled)


def test_500_and_timeout_mid_export_leave_no_file_and_rerun_gets_everything(
    connection: Connection, studio: Studio, schema: Schema, project_title: str, tmp_path: Path
) -> None:
    docs = _docs(4, "e")
    push(studio, project_title, docs, schema)
    _annotate(studio, project_title, docs)
    out = tmp_path / "pulled.jsonl"

    def server_error(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/download"):
            return httpx.Response(500, json={"detail": "Internal Server Error"})
        return None

    transport = FaultyTransport(before=server_error)
    with pytest.raises(StudioError) as err:
        pull(faulty_studio(connection, transport), project_title, out, schema)
    _one_line(err.value, "downloading the export snapshot", "HTTP 500", "run the command again")
    assert transport.hits >= 1
    _no_output(out)

    def timeout(request: httpx.Request) -> httpx.Response | None:
        if "/exports/" in request.url.path:
            raise httpx.ReadTimeout("timed out", request=request)
        return None

    transport = FaultyTransport(before=timeout)
    with pytest.raises(StudioConnectionError) as err:
        pull(faulty_studio(connection, transport), project_title, out, schema)
    _one_line(err.value, "timed out", "run the command again")
    _no_output(out)

    got = pull(studio, project_title, out, schema)
    assert got.documents == 4
    assert sorted(d.id for d in read_documents(out, schema=schema)) == sorted(d.id for d in docs)


def test_import_answered_500_after_the_server_did_it_rerun_has_each_document_once(
    connection: Connection, studio: Studio, schema: Schema, project_title: str
) -> None:
    """The worst case for idempotence: the batch was imported, the client heard a failure."""
    docs = _docs(9, "i")
    imports = {"n": 0}

    def lose_second_answer(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST" and request.url.path.endswith("/import"):
            imports["n"] += 1
            if imports["n"] == 2:
                return httpx.Response(502, text="Bad Gateway")
        return None

    transport = FaultyTransport(after=lose_second_answer)
    with pytest.raises(StudioError) as err:
        push(faulty_studio(connection, transport), project_title, docs, schema, batch_size=3)
    _one_line(err.value, "importing 3 tasks", "HTTP 502")
    assert imports["n"] == 2  # never retried: a retried import would duplicate tasks
    again = push(studio, project_title, docs, schema, batch_size=3)
    assert (again.created, again.skipped) == (3, 6)
    assert _doc_ids_on_server(studio, project_title) == sorted(d.id for d in docs)


def test_wrong_token_is_one_line_with_a_remedy_and_writes_nothing(
    connection: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    corpus, out = tmp_path / "corpus.jsonl", tmp_path / "pulled.jsonl"
    write_documents(_docs(1, "w"), corpus)
    runner = CliRunner()
    wrong = "f" * 40
    for args in (
        ["push", str(corpus), "--project", "never-created"],
        ["pull", "--project", "never-created", "-o", str(out)],
    ):
        res = runner.invoke(app, [*args, "--url", connection.url, "--token", wrong])
        assert res.exit_code == 3, res.output
        (line,) = res.output.strip().splitlines()
        assert line.startswith("error: checking the token: ") and "refused the token" in line
        assert "--token" in line and "LABEL_STUDIO_API_KEY" in line  # what to do
        assert wrong not in res.output and connection.token not in res.output
    _no_output(out)


def test_project_deleted_between_two_pulls_keeps_the_first_pull(
    connection: Connection, studio: Studio, schema: Schema, project_title: str, tmp_path: Path
) -> None:
    docs = _docs(2, "p")
    push(studio, project_title, docs, schema)
    _annotate(studio, project_title, docs)
    out = tmp_path / "pulled.jsonl"
    runner = CliRunner()
    args = ["pull", "--project", project_title, "-o", str(out)]
    env = {"LABEL_STUDIO_URL": connection.url, "LABEL_STUDIO_API_KEY": connection.token}
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    before = out.read_bytes()
    studio.sdk.projects.delete(studio.project_id(project_title))
    second = runner.invoke(app, args, env=env)
    assert second.exit_code == 3, second.output
    (line,) = second.output.strip().splitlines()
    assert line.startswith(f"error: no project titled {project_title!r}"), line
    assert "check the title" in line
    assert out.read_bytes() == before  # the earlier pull is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["pulled.jsonl"]
