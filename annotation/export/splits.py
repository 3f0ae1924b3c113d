"""Train/validation/test splits by article: seeded, reproducible, near-duplicates kept together.

Splitting by sentence would leak an article's wording into the test set; splitting near-duplicate
articles (ingest sets ``meta.near_duplicate_of``) apart would leak it too.  So the unit is a
*group*: an article plus every article linked to it by ``near_duplicate_of`` (transitively).
Groups are shuffled with ``random.Random(seed)`` in the order of their smallest id (so the file
order does not matter), then dealt out in turn: each group goes to the split that is furthest
below its target share of articles.  Only ids are held in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import msgspec

from backchannel.errors import InputError, quote

__all__ = ["SplitPlan", "assign_splits", "parse_splits"]

_NAMES = {1: ["train"], 2: ["train", "test"], 3: ["train", "validation", "test"]}


def parse_splits(spec: str) -> list[tuple[str, float]]:
    """``"80/10/10"`` -> ``[("train", .8), ("validation", .1), ("test", .1)]``.

    One, two or three numbers (train; train/test; train/validation/test): percentages that sum
    to 100, or fractions that sum to 1.0 (``0.8/0.1/0.1``).  Any other sum is refused rather than
    rescaled: ``50/60/10`` is a typo far more often than a wish for 42/50/8.

    Raises:
        InputError: on anything else.
    """
    parts = [p.strip() for p in spec.split("/")]
    try:
        weights = [float(p) for p in parts]
    except ValueError:
        raise InputError(
            f"--splits {quote(spec)}: expected numbers separated by '/', like 80/10/10"
        ) from None
    if len(weights) not in _NAMES or any(not w >= 0 for w in weights) or sum(weights) <= 0:
        raise InputError(
            f"--splits {quote(spec)}: give 1 to 3 non-negative numbers with a positive sum "
            "(train[/validation]/test)"
        )
    total = sum(weights)
    if abs(total - 100) > 1e-6 and abs(total - 1) > 1e-9:
        raise InputError(
            f"--splits {quote(spec)}: the shares sum to {total:g}; they must sum to 100 "
            "(percentages, like 80/10/10) or to 1.0 (fractions, like 0.8/0.1/0.1)"
        )
    return list(zip(_NAMES[len(weights)], (w / total for w in weights), strict=True))


class SplitPlan(msgspec.Struct):
    """Which split each article id goes to, and how many articles each split has."""

    seed: int
    fractions: dict[str, float]
    assignment: dict[str, str]
    counts: dict[str, int]
    groups: int


def _find(parent: dict[str, str], x: str) -> str:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


def assign_splits(
    articles: Iterable[tuple[str, str | None]],
    splits: list[tuple[str, float]],
    seed: int = 13,
) -> SplitPlan:
    """Assign each article to a split.

    Args:
        articles: ``(id, near_duplicate_of or None)`` for every article, in any order.
        splits: from :func:`parse_splits`.
        seed: the random seed; the same ids and seed always give the same plan.

    Example:
        >>> shares = [("train", 0.5), ("test", 0.5)]
        >>> plan = assign_splits([("a", None), ("b", "a"), ("c", None)], shares)
        >>> plan.assignment["a"] == plan.assignment["b"]
        True
    """
    parent: dict[str, str] = {}
    ids: list[str] = []
    known: set[str] = set()
    for aid, dup in articles:
        if aid not in known:
            known.add(aid)
            ids.append(aid)
            parent.setdefault(aid, aid)
        if dup:
            parent.setdefault(dup, dup)
            a, b = _find(parent, aid), _find(parent, dup)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = {}
    for aid in ids:
        members.setdefault(_find(parent, aid), []).append(aid)
    keys = sorted(members, key=lambda k: min(members[k]))
    random.Random(seed).shuffle(keys)
    total = len(ids)
    counts = {name: 0 for name, _ in splits}
    assignment: dict[str, str] = {}
    placed = 0
    for key in keys:
        group = members[key]
        placed += len(group)
        # the split with the largest shortfall against its target after this group is placed
        name = max(
            splits,
            key=lambda nf: (nf[1] * placed - counts[nf[0]], nf[1]),
        )[0]
        counts[name] += len(group)
        for aid in group:
            assignment[aid] = name
    return SplitPlan(
        seed=seed,
        fractions=dict(splits),
        assignment=assignment,
        counts=counts if total else {name: 0 for name, _ in splits},
        groups=len(keys),
    )
