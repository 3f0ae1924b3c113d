"""Fuzzing ``pull --from-export``: any Label Studio export gives Documents or one clear error.

Exports come from many hands (downloaded from the web UI, edited, produced by other tools), so
the converter is fed valid exports damaged in the ways the issue names (missing keys, regions
without ``value``, relations to unknown ids, offsets past the text, choices for unknown labels,
wrong types) plus the generic JSON and byte mutations of :mod:`.fuzzing`.  Volume goes through
the library entry points; a few hundred inputs go through the real command to prove the exit
code, the one ``error:`` line and that no output file (or temporary file) is left behind.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from backchannel.annotation.labelstudio import convert, regions
from backchannel.annotation.labelstudio.pull import _decode_export, documents_from_export
from backchannel.cli.app import app
from backchannel.documents import encode_document, iter_documents, read_documents
from backchannel.errors import BackchannelError

from .contract import check_cli, check_error, unexpected
from .fuzzing import mutations

FUZZ_COUNT = int(os.environ.get("BACKCHANNEL_FUZZ_COUNT", "10000"))
CLI_COUNT = min(max(FUZZ_COUNT // 50, 200), 1000)


def _seed_tasks() -> list[dict[str, Any]]:
    from tests.conftest import sample_document

    doc = sample_document()
    task = convert.document_to_task(doc)
    task.update(id=5, project=2)
    result = regions.document_to_result(doc)
    task["annotations"] = [
        {"id": 11, "completed_by": {"id": 1, "email": "a@x.org"}, "result": result},
        {"id": 12, "completed_by": 2, "result": result, "lead_time": 2.5, "ground_truth": True},
        {"id": 13, "completed_by": 3, "result": [], "was_cancelled": True},
    ]
    hand_made = {"id": 6, "data": {"text": "Paris called Rome."}, "annotations": []}
    return [task, hand_made]


def _studio_damage(tasks: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """One of the damages a real export suffers, aimed at the converter's assumptions."""
    tasks = copy.deepcopy(tasks)
    task = tasks[0]
    ann = rng.choice(task["annotations"][:2])
    result = ann["result"]
    regions = [r for r in result if r.get("type") == "labels"]
    kind = rng.randrange(8)
    if kind == 0:  # a missing key anywhere on the path
        target = rng.choice([task, task["data"], ann, rng.choice(result)])
        target.pop(rng.choice(list(target)), None)
    elif kind == 1:  # a region without value
        rng.choice(regions).pop("value")
    elif kind == 2:  # a relation to an unknown id
        rel = rng.choice([r for r in result if r.get("type") == "relation"])
        rel[rng.choice(["from_id", "to_id"])] = "no-such-region"
    elif kind == 3:  # offsets past the text (or negative, or reversed)
        value = rng.choice(regions)["value"]
        n = len(task["data"]["text"])
        value["start"], value["end"] = rng.choice([(n, n + 5), (-3, 4), (10, 2), (0, 10**12)])
    elif kind == 4:  # choices for an unknown label or attribute value
        rid = rng.choice(regions)["id"]
        name = rng.choice(["NOPE__kind", "ACTOR__no_attr", "ACTOR__country", "relevant", "nope"])
        region = rng.random() < 0.7
        value: dict[str, Any] = {"choices": [rng.choice(["ZZZ", "yes", "<b>", ""])]}
        if region:
            value.update(start=0, end=20, text="President Anna Reyes")
        result.append(
            {"id": rid, "from_name": name, "to_name": "text", "type": "choices", "value": value}
        )
    elif kind == 5:  # a label the schema does not know
        rng.choice(regions)["value"]["labels"] = [rng.choice(["PERSON", "", "ACTOR:x"])]
    elif kind == 6:  # stored region text disagrees with the task text
        rng.choice(regions)["value"]["text"] = "something else"
    else:  # the task text changed under the annotations
        task["data"]["text"] = task["data"]["text"][rng.randrange(1, 30) :]
    return tasks


def export_inputs(count: int, seed: int) -> Iterator[bytes]:
    """``count`` export files: half targeted damage, half generic mutation."""
    rng = random.Random(seed)
    seeds = _seed_tasks()
    generic = mutations([seeds, seeds[0]], count, seed=seed)
    for _ in range(count):
        data = next(generic)
        if rng.random() < 0.5:
            data = json.dumps(_studio_damage(seeds, rng), ensure_ascii=False).encode()
        yield data


