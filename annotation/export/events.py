"""Gold -> the who-talks-to-whom event table (CAMEO / PLOVER coded) and its graph.

"Who talks to whom" is derived, never annotated: two PARTICIPANTs of one CHANNEL talk to each
other through it.  Participants are first resolved to actors
(:mod:`~backchannel.annotation.export.actors`: "Hartley" and "Prime Minister Sir Alan Hartley"
are one actor, "Downing Street" is the British government, "both capitals" is nobody).  The
table has **one row per (contact, pair of resolved actors)**, the dyadic shape of CAMEO/PLOVER
event data (source actor, target actor, event code): a call between A and B is one row; a summit
of A, B and C is three rows (A-B, A-C, B-C).  A contact with fewer than two resolved actors is
no row of it: it goes to the *unpaired* table (:class:`UnpairedContact`), so no pair row has an
empty side.  ``contact_id`` groups the rows of one contact.  Column by column, with POLECAT and
CAMEO counterparts: ``docs/events.md``.

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
    from backchannel.annotation.export.actors import ActorRef, Gazetteer, Resolution
    from backchannel.schema import Schema

__all__ = [
    "DROPPED_MODALITIES",
    "UNPAIRED_COLUMNS",
    "ContactEvent",
    "EventGraph",
    "EventsResult",
    "EventsWriter",
    "UnpairedContact",
    "check_event_schema",
    "contact_pairs",
    "document_contacts",
    "document_events",
    "dropped_contacts",
    "event_codes",
    "unpaired_path",
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
    """One row of the event table: a pair of resolved actors of one contact."""

    event_id: str
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
    source_actor_id: str
    source_actor: str
    target_actor_id: str
    target_actor: str
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


class UnpairedContact(msgspec.Struct, kw_only=True):
    """A contact with fewer than two resolved actors: the second table, one row per contact.

    ``reason`` says why: ``one actor`` (the other participants are generic, unknown, or the
    same actor again), ``no resolved actor``, or ``no participant`` annotated.
    """

    doc_id: str
    contact_id: str
    channel_id: str
    channel_text: str
    channel_kind: str | None
    modality: str
    realis: str
    reason: str
    actor_id: str | None
    actor: str | None
    actor_country: str | None
    n_mentions: int
    participants: str | None
    unresolved: str | None
    venue: str | None
    issue: str | None
    cameo: str | None
    plover: str | None
    ace: str | None
    title: str | None
    published: str | None


UNPAIRED_COLUMNS = list(UnpairedContact.__struct_fields__)


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
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
) -> list[ContactEvent]:
    """The pair rows of one document, in text order of the channels.

    Example:
        >>> rows = document_events(sample_document(), load_schema())  # doctest: +SKIP
        >>> (rows[0].source_actor, rows[0].target_actor, rows[0].cameo)
        ('Anna Reyes', 'Government (Russia)', '041')
    """
    return document_contacts(doc, schema, include_negated=include_negated, gazetteer=gazetteer)[0]


def document_contacts(
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
    resolution: dict[str, Resolution] | None = None,
) -> tuple[list[ContactEvent], list[UnpairedContact]]:
    """Pair rows and unpaired contacts of one document (see the module docstring).

    Participants are resolved with :func:`~backchannel.annotation.export.actors.resolve_document`
    (or the ``resolution`` given); each actor counts once per contact, represented by its first
    participant mention in role order, then text order.
    """
    from backchannel.annotation.export.actors import resolve_document

    resolution = resolution if resolution is not None else resolve_document(doc, gazetteer)
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
    unpaired: list[UnpairedContact] = []
    channels = sorted(
        (s for s in doc.spans if s.label == CHANNEL), key=lambda s: (s.start, s.end, s.id)
    )
    title = _str_or_none(doc.meta.get("title"))
    published = _str_or_none(doc.meta.get("published"))
    for ch in channels:
        modality = ch.attrs.get("modality", "actual")
        if modality in DROPPED_MODALITIES and not include_negated:
            continue
        kind = ch.attrs.get("channel_kind")
        codes = event_codes(schema, kind, modality)
        # one mention once per contact (first role given wins), ordered by role then position
        seen: dict[str, str | None] = {}
        for aid, role in participants.get(ch.id, []):
            seen.setdefault(aid, role)
        ordered = sorted(
            seen.items(),
            key=lambda ar: (_ROLE_RANK.get(ar[1] or "", 2), spans[ar[0]].start, ar[0]),
        )
        actors: dict[str, tuple[str, str | None, ActorRef]] = {}
        unresolved: list[str] = []
        for aid, role in ordered:
            res = resolution.get(aid)
            if res is None or res.actor is None:
                status = res.status if res is not None else "unknown"
                unresolved.append(f"{_clean(text[spans[aid].start : spans[aid].end])} ({status})")
                continue
            actors.setdefault(res.actor.actor_id, (aid, role, res.actor))
        contact_id = f"{doc.id}/{ch.id}"
        common = {
            "doc_id": doc.id,
            "contact_id": contact_id,
            "channel_id": ch.id,
            "channel_text": text[ch.start : ch.end],
            "channel_kind": kind,
            "modality": modality,
            "realis": _realis(modality),
            "venue": _join(venues.get(ch.id, [])),
            "issue": _join(issues.get(ch.id, [])),
            "cameo": codes.get("cameo") or None,
            "plover": codes.get("plover") or None,
            "ace": codes.get("ace") or None,
            "title": title,
            "published": published,
        }
        if len(actors) < 2:
            only = next(iter(actors.values()), None)
            reason = "one actor" if only else "no resolved actor" if ordered else "no participant"
            unpaired.append(
                UnpairedContact(
                    **common,
                    reason=reason,
                    actor_id=only[2].actor_id if only else None,
                    actor=only[2].canonical if only else None,
                    actor_country=only[2].country if only else None,
                    n_mentions=len(ordered),
                    participants=_join(
                        [_clean(text[spans[a].start : spans[a].end]) for a, _ in ordered]
                    ),
                    unresolved=_join(unresolved),
                )
            )
            continue
        for n, (src, tgt) in enumerate(itertools.combinations(actors.values(), 2), start=1):
            rows.append(
                ContactEvent(
                    **common,
                    event_id=f"{contact_id}/{n}",
                    visibility=ch.attrs.get("visibility"),
                    official=ch.attrs.get("official"),
                    source_actor_id=src[2].actor_id,
                    source_actor=src[2].canonical,
                    target_actor_id=tgt[2].actor_id,
                    target_actor=tgt[2].canonical,
                    **_actor("source", src, spans, text),
                    **_actor("target", tgt, spans, text),
                    directed=_ROLE_RANK.get(src[1] or "", 2) != _ROLE_RANK.get(tgt[1] or "", 2),
                    n_participants=len(actors),
                    channel_start=ch.start,
                    channel_end=ch.end,
                )
            )
    return rows, unpaired


def contact_pairs(
    doc: Document,
    schema: Schema,
    *,
    level: str = "actor",
    gazetteer: Gazetteer | None = None,
) -> set[tuple[str, str]]:
    """Who talks to whom in one document, as a set of unordered pairs (sorted tuples).

    ``level="actor"`` pairs resolved actor ids; ``level="country"`` pairs their countries
    (pairs with an actor of no country are left out; a contact within one country is a pair of
    one country with itself).  This is what contact-pair scoring compares between gold and
    predictions: the same contacts found through any spans, whichever mention named each actor.
    Negated, generic and hypothetical contacts are not contacts and give no pair.
    """
    if level not in ("actor", "country"):
        raise ValueError(f"level must be actor or country, not {level!r}")
    pairs: set[tuple[str, str]] = set()
    for row in document_events(doc, schema, gazetteer=gazetteer):
        if level == "actor":
            a, b = row.source_actor_id, row.target_actor_id
        else:
            a, b = row.source_country, row.target_country
            if a in (None, "", "UNK") or b in (None, "", "UNK"):
                continue
        pairs.add((min(a, b), max(a, b)))  # type: ignore[type-var]
    return pairs


def _clean(text: str) -> str:
    return " ".join(text.split())


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _actor(
    prefix: str, who: tuple[str, str | None, ActorRef], spans: dict[str, Any], text: str
) -> dict[str, Any]:
    aid, role, actor = who
    span = spans[aid]
    return {
        f"{prefix}_id": aid,
        f"{prefix}_text": text[span.start : span.end],
        f"{prefix}_country": actor.country or span.attrs.get("country"),
        f"{prefix}_kind": span.attrs.get("actor_kind"),
        f"{prefix}_sector": actor.sector or span.attrs.get("sector"),
        f"{prefix}_role": role,
    }


def _arrow_schema(columns: list[str] | None = None) -> Any:
    import pyarrow as pa

    types = {"channel_start": pa.int32(), "channel_end": pa.int32(), "n_participants": pa.int32()}
    types["directed"] = pa.bool_()
    types["n_mentions"] = pa.int32()
    return pa.schema([(c, types.get(c, pa.string())) for c in columns or COLUMNS])


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

    Nodes are resolved actors (their ids; :attr:`names` holds their canonical names, the
    labels); edges are undirected and keyed by channel kind, weighted by the number of
    contacts.  :attr:`months` counts contacts per pair per month (``YYYY-MM`` of the article's
    publication date) for :func:`write_monthly`.
    """

    def __init__(self) -> None:
        self.edges: Counter[tuple[str, str, str]] = Counter()
        self.names: dict[str, str] = {}
        self.countries: dict[str, str | None] = {}
        self.months: Counter[tuple[str, str, str]] = Counter()
        self._contact_pairs: set[tuple[str, str, str]] = set()

    def add(self, row: ContactEvent) -> None:
        a, b = row.source_actor_id, row.target_actor_id
        if a == b:
            return
        self.names[a], self.names[b] = row.source_actor, row.target_actor
        self.countries[a], self.countries[b] = row.source_country, row.target_country
        a, b = sorted((a, b))
        self.edges[(a, b, row.channel_kind or "unknown")] += 1
        month = (row.published or "")[:7] or "undated"
        self.months[(month, a, b)] += 1

    def label(self, node: str) -> str:
        """The canonical name of a node (the node itself when it has none)."""
        return self.names.get(node, node)

    def to_networkx(self) -> Any:
        """A ``networkx.MultiGraph``: one edge per (pair, channel kind), attribute ``weight``;
        nodes carry ``label`` (canonical name) and ``country``."""
        import networkx as nx

        graph = nx.MultiGraph()
        for (a, b, kind), n in sorted(self.edges.items()):
            graph.add_edge(a, b, key=kind, kind=kind, weight=n)
        for node in graph.nodes:
            graph.nodes[node]["label"] = self.label(node)
            graph.nodes[node]["country"] = self.countries.get(node)
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
        self, *, max_edges: int = 80, title: str | None = None, max_labels: int = 150
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
        ax.set_title(
            title
            or "Who talks to whom: resolved actors (edges: contacts, coloured by channel kind)"
        )
        fig.tight_layout()
        if nodes:
            order = sorted(graph.nodes, key=lambda n: (-graph.degree(n), str(n)))
            labels = _place_labels(fig, ax, pos, order[:max_labels], self.label)
        return fig, labels, len(top)


