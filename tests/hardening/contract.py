"""The reader contract, checked the same way for every reader and every command.

Library level: a reader yields valid records or raises its own :class:`BackchannelError` whose
message is one line naming the file.  Command level: exit 0 with a readable output, or a non-zero
exit with exactly one ``error: <file>...`` line, no output file and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from backchannel.errors import BackchannelError


def check_error(exc: BackchannelError, path: str, case: object) -> None:
    """One line, names the file, short enough for a terminal."""
    message = str(exc)
    assert "\n" not in message, (case, message)
    assert message.startswith(path), (case, message)
    assert len(message) < 500, (case, message)


def unexpected(case: object, exc: BaseException, data: bytes) -> None:
    """Fail with the input that broke the contract, so it can be replayed."""
    pytest.fail(f"input {case} raised {type(exc).__name__}: {exc!r} on {data[:300]!r}")


def check_cli(res: Result, output: Path, path: str, case: object, data: bytes) -> bool:
    """A command run: True when it succeeded (output present), False on a clean refusal."""
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        unexpected(case, res.exception, data)
    text = res.output
    assert "Traceback" not in text, (case, text)
    if res.exit_code == 0:
        assert output.exists(), (case, text)
        return True
    lines = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, (case, text)
    assert lines[0].startswith(f"error: {path}"), (case, text)
    assert res.exit_code != 0
    assert not output.exists(), (case, "partial output after an error")
    assert not [p for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.")], case
    return False
