"""A connected Label Studio: the SDK calls backchannel makes, as typed methods of :class:`Studio`.

With :mod:`~backchannel.annotation.labelstudio.connection` (which maps its errors), this is where
``label_studio_sdk`` is called; push and pull use these methods and see no SDK object.  Every call
runs under :meth:`Studio.guard`, so an upstream failure surfaces as a token-free
:class:`~backchannel.errors.StudioError`.  Requests that a retry could duplicate (imports,
annotations, predictions) are sent with ``max_retries=0``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backchannel.annotation.labelstudio import convert
from backchannel.annotation.labelstudio.config import label_config
from backchannel.annotation.labelstudio.connection import (
    Connection,
    resolve_connection,
    translate_error,
)
from backchannel.errors import ConversionError, StudioConflictError, StudioError
from backchannel.schema import Schema

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

__all__ = ["EXPORT_TIMEOUT", "ExistingTask", "Studio", "connect"]

EXPORT_TIMEOUT = 600.0


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
            err = translate_error(exc, what, self.url)
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

    def update_prediction(self, prediction_id: int, prediction: Mapping[str, Any]) -> None:
        """Replace a stored prediction's result and score in place (its id stays)."""
        with self.guard(f"updating prediction {prediction_id}"):
            self._sdk.predictions.update(
                prediction_id,
                result=list(prediction["result"]),
                model_version=prediction.get("model_version"),
                score=prediction.get("score"),
            )

    def set_model_version(self, project_id: int, model_version: str) -> None:
        """Make ``model_version`` the project's: the Data Manager's prediction score is its."""
        with self.guard(f"setting the model version of project {project_id}"):
            self._sdk.projects.update(project_id, model_version=model_version)

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
