"""One answer to "is that process still there?" for temporaries, servers and backends."""

from __future__ import annotations

import os
import subprocess
import sys

from backchannel.processes import alive


def test_this_process_is_alive_and_nonsense_pids_are_not() -> None:
    assert alive(os.getpid())
    assert not alive(0)
    assert not alive(-5)


def test_an_exited_child_is_gone_even_before_it_is_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while True:  # wait for it to exit without reaping it (a zombie)
        try:
            os.kill(child.pid, 0)
        except ProcessLookupError:
            break
        if os.path.exists(f"/proc/{child.pid}/stat"):
            with open(f"/proc/{child.pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    break
    assert not alive(child.pid)


def test_a_running_child_is_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert alive(child.pid)
    finally:
        child.kill()
        child.wait()
