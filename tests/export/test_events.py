"""The who-talks-to-whom table: rows per contact pair, codes from the schema, graph."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from backchannel.annotation.export.event_graph import EventGraph
from backchannel.annotation.export.event_records import (
    COLUMNS,
    UNPAIRED_COLUMNS,
    document_contacts,
    document_events,
    event_codes,
)
from backchannel.annotation.export.events import write_events
from backchannel.documents import Document, write_documents
from backchannel.errors import InputError
from backchannel.schema import Schema


def by_id(docs: list[Document], doc_id: str) -> Document:
    return next(d for d in docs if d.id == doc_id)


def test_a_call_is_one_directed_row(gold_docs: list[Document], schema: Schema) -> None:
    (row,) = document_events(by_id(gold_docs, "doc-1"), schema)
    assert (row.source_text, row.source_role, row.source_country) == (
        "President Anna Reyes",
        "initiator",
        "PHL",
    )
    assert (row.target_text, row.target_role) == ("the Kremlin", "recipient")
    assert row.directed is True
    assert (row.channel_text, row.channel_kind, row.modality, row.realis) == (
        "phoned",
        "phone_call",
        "actual",
        "actual",
    )
    codes = schema.channel_codes("phone_call")
    assert (row.cameo, row.plover, row.ace) == (codes["cameo"], codes["plover"], codes["ace"])
    assert row.issue == "the grain deal" and row.venue is None
    assert row.contact_id == "doc-1/s2" and row.n_participants == 2


def test_three_party_summit_is_three_pairs(gold_docs: list[Document], schema: Schema) -> None:
    rows = document_events(by_id(gold_docs, "doc-2"), schema)
    pairs = {(r.source_text, r.target_text) for r in rows}
    assert pairs == {
        ("Qatar", "Russia's Security Council secretary"),
        ("Qatar", "France"),
        ("Russia's Security Council secretary", "France"),
    }
    assert {r.contact_id for r in rows} == {"doc-2/c1"}
    assert all(r.venue == "Paris" and r.n_participants == 3 for r in rows)
    symmetric = next(r for r in rows if r.source_role == r.target_role == "participant")
    assert symmetric.directed is False
    assert {r.cameo for r in rows} == {schema.channel_codes("summit")["cameo"]}


def test_negated_dropped_unless_asked(gold_docs: list[Document], schema: Schema) -> None:
    doc = by_id(gold_docs, "doc-3")
    # the requested talks have one participant ("officials"): no pair, one unpaired contact
    rows, unpaired = document_contacts(doc, schema)
    assert rows == []
    (contact,) = unpaired
    assert (contact.channel_text, contact.modality, contact.reason) == (
        "talks",
        "requested",
        "one actor",
    )
    assert (contact.actor_id, contact.actor) == ("iso3166:USA/GOV", "Government (United States)")
    assert (contact.cameo, contact.plover, contact.participants) == (
        "026",
        "REQUEST/meet",
        "officials",
    )
    everything = document_events(doc, schema, include_negated=True)
    (negated,) = everything
    assert (negated.source_actor, negated.target_actor) == (
        "Government (United States)",
        "Government (Iran)",
    )
    assert (negated.cameo, negated.plover, negated.realis) == (None, None, "other")


@pytest.mark.parametrize(
    ("kind", "modality", "cameo", "plover"),
    [
        ("meeting", "planned", "036", "AGREE"),
        ("phone_call", "requested", "026", "REQUEST/meet"),
        ("visit", "refused", "125", "REJECT/meet"),
        ("talks", "halted", "164", "SANCTION/discontinue"),
        ("intelligence_sharing", "halted", "161", "SANCTION/discontinue"),
        ("diplomatic_mission", "halted", "166", "SANCTION/expel"),
        ("mediation", "halted", "165", "SANCTION/discontinue"),
    ],
)
def test_modality_mapping(
    schema: Schema, kind: str, modality: str, cameo: str, plover: str
) -> None:
    codes = event_codes(schema, kind, modality)
    assert (codes["cameo"], codes["plover"]) == (cameo, plover)


@pytest.mark.parametrize("kind", ["phone_call", "visit", "summit", "mediation", "backchannel"])
def test_actual_contacts_take_the_schema_codes(schema: Schema, kind: str) -> None:
    assert event_codes(schema, kind, "actual") == schema.channel_codes(kind)


def test_parquet_and_csv_agree(gold_file: Path, tmp_path: Path) -> None:
    a = write_events(gold_file, tmp_path / "events.parquet")
    b = write_events(gold_file, tmp_path / "events.csv", graph=tmp_path / "graph.png")
    # 11 documents: 9 calls (doc-1 and copies), the summit (3 pairs), doc-3's talks (unpaired)
    assert a.rows == b.rows == 12 and a.contacts == 10 and a.dropped_contacts == 1
    assert a.unpaired == b.unpaired == 1
    table = pq.read_table(tmp_path / "events.parquet").to_pandas()
    csv = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(csv.columns) == COLUMNS
    assert list(csv["cameo"]) == [c or "" for c in table["cameo"]]
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    side_pq = pq.read_table(tmp_path / "events_unpaired.parquet").to_pandas()
    side_csv = pd.read_csv(tmp_path / "events_unpaired.csv", dtype=str, keep_default_na=False)
    assert list(side_pq.columns) == list(side_csv.columns) == UNPAIRED_COLUMNS
    assert list(side_csv["contact_id"]) == ["doc-3/c2"]
    for side in ("source", "target"):
        assert all(table[f"{side}_actor_id"].str.len() > 0)
        assert all(table[f"{side}_actor"].str.len() > 0)


def test_graph_nodes_are_resolved_actors(gold_docs: list[Document], schema: Schema) -> None:
    graph = EventGraph()
    for doc in gold_docs:
        for row in document_events(doc, schema):
            graph.add(row)
    g = graph.to_networkx()
    labels = {g.nodes[n]["label"]: n for n in g.nodes}
    # "the Kremlin" has no country in the fixture: a government named by its seat
    reyes, kremlin = labels["Anna Reyes"], labels["Government (Kremlin)"]
    assert g[reyes][kremlin]["phone_call"]["weight"] == 9
    assert set(labels) == {
        "Anna Reyes",
        "Government (Kremlin)",
        "Security council secretary (Russia)",
        "France",
        "Qatar",
    }
    assert labels["France"] == "iso3166:FRA"
    kinds = {data["kind"] for _, _, data in g.edges(data=True)}
    assert kinds == {"phone_call", "summit"}


def test_bad_output_names_write_nothing(gold_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.parquet or \.csv"):
        write_events(gold_file, tmp_path / "events.xlsx")
    with pytest.raises(InputError, match="png"):
        write_events(gold_file, tmp_path / "events.csv", graph=tmp_path / "g.svg")
    with pytest.raises(InputError, match="html"):
        write_events(gold_file, tmp_path / "events.csv", html=tmp_path / "g.png")
    with pytest.raises(InputError, match="csv"):
        write_events(gold_file, tmp_path / "events.csv", monthly=tmp_path / "m.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold.jsonl"]


def test_bad_record_leaves_no_table(gold_docs: list[Document], tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    write_documents(gold_docs, gold)
    with gold.open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    with pytest.raises(InputError):
        write_events(gold, tmp_path / "events.parquet")
    assert not (tmp_path / "events.parquet").exists()
    assert not (tmp_path / "events_unpaired.parquet").exists()


def test_export_writes_events_and_graph(exported) -> None:
    table = pq.read_table(exported.out / "events" / "events.parquet")
    assert table.num_rows == exported.result.events == 12
    assert (exported.out / "events" / "graph.png").stat().st_size > 1000
    side = pq.read_table(exported.out / "events" / "events_unpaired.parquet")
    assert side.column("contact_id").to_pylist() == ["doc-3/c2"]


def _label_boxes_do_not_overlap(graph_obj) -> int:
    import itertools

    import matplotlib.pyplot as plt

    fig, labels, _ = graph_obj.figure()
    try:
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in labels]
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
            assert not a.overlaps(b), (labels[i].get_text(), labels[j].get_text())
        return len(labels)
    finally:
        plt.close(fig)


def test_graph_labels_never_overlap_on_a_dense_synthetic_star() -> None:
    from collections import Counter

    from backchannel.annotation.export.event_graph import EventGraph

    graph = EventGraph()
    hub = [f"C{i:02d}" for i in range(6)]
    graph.edges = Counter(
        {(a, f"a rather long actor mention {j}", "meeting"): 1 for a in hub for j in range(5)}
    )
    graph.edges.update({(a, b, "talks"): 2 for a in hub for b in hub if a < b})
    assert _label_boxes_do_not_overlap(graph) >= 6  # at least the hubs are labelled


def test_graph_labels_never_overlap_on_the_bundled_gold() -> None:
    from pathlib import Path

    from backchannel.annotation.export.event_graph import EventGraph
    from backchannel.annotation.export.event_records import document_events
    from backchannel.documents import read_documents
    from backchannel.schema import load_schema

    gold = Path(__file__).resolve().parents[2] / "corpora" / "diplomacy" / "gold.jsonl"
    schema = load_schema()
    graph = EventGraph()
    for doc in read_documents(gold):
        for row in document_events(doc, schema):
            graph.add(row)
    assert _label_boxes_do_not_overlap(graph) >= 30


def test_no_pair_row_has_an_empty_side_on_the_bundled_gold(tmp_path: Path) -> None:
    gold = Path(__file__).resolve().parents[2] / "corpora" / "diplomacy" / "gold.jsonl"
    result = write_events(gold, tmp_path / "events.csv")
    table = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    side = pd.read_csv(tmp_path / "events_unpaired.csv", dtype=str, keep_default_na=False)
    assert len(table) == result.rows > 100
    for column in ("source_actor_id", "source_actor", "target_actor_id", "target_actor"):
        assert (table[column] != "").all(), column
    assert (table["source_actor_id"] != table["target_actor_id"]).all()
    # every contact kept is in exactly one of the two tables
    assert not set(table["contact_id"]) & set(side["contact_id"])
    assert len(set(table["contact_id"])) + len(side) == result.contacts + result.unpaired
    assert set(side["reason"]) <= {"one actor", "no resolved actor", "no participant"}
    # generic mentions never become graph nodes
    nodes = set(table["source_actor"]) | set(table["target_actor"])
    assert not nodes & {"leaders", "each delegation", "both capitals", "the two leaders"}


def dated(doc: Document, doc_id: str, published: str) -> Document:
    import msgspec

    return msgspec.structs.replace(doc, id=doc_id, meta={**doc.meta, "published": published})


def test_contacts_per_pair_per_month_by_hand(gold_docs: list[Document], tmp_path: Path) -> None:
    # doc-1 is one call Anna Reyes -> the Kremlin: two in March, one in April 2026
    call = by_id(gold_docs, "doc-1")
    docs = [
        dated(call, "m1", "2026-03-02"),
        dated(call, "m2", "2026-03-30"),
        dated(call, "m3", "2026-04-01"),
    ]
    gold = tmp_path / "gold.jsonl"
    write_documents(docs, gold)
    result = write_events(gold, tmp_path / "events.csv", monthly=tmp_path / "monthly.csv")
    monthly = pd.read_csv(tmp_path / "monthly.csv", dtype=str, keep_default_na=False)
    got = [(r.month, r.actor_a, r.actor_b, r.contacts) for r in monthly.itertuples()]
    assert got == [
        ("2026-03", "Anna Reyes", "Government (Kremlin)", "2"),
        ("2026-04", "Anna Reyes", "Government (Kremlin)", "1"),
    ]
    assert Path(result.monthly_plot).read_bytes()[:4] == b"\x89PNG"


def test_html_graph_is_self_contained_and_escaped(tmp_path: Path) -> None:
    graph = EventGraph()
    graph.names = {"x": "<script>alert(1)</script>", "y": "Taras Koval"}
    graph.edges.update({("x", "y", "phone_call"): 2})
    from backchannel.annotation.export.event_views import write_html_graph

    write_html_graph(graph, tmp_path / "graph.html")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    # escaped for HTML, then by plotly's JSON ("/" as \u002f)
    assert "&lt;script&gt;alert(1)&lt;" in page and "Taras Koval" in page
    # plotly.js inlined: no script loaded from the network, so the file opens offline
    assert 'src="http' not in page and len(page) > 1_000_000


def test_cli_writes_every_view(gold_file: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backchannel.cli.app import app

    out = tmp_path / "views"
    args = ["events", str(gold_file), "-o", str(out / "events.parquet")]
    args += ["--graph", str(out / "graph.png"), "--html", str(out / "graph.html")]
    args += ["--monthly", str(out / "monthly.csv")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "12 rows for 10 contacts" in result.output
    assert "1 contacts with fewer than two resolved actors" in result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "events.parquet",
        "events_unpaired.parquet",
        "graph.html",
        "graph.png",
        "monthly.csv",
        "monthly.png",
    ]
