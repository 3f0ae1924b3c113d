"""Seeded mutation fuzzing shared by the reader fuzz tests and ``make fuzz``.

Hypothesis is excellent at shrinking one property, but ten thousand inputs per reader inside a
CI budget needs something cheaper: a seeded mutator over valid seeds (truncation, byte flips,
type swaps, huge and negative numbers, surrogate escapes, invalid UTF-8, BOMs, blank lines,
duplicated lines).  Every input is reproducible from ``(seed, index)``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator

INTERESTING_VALUES: list[object] = [
    None,
    True,
    -1,
    0,
    2**63,
    -(2**70),
    1e308,
    "",
    "\ud800",
    "x" * 5000,
    [],
    {},
    "<script>",
    "ACTOR",
    "s1",
]


def _mutate_json(obj: object, rng: random.Random) -> object:
    """Replace one random leaf or container value with an interesting one."""
    if isinstance(obj, dict) and obj:
        key = rng.choice(list(obj))
        if rng.random() < 0.3:
            out = dict(obj)
            if rng.random() < 0.5:
                del out[key]
            else:
                out[key] = rng.choice(INTERESTING_VALUES)
            return out
        out = dict(obj)
        out[key] = _mutate_json(obj[key], rng)
        return out
    if isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        out_list = list(obj)
        if rng.random() < 0.2:
            out_list.append(out_list[i])
        else:
            out_list[i] = _mutate_json(obj[i], rng)
        return out_list
    return rng.choice(INTERESTING_VALUES)


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0 and data:
        return data[: rng.randrange(len(data))]
    if kind == 1 and data:
        i = rng.randrange(len(data))
        return data[:i] + bytes([rng.randrange(256)]) + data[i + 1 :]
    if kind == 2:
        return b"\xef\xbb\xbf" + data
    if kind == 3:
        return data + b"\n\n" + data
    if kind == 4 and data:
        i = rng.randrange(len(data))
        return data[:i] + b"\xff\xfe" + data[i:]
    if kind == 5:
        return data.replace(b'"', b"'", 1)
    if kind == 6:
        return b"\n" * rng.randrange(3) + data + b"\r\n"
    return data + b"{"


def mutations(
    seeds: list[object], count: int, seed: int, *, dump: Callable[[object], str] | None = None
) -> Iterator[bytes]:
    """``count`` inputs: structural mutations of JSON-like seeds, then byte-level damage."""
    rng = random.Random(seed)
    dump = dump or (lambda o: json.dumps(o, ensure_ascii=False))
    for _ in range(count):
        obj = rng.choice(seeds)
        for _ in range(rng.randrange(1, 4)):
            obj = _mutate_json(obj, rng)
        try:
            data = dump(obj).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError):
            data = b"{}"
        if rng.random() < 0.4:
            data = _mutate_bytes(data, rng)
        yield data
