"""Names and titles of ACTOR mentions: the word lists and the keys actors are compared by.

A name's key casefolds, transliterates (anyascii), folds ``y`` into ``i`` and collapses
doubled letters, so transliteration variants share one key; titles, honorifics, nationality
words and possessives are stripped before a name is keyed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the gazetteer keys names with this module: import it only when run
    from backchannel.annotation.export.actor_gazetteer import Gazetteer

__all__ = ["name_key", "person_name"]

_NO_COUNTRY = {None, "", "UNK"}


_TITLE_WORDS = frozenset(
    [
        "president",
        "presidents",
        "vice",
        "prime",
        "minister",
        "ministers",
        "pm",
        "premier",
        "chancellor",
        "sir",
        "dame",
        "dr",
        "doctor",
        "mr",
        "mrs",
        "ms",
        "miss",
        "lord",
        "lady",
        "baroness",
        "baron",
        "prince",
        "princess",
        "king",
        "queen",
        "crown",
        "sheikh",
        "emir",
        "sultan",
        "archbishop",
        "cardinal",
        "bishop",
        "pope",
        "father",
        "senator",
        "governor",
        "mayor",
        "general",
        "major",
        "brigadier",
        "colonel",
        "admiral",
        "lieutenant",
        "captain",
        "retired",
        "secretary",
        "foreign",
        "defence",
        "defense",
        "affairs",
        "state",
        "national",
        "security",
        "adviser",
        "advisor",
        "special",
        "representative",
        "ambassador",
        "envoy",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "chief",
        "deputy",
        "cabinet",
        "external",
        "ministry",
        "homeland",
        "information",
        "finance",
        "central",
        "bank",
        "presidential",
        "policy",
        "high",
        "commissioner",
        "council",
        "commission",
        "opposition",
        "mp",
        "conservative",
        "labour",
        "critic",
        "interior",
        "trade",
        "economy",
        "justice",
        "health",
        "energy",
        "first",
        "leader",
        "head",
        "executive",
        "director",
        "chairman",
        "chairwoman",
        "chair",
        "chairperson",
        "officer",
        "official",
        "judge",
        "justice",
        "speaker",
        "elect",
        "acting",
        "interim",
        "former",
        "late",
    ]
)


_PARTICLES = frozenset(
    [
        "bin",
        "ibn",
        "bint",
        "al",
        "el",
        "abu",
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "du",
        "la",
        "le",
        "dos",
        "das",
        "del",
        "y",
        "ter",
        "zu",
    ]
)


_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "its",
        "his",
        "her",
        "their",
        "our",
        "your",
        "my",
        "this",
        "that",
        "these",
        "those",
        "one",
    ]
)


_QUANTIFIERS = frozenset(
    [
        "both",
        "each",
        "all",
        "every",
        "several",
        "many",
        "some",
        "other",
        "others",
        "various",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "dozen",
        "dozens",
        "both",
    ]
)


_SYNONYMS = {"pm": "prime minister", "spokesman": "spokesperson", "spokeswoman": "spokesperson"}


_ANAPHOR_HEADS = frozenset(
    ["bloc", "alliance", "organisation", "organization", "union", "group", "front", "body"]
)


_IGO_SEATS = {"brussels": "European Union", "europe": "European Union"}


_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


_WORD = re.compile(r"[^\s,;:()\"“”]+")


# -- text helpers ------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Casefold, strip diacritics and unify apostrophes and dashes."""
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def name_key(name: str) -> str:
    """The comparison key of a name: transliteration and spelling variants share one.

    Example:
        >>> name_key("Volodymyr Zelenskyy") == name_key("Volodymyr Zelensky")
        True
        >>> name_key("Драган Миловановић") == name_key("Dragan Milovanović")
        True
    """
    from anyascii import anyascii

    ascii_text = anyascii(name).casefold()
    words = re.findall(r"[a-z0-9]+", ascii_text.replace("y", "i"))
    return " ".join(re.sub(r"(.)\1+", r"\1", w) for w in words)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _strip_possessive(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def _is_name_word(word: str) -> bool:
    bare = _strip_possessive(word)
    if not bare or bare != word:
        return False  # a possessive ("Ukraine's") is never part of the name that follows
    first = bare[0]
    if not first.isalpha() or (not first.isupper() and not _is_non_latin(bare)):
        return False
    if bare.isupper() and len(bare) > 1 and bare.isascii():
        return False  # acronyms: "NATO", "EU", "US"
    return _fold(bare).strip(".") not in _TITLE_WORDS


def _is_non_latin(word: str) -> bool:
    return any(c.isalpha() and "LATIN" not in unicodedata.name(c, "") for c in word)


def person_name(text: str, gaz: Gazetteer | None = None) -> tuple[str, list[str]]:
    """Split a person mention into its name and its title words.

    The name is the longest run of name words at the end (capitalised, not a title, acronym,
    nationality or possessive; lowercase particles such as "bin", "van" inside it); the title
    words are the rest, folded, with determiners, possessives and nationality words left out.

    Example:
        >>> person_name("Ukraine's President Taras Koval")
        ('Taras Koval', ['president'])
        >>> person_name("Saudi Foreign Minister Prince Faisal bin Tariq")
        ('Faisal bin Tariq', ['foreign', 'minister', 'prince'])
    """
    if gaz is None:
        from backchannel.annotation.export.actor_gazetteer import default_gazetteer

        gaz = default_gazetteer()
    words = _words(text)
    start = len(words)
    i = len(words) - 1
    while i >= 0:
        word = words[i]
        if _is_name_word(word) and gaz.country_of(word) is None:
            start = i
        elif _fold(word) in _PARTICLES and i > 0 and start < len(words):
            pass  # kept only if a name word precedes it (checked below)
        else:
            break
        i -= 1
    while start < len(words) and _fold(words[start]) in _PARTICLES:
        start += 1
    name = " ".join(words[start:])
    return name, _title_words(words[:start], gaz)


def _title_words(words: list[str], gaz: Gazetteer) -> list[str]:
    out: list[str] = []
    skip = False
    for i, word in enumerate(words):
        if skip:
            skip = False
            continue
        if i + 1 < len(words) and gaz.country_of(f"{word} {words[i + 1]}") is not None:
            skip = True  # "South Korean", "Saudi Arabian"
            continue
        if _POSSESSIVE.search(word) or gaz.country_of(word) is not None:
            continue
        folded = _fold(word).strip(".")
        if folded in _DETERMINERS or not folded:
            continue
        out.extend(_SYNONYMS.get(folded, folded).split())
    return out


def _role_title(text: str, gaz: Gazetteer) -> list[str]:
    """The title of a role mention: "the kingdom's defence minister" -> [defence, minister]."""
    words = _words(text)
    cut = len(words)
    for i, word in enumerate(words):
        if i > 0 and _fold(word) in ("to", "in", "for", "of", "at", "from", "on"):
            cut = i
            break
    words = words[:cut]
    # everything up to the last possessive is the holder's owner ("the kingdom's")
    last_poss = max((i for i, w in enumerate(words) if _POSSESSIVE.search(w)), default=-1)
    return _title_words(words[last_poss + 1 :], gaz)


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _compatible(a: str | None, b: str | None) -> bool:
    return a in _NO_COUNTRY or b in _NO_COUNTRY or a == b


def _short_hash(*parts: str) -> str:
    return "bc:" + hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12]


