"""The who-talks-to-whom graph of resolved actors, drawn so that every label can be read.

Each connected component is laid out with Kamada-Kawai; labels go, busiest actor first, at the
first of 16 places around their node where their measured box overlaps no other label.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.annotation.export.event_records import ContactEvent
from backchannel.atomic import atomic_write

if TYPE_CHECKING:
    pass

__all__ = [
    "EventGraph",
]


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