def test_export_reader_survives_fuzzing(schema) -> None:
    outcomes = {"valid": 0, "error": 0}
    for i, data in enumerate(export_inputs(FUZZ_COUNT, seed=21)):
        try:
            docs = list(
                documents_from_export(_decode_export(data, "e.json"), schema=schema, path="e.json")
            )
        except BackchannelError as exc:
            check_error(exc, "e.json", i)
            outcomes["error"] += 1
            continue
        except Exception as exc:  # pragma: no cover - the failure we are hunting
            unexpected(i, exc, data)
        for doc in docs:  # what pull writes must read back under the same schema
            line = encode_document(doc) + b"\n"
            (back,) = iter_documents(io.BytesIO(line), "back.jsonl", schema=schema)
            assert back == doc, i
            for span in doc.spans:
                assert 0 <= span.start < span.end <= len(doc.text)
        outcomes["valid"] += 1
    assert outcomes["valid"] > 0 and outcomes["error"] > 0, outcomes


def test_pull_from_export_command_fuzz(tmp_path: Path) -> None:
    """Through the real command: exit code, one error line, no output, no temp file."""
    runner = CliRunner()
    export, out = tmp_path / "export.json", tmp_path / "out" / "ann.jsonl"
    out.parent.mkdir()
    ok = refused = 0
    for i, data in enumerate(export_inputs(CLI_COUNT, seed=22)):
        export.write_bytes(data)
        if out.exists():
            out.unlink()
        res = runner.invoke(app, ["pull", "--from-export", str(export), "-o", str(out)])
        if check_cli(res, out, str(export), i, data):
            list(read_documents(out))
            ok += 1
        else:
            refused += 1
    assert ok > 0 and refused > 0, (ok, refused)


def test_named_export_damages_fuzz_are_refused_with_task_and_region(schema) -> None:
    """Each damage the issue names is refused (not silently dropped) and names task and region."""
    seeds = _seed_tasks()
    text = seeds[0]["data"]["text"]

    def refuse(tasks: list[dict[str, Any]], *needles: str) -> str:
        try:
            list(documents_from_export(tasks, schema=schema, path="e.json"))
        except BackchannelError as exc:
            check_error(exc, "e.json", needles)
            for needle in needles:
                assert needle in str(exc), (needle, str(exc))
            return str(exc)
        raise AssertionError(f"accepted: {needles}")

    def region(tasks: list[dict[str, Any]], rid: str) -> dict[str, Any]:
        return next(r for r in tasks[0]["annotations"][0]["result"] if r.get("id") == rid)

    t = copy.deepcopy(seeds)
    region(t, "s1").pop("value")
    refuse(t, "task 5", "span s1")
    t = copy.deepcopy(seeds)
    rel = next(r for r in t[0]["annotations"][0]["result"] if r["type"] == "relation")
    rel["to_id"] = "ghost"
    refuse(t, "task 5", "missing region 'ghost'")
    t = copy.deepcopy(seeds)
    region(t, "s4")["value"].update(start=len(text), end=len(text) + 4)
    refuse(t, "task 5", "span s4", "do not fit")
    t = copy.deepcopy(seeds)
    t[0]["annotations"][0]["result"].append(
        {
            "id": "s1",
            "from_name": "ACTOR__country",
            "to_name": "text",
            "type": "choices",
            "value": {"start": 0, "end": 20, "choices": ["ZZZ"]},
        }
    )
    refuse(t, "task 5", "ZZZ")
    t = copy.deepcopy(seeds)
    t[0]["annotations"][0]["result"].append(
        {
            "id": "d",
            "from_name": "nope",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["yes"]},
        }
    )
    refuse(t, "task 5", "unknown control 'nope'")
    t = copy.deepcopy(seeds)
    t[0]["annotations"] = {"oops": 1}
    refuse(t, "task 5", "not a list")
    t = copy.deepcopy(seeds)
    t[0]["annotations"][0]["result"][0] = "s1"
    refuse(t, "task 5", "not an object")