def _short(name: str, width: int = 24) -> str:
    name = str(name)
    return name if len(name) <= width else name[: width - 1] + "…"


def _place_labels(
    fig: Any, ax: Any, pos: dict[str, Any], nodes: list[str], label: Any = str
) -> list[Any]:
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
                _short(label(node)),
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


class _TableSink:
    """Batches of rows into parquet and/or CSV (memory bounded by the batch size)."""

    def __init__(self, parquet: Any, csv: Any, columns: list[str], batch_size: int) -> None:
        self.parquet = parquet
        self.csv = csv
        self.batch_size = batch_size
        self.schema = _arrow_schema(columns)
        self.batch: list[dict[str, Any]] = []
        self._pq: Any = None
        self._csv: Any = None

    def add(self, row: msgspec.Struct) -> None:
        self.batch.append(msgspec.structs.asdict(row))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self.batch, schema=self.schema)
        self.batch = []
        if self.parquet is not None:
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.parquet, self.schema)
            self._pq.write_table(table)
        if self.csv is not None:
            if self._csv is None:
                self._csv = pacsv.CSVWriter(self.csv, self.schema)
            self._csv.write_table(table)

    def close(self) -> None:
        self.flush()
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


class EventsWriter:
    """Stream pair rows (and unpaired contacts) into parquet and/or CSV, and build the graph.

    Args:
        parquet: a path or writable binary file for the parquet pair table, or ``None``.
        csv: a path or writable binary file for the CSV pair table, or ``None``.
        batch_size: rows per write (memory is bounded by it).
        unpaired_parquet: where unpaired contacts go as parquet, or ``None``.
        unpaired_csv: where unpaired contacts go as CSV, or ``None``.
    """

    def __init__(
        self,
        parquet: Any = None,
        csv: Any = None,
        batch_size: int = 5000,
        *,
        unpaired_parquet: Any = None,
        unpaired_csv: Any = None,
    ) -> None:
        self.rows = 0
        self.contacts = 0
        self.unpaired = 0
        self.graph = EventGraph()
        self._pairs = _TableSink(parquet, csv, COLUMNS, batch_size)
        self._unpaired = (
            _TableSink(unpaired_parquet, unpaired_csv, UNPAIRED_COLUMNS, batch_size)
            if unpaired_parquet is not None or unpaired_csv is not None
            else None
        )

    def add(self, rows: Iterable[ContactEvent], unpaired: Iterable[UnpairedContact] = ()) -> None:
        contacts = set()
        for row in rows:
            self._pairs.add(row)
            self.graph.add(row)
            self.rows += 1
            contacts.add(row.contact_id)
        for contact in unpaired:
            if self._unpaired is not None:
                self._unpaired.add(contact)
            self.unpaired += 1
        # rows of one contact always arrive in one call (one document), so counting per call
        # needs no set of every contact id ever seen
        self.contacts += len(contacts)

    def close(self) -> None:
        """Flush and close; always writes the files, with a header when there are no rows."""
        self._pairs.close()
        if self._unpaired is not None:
            self._unpaired.close()


