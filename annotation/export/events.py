"""Gold -> the who-talks-to-whom event table (CAMEO / PLOVER coded) and its graph.

"Who talks to whom" is derived, never annotated: two PARTICIPANTs of one CHANNEL talk to each
other through it.  The table has **one row per (contact, pair of participants)**, the dyadic
shape of CAMEO/PLOVER event data (source actor, target actor, event code): a call between A and B
is one row; a summit of A, B and C is three rows (A-B, A-C, B-C); a contact with one annotated
participant is one row with an empty target.  ``contact_id`` groups the rows of one contact.

Within a pair the *source* is the participant whose role acts first (initiator, visitor,
mediator, then host and recipient, then participant and conduit, then audience), ties broken by
position in the text; ``directed`` says whether the roles gave that direction.

Codes: the CAMEO, PLOVER and ACE codes of the channel kind come from the schema
(``schema.channel_codes(kind)``).  The modality then changes the event, following ``DOMAIN.md``
(schema modality values may carry their own ``codes``, which win):

==============  ==========================================  =======================
modality        CAMEO                                       PLOVER
==============  ==========================================  =======================
actual          the channel kind's code                     the channel kind's code
planned         036 express intent to meet or negotiate     AGREE
requested       026 appeal to others to meet or negotiate   REQUEST/meet
refused         125 reject proposal to meet, negotiate      REJECT/meet
halted          164 halt negotiations (talks), 165 halt     SANCTION/discontinue
                mediation, 166 expel or withdraw            (SANCTION/expel for a
                (diplomatic mission), else 161 reduce or    diplomatic mission)
                break relations
==============  ==========================================  =======================

``negated`` and ``generic`` contacts (no event happened) and ``hypothetical`` ones (none has
happened yet, nor was one agreed) are left out unless ``include_negated``; kept, they get empty
codes.  ``realis`` follows Rich ERE: actual, generic, or other.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from backchannel.atomic import atomic_write
from backchannel.documents import Document, read_documents
from backchannel.errors import InputError, SchemaError

if TYPE_CHECKING:
    from backchannel.schema import Schema

__all__ = [
    "DROPPED_MODALITIES",
    "ContactEvent",
    "EventGraph",
    "EventsResult",
    "EventsWriter",
    "check_event_schema",
    "document_events",
    "dropped_contacts",
    "event_codes",
    "write_events",
]

# The event model the table is read from (ARCHITECTURE.md section 4): a schema must declare
# these labels for ``events`` to work; :func:`check_event_schema` says so otherwise.
CHANNEL = "CHANNEL"
PARTICIPANT = "PARTICIPANT"
HELD_AT = "HELD_AT"
ABOUT = "ABOUT"

DROPPED_MODALITIES = frozenset({"negated", "generic", "hypothetical"})
_ROLE_RANK = {
    "initiator": 0,
    "visitor": 0,
    "mediator": 0,
    "host": 1,
    "recipient": 1,
    "participant": 2,
    "conduit": 2,
    "audience": 3,
}
_MODALITY_CODES: dict[str, dict[str, str]] = {
    "planned": {"cameo": "036", "plover": "AGREE"},
    "requested": {"cameo": "026", "plover": "REQUEST/meet"},
    "refused": {"cameo": "125", "plover": "REJECT/meet"},
    "halted": {"cameo": "161", "plover": "SANCTION/discontinue"},
}
_HALTED_BY_KIND: dict[str, dict[str, str]] = {
    "talks": {"cameo": "164"},
    "mediation": {"cameo": "165"},
    "diplomatic_mission": {"cameo": "166", "plover": "SANCTION/expel"},
}


class ContactEvent(msgspec.Struct, kw_only=True):
    """One row of the event table: a pair of participants of one contact."""

    doc_id: str
    contact_id: str
    channel_id: str
    channel_text: str
    channel_start: int
    channel_end: int
    channel_kind: str | None
    visibility: str | None
    official: str | None
    modality: str
    realis: str
    source_id: str | None
    source_text: str | None
    source_country: str | None
    source_kind: str | None
    source_sector: str | None
    source_role: str | None
    target_id: str | None
    target_text: str | None
    target_country: str | None
    target_kind: str | None
    target_sector: str | None
    target_role: str | None
    directed: bool
    n_participants: int
    venue: str | None
    issue: str | None
    cameo: str | None
    plover: str | None
    ace: str | None
    title: str | None
    published: str | None


COLUMNS = list(ContactEvent.__struct_fields__)


def check_event_schema(schema: Schema) -> None:
    """Refuse a schema without the contact-event model (a CHANNEL span, PARTICIPANT relation).

    Raises:
        SchemaError: naming what is missing.
    """
    missing = [CHANNEL] if CHANNEL not in schema.spans else []
    missing += [PARTICIPANT] if PARTICIPANT not in schema.relations else []
    if missing:
        raise SchemaError(
            f"the event table needs {' and '.join(missing)} in the schema "
            f"({schema.name} {schema.version} has none)",
            path=schema.path or None,
        )


def event_codes(schema: Schema, kind: str | None, modality: str) -> dict[str, str]:
    """CAMEO/PLOVER/ACE codes of a contact of ``kind`` with ``modality`` (see module docstring)."""
    base = schema.channel_codes(kind) if kind else {}
    if modality in DROPPED_MODALITIES:
        return {}
    declared = _modality_value_codes(schema, modality)
    if declared:
        return {**base, **declared}
    if modality in _MODALITY_CODES:
        codes = {**base, **_MODALITY_CODES[modality], "ace": ""}
        if modality == "halted" and kind in _HALTED_BY_KIND:
            codes.update(_HALTED_BY_KIND[kind])
        return codes
    return base


def _modality_value_codes(schema: Schema, modality: str) -> dict[str, str]:
    for label in schema.spans.values():
        attr = label.attributes.get("modality")
        if attr is not None and modality in attr.values and attr.values[modality].codes:
            return dict(attr.values[modality].codes)
    return {}


def _realis(modality: str) -> str:
    return modality if modality in ("actual", "generic") else "other"


def _join(items: list[str]) -> str | None:
    return "; ".join(dict.fromkeys(items)) if items else None


def document_events(
    doc: Document, schema: Schema, *, include_negated: bool = False
) -> list[ContactEvent]:
    """The contact rows of one document, in text order of the channels.

    Example:
        >>> rows = document_events(sample_document(), load_schema())  # doctest: +SKIP
        >>> (rows[0].source_text, rows[0].target_text, rows[0].cameo)
        ('President Anna Reyes', 'the Kremlin', '041')
    """
    spans = {s.id: s for s in doc.spans}
    text = doc.text
    participants: dict[str, list[tuple[str, str | None]]] = {}
    venues: dict[str, list[str]] = {}
    issues: dict[str, list[str]] = {}
    for rel in doc.relations:
        head = spans.get(rel.head)
        tail = spans.get(rel.tail)
        if head is None or tail is None:
            continue
        if rel.label == PARTICIPANT:
            participants.setdefault(rel.head, []).append((rel.tail, rel.attrs.get("role")))
        elif rel.label == HELD_AT:
            venues.setdefault(rel.head, []).append(text[tail.start : tail.end])
        elif rel.label == ABOUT:
            issues.setdefault(rel.head, []).append(text[tail.start : tail.end])
    rows: list[ContactEvent] = []
    channels = sorted(
        (s for s in doc.spans if s.label == CHANNEL), key=lambda s: (s.start, s.end, s.id)
    )
    for ch in channels:
        modality = ch.attrs.get("modality", "actual")
        if modality in DROPPED_MODALITIES and not include_negated:
            continue
        kind = ch.attrs.get("channel_kind")
        codes = event_codes(schema, kind, modality)
        people = participants.get(ch.id, [])
        # one actor once per contact (first role given wins), ordered by role then position
        seen: dict[str, str | None] = {}
        for aid, role in people:
            seen.setdefault(aid, role)
        ordered = sorted(
            seen.items(),
            key=lambda ar: (_ROLE_RANK.get(ar[1] or "", 2), spans[ar[0]].start, ar[0]),
        )
        pairs: list[tuple[tuple[str, str | None] | None, tuple[str, str | None] | None]]
        if len(ordered) >= 2:
            pairs = list(itertools.combinations(ordered, 2))
        elif ordered:
            pairs = [(ordered[0], None)]
        else:
            pairs = [(None, None)]
        for src, tgt in pairs:
            rows.append(
                ContactEvent(
                    doc_id=doc.id,
                    contact_id=f"{doc.id}/{ch.id}",
                    channel_id=ch.id,
                    channel_text=text[ch.start : ch.end],
                    channel_start=ch.start,
                    channel_end=ch.end,
                    channel_kind=kind,
                    visibility=ch.attrs.get("visibility"),
                    official=ch.attrs.get("official"),
                    modality=modality,
                    realis=_realis(modality),
                    **_actor("source", src, spans, text),
                    **_actor("target", tgt, spans, text),
                    directed=bool(
                        src
                        and tgt
                        and _ROLE_RANK.get(src[1] or "", 2) != _ROLE_RANK.get(tgt[1] or "", 2)
                    ),
                    n_participants=len(ordered),
                    venue=_join(venues.get(ch.id, [])),
                    issue=_join(issues.get(ch.id, [])),
                    cameo=codes.get("cameo") or None,
                    plover=codes.get("plover") or None,
                    ace=codes.get("ace") or None,
                    title=_str_or_none(doc.meta.get("title")),
                    published=_str_or_none(doc.meta.get("published")),
                )
            )
    return rows


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _actor(
    prefix: str, who: tuple[str, str | None] | None, spans: dict[str, Any], text: str
) -> dict[str, Any]:
    if who is None:
        return {f"{prefix}_{k}": None for k in ("id", "text", "country", "kind", "sector", "role")}
    aid, role = who
    span = spans[aid]
    return {
        f"{prefix}_id": aid,
        f"{prefix}_text": text[span.start : span.end],
        f"{prefix}_country": span.attrs.get("country"),
        f"{prefix}_kind": span.attrs.get("actor_kind"),
        f"{prefix}_sector": span.attrs.get("sector"),
        f"{prefix}_role": role,
    }


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"channel_start": pa.int32(), "channel_end": pa.int32(), "n_participants": pa.int32()}
    types["directed"] = pa.bool_()
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def _actor_node(row: ContactEvent, side: str) -> str | None:
    """The graph node of one side of a row: its country, or the mention when it has none.

    Countries make the graph readable (and comparable with event data, whose actors are
    countries plus sectors); organisations (IGO) and actors of unknown country keep their text.
    """
    text = getattr(row, f"{side}_text")
    if text is None:
        return None
    country = getattr(row, f"{side}_country")
    if country and country not in ("UNK", "IGO"):
        return country
    return " ".join(text.split())


def _component_layout(graph: Any) -> dict[str, Any]:
    """Spring layout per connected component, packed in rows, each sized by its node count.

    One spring layout flings small components to the corners and crushes the large one; a
    square cell per component, side growing with the square root of its size, keeps every
    label readable.
    """
    import math

    import networkx as nx

    comps = sorted(nx.connected_components(graph), key=lambda c: (-len(c), sorted(c)))
    sides = [1.0 + 1.6 * math.sqrt(len(c)) for c in comps]
    width = max(max(sides, default=1.0), math.sqrt(sum(x * x for x in sides)) * 1.3)
    pos: dict[str, Any] = {}
    x = y = row_height = 0.0
    for comp, side in zip(comps, sides, strict=True):
        if x > 0 and x + side > width:
            x, y, row_height = 0.0, y - row_height, 0.0
        sub = graph.subgraph(sorted(comp))
        centre = (x + side / 2, y - side / 2)
        scale = (side - 1.0) / 2 if len(comp) > 1 else 0.0
        if len(comp) > 2:
            layout = nx.kamada_kawai_layout(nx.Graph(sub), center=centre, scale=scale)
        else:
            layout = nx.spring_layout(sub, seed=7, center=centre, scale=scale)
        pos.update(layout)
        x += side
        row_height = max(row_height, side)
    return pos


class EventGraph:
    """Who talks to whom, accumulated edge by edge (memory grows with distinct pairs only).

    Nodes are countries (ISO 3166 alpha-3) where the actor has one, else the actor mention
    (organisations, unknown country); edges are undirected and keyed by channel kind, weighted
    by the number of contacts.  Contacts within one country are not drawn.
    """

    def __init__(self) -> None:
        self.edges: Counter[tuple[str, str, str]] = Counter()

    def add(self, row: ContactEvent) -> None:
        a, b = _actor_node(row, "source"), _actor_node(row, "target")
        if a is None or b is None or a == b:
            return
        a, b = sorted((a, b))
        self.edges[(a, b, row.channel_kind or "unknown")] += 1

    def to_networkx(self) -> Any:
        """A ``networkx.MultiGraph``: one edge per (pair, channel kind), attribute ``weight``."""
        import networkx as nx

        graph = nx.MultiGraph()
        for (a, b, kind), n in sorted(self.edges.items()):
            graph.add_edge(a, b, key=kind, kind=kind, weight=n)
        return graph

    def draw(self, path: str | Path, *, max_edges: int = 80, title: str | None = None) -> int:
        """Draw the graph to a PNG (matplotlib Agg); returns the number of edges drawn.

        Only the ``max_edges`` heaviest edges are drawn (a hairball helps nobody); the
        table holds them all.
        """
        import matplotlib.pyplot as plt

        fig, _labels, drawn = self.figure(max_edges=max_edges, title=title)
        try:
            with atomic_write(path, "wb") as fh:
                fig.savefig(fh, format="png")
        finally:
            plt.close(fig)
        return drawn

    def figure(
        self, *, max_edges: int = 80, title: str | None = None, max_labels: int = 60
    ) -> tuple[Any, list[Any], int]:
        """The matplotlib figure, its node labels (``Text``) and the number of edges drawn.

        The figure grows with the node count; nodes are labelled in order of degree, each
        label at the first of several offsets around its node where it overlaps no label
        placed before (:func:`_place_labels`), at most ``max_labels``; the others stay
        unlabelled dots rather than an unreadable pile.  The caller closes the figure.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import networkx as nx
        from matplotlib.lines import Line2D

        top = sorted(self.edges.items(), key=lambda kv: (-kv[1], kv[0]))[:max_edges]
        graph = nx.MultiGraph()
        for (a, b, kind), n in top:
            graph.add_edge(a, b, key=kind, kind=kind, weight=n)
        kinds = sorted({kind for (_, _, kind), _ in top})
        palette = [plt.get_cmap("tab10")(i) for i in range(10)]
        palette += [plt.get_cmap("tab20")(2 * i + 1) for i in range(10)]
        colours = {k: palette[i % len(palette)] for i, k in enumerate(kinds)}
        nodes = graph.number_of_nodes()
        side = min(18.0, max(10.0, 8.0 + 0.12 * nodes))
        fig, ax = plt.subplots(figsize=(side * 1.3, side), dpi=100)
        labels: list[Any] = []
        ax.set_axis_off()
        if nodes:
            pos = _component_layout(graph)
            ax.margins(0.08)
            nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=120, node_color="#bbbbbb")
            drawn: Counter[tuple[str, str]] = Counter()
            for a, b, kind, data in graph.edges(keys=True, data=True):
                k = drawn[(a, b)]
                drawn[(a, b)] += 1
                rad = 0.0 if k == 0 else 0.15 * ((k + 1) // 2) * (1 if k % 2 else -1)
                nx.draw_networkx_edges(
                    graph,
                    pos,
                    edgelist=[(a, b)],
                    ax=ax,
                    edge_color=[colours[kind]],
                    width=1.0 + min(4.0, data["weight"] ** 0.5),
                    alpha=0.8,
                    arrows=True,
                    arrowstyle="-",
                    connectionstyle=f"arc3,rad={rad}",
                )
            handles = [Line2D([0], [0], color=colours[k], lw=3, label=k) for k in kinds]
            ax.legend(
                handles=handles,
                title="channel kind",
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize=9,
            )
        else:
            ax.text(0.5, 0.5, "no contacts between two actors", ha="center", va="center")
        ax.set_title(title or "Who talks to whom (edges: contacts, coloured by channel kind)")
        fig.tight_layout()
        if nodes:
            order = sorted(graph.nodes, key=lambda n: (-graph.degree(n), str(n)))
            labels = _place_labels(fig, ax, pos, order[:max_labels])
        return fig, labels, len(top)


def _short(name: str, width: int = 24) -> str:
    name = str(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def _place_labels(fig: Any, ax: Any, pos: dict[str, Any], nodes: list[str]) -> list[Any]:
    """Label ``nodes`` (most important first) where no label overlaps another.

    Each label tries offsets around its node (above, below, right, left, the diagonals, then
    further out) and keeps the first whose box, measured by the renderer, meets no earlier
    label and stays inside the figure; a label with no free place is left out.  Greedy and
    simple, in the spirit of ``adjustText`` without the dependency.
    """
    renderer = fig.canvas.get_renderer()
    fig_box = fig.bbox
    placed: list[Any] = []
    boxes: list[Any] = []
    offsets = [(0, 9), (0, -11), (10, 0), (-10, 0), (9, 9), (-9, 9), (9, -9), (-9, -9)]
    offsets += [(dx * 2.5, dy * 2.5) for dx, dy in offsets]
    for node in nodes:
        x, y = pos[node]
        for dx, dy in offsets:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            text = ax.annotate(
                _short(node),
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=9,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                annotation_clip=False,
            )
            box = text.get_window_extent(renderer)
            inside = fig_box.x0 <= box.x0 and box.x1 <= fig_box.x1
            inside = inside and fig_box.y0 <= box.y0 and box.y1 <= fig_box.y1
            if inside and not any(box.overlaps(other) for other in boxes):
                placed.append(text)
                boxes.append(box)
                break
            text.remove()
    return placed


class EventsWriter:
    """Stream event rows into parquet and/or CSV in batches, and build the graph.

    Args:
        parquet: a path or writable binary file for the parquet table, or ``None``.
        csv: a path or writable binary file for the CSV table, or ``None``.
        batch_size: rows per write (memory is bounded by it).
    """

    def __init__(self, parquet: Any = None, csv: Any = None, batch_size: int = 5000) -> None:
        self.parquet = parquet
        self.csv = csv
        self.batch_size = batch_size
        self.rows = 0
        self.contacts = 0
        self.graph = EventGraph()
        self._batch: list[dict[str, Any]] = []
        self._pq: Any = None
        self._csv: Any = None
        self._schema = _arrow_schema()

    def add(self, rows: Iterable[ContactEvent]) -> None:
        contacts = set()
        for row in rows:
            self._batch.append(msgspec.structs.asdict(row))
            self.graph.add(row)
            self.rows += 1
            contacts.add(row.contact_id)
        # rows of one contact always arrive in one call (one document), so counting per call
        # needs no set of every contact id ever seen
        self.contacts += len(contacts)
        if len(self._batch) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self._batch, schema=self._schema)
        self._batch = []
        if self.parquet is not None:
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.parquet, self._schema)
            self._pq.write_table(table)
        if self.csv is not None:
            if self._csv is None:
                self._csv = pacsv.CSVWriter(self.csv, self._schema)
            self._csv.write_table(table)

    def close(self) -> None:
        """Flush and close; always writes the files, with a header when there are no rows."""
        self._flush()
        if self._pq is not None:
            self._pq.close()
        if self._csv is not None:
            self._csv.close()


