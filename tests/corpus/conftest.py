"""Fixtures for the corpus tests: the real build, and tiny hand-made article folders.

``corpora/`` is not installed with the wheel, so the repository root goes on ``sys.path`` and
the build script is imported as ``corpora.build``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from corpora import build  # noqa: E402

TEXT = (
    "Reyes phones the Kremlin\n\n"
    "President Anna Reyes phoned the Kremlin on Monday about the grain deal. "
    "Reyes said the call was useful."
)
YAML = """\
meta:
  title: "Reyes phones the Kremlin"
  outlet: "Test Gazette"
  published: "2026-01-01"
  synthetic: true
  license: CC-BY-4.0
  authored_by: backchannel team
doc_labels: {relevant: "yes", framing: cooperative}
spans:
  - {id: a1, label: ACTOR, surface: "President Anna Reyes",
     attrs: {actor_kind: person, country: PHL}}
  - {id: c1, label: CHANNEL, surface: "phoned", attrs: {channel_kind: phone_call, modality: actual}}
  - {id: a2, label: ACTOR, surface: "the Kremlin", nth: 1,
     attrs: {actor_kind: government, country: RUS, metonymy: "yes"}}
  - {id: i1, label: ISSUE, surface: "the grain deal"}
  - {id: c2, label: CHANNEL, surface: "the call",
     attrs: {channel_kind: phone_call, modality: actual}}
relations:
  - {head: c1, tail: a1, label: PARTICIPANT, attrs: {role: initiator}}
  - {head: c1, tail: a2, label: PARTICIPANT, attrs: {role: recipient}}
  - {head: c1, tail: i1, label: ABOUT}
"""
README = "# Test corpus\n\n<!-- stats:start -->\n<!-- stats:end -->\n"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A folder with one valid article pair, a README with markers and an output folder."""
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "001-reyes-call.txt").write_text(TEXT, encoding="utf-8")
    (arts / "001-reyes-call.yaml").write_text(YAML, encoding="utf-8")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    (tmp_path / "out").mkdir()
    return tmp_path


@pytest.fixture
def build_mini():
    """Build a ``mini``-style folder (articles/, README.md, out/) in memory."""

    def run(root: Path, **kwargs) -> build.BuildResult:
        return build.build_corpus(
            root / "articles", readme=root / "README.md", out_dir=root / "out", **kwargs
        )

    return run


@pytest.fixture(scope="session")
def corpus() -> build.BuildResult:
    """The real corpus, rebuilt in memory once per test session."""
    return build.build_corpus()
