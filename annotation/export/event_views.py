"""Views of the event table people read: an interactive graph and contacts per pair per month.

The PNG graph (:meth:`~backchannel.annotation.export.events.EventGraph.draw`) is for a page or a
slide; the HTML graph here is for exploring: zoom, hover an actor for its id, country and
contacts, click a channel kind in the legend to hide it.  It is drawn with plotly, whose
JavaScript is inlined in the file (about 4 MB) so that it opens offline, with no CDN.  The
monthly table answers "how often did A and B talk, month by month", the first question of
event-data analysis, and its heat map shows the busiest pairs at a glance.
"""

from __future__ import annotations

import csv
import html
import io
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.atomic import atomic_write

if TYPE_CHECKING:
    from backchannel.annotation.export.event_graph import EventGraph

__all__ = ["MONTHLY_COLUMNS", "monthly_rows", "write_html_graph", "write_monthly"]

MONTHLY_COLUMNS = ["month", "actor_a_id", "actor_a", "actor_b_id", "actor_b", "contacts"]


def html_figure(graph: EventGraph, *, title: str | None = None, label_top: int = 20) -> Any:
    """The plotly figure of ``graph``: one line trace per channel kind, one node trace.

    Node positions are the PNG's (:func:`~backchannel.annotation.export.events._component_layout`)
    so both views look alike.  The ``label_top`` busiest actors are named on the page; the
    others on hover, or all at once through the legend ("all names").  Every label is
    HTML-escaped: names come from article text.
    """
    import plotly.graph_objects as go

    from backchannel.annotation.export.event_graph import _component_layout

    nxg = graph.to_networkx()
    fig = go.Figure()
    if nxg.number_of_nodes():
        pos = _component_layout(nxg)
        kinds = sorted({kind for _, _, kind in graph.edges})
        for kind in kinds:
            xs: list[float | None] = []
            ys: list[float | None] = []
            for (a, b, k), _n in sorted(graph.edges.items()):
                if k == kind:
                    xs += [float(pos[a][0]), float(pos[b][0]), None]
                    ys += [float(pos[a][1]), float(pos[b][1]), None]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=html.escape(kind),
                    hoverinfo="skip",
                    line={"width": 2},
                )
            )
        contacts: Counter[str] = Counter()
        for (a, b, _k), n in graph.edges.items():
            contacts[a] += n
            contacts[b] += n
        nodes = sorted(nxg.nodes)
        hover = [
            "<br>".join(
                [
                    f"<b>{html.escape(graph.label(n))}</b>",
                    f"id: {html.escape(n)}",
                    f"country: {html.escape(graph.countries.get(n) or 'unknown')}",
                    f"contacts: {contacts[n]}",
                ]
            )
            for n in nodes
        ]
        # the busiest actors carry a label; every other one shows its name on hover (and when
        # zoomed in, through the legend's "all names" trace), so labels never pile up
        ranked = sorted(nodes, key=lambda n: (-contacts[n], graph.label(n)))
        named = set(ranked[:label_top])
        for trace, group, mode in (
            ("actors", nodes, "markers"),
            ("busiest actors' names", [n for n in nodes if n in named], "text"),
            ("all names", nodes, "text"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=[float(pos[n][0]) for n in group],
                    y=[float(pos[n][1]) for n in group],
                    mode=mode,
                    name=trace,
                    text=[html.escape(graph.label(n)) for n in group],
                    textposition="top center",
                    hovertext=[hover[nodes.index(n)] for n in group],
                    hoverinfo="text",
                    marker={
                        "size": [8 + min(22, 2 * contacts[n]) for n in group],
                        "color": "#888",
                    },
                    visible="legendonly" if trace == "all names" else True,
                )
            )
    fig.update_layout(
        title=html.escape(title or "Who talks to whom: resolved actors, contacts by channel kind"),
        showlegend=True,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        plot_bgcolor="white",
        height=1000,
    )
    return fig


def write_html_graph(graph: EventGraph, path: str | Path, *, title: str | None = None) -> None:
    """Write the interactive graph to one self-contained HTML file (atomically)."""
    fig = html_figure(graph, title=title)
    page = fig.to_html(include_plotlyjs=True, full_html=True)
    with atomic_write(path, "w") as fh:
        fh.write(page)


def monthly_rows(graph: EventGraph) -> list[dict[str, Any]]:
    """Contacts per (month, pair of actors), months in order, busiest pairs first."""
    rows = []
    for (month, a, b), n in graph.months.items():
        a, b = sorted((a, b), key=lambda node: (graph.label(node), node))  # a reader's order
        rows.append(
            {
                "month": month,
                "actor_a_id": a,
                "actor_a": graph.label(a),
                "actor_b_id": b,
                "actor_b": graph.label(b),
                "contacts": n,
            }
        )
    rows.sort(key=lambda r: (r["month"], -r["contacts"], r["actor_a"], r["actor_b"]))
    return rows


def write_monthly(
    graph: EventGraph, path: str | Path, plot: str | Path | None = None, *, top: int = 30
) -> int:
    """Write contacts per pair per month as CSV and, if ``plot``, a heat map PNG of the
    ``top`` busiest pairs.  Returns the number of CSV rows."""
    rows = monthly_rows(graph)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MONTHLY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with atomic_write(path, "w") as fh:
        fh.write(buf.getvalue())
    if plot is not None:
        _heatmap(rows, plot, top=top)
    return len(rows)


def _heatmap(rows: list[dict[str, Any]], path: str | Path, *, top: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    totals: Counter[tuple[str, str]] = Counter()
    for r in rows:
        totals[(r["actor_a"], r["actor_b"])] += r["contacts"]
    pairs = [p for p, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    months = sorted({r["month"] for r in rows})
    grid = np.zeros((len(pairs), len(months)), dtype=int)
    index = {p: i for i, p in enumerate(pairs)}
    for r in rows:
        i = index.get((r["actor_a"], r["actor_b"]))
        if i is not None:
            grid[i, months.index(r["month"])] += r["contacts"]
    height = max(3.0, 0.32 * len(pairs) + 1.8)
    width = max(6.0, 0.7 * len(months) + 5.5)
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    try:
        if pairs:
            ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0)
            ax.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=8)
            labels = [f"{_cut(a)} – {_cut(b)}" for a, b in pairs]
            ax.set_yticks(range(len(pairs)), labels, fontsize=8)
            for i in range(len(pairs)):
                for j in range(len(months)):
                    if grid[i, j]:
                        colour = "white" if grid[i, j] > grid.max() / 2 else "black"
                        ax.text(
                            j,
                            i,
                            str(grid[i, j]),
                            ha="center",
                            va="center",
                            fontsize=7,
                            color=colour,
                        )
        else:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "no contacts between two actors", ha="center", va="center")
        ax.set_title(f"Contacts per pair per month (top {len(pairs)} pairs)")
        fig.tight_layout()
        with atomic_write(path, "wb") as fh:
            fig.savefig(fh, format="png")
    finally:
        plt.close(fig)


def _cut(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
