"""``score`` and ``compare``: the library functions behind the two commands.

Both are quiet and return typed results; the CLI only parses options and prints.  The JSON
shape of :meth:`ScoreResult.to_dict` is a public contract documented in ``docs/scoring.md``.

Example:
    >>> from backchannel.eval.scoring.scorer import score
    >>> result = score("gold.jsonl", "pred.jsonl", bootstrap=200)  # doctest: +SKIP
    >>> result.value("spans.micro.strict.f1")  # doctest: +SKIP
    0.82
    >>> result.interval("spans.micro.strict.f1")  # doctest: +SKIP
    (0.79, 0.85)
"""

from __future__ import annotations

import contextlib
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from backchannel import __version__
from backchannel.atomic import STDIO
from backchannel.bootstrap import bootstrap_totals, percentile_interval
from backchannel.cluster import ClusterSpec, open_client
from backchannel.documents import open_binary
from backchannel.errors import InputError, quote
from backchannel.eval.models.base import LAYERS, LAYERS_KEY
from backchannel.eval.scoring import contacts
from backchannel.eval.scoring.counting import CHUNK, BrowserDoc, DocumentCounter
from backchannel.eval.scoring.joining import NotLockstep, join, lockstep
from backchannel.eval.scoring.metrics import (
    Layout,
    class_sets,
    compute_metrics,
    finite_or_none,
    majority_polarity,
)
from backchannel.eval.scoring.parallel import count_parallel, plan
from backchannel.eval.scoring.significance import (
    approximate_randomisation,
    bootstrap_p,
    paired_bootstrap,
)
from backchannel.schema import Schema, load_schema
from backchannel.shards import discover, is_sharded

__all__ = [
    "FIGURES",
    "CompareResult",
    "Counts",
    "ScoreResult",
    "bootstrap_intervals",
    "collect_counts",
    "compare",
    "score",
]

#: What a report says in place of the figures of a layer the predictions copied from the input.
GIVEN_NOTES = {
    "spans": "spans given, not predicted: span and attribute figures are left out of the "
    "headline (they compare the input's spans with the gold)",
    "relations": "relations other than stance given, not predicted: relation figures are left "
    "out of the headline",
}

#: Leaf names that are rates (get an interval); everything else is a count.
FIGURES = ("precision", "recall", "f1", "accuracy", "macro_f1", "f_avg")