def _acronym(name: str) -> str:
    words = [w for w in _words(name) if w[:1].isupper() and _fold(w) not in ("of", "and", "the")]
    return "".join(w[0] for w in words).upper()


def _capital_runs(text: str) -> list[str]:
    """Runs of capitalised words (with "of", "for", "and" inside): candidate names."""
    runs = re.findall(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|for|and|the)\s+)*[A-Z][\w'’-]*)*", text)
    out = []
    for run in runs:
        words = run.split()
        while words and _fold(words[0]) in _DETERMINERS:
            words = words[1:]
        if words:
            out.append(" ".join(words))
    return out


#: Acronyms the article may not spell out, so that "EU" and "European Union" stay one actor.
_KNOWN_ACRONYMS = {
    "EU": "European Union",
    "UN": "United Nations",
    "NATO": "North Atlantic Treaty Organization",
    "ASEAN": "Association of Southeast Asian Nations",
    "GCC": "Gulf Cooperation Council",
    "AU": "African Union",
    "OSCE": "Organization for Security and Co-operation in Europe",
}


def _acronym_or_key(name: str) -> str:
    """Organisations key on their acronym when they have one we know, else on the name key."""
    acr = _acronym(name) if len(name.split()) > 1 else name.upper()
    if acr in _KNOWN_ACRONYMS and (
        len(name.split()) == 1 or name_key(_KNOWN_ACRONYMS[acr]) == name_key(name)
    ):
        return "acronym:" + acr
    return name_key(name)
