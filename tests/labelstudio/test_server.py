"""The local server: clean environment, secrets on disk, one-line errors, `studio` commands."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backchannel.annotation.labelstudio import credentials, environment, install, probe, server
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.cli.app import app
from backchannel.errors import StudioServerError
from tests.conftest import missing

pytestmark = pytest.mark.studio

TEST_CREDS = (
    "admin@backchannel.test",
    "backchannel-test-password",
    "0123456789abcdef" * 2 + "01234567",
)


def test_server_environment_keeps_nothing_of_the_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOST", "PORT", "USERNAME", "DJANGO_DB", "HEARTEX_HOST", "LABEL_STUDIO_PORT"):
        monkeypatch.setenv(name, "leak")
    env = environment.server_environment(Path("/data"), "u@x", "pw", "tok")
    assert "leak" not in env.values()
    assert env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert env["LATEST_VERSION_CHECK"] == "false" and env["COLLECT_ANALYTICS"] == "false"
    assert env["SENTRY_DSN"] == "" and env["FRONTEND_SENTRY_DSN"] == ""
    assert env["LABEL_STUDIO_BASE_DATA_DIR"] == "/data"


def test_the_pin_lives_in_one_place() -> None:
    assert install.LABEL_STUDIO_REQUIREMENT == "label-studio==1.23.2"


def test_session_server_is_local_healthy_and_keeps_its_secrets_private(
    studio_server: ServerInfo,
) -> None:
    assert studio_server.url.startswith("http://127.0.0.1:")
    assert probe.healthy(studio_server.url)
    assert probe.whoami(studio_server.url, studio_server.token()) == studio_server.username
    for path in (studio_server.token_file, studio_server.password_file):
        assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    state = (Path(studio_server.data_dir) / "server.json").read_text(encoding="utf-8")
    assert studio_server.token() not in state and studio_server.password() not in state
    assert studio_server.token() not in repr(studio_server)
    assert server.status(studio_server.data_dir) == studio_server


def test_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(StudioServerError) as err:
            server.start_server(port=port, data_dir=tmp_path / "d")
    assert f"port {port} on 127.0.0.1 is in use" in str(err.value)
    assert "\n" not in str(err.value)


def test_failed_start_names_the_log(tmp_path: Path) -> None:
    data_dir = tmp_path / "broken"
    credentials.seed_credentials(data_dir, *TEST_CREDS)
    (data_dir / server.DB_FILE).write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(StudioServerError) as err:
        server.start_server(port=probe.free_port(), data_dir=data_dir, timeout=120)
    message = str(err.value)
    assert str(data_dir / server.LOG_FILE) in message
    assert "exited during start" in message and "\n" not in message
    assert server.status(data_dir) is None


def test_studio_up_status_down_for_a_person(tmp_path: Path, schema: object) -> None:
    data_dir = tmp_path / "studio"
    credentials.seed_credentials(data_dir, *TEST_CREDS)  # reuse the cached init template
    runner = CliRunner()
    port = probe.free_port()
    up = runner.invoke(
        app,
        [
            "studio",
            "up",
            "--detach",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--project",
            "demo",
        ],
    )
    try:
        if up.exit_code != 0 and "could not" in up.output:
            missing(f"studio up failed: {up.output}")
        assert up.exit_code == 0, up.output
        assert f"http://127.0.0.1:{port}" in up.output
        assert "admin@backchannel.test" in up.output
        assert str(data_dir / "api-token") in up.output and "0600" in up.output
        assert "'demo' (created)" in up.output
        assert TEST_CREDS[2] not in up.output and TEST_CREDS[1] not in up.output
        st = runner.invoke(app, ["studio", "status", "--data-dir", str(data_dir)])
        assert st.exit_code == 0 and f"running: http://127.0.0.1:{port}" in st.output
        again = runner.invoke(
            app, ["studio", "up", "--detach", "--port", str(port + 1), "--data-dir", str(data_dir)]
        )
        assert again.exit_code == 3 and "already runs" in again.output
    finally:
        down = runner.invoke(app, ["studio", "down", "--data-dir", str(data_dir)])
    assert down.exit_code == 0 and "stopped Label Studio" in down.output
    st = runner.invoke(app, ["studio", "status", "--data-dir", str(data_dir)])
    assert st.exit_code == 1 and "no Label Studio running" in st.output
