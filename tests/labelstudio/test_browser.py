"""The offset convention proven in the real web UI: a person labels with the mouse, we pull.

Headless Chromium (Debian's ``chromium``, found on PATH; a Playwright browser download does not
work here) driven by Playwright logs in to the session's Label Studio, opens a task whose text
has an emoji, a combining mark and a line break before the target words, selects words with the
mouse, labels them, picks a per-region attribute and a document label, submits, and the pulled
Document must carry Python ``str`` offsets.  This is what keeps ``offsets.CONVENTION`` honest
for the pinned label-studio version.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.pull import pull
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.documents import Document, read_documents
from backchannel.schema import Schema

pytestmark = [pytest.mark.studio, pytest.mark.browser]

TEXT = "Talks 🤝 in Bogota\u0301 ended.\nEnvoys then met in Geneva today."

# Bounding box of the n-th occurrence of a word in the rendered task text (client coordinates).
_WORD_BOX = """([word, nth]) => {
  let seen = 0;
  for (const line of document.querySelectorAll('.lsf-richtext__line')) {
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      let i = node.textContent.indexOf(word);
      while (i >= 0) {
        if (seen === nth) {
          const r = document.createRange();
          r.setStart(node, i);
          r.setEnd(node, i + word.length);
          const b = r.getBoundingClientRect();
          return {x0: b.left, x1: b.right, y: b.top + b.height / 2};
        }
        seen += 1;
        i = node.textContent.indexOf(word, i + 1);
      }
    }
  }
  return null;
}"""


def _drag(page: Any, first: str, last: str) -> None:
    """Select from the start of word ``first`` to the end of word ``last`` with the mouse."""
    a = page.evaluate(_WORD_BOX, [first, 0])
    b = page.evaluate(_WORD_BOX, [last, 0])
    assert a is not None and b is not None, "word not rendered"
    page.mouse.move(a["x0"] + 1, a["y"])
    page.mouse.down()
    page.mouse.move(b["x1"] - 1, b["y"], steps=10)
    page.mouse.up()
    page.wait_for_timeout(300)


def test_mouse_labels_in_the_web_ui_come_back_as_python_offsets(
    browser: Any,
    studio: Studio,
    studio_server: ServerInfo,
    schema: Schema,
    project_title: str,
    tmp_path: Path,
) -> None:
    pid, _ = studio.ensure_project(project_title, schema)
    studio.import_tasks(pid, [{"data": {"text": TEXT, "doc_id": "browser-1"}}])
    task_id = studio.existing_tasks(pid)["browser-1"].task_id

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(f"{studio_server.url}/user/login/")
    page.fill("input[name=email]", studio_server.username)
    page.fill("input[name=password]", studio_server.password())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{studio_server.url}/projects/{pid}/data?task={task_id}")
    page.locator(".lsf-richtext__line", has_text="Geneva").wait_for()

    # 1. "Geneva": after an emoji, a combining mark and a line break.
    page.get_by_text("VENUE", exact=True).first.click()
    _drag(page, "Geneva", "Geneva")
    # 2. "Envoys" as an ACTOR with a per-region attribute (shown once the region is selected).
    page.keyboard.press("Escape")
    page.get_by_text("ACTOR", exact=True).first.click()
    _drag(page, "Envoys", "Envoys")
    # A new region is not selected; clicking it shows its label's attribute view.
    box = page.evaluate(_WORD_BOX, ["Envoys", 0])
    page.mouse.click((box["x0"] + box["x1"]) / 2, box["y"])
    # Per-region choices show a hotkey hint after the value ("group[0]").
    page.get_by_text(re.compile(r"^group(\[\d+\])?$")).locator("visible=true").first.click()
    # 3. A region across the line break: "ended.\nEnvoys".
    page.keyboard.press("Escape")
    page.get_by_text("ISSUE", exact=True).first.click()
    _drag(page, "ended", "Envoys")
    # Document label, then submit.
    page.get_by_text("yes", exact=True).locator("visible=true").first.click()
    page.get_by_role("button", name="Submit").click()
    deadline = time.monotonic() + 30
    while studio.existing_tasks(pid)["browser-1"].annotations == 0:
        assert time.monotonic() < deadline, "the submitted annotation never reached the server"
        time.sleep(0.2)
    page.close()

    out = tmp_path / "browser.jsonl"
    result = pull(studio, project_title, out, schema)
    assert result.documents == 1
    doc: Document = next(iter(read_documents(out, schema=schema)))
    got = {s.label: (s.start, s.end, s.attrs) for s in doc.spans}
    geneva = TEXT.index("Geneva")
    envoys = TEXT.index("Envoys")
    ended = TEXT.index("ended")
    assert got["VENUE"] == (geneva, geneva + len("Geneva"), {})
    assert got["ACTOR"] == (envoys, envoys + len("Envoys"), {"actor_kind": "group"})
    assert got["ISSUE"][:2] == (ended, envoys + len("Envoys"))
    assert doc.text[got["ISSUE"][0] : got["ISSUE"][1]] == "ended.\nEnvoys"
    assert doc.doc_labels == {"relevant": "yes"}
    assert doc.annotator == studio_server.username
    # The measured quirk behind offsets.text_matches: value.text across a line break.
    (task,) = json.loads(studio.export_snapshot(pid))
    stored = {
        r["value"]["labels"][0]: r["value"].get("text")
        for r in task["annotations"][0]["result"]
        if r["type"] == "labels"
    }
    assert stored["VENUE"] == "Geneva"
    # label-studio 1.23.2 writes the line break as backslash + n: text[start:end] is the truth.
    assert stored["ISSUE"] == "ended.\\nEnvoys"
    assert doc.annotation is not None and doc.annotation.lead_time is not None
