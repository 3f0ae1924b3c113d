"""``backchannel serve --detach`` runs a real backend process; ``studio down`` stops it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from backchannel.annotation.labelstudio.backend_process import running_backends
from backchannel.annotation.labelstudio.probe import free_port


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "backchannel", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def test_serve_detach_with_basic_auth_then_studio_down_stops_it(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "studio"
    secret = "lead:pa55-word"
    done = _cli(
        "serve",
        "--model",
        "rules",
        "--port",
        str(port),
        "--detach",
        "--data-dir",
        str(data_dir),
        "--work-dir",
        str(tmp_path / "work"),
        "--basic-auth-env",
        "BC_TEST_AUTH",
        env={"BC_TEST_AUTH": secret},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert f"http://127.0.0.1:{port}" in done.stdout
    url = f"http://127.0.0.1:{port}"
    try:
        assert httpx.get(f"{url}/health").status_code == 401
        health = httpx.get(f"{url}/health", auth=("lead", "pa55-word")).json()
        assert health["model_version"].startswith("rules-")
        (info,) = running_backends(data_dir)
        assert info.port == port
    finally:
        down = _cli("studio", "down", "--data-dir", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert f"stopped ML backend {url}" in down.stdout
    assert running_backends(data_dir) == []
    log = Path(info.log_path).read_text(encoding="utf-8")
    assert "pa55-word" not in log and "pa55-word" not in done.stdout + done.stderr


def test_bad_credentials_are_one_line_errors(tmp_path: Path) -> None:
    unset = _cli("serve", "--basic-auth-env", "BC_TEST_UNSET_VAR", env={"BC_TEST_UNSET_VAR": ""})
    assert unset.returncode != 0
    assert unset.stderr.strip().splitlines() == [
        "error: --basic-auth-env: $BC_TEST_UNSET_VAR is not set or empty"
    ]
    creds = tmp_path / "creds"
    creds.write_text("lead:pw\n")
    os.chmod(creds, 0o644)
    shared = _cli("serve", "--basic-auth-file", str(creds))
    assert shared.returncode != 0
    assert "readable by others" in shared.stderr and "Traceback" not in shared.stderr
    os.chmod(creds, stat.S_IRUSR | stat.S_IWUSR)
    malformed = tmp_path / "malformed"
    malformed.write_text("just-a-password\n")
    os.chmod(malformed, 0o600)
    bad = _cli("serve", "--basic-auth-file", str(malformed))
    assert bad.returncode != 0
    assert "USER:PASSWORD" in bad.stderr and "just-a-password" not in bad.stderr


def test_connect_to_a_backend_that_does_not_answer_says_so(tmp_path: Path) -> None:
    port = free_port()
    done = _cli(
        "studio",
        "connect",
        "--backend",
        f"http://127.0.0.1:{port}",
        "--url",
        "http://127.0.0.1:9",
        "--token",
        "x" * 40,
    )
    assert done.returncode != 0
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr
