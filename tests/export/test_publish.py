"""Publishing through the real huggingface_hub client against a local fake of the Hub's API.

The public Hub is never contacted: ``HF_ENDPOINT`` points at a server on 127.0.0.1 (the
``fake_hub`` fixture in conftest.py) that records every request.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backchannel.annotation.export.publish import list_files, publish_dataset
from backchannel.cli.app import app
from backchannel.errors import PublishError


def test_dry_run_lists_every_file_and_sends_nothing(exported, fake_hub) -> None:
    result = publish_dataset(exported.out, "org/diplomacy")
    assert result.dry_run and result.url is None
    on_disk = sorted(
        p.relative_to(exported.out).as_posix() for p in exported.out.rglob("*") if p.is_file()
    )
    assert [f.path for f in result.files] == on_disk
    assert all(f.size == (exported.out / f.path).stat().st_size for f in result.files)
    assert result.total_bytes == sum(f.size for f in result.files)
    assert fake_hub.requests == []
    assert fake_hub.repos == {}


def test_yes_uploads_the_folder(exported, fake_hub) -> None:
    result = publish_dataset(exported.out, "org/diplomacy", yes=True, private=True)
    assert not result.dry_run
    assert result.url == f"{fake_hub.url}/datasets/org/diplomacy"
    assert result.commit and result.commit.startswith("abc123")
    stored = fake_hub.repos["org/diplomacy"]
    assert sorted(stored) == [f.path for f in list_files(exported.out)]
    for path, data in stored.items():
        assert data == (exported.out / path).read_bytes()
    assert fake_hub.private["org/diplomacy"] is True
    # the second publish reuses the repository (409 from create_repo is fine)
    publish_dataset(exported.out, "org/diplomacy", yes=True)
    assert ("POST", "/api/repos/create") in fake_hub.requests


def test_cli_dry_run_then_upload(exported, fake_hub, runner) -> None:
    dry = runner.invoke(app, ["publish", str(exported.out), "--repo-id", "org/ds"])
    assert dry.exit_code == 0, dry.output
    assert "nothing was sent" in dry.output
    assert "README.md" in dry.output and "events/graph.png" in dry.output
    assert fake_hub.requests == []
    done = runner.invoke(app, ["publish", str(exported.out), "--repo-id", "org/ds", "--yes"])
    assert done.exit_code == 0, done.output
    assert "uploaded" in done.output and "org/ds" in done.output
    assert fake_hub.token not in done.output + dry.output
    assert "README.md" in fake_hub.repos["org/ds"]


def test_wrong_token_is_a_one_line_error_without_the_token(
    exported, fake_hub, runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_WRONGwrongWRONG123456")
    result = runner.invoke(app, ["publish", str(exported.out), "--repo-id", "org/ds", "--yes"])
    assert result.exit_code == 1
    assert result.output.startswith("error: the Hub refused (401)")
    assert "hf_WRONGwrongWRONG123456" not in result.output
    assert fake_hub.repos == {}


def test_missing_token(exported, fake_hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(PublishError, match="HF_TOKEN is not set"):
        publish_dataset(exported.out, "org/ds", yes=True)
    assert fake_hub.requests == []


@pytest.mark.parametrize("repo_id", ["nameonly", "a/b/c", "org/", "/x", "org/na me"])
def test_bad_repo_id(exported, repo_id: str) -> None:
    with pytest.raises(PublishError, match="ORG/NAME"):
        publish_dataset(exported.out, repo_id)


def test_folder_without_card_is_refused(exported, tmp_path: Path, fake_hub) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(exported.out, copy)
    (copy / "README.md").unlink()
    with pytest.raises(PublishError, match=r"no README\.md"):
        publish_dataset(copy, "org/ds", yes=True)
    (copy / "README.md").write_text("---\nlicense: mit\n---\n# x\n", encoding="utf-8")
    with pytest.raises(PublishError, match="lacks 'language'"):
        publish_dataset(copy, "org/ds", yes=True)
    assert fake_hub.requests == []
