"""The real Label Studio for the studio tests: one server per test session.

It is started by the same code as ``backchannel studio up``
(:func:`~backchannel.annotation.labelstudio.server.start_server`) on a free port with a throwaway
data directory.  Fixed test credentials let the cached ``label-studio init`` template be reused,
so a warm start takes a few seconds.  When the server cannot start, tests fail under ``CI=true``
and skip (with the reason) only on a developer machine.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from backchannel.annotation.errors import StudioServerError
from backchannel.annotation.labelstudio.client import Connection, Studio
from backchannel.annotation.labelstudio.server import (
    ServerInfo,
    free_port,
    seed_credentials,
    start_server,
    stop_server,
)

sys.path.insert(0, str(Path(__file__).parent))
from studio_support import missing

TEST_USER = "admin@backchannel.test"
TEST_PASSWORD = "backchannel-test-password"
TEST_TOKEN = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    data_dir = tmp_path_factory.mktemp("label-studio")
    seed_credentials(data_dir, TEST_USER, TEST_PASSWORD, TEST_TOKEN)
    try:
        info = start_server(port=free_port(), data_dir=data_dir, say=print)
    except StudioServerError as exc:
        missing(f"Label Studio could not start: {exc}")
        raise
    yield info
    stop_server(info.data_dir)


@pytest.fixture(scope="session")
def connection(studio_server: ServerInfo) -> Connection:
    return Connection(studio_server.url, studio_server.token())


@pytest.fixture(scope="session")
def studio(connection: Connection) -> Studio:
    return Studio(connection)


@pytest.fixture
def project_title() -> str:
    """A fresh project per test, so tests never see each other's tasks."""
    return f"test-{uuid.uuid4().hex[:10]}"
