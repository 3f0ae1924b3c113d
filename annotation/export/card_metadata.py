"""The dataset card's YAML header: the Hub metadata, built from the export and checked.

The block is made with ``huggingface_hub.DatasetCardData`` (so key order and YAML quoting are
the Hub's own) and :func:`validate_card` parses a whole card back with
``huggingface_hub.DatasetCard`` and checks the keys the Hub needs to show and load a dataset.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

from backchannel.errors import PublishError

if TYPE_CHECKING:
    from backchannel.annotation.export.card import CardInput
    from backchannel.annotation.export.label_counts import SplitStats

__all__ = ["REQUIRED_YAML", "card_metadata", "card_yaml", "size_category", "validate_card"]

_HUB_LICENSE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
REQUIRED_YAML = (
    "license",
    "language",
    "task_categories",
    "size_categories",
    "pretty_name",
    "configs",
)


def size_category(n: int) -> str:
    """The Hub's ``size_categories`` bucket for ``n`` examples."""
    if n < 1000:
        return "n<1K"
    bounds = [(10**3, "1K"), (10**4, "10K"), (10**5, "100K"), (10**6, "1M"), (10**7, "10M")]
    bounds += [(10**8, "100M"), (10**9, "1B"), (10**10, "10B"), (10**11, "100B")]
    for (low, low_name), (high, high_name) in itertools.pairwise(bounds):
        if low <= n < high:
            return f"{low_name}<n<{high_name}"
    return "n>1T"


def _license(total: SplitStats) -> tuple[str, list[str]]:
    names = [k for k in total.licenses if k != "unknown"]
    if len(names) == 1 and _HUB_LICENSE.match(names[0].lower()) and "unknown" not in total.licenses:
        return names[0].lower(), names
    return "other", names


def card_metadata(inp: CardInput) -> dict[str, Any]:
    """The YAML metadata (a dict ready for ``DatasetCardData``)."""
    license_id, license_names = _license(inp.total)
    meta: dict[str, Any] = {
        "license": license_id,
        "language": [inp.schema.language],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": [size_category(inp.total.documents)],
        "pretty_name": inp.pretty_name,
        "tags": ["relation-extraction", "stance-detection", "event-extraction", "diplomacy"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": path} for split, path in inp.files.items()],
            }
        ],
    }
    if license_id == "other" and license_names:
        meta["license_name"] = "; ".join(sorted(license_names))
    synthetic = inp.total.synthetic
    if synthetic.get("true") == inp.total.documents and inp.total.documents:
        meta["language_creators"] = ["expert-generated"]
        meta["source_datasets"] = ["original"]
    meta["annotations_creators"] = ["expert-generated"]
    return meta


def card_yaml(inp: CardInput) -> str:
    """The YAML between the card's ``---`` lines (no trailing newline)."""
    from huggingface_hub import DatasetCardData

    return DatasetCardData(**card_metadata(inp)).to_yaml()


def validate_card(content: str) -> dict[str, Any]:
    """Parse a card with ``huggingface_hub`` and check the Hub metadata a dataset needs.

    Returns:
        The metadata as a dict.

    Raises:
        PublishError: naming the missing or malformed key.
    """
    from huggingface_hub import DatasetCard

    try:
        card = DatasetCard(content)
    except ValueError as exc:
        raise PublishError(f"dataset card: {exc}") from None
    meta = card.data.to_dict()
    for key in REQUIRED_YAML:
        if not meta.get(key):
            raise PublishError(f"dataset card: YAML metadata lacks {key!r}")
    for config in meta["configs"]:
        files = config.get("data_files")
        if not config.get("config_name") or not isinstance(files, list) or not files:
            raise PublishError("dataset card: each config needs config_name and data_files")
        for item in files:
            if not isinstance(item, dict) or not item.get("split") or not item.get("path"):
                raise PublishError("dataset card: each data_files entry needs split and path")
    return meta