def dropped_contacts(doc: Document, include_negated: bool) -> int:
    """Contacts of ``doc`` left out of the table (negated, generic, hypothetical)."""
    if include_negated:
        return 0
    return sum(
        1
        for s in doc.spans
        if s.label == CHANNEL and s.attrs.get("modality", "actual") in DROPPED_MODALITIES
    )


class DocumentEvents(msgspec.Struct, array_like=True):
    """Everything one document gives the event table: what a cluster worker hands back.

    ``statuses`` counts the document's ACTOR mentions by resolution status and ``actor_ids``
    lists the actors they resolved to, for the run's totals.
    """

    rows: list[ContactEvent]
    unpaired: list[UnpairedContact]
    dropped: int
    statuses: dict[str, int]
    actor_ids: list[str]


def document_record(
    doc: Document,
    schema: Schema,
    *,
    include_negated: bool = False,
    gazetteer: Gazetteer | None = None,
) -> DocumentEvents:
    """The rows, unpaired contacts and resolution counts of one document (serial or worker)."""
    from backchannel.annotation.export.actors import resolve_document

    resolution = resolve_document(doc, gazetteer)
    rows, unpaired = document_contacts(
        doc, schema, include_negated=include_negated, resolution=resolution
    )
    statuses = Counter(r.status for r in resolution.values())
    ids = sorted({r.actor.actor_id for r in resolution.values() if r.actor is not None})
    return DocumentEvents(
        rows, unpaired, dropped_contacts(doc, include_negated), dict(statuses), ids
    )


