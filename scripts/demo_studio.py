"""``make demo-studio``: the annotation flow through a live local Label Studio.

Every step is a real ``backchannel`` command run as a subprocess, exactly as a user would type
it.  Only the people are scripted: two annotators and an adjudicator work through the Label
Studio API (the admin creates their accounts and files annotations on their behalf with
``completed_by``), where a person would use the web UI.  The flow:

    studio up --detach -> ingest (a few bundled articles) -> predict --model rules ->
    push --predictions -> two scripted annotators -> pull -> agree -> adjudicate ->
    review push -> a scripted adjudicator decision -> review pull -> gold diff

The annotators start from the bundled hand-made gold with small deterministic edits (one drops
some spans, the other changes some attributes and drops some relations), so the agreement is
meaningful and adjudication has something to review.  The adjudicator settles every review task
with the bundled gold.  At the end the server keeps running so a person can look at the tasks:
the script prints the URL, the user, where the password and token files are, and how to stop it
(``--stop`` stops it instead, as the test does).  Run again, it reuses the running server: tasks
already there are skipped and only unannotated tasks get the scripted annotators.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import msgspec

from backchannel.annotation.labelstudio import regions
from backchannel.annotation.labelstudio.api import Studio
from backchannel.annotation.labelstudio.connection import Connection
from backchannel.annotation.labelstudio.credentials import read_token
from backchannel.annotation.labelstudio.probe import free_port, port_in_use
from backchannel.annotation.labelstudio.server import DEFAULT_PORT, status
from backchannel.documents import Document, read_documents

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "diplomacy"
EXE = [sys.executable, "-m", "backchannel"]
PROJECT = "backchannel-demo"
REVIEW_PROJECT = "backchannel-demo-review"
ANNOTATORS = ("ana@backchannel.local", "ben@backchannel.local")
ADJUDICATOR = "judge@backchannel.local"


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def run(*args: str | Path, env: dict[str, str], stdout: Path | None = None) -> str:
    """Run one ``backchannel`` command, echoing it as a user would type it; return its stdout."""
    words = [_shown(a) if isinstance(a, Path) else a for a in args]
    shown = " ".join(["backchannel", *words]) + (f" > {_shown(stdout)}" if stdout else "")
    print(f"\n$ {shown}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*EXE, *words], check=True, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if stdout is not None:
        stdout.write_text(done.stdout, encoding="utf-8")
    elif done.stdout:
        print(done.stdout.rstrip(), flush=True)
    print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return done.stdout


# -- the scripted people ------------------------------------------------------------------------


def _drop_spans(doc: Document, every: int) -> Document:
    """Annotator A misses every ``every``-th span (and the relations that used it)."""
    keep = [s for i, s in enumerate(doc.spans) if i % every != every - 1]
    ids = {s.id for s in keep}
    rels = [r for r in doc.relations if r.head in ids and r.tail in ids]
    return msgspec.structs.replace(doc, spans=keep, relations=rels)


def _change_attrs(
    doc: Document, every: int, schema_values: dict[tuple[str, str], list[str]]
) -> Document:
    """Annotator B picks another value for every ``every``-th span attribute, drops every
    ``every``-th relation."""
    spans = []
    counter = 0
    for span in doc.spans:
        attrs = dict(span.attrs)
        for name, value in span.attrs.items():
            counter += 1
            values = schema_values.get((span.label, name), [])
            if counter % every == 0 and len(values) > 1:
                attrs[name] = values[(values.index(value) + 1) % len(values)]
        spans.append(msgspec.structs.replace(span, attrs=attrs))
    rels = [r for i, r in enumerate(doc.relations) if i % every != every - 1]
    return msgspec.structs.replace(doc, spans=spans, relations=rels)


def _attribute_values() -> dict[tuple[str, str], list[str]]:
    """(label, attribute) -> allowed values in the bundled schema (for annotator B's edits)."""
    from backchannel.schema import load_schema

    schema = load_schema()
    return {
        (label, name): list(attr.values)
        for label, ldef in schema.spans.items()
        for name, attr in ldef.attributes.items()
        if attr.values
    }


def _clean(doc: Document) -> Document:
    """The content an annotator would enter: no provenance, scores or reasons."""
    spans = [
        msgspec.structs.replace(s, provenance=None, score=None, reason=None, text=None)
        for s in doc.spans
    ]
    rels = [
        msgspec.structs.replace(r, provenance=None, score=None, reason=None) for r in doc.relations
    ]
    return Document(
        id=doc.id, text=doc.text, spans=spans, relations=rels, doc_labels=doc.doc_labels
    )


def _user(studio: Studio, email: str) -> int:
    """The id of ``email``, created when missing (so the demo can run twice on one server)."""
    for uid, known in studio.users().items():
        if known == email:
            return uid
    return studio.create_user(email)


def scripted_annotators(conn: Connection, gold: dict[str, Document]) -> int:
    """Two annotators label every task of the project; returns the annotations made."""
    studio = Studio(conn)
    pid = studio.project_id(PROJECT)
    tasks = studio.existing_tasks(pid)
    versions = studio.prediction_versions(pid)
    values = _attribute_values()
    users = [_user(studio, email) for email in ANNOTATORS]
    made = 0
    for doc_id, task in sorted(tasks.items()):
        if task.annotations:
            continue
        truth = _clean(gold[doc_id])
        # A starts from the rules pre-annotation in the UI, then corrects it to (nearly) the gold.
        parent = next(iter(versions.get(task.task_id, {}).values()), [None])[0]
        edits = (_drop_spans(truth, 6), _change_attrs(truth, 5, values))
        for user, doc, lead in zip(users, edits, (42.0, 57.5), strict=True):
            studio.create_annotation(
                task.task_id,
                regions.document_to_result(doc),
                completed_by=user,
                parent_prediction=parent if user == users[0] else None,
                lead_time=lead,
            )
            made += 1
    return made


def scripted_adjudicator(conn: Connection, gold: dict[str, Document]) -> int:
    """The adjudicator settles every review task with the bundled gold; returns decisions."""
    studio = Studio(conn)
    pid = studio.project_id(REVIEW_PROJECT)
    judge = _user(studio, ADJUDICATOR)
    made = 0
    for doc_id, task in sorted(studio.existing_tasks(pid).items()):
        if task.annotations:
            continue
        result = regions.document_to_result(_clean(gold[doc_id]))
        studio.create_annotation(task.task_id, result, completed_by=judge, lead_time=120.0)
        made += 1
    return made


# -- the flow -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=6, help="bundled articles to use")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "studio-demo")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: OUT/label-studio")
    parser.add_argument("--port", type=int, default=None, help="default: 8080, else a free one")
    parser.add_argument("--stop", action="store_true", help="stop the server at the end")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    out: Path = args.out.resolve()
    data_dir: Path = (args.data_dir or out / "label-studio").resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("corpus.jsonl", "rules.jsonl", "annotations.jsonl", "gold"):
        target = out / stale
        if target.is_dir():
            import shutil

            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    env = {**os.environ, "BACKCHANNEL_NO_PROGRESS": "1"}
    for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
        env.pop(var, None)

    # 1. A local Label Studio with its own data directory under out/ (reused when it runs).
    running = status(data_dir)
    if running is not None:
        run("studio", "status", "--data-dir", data_dir, env=env)
        port = running.port
    else:
        port = args.port or (DEFAULT_PORT if not port_in_use(DEFAULT_PORT) else free_port())
        run(
            "studio", "up", "--detach", "--port", str(port), "--data-dir", data_dir,
            "--project", PROJECT, env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    token_file = data_dir / "api-token"
    conn = Connection(url, read_token(token_file))
    env = {**env, "LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": conn.token}
    print(
        f"\n$ export LABEL_STUDIO_URL={url} LABEL_STUDIO_API_KEY=$(cat {_shown(token_file)})",
        flush=True,
    )
    try:
        # 2. A few bundled articles in, rules pre-annotation, push with pre-annotations.
        articles = out / "articles.jsonl"
        with (CORPUS / "articles.jsonl").open(encoding="utf-8") as fh:
            lines = [line for _, line in zip(range(args.limit), fh, strict=False)]
        articles.write_text("".join(lines), encoding="utf-8")
        corpus, rules = out / "corpus.jsonl", out / "rules.jsonl"
        run("ingest", articles, "-o", corpus, "--require-license", env=env)
        run("predict", "--model", "rules", corpus, "-o", rules, env=env)
        run("push", corpus, "--project", PROJECT, "--predictions", rules, env=env)

        # 3. Two annotators at work (scripted through the API; people use the web UI).
        gold = {d.id: d for d in read_documents(CORPUS / "gold.jsonl")}
        made = scripted_annotators(conn, gold)
        print(f"\n# two scripted annotators ({', '.join(ANNOTATORS)}): {made} annotations")

        # 4. Pull, agreement, adjudication into gold v0001.
        annotations, gold_dir = out / "annotations.jsonl", out / "gold"
        run("pull", "--project", PROJECT, "-o", annotations, env=env)
        run("agree", annotations, "--format", "json", "-o", out / "agreement.json", env=env)
        run("agree", annotations, "--format", "md", "-o", out / "agreement.md", env=env)
        run("adjudicate", annotations, "-o", gold_dir, env=env)

        # 5. The review round trip: disagreements to an adjudicator and back as gold v0002.
        run("review", "push", annotations, "--dir", gold_dir, "--project", REVIEW_PROJECT, env=env)
        decided = scripted_adjudicator(conn, gold)
        print(f"\n# scripted adjudicator ({ADJUDICATOR}): {decided} review tasks decided")
        run("review", "pull", "--dir", gold_dir, "--project", REVIEW_PROJECT, env=env)
        run("gold", "list", "--dir", gold_dir, env=env)
        run(
            "gold", "diff", "v0001", "v0002", "--dir", gold_dir, "-o", out / "gold-diff.md",
            env=env,
        )  # fmt: skip
        run(
            "gold", "diff", "v0001", "v0002", "--dir", gold_dir, "--format", "json",
            "-o", out / "gold-diff.json", env=env,
        )  # fmt: skip
    except BaseException:
        if args.stop:
            run("studio", "down", "--data-dir", data_dir, env=env)
        raise

    agreement = json.loads((out / "agreement.json").read_text(encoding="utf-8"))
    strict = agreement.get("overall", {}).get("strict", {})
    print("\n" + "=" * 78)
    print(f"backchannel studio demo finished in {time.perf_counter() - started:.0f} s.")
    print(f"  written under {_shown(out)}/: corpus.jsonl, rules.jsonl, annotations.jsonl,")
    print("  agreement.{json,md}, gold/ (v0001 adjudicated, v0002 reviewed), gold-diff.{md,json}")
    if strict.get("f1") is not None:
        print(f"  agreement between the two annotators, span F1 (strict): {strict['f1']:.3f}")
    if args.stop:
        run("studio", "down", "--data-dir", data_dir, env=env)
        return 0
    print(f"\nLook at the tasks in the browser: {url}")
    print(f"  projects: {PROJECT!r} (annotators) and {REVIEW_PROJECT!r} (adjudicator)")
    print(f"  user:     {read_token(data_dir / 'admin-user')}")
    print(f"  password: in {_shown(data_dir / 'admin-password')}")
    print(f"  token:    in {_shown(token_file)}")
    print(f"Stop it with: backchannel studio down --data-dir {_shown(data_dir)}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except subprocess.CalledProcessError as exc:
        print(f"\ndemo-studio failed at: {' '.join(map(str, exc.cmd[3:]))}", file=sys.stderr)
        raise SystemExit(1) from None
