"""English for messages: ``1 document`` / ``2 documents``, ``an int`` / ``a str``.

One place for the counts every summary line prints, so no message says "1 documents" and no
module grows its own pluralising helper.
"""

from __future__ import annotations

# Nouns whose plural is not the singular plus "s" (only those the messages use).
_IRREGULAR = {
    "entity": "entities",
    "batch": "batches",
    "match": "matches",
    "analysis": "analyses",
    "child": "children",
}


def plural(count: int, word: str, plural_form: str | None = None) -> str:
    """``count`` and ``word``, in the plural unless the count is exactly one.

    Args:
        count: how many.
        word: the singular noun (or noun phrase: the last word is inflected).
        plural_form: the plural when neither ``+s`` nor the few irregulars known here fit.

    Returns:
        e.g. ``plural(1, "document")`` -> ``"1 document"``, ``plural(0, "entity")`` ->
        ``"0 entities"``, ``plural(3, "bad article")`` -> ``"3 bad articles"``.
    """
    if count == 1:
        return f"{count} {word}"
    if plural_form is None:
        head, _, last = word.rpartition(" ")
        last = _IRREGULAR.get(last, f"{last}s")
        plural_form = f"{head} {last}" if head else last
    return f"{count} {plural_form}"


def article(word: str) -> str:
    """``word`` with "a" or "an" by its first letter: ``an int``, ``a str``, ``an object``.

    By spelling, not sound, which is right for the Python type names it is used with.
    """
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
