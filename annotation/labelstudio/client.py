"""Talk to a Label Studio server (label-studio-sdk 2.x): connect, ensure a project, push, pull.

Only this package imports ``label_studio_sdk``; everything else sees Documents.  Guarantees:

- **The token never leaks.**  It is read from ``--token``, ``$LABEL_STUDIO_API_KEY`` or the 0600
  file of a server started by ``backchannel studio up``; :class:`Connection` hides it from
  ``repr``; every SDK and httpx error is turned into a :class:`StudioError` subclass raised
  ``from None`` with a message built from the status code and body only, so no traceback carries
  request headers.
- **Push is idempotent.**  Each task's data carries the document id.  Before importing, the
  existing tasks are listed once and diffed: a known document is skipped (or gets only the
  predictions of a model version it lacks), a new one is imported, in batches of
  ``batch_size`` tasks per request with ``max_retries=0`` (the SDK retries failed POSTs and
  imports have no duplicate detection, so a retried import could create duplicates).  A
  document whose text changed is updated only while no one has annotated it; otherwise the push
  is refused with :class:`StudioConflictError` (its annotations' offsets would break).
- **Pull is lossless.**  It reads an export snapshot (one request for the whole project, not
  task-by-task paging) with annotators and predictions serialised as objects, and converts every
  annotation of every annotator; cancelled annotations are skipped and counted.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.annotation.labelstudio import convert
from backchannel.annotation.labelstudio.config import label_config
from backchannel.annotation.labelstudio.server import DEFAULT_DATA_DIR, read_token, status
from backchannel.documents import Document, write_documents
from backchannel.errors import (
    ConversionError,
    InputError,
    StudioAuthError,
    StudioConflictError,
    StudioConnectionError,
    StudioError,
    quote,
)
from backchannel.progress import track
from backchannel.schema import Schema

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

__all__ = [
    "Connection",
    "PullResult",
    "PushResult",
    "Studio",
    "connect",
    "documents_from_export",
    "pull",
    "pull_from_export",
    "push",
    "resolve_connection",
]

URL_ENV = "LABEL_STUDIO_URL"
TOKEN_ENV = "LABEL_STUDIO_API_KEY"
DEFAULT_BATCH = 500
EXPORT_TIMEOUT = 600.0
RERUN_HINT = (
    "the server's log says why; run the command again when it is healthy: "
    "push and pull are safe to re-run"
)


@dataclass(frozen=True)
class Connection:
    """Where the server is and how to authenticate; the token never shows in ``repr``."""

    url: str
    token: str = field(repr=False)
    source: str = "arguments"

    def __str__(self) -> str:
        return f"{self.url} (token from {self.source})"


def resolve_connection(
    url: str | None = None,
    token: str | None = None,
    *,
    data_dir: str | Path | None = DEFAULT_DATA_DIR,
) -> Connection:
    """``--url``/``--token``, else ``$LABEL_STUDIO_URL``/``$LABEL_STUDIO_API_KEY``, else the server
    started by ``backchannel studio up`` in ``data_dir``.

    Raises:
        StudioAuthError: no token anywhere.
        StudioConnectionError: no URL anywhere.
    """
    source = "arguments"
    url = url or os.environ.get(URL_ENV)
    if token is None and os.environ.get(TOKEN_ENV):
        token, source = os.environ[TOKEN_ENV], f"${TOKEN_ENV}"
    if (url is None or token is None) and data_dir is not None:
        local = status(data_dir)
        if local is not None:
            if url is None:
                url = local.url
            if token is None and url.rstrip("/") == local.url:
                token, source = read_token(local.token_file), local.token_file
    if url is None:
        raise StudioConnectionError(
            "no Label Studio URL",
            hint=f"pass --url, set ${URL_ENV}, or start one with `backchannel studio up`",
        )
    if not token:
        raise StudioAuthError(
            f"no API token for {url}",
            hint=f"pass --token or set ${TOKEN_ENV} (Account & Settings in the web UI)",
        )
    return Connection(url=url.rstrip("/"), token=token.strip(), source=source)


# -- error mapping ------------------------------------------------------------------------------


def _body_text(body: Any) -> str:
    if isinstance(body, Mapping):
        for key in ("detail", "validation_errors", "error", "message"):
            if key in body:
                return quote(body[key], 200)
    return quote(body, 200)


def _translate(exc: BaseException, what: str, url: str) -> StudioError | None:
    """An upstream error as one of ours, built from status and body only (never headers)."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    if isinstance(exc, StudioError):
        return exc
    if isinstance(exc, ApiError):
        code = exc.status_code
        if code in (401, 403):
            return StudioAuthError(
                f"{what}: the server at {url} refused the token (HTTP {code}: "
                f"{_body_text(exc.body)})",
                hint=f"check --token / ${TOKEN_ENV}",
            )
        return StudioError(
            f"{what}: HTTP {code} from {url}: {_body_text(exc.body)}",
            hint=RERUN_HINT if code >= 500 else None,
        )
    if isinstance(exc, httpx.TimeoutException):
        return StudioConnectionError(f"{what}: {url} timed out", hint=RERUN_HINT)
    if isinstance(exc, httpx.TransportError):
        return StudioConnectionError(
            f"{what}: cannot reach Label Studio at {url} ({type(exc).__name__})",
            hint="is it running? `backchannel studio status`",
        )
    if isinstance(exc, httpx.HTTPError):
        return StudioError(f"{what}: {type(exc).__name__} talking to {url}")
    return None


