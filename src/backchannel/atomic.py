"""Crash-safe writing: every output appears whole or not at all.

A killed process, a full disk or an exception half-way must never leave a truncated corpus, gold
version or report where a user (or the next pipeline step) would take it for a complete one.  So
every writer in backchannel writes to a temporary sibling and renames it into place: ``os.replace``
is atomic on POSIX within one file system.  ``-`` means standard output, which cannot be made
atomic and is written straight through.

Replacing a whole folder (``export --overwrite``) swaps the new folder and the old one in one
``renameat2(RENAME_EXCHANGE)`` call on Linux, so there is no moment without a complete folder
under the name; elsewhere (or on file systems that refuse the exchange) it falls back to two
renames through a hidden ``.NAME.old-PID``.  Temporaries carry the writer's process id
(``.NAME.PID.XXXXXXXX.tmp``), so the next writer of the same name can tell what a killed run
left behind (:func:`recover_leftovers`): a ``.NAME.old-PID`` of a dead process with no ``NAME``
is renamed back, and temporaries of dead processes are removed.  Those of a live process (a
concurrent run) are never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Literal, overload

from backchannel.output_path import check_output_file
from backchannel.processes import alive

STDIO = "-"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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


def _prefix(target: Path) -> str:
    return f".{target.name}.{os.getpid()}."


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Returns:
        True when swapped; False when the system or file system cannot (not Linux, glibc
        without ``renameat2``, a file system without exchange): the caller falls back.

    Raises:
        OSError: for real failures (a path missing, permission denied).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    int_, path_ = ctypes.c_int, ctypes.c_char_p
    renameat2.argtypes = [int_, path_, int_, path_, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def recover_leftovers(path: str | Path) -> list[Path]:
    """Repair what killed writers of ``path`` left in its folder; return the paths handled.

    * ``.NAME.old-PID`` of a dead process: renamed back to ``NAME`` when ``NAME`` is missing
      (the run was killed between the two renames of a fallback swap), else removed.
    * ``.NAME.PID.*.tmp`` (files or folders) of a dead process: removed.

    Anything of a live process is left alone: it may be a concurrent run still writing.
    """
    target = Path(path)
    parent = target.parent
    pattern = re.compile(
        rf"^\.{re.escape(target.name)}\.(?:old-(?P<old>\d+)|(?P<tmp>\d+)\..*\.tmp)$"
    )
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return []
    handled: list[Path] = []
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        pid = int(match["old"] or match["tmp"])
        if alive(pid):
            continue
        leftover = parent / name
        if match["old"] and not os.path.lexists(target):
            with contextlib.suppress(OSError):
                os.rename(leftover, target)
                handled.append(leftover)
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
        handled.append(leftover)
    return handled


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
    recover_leftovers(target)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent)
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
    With ``overwrite`` an existing directory is replaced only after the new one is complete, by
    an atomic exchange where the system has one (see the module docstring).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_leftovers(target)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(target), suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        # mkdtemp makes the folder private (0700); the finished folder gets normal permissions.
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            if not overwrite:
                raise FileExistsError(f"{target} already exists")
            _swap_in(tmp, target)
        else:
            os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of the existing ``target``, then drop the old.

    After an exchange ``new`` holds the old folder (still named as this process's temporary,
    so a kill before its removal leaves a temporary the next run cleans).  Without one, the old
    folder goes to ``.NAME.old-PID`` first; a kill between the two renames leaves that, and the
    next run renames it back.
    """
    if exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)
        return
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    _rename(target, old)
    _rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _rename(src: Path, dst: Path) -> None:
    """``os.replace``; a seam the crash tests interrupt between the two renames."""
    os.replace(src, dst)
