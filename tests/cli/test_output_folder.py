"""``-o`` naming a folder: one ``error:`` line and exit 1 in every command that writes one file.

Before, ``ingest x.jsonl -o /tmp`` (and predict, score, agree, tasks...) did the work and then
died in ``os.replace`` with an ``IsADirectoryError`` traceback.  ``predict``, ``ingest`` and
``events`` are not here: their ``-o`` may name a folder, which then receives shards and a
manifest (docs/cluster.md; tested in tests/cluster), and a folder that is not a shard folder
is refused there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.atomic import atomic_write
from backchannel.cli.app import app
from backchannel.documents import Document, write_documents
from backchannel.errors import InputError

# command line before -o (FILE is replaced by a small Document JSONL), and the suggested name
COMMANDS: list[tuple[list[str], str]] = [
    (["score", "FILE", "FILE"], "report.md"),
    (["compare", "FILE", "FILE", "FILE"], "report.md"),
    (["agree", "FILE"], "agreement.md"),
    (["tasks", "FILE"], "tasks.json"),
    (["pull", "--from-export", "FILE"], "annotations.jsonl"),
    (["gold", "diff", "FILE", "FILE"], "diff.md"),
    (["gold", "quality", "FILE", "FILE"], "quality.md"),
]


@pytest.fixture
def corpus(tmp_path: Path, doc: Document) -> Path:
    path = tmp_path / "docs.jsonl"
    write_documents([doc], path)
    return path


@pytest.mark.parametrize(("argv", "example"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
@pytest.mark.parametrize("slash", ["", "/"], ids=["existing", "trailing-slash"])
def test_output_folder_is_one_error_line(
    runner: CliRunner, tmp_path: Path, corpus: Path, argv: list[str], example: str, slash: str
) -> None:
    folder = tmp_path / "out"
    if not slash:
        folder.mkdir()
    target = f"{folder}{slash}"
    args = [str(corpus) if a == "FILE" else a for a in argv]
    result = runner.invoke(app, [*args, "-o", target])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    expected = f"error: -o {target} is a folder; name a file, e.g. {folder}/{example}\n"
    assert result.stderr == expected
    assert result.stdout == ""
    assert not folder.exists() or list(folder.iterdir()) == []


def test_library_writer_refuses_a_folder_with_a_typed_error(tmp_path: Path, doc: Document) -> None:
    with pytest.raises(InputError, match="is a folder; name a file"):
        write_documents([doc], tmp_path)
    with pytest.raises(InputError, match="is a folder"), atomic_write(tmp_path, "wb") as fh:
        fh.write(b"never")
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_file_and_to_stdout_still_work(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "articles.jsonl"
    source.write_text('{"text": "The envoy met the minister."}\n', encoding="utf-8")
    out = tmp_path / "new" / "corpus.jsonl"
    result = runner.invoke(app, ["ingest", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ingest", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stdout == out.read_text(encoding="utf-8")
    assert '"The envoy met the minister."' in result.stdout