# -- the connection -----------------------------------------------------------------------------


@dataclass
class ExistingTask:
    """What push needs to know about a task already on the server."""

    task_id: int
    text: str
    annotations: int
    predictions: int


class Studio:
    """A connected Label Studio: thin typed wrappers over the SDK calls backchannel uses."""

    def __init__(self, conn: Connection, *, timeout: float = 300.0) -> None:
        from label_studio_sdk import LabelStudio

        self.url = conn.url
        self._sdk: LabelStudio = LabelStudio(base_url=conn.url, api_key=conn.token, timeout=timeout)

    def __repr__(self) -> str:
        return f"Studio({self.url!r})"

    @contextlib.contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Run SDK calls, turning every upstream error into a token-free StudioError."""
        try:
            yield
        except Exception as exc:
            err = _translate(exc, what, self.url)
            if err is None:
                raise
            if err is exc:
                raise
            raise err from None

    @property
    def sdk(self) -> LabelStudio:
        """The underlying SDK client (for tests and advanced use; errors are not mapped)."""
        return self._sdk

    # users ------------------------------------------------------------------------------------
    def whoami(self) -> str:
        with self.guard("checking the token"):
            return str(self._sdk.users.whoami().email)

    def users(self) -> dict[int, str]:
        """User id -> email, to name annotators."""
        with self.guard("listing users"):
            return {int(u.id): str(u.email) for u in self._sdk.users.list() if u.id is not None}

    def create_user(self, email: str, password: str | None = None) -> int:
        """Create an annotator account (admin only); returns its id."""
        with self.guard(f"creating user {email}"):
            user = self._sdk.users.create(
                username=email.split("@")[0], email=email, password=password
            )
        return int(user.id)

    # projects ---------------------------------------------------------------------------------
    def find_project(self, title: str) -> int | None:
        with self.guard(f"looking up project {title!r}"):
            for proj in self._sdk.projects.list(title=title):
                if proj.title == title:
                    return int(proj.id)
        return None

    def project_id(self, title: str) -> int:
        pid = self.find_project(title)
        if pid is None:
            raise StudioError(
                f"no project titled {title!r} on {self.url}",
                hint="push to create it, or check the title",
            )
        return pid

    def ensure_project(self, title: str, schema: Schema) -> tuple[int, bool]:
        """The project titled ``title`` with the schema's labeling config; (id, created).

        An existing project whose config differs gets the schema's config; Label Studio refuses
        that when existing annotations use labels the new config drops (StudioConflictError).
        """
        config = label_config(schema)
        pid = self.find_project(title)
        if pid is None:
            with self.guard(f"creating project {title!r}"):
                proj = self._sdk.projects.create(
                    title=title,
                    label_config=config,
                    description=f"backchannel, schema {schema.name} {schema.version}",
                )
            return int(proj.id), True
        with self.guard(f"reading project {title!r}"):
            current = self._sdk.projects.get(pid).label_config
        if (current or "").strip() != config.strip():
            try:
                with self.guard(f"updating the labeling config of {title!r}"):
                    self._sdk.projects.update(pid, label_config=config)
            except StudioError as exc:
                raise StudioConflictError(
                    f"project {title!r} has another labeling config that cannot be replaced "
                    f"by schema {schema.name} {schema.version}: {exc.message}"
                ) from None
        return pid, False

    # tasks ------------------------------------------------------------------------------------
    def existing_tasks(self, project_id: int) -> dict[str, ExistingTask]:
        """Document id -> task already in the project (tasks without a doc id use their text's)."""
        out: dict[str, ExistingTask] = {}
        with self.guard("listing existing tasks"):
            for task in self._sdk.tasks.list(project=project_id, page_size=1000):
                data = task.data or {}
                raw = {"id": task.id, "data": data}
                try:
                    doc_id = convert.task_doc_id(raw)
                except ConversionError:
                    continue
                out[doc_id] = ExistingTask(
                    task_id=int(task.id),
                    text=str(data.get("text", "")),
                    annotations=int(task.total_annotations or 0)
                    + int(task.cancelled_annotations or 0),
                    predictions=int(task.total_predictions or 0),
                )
        return out

    def prediction_versions(self, project_id: int) -> dict[int, dict[str, list[int]]]:
        """Task id -> model version -> prediction ids, for the whole project."""
        out: dict[int, dict[str, list[int]]] = {}
        with self.guard("listing predictions"):
            for pred in self._sdk.predictions.list(project=project_id):
                by_version = out.setdefault(int(pred.task), {})
                by_version.setdefault(str(pred.model_version or ""), []).append(int(pred.id))
        return out

    def import_tasks(self, project_id: int, tasks: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
        """One import request, never retried; returns (tasks created, predictions created)."""
        with self.guard(f"importing {len(tasks)} tasks"):
            resp = self._sdk.projects.import_tasks(
                project_id,
                request=list(tasks),
                return_task_ids=True,
                request_options={"max_retries": 0},
            )
        return int(resp.task_count or 0), int(resp.prediction_count or 0)

    def add_prediction(self, task_id: int, prediction: Mapping[str, Any]) -> None:
        with self.guard(f"adding a prediction to task {task_id}"):
            self._sdk.predictions.create(
                task=task_id,
                result=list(prediction["result"]),
                model_version=prediction.get("model_version"),
                score=prediction.get("score"),
                request_options={"max_retries": 0},
            )

    def delete_prediction(self, prediction_id: int) -> None:
        with self.guard(f"deleting prediction {prediction_id}"):
            self._sdk.predictions.delete(prediction_id)

    def update_task_data(self, task_id: int, data: Mapping[str, Any]) -> None:
        with self.guard(f"updating task {task_id}"):
            self._sdk.tasks.update(str(task_id), data=dict(data))

    def create_annotation(
        self,
        task_id: int,
        result: Sequence[Mapping[str, Any]],
        *,
        completed_by: int | None = None,
        parent_prediction: int | None = None,
        lead_time: float | None = None,
        ground_truth: bool = False,
        was_cancelled: bool = False,
    ) -> int:
        """Create an annotation, on behalf of ``completed_by`` when the token is an admin's.

        ``ground_truth`` is sent explicitly because Label Studio defaults API-made annotations
        to ground truth.
        """
        kwargs: dict[str, Any] = {
            "result": [dict(r) for r in result],
            "ground_truth": ground_truth,
            "was_cancelled": was_cancelled,
        }
        if completed_by is not None:
            kwargs["completed_by"] = completed_by
        if parent_prediction is not None:
            kwargs["parent_prediction"] = parent_prediction
        if lead_time is not None:
            kwargs["lead_time"] = lead_time
        with self.guard(f"annotating task {task_id}"):
            ann = self._sdk.annotations.create(
                id=task_id, request_options={"max_retries": 0}, **kwargs
            )
        return int(ann.id)

    def export_snapshot(
        self,
        project_id: int,
        *,
        with_predictions: bool = False,
        timeout: float = EXPORT_TIMEOUT,
    ) -> bytes:
        """The whole project as Label Studio JSON, through one export snapshot.

        Annotators are serialised as objects with their email (by default the snapshot gives
        bare ids).  Each annotation already embeds the prediction it started from, so the
        task-level predictions are expanded only on request.  The snapshot is deleted afterwards
        so none pile up on the server.
        """
        options: dict[str, Any] = {"annotations__completed_by": {"only_id": False}}
        if with_predictions:
            options["predictions"] = {"only_id": False}
        with self.guard("creating an export snapshot"):
            snap = self._sdk.projects.exports.create(
                project_id,
                title="backchannel pull",
                serialization_options=options,
                request_options={"max_retries": 0},
            )
        export_id = int(snap.id)
        try:
            deadline = time.monotonic() + timeout
            state = snap.status
            while state != "completed":
                if state == "failed":
                    raise StudioError(f"export snapshot {export_id} failed on the server")
                if time.monotonic() > deadline:
                    raise StudioError(f"export snapshot {export_id} not ready after {timeout} s")
                time.sleep(0.2)
                with self.guard("waiting for the export snapshot"):
                    state = self._sdk.projects.exports.get(project_id, export_id).status
            with self.guard("downloading the export snapshot"):
                return b"".join(
                    self._sdk.projects.exports.download(project_id, export_id, export_type="JSON")
                )
        finally:
            with contextlib.suppress(Exception):
                self._sdk.projects.exports.delete(project_id, export_id)


def connect(conn: Connection | None = None, *, check: bool = True) -> Studio:
    """A :class:`Studio` for ``conn`` (default: :func:`resolve_connection`), token checked."""
    studio = Studio(conn or resolve_connection())
    if check:
        studio.whoami()
    return studio


# -- push ---------------------------------------------------------------------------------------


@dataclass
class PushResult:
    """What a push did; counts are of documents unless named otherwise."""

    project_id: int
    project_created: bool
    created: int = 0
    skipped: int = 0
    updated: int = 0
    predictions_created: int = 0
    predictions_replaced: int = 0
    unmatched_predictions: int = 0
    batches: int = 0


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def push(
    studio: Studio,
    project: str,
    docs: Iterable[Document],
    schema: Schema,
    *,
    predictions: Mapping[str, Sequence[Document]] | None = None,
    model_version: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: bool = False,
) -> PushResult:
    """Import ``docs`` (with their predictions) into ``project``, idempotently and in batches.

    Documents are consumed lazily: a push interrupted half-way has imported whole batches, and
    running it again imports only what is missing.

    Raises:
        StudioConflictError: a document's text changed while its task has annotations.
        ConversionError: a prediction's text differs from its document's.
        StudioError: the server failed.
    """
    predictions = predictions or {}
    pid, created = studio.ensure_project(project, schema)
    result = PushResult(project_id=pid, project_created=created)
    existing = {} if created else studio.existing_tasks(pid)
    versions: dict[int, dict[str, list[int]]] = {}
    if any(t.predictions for t in existing.values()) and predictions:
        versions = studio.prediction_versions(pid)
    seen: set[str] = set()
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if not pending:
            return
        n_tasks, n_preds = studio.import_tasks(pid, pending)
        expected_preds = sum(len(t.get("predictions", ())) for t in pending)
        if n_tasks != len(pending) or n_preds != expected_preds:
            raise StudioError(
                f"import of {len(pending)} tasks with {expected_preds} predictions created "
                f"{n_tasks} tasks and {n_preds} predictions (Label Studio rejected some "
                "pre-annotations; check that they fit the project's labeling config)"
            )
        result.created += n_tasks
        result.predictions_created += n_preds
        result.batches += 1
        pending.clear()

    stream = track(docs, "push") if progress else docs
    for doc in stream:
        if doc.id in seen:
            continue  # the same document twice in one corpus: once is enough
        seen.add(doc.id)
        preds = list(predictions.get(doc.id, ()))
        task = convert.document_to_task(doc, preds, model_version)
        old = existing.get(doc.id)
        if old is None:
            pending.append(task)
            if len(pending) >= batch_size:
                flush()
            continue
        if old.text != doc.text:
            if old.annotations:
                raise StudioConflictError(
                    f"the text of this document changed but its task has {old.annotations} "
                    "annotation(s) whose offsets would break; refusing to overwrite",
                    doc_id=doc.id,
                    task_id=old.task_id,
                    hint="push the new text as a new document or to a new project",
                )
            studio.update_task_data(old.task_id, task["data"])
            for ids in versions.get(old.task_id, {}).values():
                for prediction_id in ids:
                    studio.delete_prediction(prediction_id)
                    result.predictions_replaced += 1
            versions[old.task_id] = {}
            result.updated += 1
        else:
            result.skipped += 1
        have = versions.get(old.task_id, {})
        for pred in task.get("predictions", ()):
            if pred["model_version"] in have:
                continue
            studio.add_prediction(old.task_id, pred)
            have.setdefault(pred["model_version"], [])
            result.predictions_created += 1
    flush()
    result.unmatched_predictions = sum(len(v) for k, v in predictions.items() if k not in seen)
    return result


# -- pull ---------------------------------------------------------------------------------------


@dataclass
class PullResult:
    """What a pull read and wrote."""

    tasks: int = 0
    documents: int = 0
    cancelled: int = 0
    annotators: list[str] = field(default_factory=list)
    output: str | None = None


def _decode_export(raw: bytes, path: str | Path | None) -> list[dict[str, Any]]:
    try:
        tasks = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"not a Label Studio JSON export: {exc}", path=path) from None
    if isinstance(tasks, dict) and "data" in tasks:
        tasks = [tasks]
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise InputError(
            "not a Label Studio JSON export (expected a list of task objects)", path=path
        )
    return tasks


def documents_from_export(
    tasks: Iterable[Mapping[str, Any]],
    *,
    schema: Schema | None,
    users: Mapping[int, str] | None = None,
    project_id: int | None = None,
    path: str | Path | None = None,
    stats: PullResult | None = None,
) -> Iterator[Document]:
    """Documents of every non-cancelled annotation in exported tasks (lazily)."""
    stats = stats if stats is not None else PullResult()
    who: set[str] = set(stats.annotators)
    for task in tasks:
        try:
            got = convert.task_documents(task, users=users, schema=schema, project_id=project_id)
        except ConversionError as exc:
            if path is not None and exc.path is None:
                exc.path = str(path)
                exc.args = (exc.one_line(),)
            raise
        stats.tasks += 1
        stats.cancelled += got.cancelled
        for doc in got.documents:
            stats.documents += 1
            if doc.annotator:
                who.add(doc.annotator)
            yield doc
    stats.annotators = sorted(who)


def pull(
    studio: Studio,
    project: str,
    output: str | Path,
    schema: Schema | None,
) -> PullResult:
    """Write every annotation of ``project`` as Documents to ``output`` (atomically).

    Raises:
        ConversionError: a region does not fit its task text (names task and region); no file
            is written.
    """
    pid = studio.project_id(project)
    # The snapshot names annotators by email (serialisation options), so no user listing.
    tasks = _decode_export(studio.export_snapshot(pid), None)
    stats = PullResult(output=str(output))
    write_documents(
        documents_from_export(tasks, schema=schema, project_id=pid, stats=stats),
        output,
    )
    return stats


def pull_from_export(
    export: str | Path,
    output: str | Path,
    schema: Schema | None,
    *,
    users: Mapping[int, str] | None = None,
) -> PullResult:
    """Like :func:`pull`, from a JSON export file a user downloaded from the web UI."""
    try:
        raw = Path(export).read_bytes()
    except FileNotFoundError:
        raise InputError("no such export file", path=export) from None
    except OSError as exc:
        raise InputError(f"cannot read export file ({exc.strerror})", path=export) from None
    tasks = _decode_export(raw, export)
    stats = PullResult(output=str(output))
    write_documents(
        documents_from_export(tasks, schema=schema, users=users, path=export, stats=stats),
        output,
    )
    return stats
