"""Crash-safe writing: every output appears whole or not at all.

A killed process, a full disk or an exception half-way must never leave a truncated corpus, gold
version or report where a user (or the next pipeline step) would take it for a complete one.  So
every writer in backchannel writes to a temporary sibling and renames it into place: ``os.replace``
is atomic on POSIX within one file system.  ``-`` means standard output, which cannot be made
atomic and is written straight through.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload

from backchannel.annotation.output_path import check_output_file

STDIO = "-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@overload
def atomic_write(
    path: str | Path, mode: Literal["wb"]
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
@overload
def atomic_write(
    path: str | Path, mode: Literal["w"] = "w"
) -> contextlib.AbstractContextManager[IO[str]]: ...
def atomic_write(path: str | Path, mode: str = "w") -> contextlib.AbstractContextManager[IO]:  # type: ignore[misc]
    """Open ``path`` for writing through a temporary file renamed into place on success.

    Example:
        >>> with atomic_write("out.txt") as fh:  # doctest: +SKIP
        ...     fh.write("all or nothing\\n")
    """
    return _atomic_write(str(path), mode)


@contextlib.contextmanager
def _atomic_write(path: str, mode: str) -> Iterator[IO]:
    if path == STDIO:
        stream = sys.stdout.buffer if "b" in mode else sys.stdout
        yield stream
        stream.flush()
        return
    check_output_file(path)  # a folder: a typed error before any work, not IsADirectoryError
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_directory(path: str | Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Build a directory under a temporary name and rename it into place on success.

    Used by exports that write many files: readers never see a half-written dataset folder.
    With ``overwrite`` an existing directory is replaced only after the new one is complete.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        # mkdtemp makes the folder private (0700); the finished folder gets normal permissions.
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            if not overwrite:
                raise FileExistsError(f"{target} already exists")
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