def _is_figure(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in FIGURES


@dataclass
class Counts:
    """The outcome of the one matching pass: per-document count rows and what reports need."""

    layout: Layout
    rows: np.ndarray
    doc_ids: list[str]
    missing: int
    confusion: np.ndarray
    browser: list[BrowserDoc]


def _resolve_schema(schema: Schema | str | Path | None) -> Schema:
    if isinstance(schema, Schema):
        return schema
    return load_schema(schema)


def _layout(schema: Schema, labels: list[str] | None) -> Layout:
    if labels:
        unknown = [lab for lab in labels if lab not in schema.spans]
        if unknown:
            raise InputError(
                f"unknown span label {quote(unknown[0])} in --labels (schema {schema.name} has "
                f"{', '.join(schema.span_labels)})"
            )
        labels = [lab for lab in schema.span_labels if lab in labels]
    return Layout.from_schema(schema, labels)


def collect_counts(
    gold: str | Path,
    predictions: str | Path,
    schema: Schema,
    layout: Layout,
    *,
    allow_missing: bool = False,
    keep: int = 25,
    workers: int | None = None,
    cluster: Any = None,
) -> Counts:
    """Join, validate and match every document once; return the per-document count rows.

    ``workers`` (see :func:`backchannel.eval.scoring.parallel.plan`): big same-order files are
    counted
    in worker processes; the result is the same as the serial path's, bit for bit, and any
    problem (bad record, other order, missing document) is reported by the serial path.
    ``cluster`` (a ``--cluster`` value or a Dask client) counts on that cluster instead.

    Folders or globs of shards are counted shard pair by shard pair (see
    :mod:`backchannel.eval.cluster`); shards that do not pair up by name are counted as their
    concatenation.  Either way the result is that of the concatenated files.
    """
    if is_sharded(gold) or is_sharded(predictions):
        return _collect_sharded(gold, predictions, schema, layout, allow_missing, keep, cluster)
    # A batch keeps ~1,000 Documents alive: with the cyclic garbage collector on, every young
    # collection would walk them all (it made decoding 5x slower).  Documents hold no cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        n_workers = plan(workers, gold, predictions)
        if n_workers > 1 or cluster is not None:
            fast = count_parallel(
                gold, predictions, schema, layout, keep=keep, workers=n_workers, cluster=cluster
            )
            if fast is not None:
                c = fast.counter
                return Counts(layout, fast.rows, fast.doc_ids, 0, c.confusion, c.browser())
        counter, rows, missing = count_files(gold, predictions, schema, layout, keep, allow_missing)
    finally:
        if enabled:
            gc.enable()
    return Counts(layout, rows, counter.doc_ids, missing, counter.confusion, counter.browser())


def count_files(
    gold: str | Path,
    predictions: str | Path,
    schema: Schema,
    layout: Layout,
    keep: int,
    allow_missing: bool,
    first: int = 0,
) -> tuple[DocumentCounter, np.ndarray, int]:
    """Count one gold file against one prediction file: the one reader and its one fallback.

    Files in the same order are read in lockstep, a block at a time; anything else (another
    order, a missing or extra document, a problem to report) starts again with :func:`join`.
    ``first`` is the index of the first document (shards counted apart keep distinct indexes).

    Returns:
        The counter (confusion, error browser, ids), the count rows, and how many gold
        documents had no prediction.
    """
    counter = DocumentCounter(schema, layout, keep=keep)
    counter.reset(first)
    lean = counter.decoder
    try:
        for g_block, p_block in lockstep(gold, predictions, lean, CHUNK):
            counter.add_block(g_block, p_block)
        return counter, counter.finish(), 0
    except NotLockstep:  # another order, or a problem for join to handle or report
        counter = DocumentCounter(schema, layout, keep=keep, decoder=lean)
        counter.reset(first)
        missing = 0
        for g, p in join(gold, predictions, allow_missing=allow_missing, lean=lean):
            missing += p is None
            counter.add(g, p)
        return counter, counter.finish(), missing


def _collect_sharded(
    gold: str | Path,
    predictions: str | Path,
    schema: Schema,
    layout: Layout,
    allow_missing: bool,
    keep: int,
    cluster: Any,
) -> Counts:
    import tempfile

    from backchannel.eval.cluster import count_shards, pair_shards
    from backchannel.shards import concatenate, discover

    pairs = pair_shards(gold, predictions)
    if pairs is not None:
        return count_shards(
            pairs, schema, layout, keep=keep, allow_missing=allow_missing, cluster=cluster
        )
    with tempfile.TemporaryDirectory(prefix="backchannel-score-") as tmp:
        files = []
        for side, source in (("gold", gold), ("predictions", predictions)):
            paths = discover(source)
            if len(paths) == 1:
                files.append(paths[0])
                continue
            target = str(Path(tmp, f"{side}.jsonl"))
            concatenate("/", [os.path.abspath(p) for p in paths], target)
            files.append(target)
        return collect_counts(
            files[0], files[1], schema, layout, allow_missing=allow_missing, keep=keep,
            cluster=cluster,
        )  # fmt: skip


class _Layers(msgspec.Struct):
    given: list[str] = []


class _LayersMeta(msgspec.Struct):
    layers: _Layers | None = None


class _MetaOnly(msgspec.Struct):
    meta: _LayersMeta = msgspec.field(default_factory=_LayersMeta)


_META_ONLY = msgspec.json.Decoder(_MetaOnly)
_LAYERS_NEEDLE = f'"{LAYERS_KEY}"'.encode()


def given_layers(predictions: str | Path) -> list[str]:
    """The layers every prediction Document says were given, not predicted (``meta.layers``).

    Why: a model that copies its input's spans (``stance``) would otherwise be credited with
    span F1 1.000.  A layer counts as given only when every document declares it; the scan
    stops at the first document that declares nothing, so predictions without the key cost one
    line.  Standard input cannot be read twice: nothing is given.  Malformed lines are left to
    the scoring pass, which reports them.
    """
    if str(predictions) == STDIO:
        return []
    if is_sharded(predictions):
        shared: set[str] | None = None
        for path in discover(predictions):
            layers = set(given_layers(path))
            shared = layers if shared is None else shared & layers
            if not shared:
                return []
        return [x for x in LAYERS if shared and x in shared]
    common: set[str] | None = None
    with open_binary(predictions, allow_stdin=False) as fh:
        for raw in fh:
            if not raw.strip():
                continue
            if _LAYERS_NEEDLE not in raw:
                return []
            try:
                meta = _META_ONLY.decode(raw.removeprefix(b"\xef\xbb\xbf")).meta
            except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):
                return []
            declared = set(meta.layers.given) if meta.layers is not None else set()
            common = declared if common is None else common & declared
            if not common:
                return []
    return [x for x in LAYERS if common and x in common]


