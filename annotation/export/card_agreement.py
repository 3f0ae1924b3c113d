"""The agreement JSON of ``backchannel agree``, read for the dataset card.

The file is a path the user gives, so it may hold anything: it is read defensively.  Figures
are taken where a recognised value key is found, with an interval and a unit count when they are
there; missing keys are left out, never invented.  :func:`synthetic_annotators` looks up the
agreement's source file to say which annotators are simulated, so the card can warn that their
figures measure the tooling rather than people.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import msgspec

from backchannel.errors import InputError

__all__ = ["AgreementRow", "agreement_rows", "load_agreement", "number", "synthetic_annotators"]


def load_agreement(path: str | Path) -> dict[str, Any]:
    """Read the agreement helper's JSON (keys ``overall``, ``per_label``, ``attributes``...).

    Raises:
        InputError: if the file is missing or not a JSON object.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such agreement file", path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read agreement JSON: {exc}", path=path) from None
    except RecursionError:
        raise InputError("cannot read agreement JSON: nested too deeply", path=path) from None
    if not isinstance(data, dict):
        raise InputError("agreement JSON must be an object", path=path)
    return data


_POINT_KEYS = ("value", "estimate", "point", "mean", "f1", "alpha", "kappa", "score")
_CI_PAIRS = (("low", "high"), ("ci_low", "ci_high"), ("lower", "upper"), ("lo", "hi"))


def number(x: object) -> float | None:
    """``x`` as a finite float, or ``None`` for anything else (bools, huge ints, NaN, text)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    try:
        value = float(x)
    except OverflowError:  # an integer beyond any float: not a figure
        return None
    return value if math.isfinite(value) else None


def _figure(value: object) -> tuple[float, tuple[float, float] | None] | None:
    """``(point, (low, high) or None)`` from a number or a dict holding one, else ``None``."""
    point = number(value)
    if point is not None:
        return point, None
    if not isinstance(value, dict):
        return None
    for key in _POINT_KEYS:
        point = number(value.get(key))
        if point is not None:
            break
    else:
        return None
    ci = value.get("ci")
    if isinstance(ci, list | tuple) and len(ci) == 2:
        low, high = number(ci[0]), number(ci[1])
        if low is not None and high is not None:
            return point, (low, high)
    if isinstance(ci, dict):
        value = ci
    for lo_key, hi_key in _CI_PAIRS:
        low, high = number(value.get(lo_key)), number(value.get(hi_key))
        if low is not None and high is not None:
            return point, (low, high)
    return point, None


_COUNT_KEYS = frozenset({"n", "pairs", "documents", "matched", "a", "b", "resamples", "seed"})
_SECTIONS = ("overall", "per_label", "relations", "stance", "attributes", "doc_labels")


class AgreementRow(msgspec.Struct, array_like=True):
    """One agreement figure for the card: where it is, its value, interval and unit count."""

    section: str
    measure: str
    value: float
    ci: tuple[float, float] | None
    n: int | None


def agreement_rows(data: dict[str, Any], limit: int = 120) -> list[AgreementRow]:
    """Flatten the agreement JSON of ``backchannel agree`` into card rows.

    Reads defensively: from the sections ``overall``, ``per_label``, ``relations``, ``stance``,
    ``attributes`` and ``doc_labels`` it takes every number or object with a recognised value
    key (``f1``, ``value``, ``alpha``...) and optional interval (``ci_low``/``ci_high``,
    ``ci: [low, high]``, ``low``/``high``..., or a sibling ``<name>_ci: [low, high]``, as
    ``agree`` writes for ``cohen_kappa`` and ``krippendorff_alpha``).  Counts (``n``,
    ``pairs``...) become the ``n`` of their figure, lists (per-pair details, value lists) and
    nulls are skipped: nothing missing is invented.
    """
    rows: list[AgreementRow] = []

    def count_of(node: object) -> int | None:
        if isinstance(node, dict):
            n = node.get("n")
            if isinstance(n, int) and not isinstance(n, bool):
                return n
        return None

    def walk(
        section: str, prefix: str, node: object, parent: object, depth: int, sibling_ci: object
    ) -> None:
        if len(rows) >= limit or depth > 4:
            return
        fig = _figure(node)
        if fig is not None and fig[1] is None:  # a bare figure with its interval beside it
            bounds = _figure({"value": 0, "ci": sibling_ci})
            fig = (fig[0], bounds[1] if bounds else None)
        if fig is not None and prefix:
            n = count_of(node) if isinstance(node, dict) else count_of(parent)
            rows.append(AgreementRow(section, prefix, fig[0], fig[1], n))
            if not isinstance(node, dict):
                return
        if isinstance(node, dict):
            consumed = ("ci", *_POINT_KEYS, *(k for pair in _CI_PAIRS for k in pair))
            for key, child in node.items():
                if key in _COUNT_KEYS or (fig is not None and prefix and key in consumed):
                    continue
                if str(key).endswith("_ci") and str(key)[:-3] in node:
                    continue  # `cohen_kappa_ci` is the interval of `cohen_kappa`
                name = f"{prefix}.{key}" if prefix else str(key)
                walk(section, name, child, node, depth + 1, node.get(f"{key}_ci"))

    for section in _SECTIONS:
        if section in data:
            walk(section, "", data[section], None, 0, None)
    return rows


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def synthetic_annotators(data: dict[str, Any], agreement_path: str | Path) -> list[str]:
    """Annotators of the agreement's source file whose Documents say they are synthetic.

    The agreement JSON names its input (``source``); when that file can be found (as given, or
    next to the agreement file) its records are scanned for ``meta.synthetic_annotator``.
    Returns the sorted names, or an empty list when the file is absent or says nothing.
    """
    source = data.get("source")
    if not isinstance(source, str) or not source:
        return []
    candidates = [Path(source), Path(agreement_path).parent / source]
    path = next((p for p in candidates if _is_file(p)), None)
    if path is None:
        return []
    names: set[str] = set()
    decoder = msgspec.json.Decoder()
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                try:
                    rec = decoder.decode(raw)
                except (msgspec.DecodeError, UnicodeDecodeError):
                    continue
                meta = rec.get("meta") if isinstance(rec, dict) else None
                who = rec.get("annotator") if isinstance(rec, dict) else None
                if isinstance(meta, dict) and meta.get("synthetic_annotator") and who:
                    names.add(str(who))
    except OSError:
        return []
    return sorted(names)