def _read(gold: str | Path, schema: Schema) -> Iterable[Document]:
    """A gold file, or a folder or glob of JSONL shards or exported parquet, in order."""
    from backchannel.shards import is_sharded, iter_corpus

    if not is_sharded(gold) and not str(gold).lower().endswith(".parquet"):
        return read_documents(gold, schema=schema)
    from backchannel.annotation.export.rows import FromRow

    return iter_corpus(gold, schema=schema, from_row=FromRow(schema))


def dropped_contacts(doc: Document, include_negated: bool) -> int:
    """Contacts of ``doc`` left out of the table (negated, generic, hypothetical)."""
    if include_negated:
        return 0
    return sum(
        1
        for s in doc.spans
        if s.label == CHANNEL and s.attrs.get("modality", "actual") in DROPPED_MODALITIES
    )


class EventsResult(msgspec.Struct):
    """What :func:`write_events` wrote."""

    documents: int
    contacts: int
    rows: int
    edges: int
    output: str
    graph: str | None = None
    dropped_contacts: int = 0


def write_events(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    include_negated: bool = False,
    graph: str | Path | None = None,
    progress: bool = False,
) -> EventsResult:
    """Write the event table of a gold file to ``.parquet`` or ``.csv`` (and a graph PNG).

    Both files are written atomically: on bad input neither appears.

    Raises:
        InputError: for an output name that is neither ``.parquet`` nor ``.csv``.
        DocumentError: for a bad gold record.
    """
    from backchannel.progress import track
    from backchannel.schema import load_schema

    schema = schema or load_schema()
    check_event_schema(schema)
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            "event table must end in .parquet or .csv", path=out, hint="for example events.parquet"
        )
    if graph is not None and Path(graph).suffix.lower() != ".png":
        raise InputError("graph must be a .png file", path=graph)
    documents = 0
    dropped = 0
    with atomic_write(out, "wb") as fh:
        writer = EventsWriter(
            fh if suffix == ".parquet" else None, fh if suffix == ".csv" else None
        )
        docs = _read(gold, schema)
        for doc in track(docs, "events") if progress else docs:
            documents += 1
            rows = document_events(doc, schema, include_negated=include_negated)
            writer.add(rows)
            dropped += dropped_contacts(doc, include_negated)
        writer.close()
        edges = writer.graph.draw(graph) if graph is not None else len(writer.graph.edges)
    return EventsResult(
        documents=documents,
        contacts=writer.contacts,
        rows=writer.rows,
        edges=edges,
        output=str(out),
        graph=str(graph) if graph is not None else None,
        dropped_contacts=dropped,
    )