@dataclass
class ScoreResult:
    """Every figure of a scoring run, with intervals, and what the reports show.

    Attributes:
        values: flat dotted name -> value (``None`` when undefined); counts are whole numbers.
        intervals: flat dotted name -> ``(low, high)`` for every rate.
        counts: the matching pass's output (layout, rows, confusion, browser documents).
        meta: inputs and settings.
    """

    values: dict[str, float | None]
    intervals: dict[str, tuple[float | None, float | None]]
    counts: Counts
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return self.counts.layout

    def value(self, name: str) -> float | None:
        """One figure by its dotted JSON path, e.g. ``spans.micro.strict.f1``."""
        return self.values[name]

    def interval(self, name: str) -> tuple[float | None, float | None]:
        return self.intervals[name]

    def beats_baseline(self, figure: str) -> bool | None:
        """Whether the stance ``figure`` (``macro_f1``, ``f_avg``) beats the majority baseline.

        True when the baseline lies below the model's interval (below its point value when
        there is no interval); None when either is undefined.
        """
        model = self.values.get(f"stance.polarity.{figure}")
        base = self.values.get(f"stance.majority_baseline.{figure}")
        if model is None or base is None:
            return None
        low = self.intervals.get(f"stance.polarity.{figure}", (None, None))[0]
        return bool((model if low is None else low) > base)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: nested by the dotted names, each rate with its interval beside it.

        A rate ``x`` gets ``x_ci_low`` and ``x_ci_high`` next to it; an ``f1`` also gets the
        short aliases ``ci_low`` and ``ci_high``.
        """
        out: dict[str, Any] = {"meta": self.meta}
        for name, val in self.values.items():
            *parents, leaf = name.split(".")
            node = out
            for part in parents:
                node = node.setdefault(part, {})
            if _is_figure(name):
                node[leaf] = val
                lo, hi = self.intervals.get(name, (None, None))
                node[f"{leaf}_ci_low"], node[f"{leaf}_ci_high"] = lo, hi
                if leaf == "f1":
                    node["ci_low"], node["ci_high"] = lo, hi
            else:
                node[leaf] = None if val is None else round(val)
        if "stance.majority_baseline.macro_f1" in self.values:
            mb = out["stance"]["majority_baseline"]
            mb["polarity"] = self.meta.get("majority_polarity")
            mb["model_better"] = {
                fig: self.beats_baseline(fig)
                for fig in ("macro_f1", "f_avg")
                if f"stance.majority_baseline.{fig}" in self.values
            }
        labels = [*self.layout.span_labels, "(none)"]
        out["confusion"] = {
            "note": "partial-schema matching; rows gold, columns predicted; (none) = missed or "
            "spurious",
            "labels": labels,
            "matrix": self.counts.confusion.tolist(),
        }
        return out


def _one_blas_thread() -> Any:
    """Run BLAS on one thread: on a shared machine threads mostly spin (measured 10x CPU)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _reduce(rows: np.ndarray, reduce: np.ndarray) -> np.ndarray:
    """``rows @ reduce`` (see :meth:`Layout.reduction`), exact: small integers in float32."""
    return rows.astype(np.float32) @ reduce


