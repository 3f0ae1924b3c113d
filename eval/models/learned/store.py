"""The heads on disk: ``heads.json`` (names, classes, features) and ``heads.npz`` (weights).

Why not joblib: a joblib file is a pickle, which runs code when loaded, so a model directory
from someone else would be a program.  These two files hold only strings and float arrays, read
with ``json`` and ``numpy.load(allow_pickle=False)``.

``heads.json``::

    {"format": 1,
     "heads": {"span/CHANNEL/modality": {"array": "h3", "classes": ["actual", "planned", ...],
                                         "features": ["after=next", ...], "examples": 412},
               "pair/CHANNEL/ACTOR": {...}, "relation/PARTICIPANT/role": {...}, ...}}

``heads.npz`` holds ``<array>.weights`` (classes x features) and ``<array>.intercept`` of each.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from backchannel.errors import ModelError
from backchannel.eval.models.learned.linear import LinearHead

__all__ = ["FORMAT", "load_heads", "save_heads"]

FORMAT = 1
JSON_NAME = "heads.json"
NPZ_NAME = "heads.npz"


def save_heads(directory: Path, heads: dict[str, LinearHead]) -> None:
    """Write ``heads.json`` and ``heads.npz`` into ``directory`` (which must exist)."""
    index = {}
    arrays = {}
    for k, (name, head) in enumerate(sorted(heads.items())):
        key = f"h{k}"
        features = sorted(head.features, key=head.features.__getitem__)
        index[name] = {
            "array": key,
            "classes": head.classes,
            "features": features,
            "examples": head.examples,
        }
        arrays[f"{key}.weights"] = head.weights
        arrays[f"{key}.intercept"] = head.intercept
    text = json.dumps({"format": FORMAT, "heads": index}, ensure_ascii=False, indent=1)
    (directory / JSON_NAME).write_text(text + "\n", encoding="utf-8")
    with (directory / NPZ_NAME).open("wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_heads(directory: Path) -> dict[str, LinearHead]:
    """Read what :func:`save_heads` wrote; a :class:`ModelError` names what is wrong."""
    path = directory / JSON_NAME
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no {JSON_NAME}", path=directory) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"corrupt {JSON_NAME}: {exc}", path=path) from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        found = index.get("format") if isinstance(index, dict) else None
        raise ModelError(f"{JSON_NAME} format {found!r}, expected {FORMAT}", path=path)
    heads = {}
    try:
        with np.load(directory / NPZ_NAME, allow_pickle=False) as arrays:
            for name, entry in index["heads"].items():
                weights = arrays[f"{entry['array']}.weights"]
                intercept = arrays[f"{entry['array']}.intercept"]
                classes = [str(c) for c in entry["classes"]]
                features = {str(f): i for i, f in enumerate(entry["features"])}
                if weights.shape != (len(classes), len(features)) or intercept.shape != (
                    len(classes),
                ):
                    raise ModelError(f"head {name}: arrays do not match its classes", path=path)
                heads[name] = LinearHead(
                    classes, features, weights, intercept, int(entry.get("examples", 0))
                )
    except FileNotFoundError:
        raise ModelError(f"no {NPZ_NAME}", path=directory) from None
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"corrupt heads files: {exc}", path=directory) from None
    return heads
