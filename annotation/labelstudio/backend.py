"""A Label Studio ML backend (the protocol label-studio 1.23.2 speaks), built on Starlette.

Routes, as Label Studio calls them:

- ``GET /health``: ``{"status": "UP", "model_class", "model_version", "training": {...}}``;
  Label Studio calls it when a backend is connected and before every prediction run.
- ``POST /setup``: ``{"project", "schema" (the labeling config), "access_token", ...}``; answers
  ``{"model_version"}``.  A labeling config without our ``label`` control, or lacking a label
  the model predicts, is a 422 that says so (Label Studio shows it), never a 500.
- ``POST /predict``: ``{"tasks": [...], ...}``; answers ``{"results": [prediction, ...]}``, one
  prediction per task in task order, made by the same converter as ``push``
  (:func:`~backchannel.annotation.labelstudio.convert.document_to_prediction`), with the
  prediction score of :mod:`~backchannel.annotation.labelstudio.ranking` (sort ascending: the
  most informative task first).
- ``POST /webhook``: Label Studio webhooks.  ``ANNOTATION_CREATED`` / ``ANNOTATION_UPDATED``
  add the annotation to the training set, ``ANNOTATIONS_DELETED`` removes, ``START_TRAINING``
  (and ``POST /train``, the older protocol) retrains now.

Every error is a JSON ``{"error": ...}``: 4xx for a payload we cannot use, naming what is wrong;
a model failure is a 500 whose body says to read the backend log, never a traceback.  The
``access_token`` Label Studio sends to ``/setup`` is neither kept nor logged.  Optional HTTP
basic auth protects every route.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backchannel.annotation.labelstudio import convert, ranking
from backchannel.annotation.labelstudio.config import LABELS_NAME, TEXT_NAME
from backchannel.annotation.labelstudio.training import ModelService
from backchannel.documents import Document
from backchannel.errors import BackchannelError, ConversionError
from backchannel.schema import Schema

__all__ = ["BasicAuth", "Credentials", "create_app", "parse_credentials", "tasks_to_documents"]

log = logging.getLogger("backchannel.serve")

MAX_BODY = 64 * 1024 * 1024
ANNOTATION_ACTIONS = {"ANNOTATION_CREATED", "ANNOTATION_UPDATED"}
DELETE_ACTIONS = {"ANNOTATIONS_DELETED"}
TRAIN_ACTIONS = {"START_TRAINING"}
#: Label Studio webhook actions accepted and ignored (a project webhook may send them all).
IGNORED_ACTIONS = {
    "ANNOTATIONS_CREATED",
    "PROJECT_CREATED",
    "PROJECT_UPDATED",
    "PROJECT_DELETED",
    "TASKS_CREATED",
    "TASKS_DELETED",
    "LABEL_LINK_CREATED",
    "LABEL_LINK_UPDATED",
    "LABEL_LINK_DELETED",
    "REVIEW_CREATED",
    "REVIEW_UPDATED",
    "REVIEWS_DELETED",
}


class PayloadError(Exception):
    """A request we cannot use: answered with ``status`` and a JSON ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Credentials:
    """Basic-auth credentials; the password never shows in ``repr`` (middleware lists, logs)."""

    username: str
    password: str = field(repr=False)


