"""What a person sees: the score report and a pre-annotated task, rendered by a real browser.

Headless Chromium (Debian's ``chromium`` on PATH, driven by Playwright) opens

1. a score HTML report made in the test by ``backchannel score --format html`` from two bundled
   gold articles and predictions derived from them with known errors: every plot must be an
   ``<img>`` with a data URI that the browser decoded (``naturalWidth > 0``), and the error
   browser must show highlighted spans of each error kind;
2. a task in the session's real Label Studio, pushed with those predictions as
   pre-annotations: every predicted span must be highlighted in the text (one highlight per
   region id) and the region list must list them.

Screenshots go to the test's tmp_path (``report.png``, ``report-plots.png``, ``errors.png``,
``task.png``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.push import push
from backchannel.annotation.labelstudio.server import ServerInfo
from backchannel.documents import Document, read_documents, write_documents
from backchannel.schema import Schema

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def predicted(gold: Document) -> Document:
    """A prediction with known errors: every 4th span missed, every 5th given another label."""
    labels = ["ACTOR", "CHANNEL", "VENUE", "ISSUE"]
    spans = []
    for i, span in enumerate(gold.spans):
        if i % 4 == 3:
            continue
        if i % 5 == 4:
            other = labels[(labels.index(span.label) + 1) % len(labels)]
            span = msgspec.structs.replace(span, label=other, attrs={})
        spans.append(msgspec.structs.replace(span, provenance=None, score=0.8))
    # a relation stays only when both its ends were predicted with their gold label
    gold_label = {s.id: s.label for s in gold.spans}
    same = {s.id for s in spans if s.label == gold_label[s.id]}
    relations = [
        msgspec.structs.replace(r, provenance=None)
        for r in gold.relations
        if r.head in same and r.tail in same
    ]
    return Document(
        id=gold.id,
        text=gold.text,
        spans=spans,
        relations=relations,
        doc_labels=gold.doc_labels,
        annotator="rules-like",
    )


@pytest.fixture(scope="module")
def gold_and_predictions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("report-inputs")
    golds = list(read_documents(ROOT / "corpora" / "diplomacy" / "gold.jsonl"))[:2]
    gold, preds = where / "gold.jsonl", where / "predictions.jsonl"
    write_documents(golds, gold)
    write_documents([predicted(g) for g in golds], preds)
    return gold, preds


def test_score_report_plots_and_error_browser_render(
    browser: Any, gold_and_predictions: tuple[Path, Path], tmp_path: Path
) -> None:
    gold, preds = gold_and_predictions
    report = tmp_path / "report.html"
    env = {**os.environ, "BACKCHANNEL_NO_PROGRESS": "1"}
    args = ["score", str(gold), str(preds), "--format", "html", "-o", str(report)]
    subprocess.run(
        [sys.executable, "-m", "backchannel", *args, "--bootstrap", "50"], check=True, env=env
    )
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate(
        """() => [...document.images].map(i => ({alt: i.alt, src: i.src.slice(0, 22),
            w: i.naturalWidth, h: i.naturalHeight, complete: i.complete}))"""
    )
    assert len(images) >= 2, images
    for img in images:
        assert img["src"] == "data:image/png;base64,", img
        assert img["complete"] and img["w"] > 0 and img["h"] > 0, img
    cells = page.evaluate("() => [...document.querySelectorAll('td')].map(td => td.textContent)")
    assert cells and not [c for c in cells if c and set(c) <= set("-:|")], "a Markdown rule row"
    alts = " ".join(i["alt"] for i in images)
    assert "F1" in alts and "confusion" in alts
    # the error browser: open every article and count visible marks by error kind
    for summary in page.locator("details > summary").all():
        summary.click()
    visible = page.evaluate(
        """() => { const c = {}; for (const m of document.querySelectorAll('details mark')) {
            const r = m.getBoundingClientRect();
            if (r.width > 0 && r.height > 0) c[m.className] = (c[m.className] || 0) + 1; }
            return c; }"""
    )
    assert visible.get("COR", 0) > 10, visible
    assert visible.get("MIS", 0) > 0 and visible.get("INC", 0) + visible.get("SPU", 0) > 0, visible
    page.locator("details mark.MIS").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "errors.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "report.png"))
    page.locator("h2", has_text="Plots").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "report-plots.png"))
    page.close()
    assert (tmp_path / "report.png").stat().st_size > 10_000


@pytest.mark.studio
def test_pre_annotated_task_shows_its_regions_in_label_studio(
    browser: Any,
    studio: Studio,
    studio_server: ServerInfo,
    schema: Schema,
    project_title: str,
    gold_and_predictions: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    gold, preds = gold_and_predictions
    doc = next(iter(read_documents(gold, schema=schema)))
    pred = next(d for d in read_documents(preds, schema=schema) if d.id == doc.id)
    result = push(
        studio, project_title, [doc], schema, predictions={doc.id: [pred]}, model_version="demo"
    )
    assert result.predictions_created == 1
    pid = studio.project_id(project_title)
    task_id = studio.existing_tasks(pid)[doc.id].task_id

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto(f"{studio_server.url}/user/login/")
    page.fill("input[name=email]", studio_server.username)
    page.fill("input[name=password]", studio_server.password())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{studio_server.url}/projects/{pid}/data?task={task_id}")
    page.locator(".lsf-richtext__line").first.wait_for()
    page.locator(".htx-highlight").first.wait_for()
    page.locator(".lsf-outliner-item").first.wait_for()
    # Each region's highlights carry the class htx-highlight-<region id>-<n>.
    region_ids = page.evaluate(
        """() => { const ids = new Set();
            for (const e of document.querySelectorAll('.htx-highlight'))
              for (const k of e.classList) { const m = k.match(/^htx-highlight-(.+)-\\d+$/);
                if (m) ids.add(m[1]); }
            return [...ids]; }"""
    )
    assert sorted(region_ids) == sorted(s.id for s in pred.spans)
    # The highlighted text is the predicted span's text.
    first = pred.spans[0]
    shown = page.locator(f"[class*='htx-highlight-{first.id}-']").first.inner_text()
    assert shown.strip() == pred.text[first.start : first.end].strip()
    # The region list names the regions (it is virtualised: the first ones are rendered).
    items = page.locator(".lsf-outliner-item").all_inner_texts()
    assert items and any(first.label in t for t in items), items
    assert pred.text[first.start : first.end] in " ".join(items)
    page.screenshot(path=str(tmp_path / "task.png"))
    page.close()
    assert (tmp_path / "task.png").stat().st_size > 10_000
