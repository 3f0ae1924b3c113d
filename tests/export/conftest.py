"""Small hand-written gold Documents for the export tests, checkable by eye.

Offsets are never typed: every span is located by its surface string (``at``).  The set covers
what the exporter must handle: a plain call (the shared sample), nested and overlapping spans,
stance, a near-duplicate pair, a negated contact, a multi-party summit, line breaks, emoji, and
text that must be escaped in Markdown.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backchannel.documents import Document, Relation, Span, write_documents

CALL = "President Anna Reyes phoned the Kremlin on Monday about the grain deal."


def at(text: str, surface: str, sid: str, label: str, nth: int = 0, **attrs: str) -> Span:
    """A span located by its surface string, never by typed offsets."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(id=sid, start=start, end=start + len(surface), label=label, attrs=attrs)


def call_doc(doc_id: str = "doc-1", meta: dict | None = None) -> Document:
    t = CALL
    return Document(
        id=doc_id,
        text=t,
        meta=meta or {"title": "A call", "license": "CC-BY-4.0", "synthetic": True},
        spans=[
            at(t, "President Anna Reyes", "s1", "ACTOR", actor_kind="person", country="PHL"),
            at(t, "phoned", "s2", "CHANNEL", channel_kind="phone_call", modality="actual"),
            at(t, "the Kremlin", "s3", "ACTOR", actor_kind="government", metonymy="yes"),
            at(t, "the grain deal", "s4", "ISSUE"),
        ],
        relations=[
            Relation(head="s2", tail="s1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="s2", tail="s3", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="s2", tail="s4", label="ABOUT"),
        ],
        doc_labels={"relevant": "yes", "framing": "cooperative"},
        annotator="gold",
    )


def nested_doc() -> Document:
    # "Russia's Security Council secretary" holds a nested "Russia"; a summit of three parties;
    # a stance; a line break and an emoji before the offsets that matter.
    t = (
        "🇫🇷 Leaders met at a summit in Paris.\n\nRussia's Security Council secretary, France "
        "and Qatar attended the summit. France criticised Russia."
    )
    return Document(
        id="doc-2",
        text=t,
        meta={"title": "Summit | <b>Paris</b>", "license": "CC-BY-4.0", "synthetic": True},
        spans=[
            at(
                t,
                "summit",
                "c1",
                "CHANNEL",
                channel_kind="summit",
                modality="actual",
                visibility="public",
            ),
            at(t, "Paris", "v1", "VENUE"),
            at(
                t,
                "Russia's Security Council secretary",
                "a1",
                "ACTOR",
                actor_kind="role",
                country="RUS",
                sector="GOV",
            ),
            at(t, "Russia", "a2", "ACTOR", actor_kind="state", country="RUS"),
            at(t, "France", "a3", "ACTOR", actor_kind="state", country="FRA"),
            at(t, "Qatar", "a4", "ACTOR", actor_kind="state", country="QAT"),
            at(t, "France", "a5", "ACTOR", nth=1, actor_kind="state", country="FRA"),
            at(t, "Russia", "a6", "ACTOR", nth=1, actor_kind="state", country="RUS"),
            # overlapping (not nested) span: "Council secretary, France" crosses two actors
            at(t, "Council secretary, France", "i1", "ISSUE"),
        ],
        relations=[
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a3", label="PARTICIPANT", attrs={"role": "participant"}),
            Relation(head="c1", tail="a4", label="PARTICIPANT", attrs={"role": "host"}),
            Relation(head="c1", tail="v1", label="HELD_AT"),
            Relation(
                head="a5",
                tail="a6",
                label="STANCE",
                id="r-stance",
                attrs={"polarity": "against", "expressed": "reported"},
            ),
        ],
        doc_labels={"relevant": "yes"},
        annotator="gold",
    )


def negated_doc() -> Document:
    t = "Washington did not speak to Tehran, but officials requested talks in Oman."
    return Document(
        id="doc-3",
        text=t,
        meta={"license": "CC-BY-4.0", "synthetic": True, "authored_by": "team"},
        spans=[
            at(
                t,
                "Washington",
                "a1",
                "ACTOR",
                actor_kind="government",
                country="USA",
                metonymy="yes",
            ),
            at(t, "speak", "c1", "CHANNEL", channel_kind="phone_call", modality="negated"),
            at(t, "Tehran", "a2", "ACTOR", actor_kind="government", country="IRN", metonymy="yes"),
            at(t, "officials", "a3", "ACTOR", actor_kind="group", country="USA", anonymous="yes"),
            at(t, "talks", "c2", "CHANNEL", channel_kind="talks", modality="requested"),
            at(t, "Oman", "v1", "VENUE"),
        ],
        relations=[
            Relation(head="c1", tail="a1", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c1", tail="a2", label="PARTICIPANT", attrs={"role": "recipient"}),
            Relation(head="c2", tail="a3", label="PARTICIPANT", attrs={"role": "initiator"}),
            Relation(head="c2", tail="v1", label="HELD_AT"),
        ],
        doc_labels={"relevant": "yes", "framing": "mixed"},
        annotator="gold",
    )


def gold_documents(n_extra: int = 7) -> list[Document]:
    """The three documents above, a near-duplicate of the first, and ``n_extra`` calls."""
    docs = [call_doc(), nested_doc(), negated_doc()]
    docs.append(
        call_doc(
            "doc-1-dup",
            meta={"license": "CC-BY-4.0", "synthetic": True, "near_duplicate_of": "doc-1"},
        )
    )
    docs += [call_doc(f"doc-x{i}") for i in range(n_extra)]
    return docs


@pytest.fixture
def gold_docs() -> list[Document]:
    return gold_documents()


@pytest.fixture
def gold_file(tmp_path: Path, gold_docs: list[Document]) -> Path:
    path = tmp_path / "gold.jsonl"
    write_documents(gold_docs, path)
    return path


# -- a local fake of the Hub's HTTP API -----------------------------------------------------------
class FakeHub:
    """Just the Hub endpoints that ``HfApi.create_repo`` and ``HfApi.upload_folder`` call.

    ``POST /api/repos/create``, ``POST /api/validate-yaml``,
    ``POST /api/datasets/<org>/<name>/preupload/<rev>`` (every file "regular", so contents travel
    base64 inside the commit; the large-file storage protocol is not faked) and
    ``POST /api/datasets/<org>/<name>/commit/<rev>`` (ndjson).  Every request is recorded;
    committed files are kept in ``repos[repo_id][path] = bytes``.
    """

    def __init__(self, token: str) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.token = token
        self.requests: list[tuple[str, str]] = []
        self.repos: dict[str, dict[str, bytes]] = {}
        self.private: dict[str, bool] = {}
        hub = self

        from http.server import BaseHTTPRequestHandler

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: dict) -> None:
                import json

                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                hub.requests.append(("GET", self.path))
                self._send(404, {"error": "not faked"})

            def do_POST(self) -> None:
                import base64
                import json

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?")[0]
                hub.requests.append(("POST", path))
                if self.headers.get("Authorization") != f"Bearer {hub.token}":
                    self._send(401, {"error": "Invalid credentials in Authorization header"})
                    return
                parts = path.strip("/").split("/")
                if path == "/api/repos/create":
                    payload = json.loads(body)
                    repo_id = f"{payload['organization']}/{payload['name']}"
                    if payload.get("type") != "dataset":
                        self._send(400, {"error": "expected a dataset repo"})
                        return
                    if repo_id in hub.repos:
                        # the real Hub answers a conflict with the existing repo's url
                        self._send(
                            409,
                            {
                                "error": "You already created this dataset repo",
                                "url": f"{hub.url}/datasets/{repo_id}",
                            },
                        )
                        return
                    hub.repos[repo_id] = {}
                    hub.private[repo_id] = payload.get("visibility") == "private" or bool(
                        payload.get("private")
                    )
                    self._send(200, {"url": f"{hub.url}/datasets/{repo_id}"})
                elif path == "/api/validate-yaml":
                    self._send(200, {"errors": [], "warnings": []})
                elif len(parts) == 6 and parts[:2] == ["api", "datasets"]:
                    repo_id = f"{parts[2]}/{parts[3]}"
                    if repo_id not in hub.repos:
                        self._send(404, {"error": "Repository not found"})
                        return
                    if parts[4] == "preupload":
                        files = json.loads(body)["files"]
                        self._send(
                            200,
                            {
                                "files": [
                                    {
                                        "path": f["path"],
                                        "uploadMode": "regular",
                                        "shouldIgnore": False,
                                        "oid": None,
                                    }
                                    for f in files
                                ]
                            },
                        )
                    elif parts[4] == "commit":
                        for line in body.splitlines():
                            item = json.loads(line)
                            if item.get("key") == "file":
                                value = item["value"]
                                hub.repos[repo_id][value["path"]] = base64.b64decode(
                                    value["content"]
                                )
                        self._send(
                            200,
                            {
                                "commitUrl": f"{hub.url}/datasets/{repo_id}/commit/abc123",
                                "commitOid": "abc123" + "0" * 34,
                            },
                        )
                    else:
                        self._send(404, {"error": "not faked"})
                else:
                    self._send(404, {"error": "not faked"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch):
    token = "hf_FAKEtoken0123456789abcdef"
    hub = FakeHub(token)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    yield hub
    hub.close()


# The shape of ``backchannel agree --format json`` (hand-written, small): figures with
# ci_low/ci_high, counts, nulls for undefined figures, per-pair lists the card leaves out.
AGREEMENT = {
    "source": "annotations.jsonl",
    "documents": 35,
    "annotators": ["ann_a", "ann_b", "<b>ann_c</b>"],
    "bootstrap": {"resamples": 200, "seed": 0, "confidence": 0.9},
    "overall": {
        "strict": {"f1": 0.812, "ci_low": 0.75, "ci_high": 0.87, "pairs": 3},
        "overlap": {"f1": 0.9, "ci_low": 0.85, "ci_high": 0.94, "pairs": 3},
    },
    "per_label": {
        "ACTOR": {"strict": {"f1": 0.88, "ci_low": 0.8, "ci_high": 0.93, "pairs": 3}},
        "VENUE": {"strict": {"f1": None, "ci_low": None, "ci_high": None, "pairs": 0}},
    },
    "attributes": {
        "CHANNEL.modality": {
            "cohen_kappa": 0.7,
            "krippendorff_alpha": 0.71,
            "n": 104,
            "pairs": [{"annotators": ["ann_a", "ann_b"], "cohen_kappa": 0.8, "n": 83}],
            "values": ["actual", "planned"],
        }
    },
    "disagreements": [{"doc_id": "x", "kind": "span", "item": "y", "values": {}}],
}


class Exported:
    """One export of the hand-written gold, shared by the tests that only read it."""

    def __init__(self, root: Path) -> None:
        import json

        from backchannel.annotation.export.dataset import export_dataset

        self.docs = gold_documents()
        self.docs[0] = Document(
            **{
                **{f: getattr(self.docs[0], f) for f in self.docs[0].__struct_fields__},
                "meta": {
                    "title": "A call",
                    "license": "CC-BY-4.0",
                    "synthetic": True,
                    "authored_by": "<script>alert(1)</script> | team",
                },
            }
        )
        self.gold = root / "gold.jsonl"
        write_documents(self.docs, self.gold)
        # the agreement's source file: one synthetic annotator, one person
        write_documents(
            [
                Document(id="x", text="t", annotator="ann_a", meta={"synthetic_annotator": "p"}),
                Document(id="x", text="t", annotator="ann_b"),
            ],
            root / "annotations.jsonl",
        )
        self.agreement = root / "agreement.json"
        self.agreement.write_text(json.dumps(AGREEMENT), encoding="utf-8")
        self.out = root / "dataset"
        self.result = export_dataset(self.gold, self.out, agreement=self.agreement)


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(tmp_path_factory.mktemp("export"))


@pytest.fixture(autouse=True, scope="session")
def _datasets_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """Keep load_dataset's cache out of the user's ~/.cache while the tests run."""
    import datasets

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path_factory.mktemp("hf-cache"))
        yield