class BasicAuth:
    """HTTP basic auth for every route, checked in constant time; the secret never prints."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        pair = f"{credentials.username}:{credentials.password}"
        self._expected = base64.b64encode(pair.encode()).decode()

    def __repr__(self) -> str:
        return "BasicAuth(***)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        scheme, _, given = header.partition(" ")
        ok = scheme.lower() == "basic" and secrets.compare_digest(given.strip(), self._expected)
        if not ok:
            response = JSONResponse(
                {"error": "authentication required"},
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="backchannel"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def parse_credentials(value: str) -> tuple[str, str]:
    """``user:password`` (from an environment variable or file) as a pair.

    Raises:
        ValueError: no colon, or an empty user or password (the message shows no secret).
    """
    user, sep, password = value.strip().partition(":")
    if not sep or not user or not password:
        raise ValueError("basic auth credentials must be USER:PASSWORD, both non-empty")
    return user, password


async def _json_body(request: Request) -> Mapping[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadError(f"request body larger than {MAX_BODY} bytes", 413)
    if not raw.strip():
        raise PayloadError("empty request body; a JSON object is expected")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"request body is not JSON ({exc})") from None
    if not isinstance(body, Mapping):
        raise PayloadError(f"request body is a JSON {type(body).__name__}, not an object")
    return body


def tasks_to_documents(tasks: Any) -> list[Document]:
    """Input Documents for the ``tasks`` of a ``/predict`` request (document id and text).

    Raises:
        PayloadError: ``tasks`` is not a list of tasks with a ``data.text`` string (422, naming
            the task).
    """
    if not isinstance(tasks, list):
        raise PayloadError('"tasks" must be a list of Label Studio tasks', 422)
    docs = []
    for k, task in enumerate(tasks):
        if not isinstance(task, Mapping):
            raise PayloadError(f"task #{k} is not an object", 422)
        try:
            doc_id = convert.task_doc_id(task)
        except ConversionError as exc:
            raise PayloadError(f"task #{k}: {exc.one_line()}", 422) from None
        docs.append(Document(id=doc_id, text=task["data"][TEXT_NAME]))
    return docs


def config_problem(label_config: Any, schema: Schema) -> str | None:
    """Why a project's labeling config cannot take this backend's predictions, or None."""
    if not isinstance(label_config, str) or not label_config.strip():
        return None  # Label Studio always sends it; a hand-made call may not
    try:
        root = ET.fromstring(label_config)
    except ET.ParseError as exc:
        return f"the labeling config is not XML ({exc})"
    labels = [e for e in root.iter() if e.tag == "Labels" and e.get("name") == LABELS_NAME]
    if not labels or labels[0].get("toName") != TEXT_NAME:
        return (
            f'the labeling config has no <Labels name="{LABELS_NAME}" toName="{TEXT_NAME}">: '
            "make the project with backchannel (studio up, push) so predictions fit it"
        )
    have = {e.get("value") for e in labels[0].iter() if e.tag == "Label"}
    missing = sorted(set(schema.span_labels) - have)
    if missing:
        return f"the labeling config lacks the span label(s) {', '.join(missing)} of the schema"
    return None


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(
    service: ModelService,
    schema: Schema,
    *,
    model_class: str = "backchannel",
    auth: tuple[str, str] | None = None,
) -> Starlette:
    """The Starlette application of the backend.

    Args:
        service: the served model and its training set.
        schema: the annotation schema (labels the config must have; Documents from webhooks).
        model_class: the model name shown by ``/health``.
        auth: ``(user, password)`` for HTTP basic auth on every route, or None.
    """

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "UP",
                "model_class": model_class,
                "model_version": service.model_version,
                "training": asdict(service.status),
            }
        )

    async def setup(request: Request) -> Response:
        body = await _json_body(request)
        problem = config_problem(body.get("schema"), schema)
        if problem is not None:
            raise PayloadError(problem, 422)
        project = body.get("project")
        log.info("setup for project %s", project if isinstance(project, str | int) else "?")
        return JSONResponse({"model_version": service.model_version})

    async def predict(request: Request) -> Response:
        body = await _json_body(request)
        docs = tasks_to_documents(body.get("tasks"))
        predictor = service.predictor  # one model for the whole request, even across a swap
        preds = await run_in_threadpool(predictor.predict, docs)
        if len(preds) != len(docs):
            raise RuntimeError(f"model returned {len(preds)} predictions for {len(docs)} tasks")
        results = []
        for doc, pred in zip(docs, preds, strict=True):
            if pred.text != doc.text:
                raise RuntimeError(f"model changed the text of document {doc.id}")
            scored = ranking.with_confidence(pred)
            results.append(convert.document_to_prediction(scored, predictor.model_version))
        return JSONResponse({"results": results, "model_version": predictor.model_version})

    def _annotation_document(body: Mapping[str, Any]) -> tuple[Any, Document | None]:
        task, annotation = body.get("task"), body.get("annotation")
        if not isinstance(task, Mapping) or not isinstance(annotation, Mapping):
            raise PayloadError('an annotation webhook needs "task" and "annotation" objects', 422)
        ann_id = annotation.get("id")
        if not isinstance(ann_id, int | str) or isinstance(ann_id, bool):
            raise PayloadError('the annotation has no "id"', 422)
        if annotation.get("was_cancelled"):
            return ann_id, None
        try:
            doc = convert.annotation_to_document(task, annotation, schema=schema)
        except ConversionError as exc:
            raise PayloadError(exc.one_line(), 422) from None
        return ann_id, doc

    async def webhook(request: Request) -> Response:
        body = await _json_body(request)
        action = body.get("action")
        if not isinstance(action, str):
            raise PayloadError('webhook payload has no "action"')
        if action in ANNOTATION_ACTIONS:
            ann_id, doc = _annotation_document(body)
            if doc is None:
                service.remove([ann_id])
                return JSONResponse({"status": "cancelled annotation left out"})
            started = await run_in_threadpool(service.add, ann_id, doc)
            return JSONResponse(
                {"status": "added", "annotations": service.status.annotations, "training": started}
            )
        if action in DELETE_ACTIONS:
            items = body.get("annotations")
            if not isinstance(items, list):
                raise PayloadError('"annotations" must be a list of {"id": ...}', 422)
            ids = [a.get("id") for a in items if isinstance(a, Mapping)]
            removed = await run_in_threadpool(service.remove, ids)
            return JSONResponse({"status": "removed", "removed": removed})
        if action in TRAIN_ACTIONS:
            return JSONResponse({"status": service.start_training("start training")})
        if action in IGNORED_ACTIONS:
            return JSONResponse({"status": "ignored"})
        raise PayloadError(f"unknown webhook action {action[:80]!r}", 422)

    async def train(request: Request) -> Response:
        await _json_body(request)
        return JSONResponse({"status": service.start_training("train request")})

    async def payload_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PayloadError)
        log.warning("%s %s: %d %s", request.method, request.url.path, exc.status, exc.message)
        return _error(exc.status, exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    async def model_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BackchannelError)
        log.warning("%s %s: %s", request.method, request.url.path, exc.one_line())
        return _error(503, f"the model cannot predict: {exc.one_line()}")

    async def server_error(request: Request, exc: Exception) -> Response:
        detail = exc.one_line() if isinstance(exc, BackchannelError) else repr(exc)
        log.error("%s %s failed: %s", request.method, request.url.path, detail[:500])
        return _error(500, "the model failed on this request; the backend log says why")

    middleware: Sequence[Middleware] = []
    if auth is not None:
        middleware = [Middleware(BasicAuth, credentials=Credentials(*auth))]
    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/", health, methods=["GET"]),
            Route("/setup", setup, methods=["POST"]),
            Route("/predict", predict, methods=["POST"]),
            Route("/webhook", webhook, methods=["POST"]),
            Route("/train", train, methods=["POST"]),
        ],
        middleware=list(middleware),
        exception_handlers={
            PayloadError: payload_error,
            HTTPException: http_error,
            BackchannelError: model_error,
            Exception: server_error,
        },
    )