class EventTotals:
    """Run totals over documents (the serial run and the sharded one add the same records)."""

    def __init__(self) -> None:
        self.documents = 0
        self.dropped = 0
        self.statuses: Counter[str] = Counter()
        self.ids: set[str] = set()

    def add(self, record: DocumentEvents) -> None:
        self.documents += 1
        self.dropped += record.dropped
        self.statuses.update(record.statuses)
        self.ids.update(record.actor_ids)


def write_views(
    graph_data: EventGraph,
    graph: str | Path | None,
    html: str | Path | None,
    monthly: str | Path | None,
) -> tuple[int, Path | None]:
    """Draw the views of a finished table: the PNG graph, the HTML graph, the monthly table.

    Returns:
        The number of graph edges and the monthly plot's path (when ``monthly`` was given).
    """
    edges = graph_data.draw(graph) if graph is not None else len(graph_data.edges)
    plot = None
    if html is not None or monthly is not None:
        from backchannel.annotation.export import event_views

        if html is not None:
            event_views.write_html_graph(graph_data, html)
        if monthly is not None:
            plot = Path(monthly).with_suffix(".png")
            event_views.write_monthly(graph_data, monthly, plot)
    return edges, plot


def check_views(graph: Any, html: Any, monthly: Any) -> None:
    """Refuse a view of the wrong suffix before any work."""
    for view, ext in ((graph, ".png"), (html, ".html"), (monthly, ".csv")):
        if view is not None and Path(view).suffix.lower() != ext:
            raise InputError(f"this view must be a {ext} file", path=view)