def _values(totals: np.ndarray, layout: Layout) -> dict[str, float | None]:
    return {k: finite_or_none(float(v)) for k, v in compute_metrics(totals, layout).items()}


def bootstrap_intervals(
    counts: Counts, names: list[str], bootstrap: int, seed: int, confidence: float = 0.95
) -> dict[str, tuple[float | None, float | None]]:
    """Percentile-bootstrap interval of each named figure, from the per-document count rows."""
    if bootstrap <= 0 or counts.rows.shape[0] == 0:
        return {n: (None, None) for n in names}
    layout = counts.layout
    reduce, expand = layout.reduction()
    classes = class_sets(counts.rows.sum(axis=0, dtype=np.int64), layout)
    with _one_blas_thread():
        small = _reduce(counts.rows, reduce)
        samples = compute_metrics(
            bootstrap_totals(small, bootstrap, seed) @ expand, layout, classes
        )
    lo, hi = percentile_interval(np.stack([samples[n] for n in names], axis=1), confidence)
    return {n: (finite_or_none(lo[j]), finite_or_none(hi[j])) for j, n in enumerate(names)}


def score(
    gold: str | Path,
    predictions: str | Path,
    *,
    schema: Schema | str | Path | None = None,
    labels: list[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 13,
    confidence: float = 0.95,
    allow_missing: bool = False,
    keep: int = 25,
    workers: int | None = None,
    cluster: Any = None,
) -> ScoreResult:
    """Score predicted Documents against gold Documents.

    Args:
        gold: gold Document JSONL.
        predictions: predicted Document JSONL (same documents, any order).
        schema: a Schema, a schema YAML path, or None for the bundled schema.
        labels: restrict span scoring to these labels (relations whose arguments carry other
            labels are left out too).
        bootstrap: bootstrap replicates for the intervals (0: no intervals).
        seed: seed of the resampling.
        confidence: interval coverage.
        allow_missing: count a gold document without prediction as all missed instead of
            failing, and ignore predictions for documents outside the gold.
        keep: how many worst documents to keep for the HTML error browser.

    Raises:
        DocumentError: a malformed record, a missing or extra document, a text mismatch or an
            unknown label, naming file, line and document.
        InputError: an unknown label in ``labels``.
    """
    sch = _resolve_schema(schema)
    layout = _layout(sch, labels)
    counts = collect_counts(
        gold, predictions, sch, layout, allow_missing=allow_missing, keep=keep, workers=workers,
        cluster=cluster,
    )  # fmt: skip
    totals = counts.rows.sum(axis=0, dtype=np.int64)
    values = _values(totals, layout)
    figure_names = [n for n in values if _is_figure(n)]
    intervals = bootstrap_intervals(counts, figure_names, bootstrap, seed, confidence)
    pairs = contacts.score_figures(
        gold,
        predictions,
        sch,
        allow_missing=allow_missing,
        bootstrap=bootstrap,
        seed=seed,
        confidence=confidence,
    )
    values.update(pairs[0])
    intervals.update(pairs[1])
    given = given_layers(predictions)
    meta = {
        "backchannel": __version__,
        "gold": str(gold),
        "predictions": str(predictions),
        "schema": {"name": sch.name, "version": sch.version},
        "span_labels": list(layout.span_labels),
        "documents": int(counts.rows.shape[0]),
        "missing_predictions": counts.missing,
        "bootstrap": bootstrap,
        "seed": seed,
        "confidence": confidence,
        "interval": "percentile bootstrap over documents",
        "given_layers": given,
        "notes": [GIVEN_NOTES[x] for x in given if x in GIVEN_NOTES],
        "majority_polarity": majority_polarity(totals, layout),
    }
    return ScoreResult(values, intervals, counts, meta)


@dataclass
class CompareResult:
    """Per figure: both systems' values, the difference b - a, its interval and two p-values."""

    rows: dict[str, dict[str, float | None]]
    meta: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"meta": self.meta, "metrics": self.rows}


