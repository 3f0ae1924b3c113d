"""Gold versions are immutable: numbered, hashed, never overwritten, written all or nothing."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from backchannel.annotation.gold import versions as gold_mod
from backchannel.annotation.gold.versions import (
    file_sha256,
    latest_version,
    list_versions,
    read_version,
    resolve_version,
    verify_version,
    write_version,
)
from backchannel.documents import Document, Span
from backchannel.errors import GoldError


def _doc(label: str = "ACTOR") -> Document:
    return Document(id="d", text="Paris", spans=[Span(id="s1", start=0, end=5, label=label)])


def test_versions_are_numbered_with_parents(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    v1 = write_version(d, [_doc()], method="adjudicate")
    v2 = write_version(d, [_doc("VENUE")], method="adjudicate")
    assert (v1.manifest.version, v1.manifest.parent) == ("v0001", None)
    assert (v2.manifest.version, v2.manifest.parent) == ("v0002", "v0001")
    assert [m.version for m in list_versions(d)] == ["v0001", "v0002"]
    assert latest_version(d).version == "v0002"
    assert v2.manifest.sha256 == file_sha256(d / "v0002.jsonl")
    assert v2.manifest.counts["spans"] == 1


def test_same_content_makes_no_new_version(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, [_doc()], method="adjudicate", review=[])
    again = write_version(d, [_doc()], method="adjudicate", review=[])
    assert not again.created
    assert again.manifest.version == "v0001"
    assert [m.version for m in list_versions(d)] == ["v0001"]


def test_existing_version_is_never_overwritten(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, [_doc()], method="adjudicate")
    before = (d / "v0001.jsonl").read_bytes()
    with pytest.raises(GoldError, match="already exists"):
        write_version(d, [_doc("VENUE")], method="adjudicate", version="v0001")
    assert (d / "v0001.jsonl").read_bytes() == before


def test_bad_version_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="must look like v0001"):
        write_version(tmp_path, [_doc()], method="adjudicate", version="latest")


def test_failed_write_leaves_no_version(tmp_path: Path, monkeypatch) -> None:
    d = tmp_path / "gold"
    real = gold_mod.atomic_write
    calls = []

    def failing(path, mode="w"):
        calls.append(Path(path).name)
        if str(path).endswith(".manifest.json"):
            raise OSError("disk full")
        return real(path, mode)

    monkeypatch.setattr(gold_mod, "atomic_write", failing)
    with pytest.raises(OSError, match="disk full"):
        write_version(d, [_doc()], method="adjudicate", review=[])
    assert calls == ["v0001.jsonl", "v0001.review.jsonl", "v0001.manifest.json"]
    assert sorted(p.name for p in d.iterdir()) == [".lock"]
    assert list_versions(d) == []


def test_stray_file_of_an_interrupted_write_is_skipped_not_overwritten(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    d.mkdir()
    (d / "v0001.jsonl").write_text("half\n")
    out = write_version(d, [_doc()], method="adjudicate")
    assert out.manifest.version == "v0002"
    assert (d / "v0001.jsonl").read_text() == "half\n"


def test_verify_catches_an_edit(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, [_doc()], method="adjudicate")
    assert verify_version(d, "v0001").version == "v0001"
    with open(d / "v0001.jsonl", "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(GoldError, match="modified after it was written"):
        verify_version(d, "v0001")


def test_resolve_by_name_or_path(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, [_doc()], method="adjudicate")
    assert resolve_version("v0001", d) == d / "v0001.jsonl"
    assert resolve_version(d / "v0001.jsonl") == d / "v0001.jsonl"
    assert read_version("v0001", d)[0].spans[0].label == "ACTOR"
    with pytest.raises(GoldError, match="no gold version 'v0009'"):
        resolve_version("v0009", d)
    with pytest.raises(GoldError, match="no such gold file"):
        resolve_version(tmp_path / "nope.jsonl")


def test_manifest_is_json_with_hash_parent_counts_time(tmp_path: Path) -> None:
    d = tmp_path / "gold"
    write_version(d, [_doc()], method="adjudicate", min_votes=2, schema="diplomacy 1.0.0")
    data = msgspec.json.decode((d / "v0001.manifest.json").read_bytes())
    assert {"version", "sha256", "created", "counts", "inputs", "method", "parent"} <= set(data)
    assert data["parent"] is None
    assert data["created"].endswith("+00:00")
    assert data["tool"].startswith("backchannel ")
