"""Is a process still there?  One answer for temporaries, servers and detached backends.

Atomic writers name their temporaries after their process, and the Label Studio server and
``serve --detach`` record theirs in state files; each later asks whether that process lives.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

__all__ = ["alive", "terminate_group"]


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists; a zombie child of ours is reaped and counts as gone.

    A process we may not signal still exists, and so does one we cannot ask about (a platform
    without signals): its files are kept rather than taken for a dead run's.
    """
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError included: someone else's process, alive
        return True
    with contextlib.suppress(ChildProcessError):  # our exited child lingers until reaped
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def terminate_group(pid: int, grace: float = 10.0) -> None:
    """Stop the process group led by ``pid``: SIGTERM, ``grace`` seconds, then SIGKILL.

    Servers are started in a session of their own so that their workers stop with them.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        while alive(pid) and time.monotonic() < deadline + 5:
            time.sleep(0.1)