def events_result(
    totals: EventTotals,
    writer: EventsWriter,
    edges: int,
    output: Any,
    side: Any,
    graph: Any,
    html: Any,
    monthly: Any,
    plot: Path | None,
) -> EventsResult:
    """The :class:`EventsResult` of a run (serial or sharded)."""
    return EventsResult(
        documents=totals.documents,
        contacts=writer.contacts,
        rows=writer.rows,
        edges=edges,
        output=str(output),
        graph=str(graph) if graph is not None else None,
        dropped_contacts=totals.dropped,
        unpaired=writer.unpaired,
        unpaired_output=str(side) if side is not None else None,
        html=str(html) if html is not None else None,
        monthly=str(monthly) if monthly is not None else None,
        monthly_plot=str(plot) if plot is not None else None,
        actors=len(totals.ids),
        mentions=sum(totals.statuses.values()),
        generic_mentions=totals.statuses["generic"],
        unknown_mentions=totals.statuses["unknown"],
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
    unpaired: int = 0
    unpaired_output: str | None = None
    html: str | None = None
    monthly: str | None = None
    monthly_plot: str | None = None
    actors: int = 0
    mentions: int = 0
    generic_mentions: int = 0
    unknown_mentions: int = 0


def unpaired_path(output: str | Path) -> Path:
    """Where the unpaired contacts of the table ``output`` go: ``events_unpaired.csv`` beside
    ``events.csv`` (same format)."""
    out = Path(output)
    return out.with_name(f"{out.stem}_unpaired{out.suffix}")


def write_events(
    gold: str | Path,
    output: str | Path,
    *,
    schema: Schema | None = None,
    include_negated: bool = False,
    graph: str | Path | None = None,
    html: str | Path | None = None,
    monthly: str | Path | None = None,
    gazetteer: Gazetteer | None = None,
    progress: bool = False,
) -> EventsResult:
    """Write the event table of a gold file to ``.parquet`` or ``.csv``, and its views.

    Beside ``output`` (``events.csv``) goes the table of unpaired contacts
    (``events_unpaired.csv``, :func:`unpaired_path`).  Views, each optional: ``graph`` a PNG of
    who talks to whom, ``html`` the same graph interactive (plotly, its JavaScript inlined so
    it opens offline), ``monthly`` a CSV of contacts per pair per month with a heat-map PNG
    beside it (same stem).  Every file is written atomically: on bad input none appears.

    Raises:
        InputError: for an output name that is neither ``.parquet`` nor ``.csv``, or a view
            of the wrong suffix.
        DocumentError: for a bad gold record.
    """
    from contextlib import ExitStack

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
    check_views(graph, html, monthly)
    totals = EventTotals()
    side = unpaired_path(out)
    with ExitStack() as stack:
        fh = stack.enter_context(atomic_write(out, "wb"))
        side_fh = stack.enter_context(atomic_write(side, "wb"))
        parquet = suffix == ".parquet"
        writer = EventsWriter(
            fh if parquet else None,
            None if parquet else fh,
            unpaired_parquet=side_fh if parquet else None,
            unpaired_csv=None if parquet else side_fh,
        )
        docs = _read(gold, schema)
        for doc in track(docs, "events") if progress else docs:
            record = document_record(
                doc, schema, include_negated=include_negated, gazetteer=gazetteer
            )
            totals.add(record)
            writer.add(record.rows, record.unpaired)
        writer.close()
        edges, plot = write_views(writer.graph, graph, html, monthly)
    return events_result(totals, writer, edges, out, side, graph, html, monthly, plot)