def compare(
    gold: str | Path,
    a: str | Path,
    b: str | Path,
    *,
    schema: Schema | str | Path | None = None,
    labels: list[str] | None = None,
    bootstrap: int = 1000,
    permutations: int = 1000,
    seed: int = 13,
    confidence: float = 0.95,
    allow_missing: bool = False,
    workers: int | None = None,
    cluster: Any = None,
) -> CompareResult:
    """Compare system ``b`` with system ``a`` on the same gold, documents as the unit.

    ``workers`` and ``cluster`` as for :func:`score` (gold and systems may be folders of
    shards); one cluster counts both systems, and the report is the serial one.

    Returns:
        For every rate (micro, macro, per label, relations, stance, attributes): ``a``, ``b``,
        ``delta`` (b - a), ``ci_low``/``ci_high`` of the delta (paired bootstrap),
        ``p_bootstrap`` and ``p_randomisation`` (two-sided).
    """
    sch = _resolve_schema(schema)
    layout = _layout(sch, labels)
    with contextlib.ExitStack() as stack:
        if isinstance(cluster, str | ClusterSpec):  # started once for both systems
            cluster = stack.enter_context(open_client(cluster))
        options = {"allow_missing": allow_missing, "keep": 0, "workers": workers}
        ca = collect_counts(gold, a, sch, layout, cluster=cluster, **options)
        cb = collect_counts(gold, b, sch, layout, cluster=cluster, **options)
    ta, tb = ca.rows.sum(axis=0, dtype=np.int64), cb.rows.sum(axis=0, dtype=np.int64)
    va, vb = _values(ta, layout), _values(tb, layout)
    names = [
        n
        for n in va
        if _is_figure(n)
        and (va[n] is not None or vb[n] is not None)
        and not n.startswith("stance.majority_baseline.")  # gold only: the same for a and b
    ]

    reduce, expand = layout.reduction()
    # Macro averages over the classes defined for either system, in every resample.
    sa, sb = class_sets(ta, layout), class_sets(tb, layout)
    classes = {k: sa[k] | sb[k] for k in sa if k in sb}

    def fn(t: np.ndarray) -> dict[str, np.ndarray]:
        return compute_metrics(t @ expand, layout, classes)

    with _one_blas_thread():
        ra, rb = _reduce(ca.rows, reduce), _reduce(cb.rows, reduce)
        deltas, observed = paired_bootstrap(ra, rb, fn, names, bootstrap, seed)
        p_ar = approximate_randomisation(ra, rb, fn, names, permutations, seed)
    lo, hi = percentile_interval(deltas, confidence)
    p_boot = bootstrap_p(deltas, observed)
    rows = {}
    for j, n in enumerate(names):
        rows[n] = {
            "a": va[n],
            "b": vb[n],
            "delta": finite_or_none(observed[j]),
            "ci_low": finite_or_none(lo[j]),
            "ci_high": finite_or_none(hi[j]),
            "p_bootstrap": finite_or_none(p_boot[j]),
            "p_randomisation": finite_or_none(p_ar[j]),
        }
    rows.update(
        contacts.compare_rows(
            gold,
            a,
            b,
            sch,
            allow_missing=allow_missing,
            bootstrap=bootstrap,
            permutations=permutations,
            seed=seed,
            confidence=confidence,
        )
    )
    meta = {
        "backchannel": __version__,
        "gold": str(gold),
        "a": str(a),
        "b": str(b),
        "schema": {"name": sch.name, "version": sch.version},
        "documents": int(ca.rows.shape[0]),
        "bootstrap": bootstrap,
        "permutations": permutations,
        "seed": seed,
        "confidence": confidence,
        "p_floor": {
            "bootstrap": 1 / (1 + bootstrap) if bootstrap > 0 else None,
            "randomisation": 1 / (1 + permutations) if permutations > 0 else None,
        },
    }
    return CompareResult(rows, meta)
