"""``backchannel studio connect``: register an ML backend with a project, through the API.

What it sets up, idempotently (running it again updates rather than duplicates):

- the ML backend (``/api/ml``), interactive pre-annotation on, model version following the
  backend (``auto_update``); Label Studio then calls the backend's ``/health`` and ``/setup``;
- the project settings that make Label Studio ask the backend for a task that has no prediction
  when an annotator opens it (``evaluate_predictions_automatically``, ``show_collab_predictions``);
- a project webhook to the backend's ``/webhook`` for created, updated and deleted annotations,
  the training signal of :mod:`~backchannel.annotation.labelstudio.training`.

Basic-auth credentials are given to Label Studio (it stores them for its calls) and are never
printed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from backchannel.annotation.labelstudio.api import Studio
from backchannel.errors import StudioConnectionError, StudioError

__all__ = ["WEBHOOK_ACTIONS", "ConnectResult", "connect_backend"]

WEBHOOK_ACTIONS = ["ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED"]
RESERVED_HINT = (
    "Label Studio refuses backends on reserved networks (127.0.0.0/8 included) unless started "
    "with USE_DEFAULT_BANNED_SUBNETS=false: `backchannel studio up` does that (see docs/serve.md)"
)


@dataclass
class ConnectResult:
    """What ``connect_backend`` did."""

    project_id: int
    backend_id: int
    created: bool
    webhook_id: int
    model_version: str | None


def _check_reachable(url: str, auth: tuple[str, str] | None) -> None:
    import httpx

    try:
        resp = httpx.get(f"{url}/health", auth=auth, timeout=10.0)
    except httpx.HTTPError as exc:
        raise StudioConnectionError(
            f"no ML backend answers at {url} ({type(exc).__name__})",
            hint="start it first: backchannel serve --model rules --detach",
        ) from None
    if resp.status_code == 401:
        raise StudioConnectionError(
            f"the ML backend at {url} wants basic auth and refused ours",
            hint="pass --basic-auth-env with the same variable as `serve`",
        )
    if resp.status_code != 200:
        raise StudioConnectionError(f"the ML backend at {url}/health answered {resp.status_code}")


def _auth_fields(auth: tuple[str, str] | None) -> dict[str, Any]:
    if auth is None:
        return {"auth_method": "NONE"}
    return {"auth_method": "BASIC_AUTH", "basic_auth_user": auth[0], "basic_auth_pass": auth[1]}


def connect_backend(
    studio: Studio,
    project: str,
    backend_url: str,
    *,
    auth: tuple[str, str] | None = None,
    title: str = "backchannel",
) -> ConnectResult:
    """Connect the ML backend at ``backend_url`` to ``project`` (see the module docstring).

    Raises:
        StudioConnectionError: the backend does not answer from here.
        StudioError: Label Studio refused it (a reserved address: the hint says what to do).
    """
    url = backend_url.rstrip("/")
    _check_reachable(url, auth)
    pid = studio.project_id(project)
    sdk = studio.sdk
    with studio.guard("listing ML backends"):
        existing = [b for b in sdk.ml.list(project=pid) if (b.url or "").rstrip("/") == url]
    fields = {"is_interactive": True, "auto_update": True, "title": title, **_auth_fields(auth)}
    try:
        if existing:
            with studio.guard(f"updating the ML backend {url}"):
                backend = sdk.ml.update(existing[0].id, url=url, project=pid, **fields)
        else:
            with studio.guard(f"connecting the ML backend {url}"):
                backend = sdk.ml.create(url=url, project=pid, **fields)
    except StudioError as exc:
        if "reserved network" in exc.message:
            raise StudioError(exc.message, hint=RESERVED_HINT) from None
        raise
    with studio.guard(f"updating the settings of project {project!r}"):
        sdk.projects.update(
            pid, evaluate_predictions_automatically=True, show_collab_predictions=True
        )
    hook_url = f"{url}/webhook"
    headers = {}
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    with studio.guard("listing webhooks"):
        hooks = [h for h in sdk.webhooks.list(project=str(pid)) if h.url == hook_url]
    hook_fields = {
        "url": hook_url,
        "project": pid,
        "send_payload": True,
        "send_for_all_actions": False,
        "actions": WEBHOOK_ACTIONS,
        "headers": headers,
        "is_active": True,
    }
    if hooks:
        with studio.guard("updating the annotation webhook"):
            fields_no_project = {k: v for k, v in hook_fields.items() if k != "project"}
            hook = sdk.webhooks.update(hooks[0].id, **fields_no_project)
    else:
        with studio.guard("creating the annotation webhook"):
            hook = sdk.webhooks.create(**hook_fields)
    return ConnectResult(
        project_id=pid,
        backend_id=int(backend.id),
        created=not existing,
        webhook_id=int(hook.id),
        model_version=getattr(backend, "model_version", None),
    )
