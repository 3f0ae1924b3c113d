"""Publish an exported dataset folder to the Hugging Face Hub, through ``huggingface_hub``.

A dry run by default: :func:`publish_dataset` lists every file and its size and contacts nobody.
Only with ``yes=True`` does it create the dataset repository (``HfApi.create_repo``, existing
repos are reused) and upload the folder (``HfApi.upload_folder``, one commit).

The token comes from ``HF_TOKEN`` (or the ``token`` argument) and is never printed, logged or put
in an error message; the endpoint from ``HF_ENDPOINT`` (default: the public Hub), which is how
the tests point the real client at a local fake of the Hub's HTTP API.  The card is checked
before anything is sent, so a folder without valid Hub metadata is refused locally.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import msgspec

from backchannel.errors import PublishError, quote

__all__ = ["PublishFile", "PublishResult", "list_files", "publish_dataset"]

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


class PublishFile(msgspec.Struct):
    """One file of the folder as it will appear in the repository."""

    path: str
    size: int


class PublishResult(msgspec.Struct):
    """What :func:`publish_dataset` did (or, in a dry run, would do)."""

    repo_id: str
    private: bool
    dry_run: bool
    files: list[PublishFile]
    total_bytes: int
    endpoint: str
    url: str | None = None
    commit: str | None = None


def list_files(folder: str | Path) -> list[PublishFile]:
    """Every file that an upload of ``folder`` sends, sorted by path (hidden files excluded)."""
    root = Path(folder)
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        files.append(PublishFile(path=rel.as_posix(), size=path.stat().st_size))
    return files


def _scrub(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{8,}", "hf_***", " ".join(text.split()))[:300]


def publish_dataset(
    folder: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    yes: bool = False,
    token: str | None = None,
    endpoint: str | None = None,
    message: str | None = None,
) -> PublishResult:
    """Upload an exported dataset folder to a Hub dataset repository (dry run unless ``yes``).

    Args:
        folder: a folder written by ``backchannel export``.
        repo_id: ``ORG/NAME``.
        private: create the repository private.
        yes: really upload; otherwise only list what would be sent.
        token: defaults to ``HF_TOKEN``; required when ``yes``.
        endpoint: defaults to ``HF_ENDPOINT``, then the public Hub.
        message: the commit message.

    Raises:
        PublishError: bad folder or repo id, missing token, or the Hub refused.

    Example:
        >>> publish_dataset("out/dataset", "me/diplomacy")  # doctest: +SKIP
        PublishResult(repo_id='me/diplomacy', private=False, dry_run=True, ...)
    """
    from backchannel.annotation.export.card_metadata import validate_card

    root = Path(folder)
    if not root.is_dir():
        raise PublishError("no such dataset folder", path=root)
    if not _REPO_ID.match(repo_id):
        raise PublishError(f"--repo-id {quote(repo_id)}: expected ORG/NAME")
    readme = root / "README.md"
    if not readme.is_file():
        raise PublishError(
            "folder has no README.md dataset card", path=root, hint="export it with backchannel"
        )
    validate_card(readme.read_text(encoding="utf-8"))
    files = list_files(root)
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    result = PublishResult(
        repo_id=repo_id,
        private=private,
        dry_run=not yes,
        files=files,
        total_bytes=sum(f.size for f in files),
        endpoint=endpoint,
    )
    if not yes:
        return result
    token = token or os.environ.get("HF_TOKEN")
    if not token:
        raise PublishError("HF_TOKEN is not set", hint="create a write token on the Hub")

    import httpx
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=endpoint, token=token)
    try:
        repo_url = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        info = api.upload_folder(
            folder_path=str(root),
            repo_id=repo_id,
            repo_type="dataset",
            commit_message=message or f"Upload {root.name} with backchannel",
            ignore_patterns=[".*", "**/.*"],
        )
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise PublishError(
            f"the Hub refused ({status}): {_scrub(str(exc), token)}", hint="check HF_TOKEN"
        ) from None
    except (httpx.HTTPError, OSError, ValueError, KeyError) as exc:
        raise PublishError(f"publishing failed: {_scrub(str(exc), token)}") from None
    result.url = str(repo_url)
    result.commit = info.oid
    return result
