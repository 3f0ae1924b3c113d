"""The word lists of the rules model, loaded once from ``eval/models/data``.

``lexicon.yaml`` holds channel triggers per ``channel_kind`` (nouns and verbs, inflected here),
titles, seats of government, organisations, and modality and stance cues; ``countries.tsv`` maps
country names, nationality adjectives and capitals to ISO 3166-1 alpha-3 codes.  Both are plain
data so a user can extend them for another beat without touching code (see docs/models.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from backchannel.errors import SchemaError

__all__ = ["Lexicon", "inflect", "load_lexicon"]

_VOWELS = set("aeiou")


def _regular(verb: str) -> tuple[str, str, str]:
    """Third person, past and -ing forms of a regular English verb (good enough for a lexicon)."""
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        third = verb + "es"
    elif verb.endswith("y") and verb[-2:-1] not in _VOWELS:
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    if verb.endswith("e"):
        past, ing = verb + "d", verb[:-1] + "ing"
    elif verb.endswith("y") and verb[-2:-1] not in _VOWELS:
        past, ing = verb[:-1] + "ied", verb + "ing"
    elif (
        len(verb) <= 4
        and len(verb) >= 3
        and verb[-1] not in _VOWELS | {"w", "x", "y"}
        and verb[-2] in _VOWELS
        and verb[-3] not in _VOWELS
    ):
        past, ing = verb + verb[-1] + "ed", verb + verb[-1] + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    return third, past, ing


def _plural(phrase: str) -> str:
    """Plural of a title's last word: "foreign minister" -> "foreign ministers"."""
    *head, last = phrase.lower().split(" ")
    if last.endswith(("man", "woman")):
        last = last[:-3] + "men"
    elif last.endswith(("s", "sh", "ch", "x")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in _VOWELS:
        last = last[:-1] + "ies"
    elif not last.endswith("."):
        last += "s"
    return " ".join([*head, last])


def inflect(entry: str) -> list[str]:
    """All forms of a verb entry: ``"speak:spoke:spoken by phone"`` -> speak/speaks/spoke/....

    Only the first word is inflected; the rest of a multiword entry is kept as written.

    Example:
        >>> inflect("call")
        ['call', 'calls', 'called', 'calling']
    """
    head, _, rest = entry.partition(" ")
    parts = head.split(":")
    base = parts[0]
    third, past, ing = _regular(base)
    forms = [base, third]
    if len(parts) > 1:
        forms += [p for p in parts[1:] if p]
    else:
        forms.append(past)
    forms.append(ing)
    out: list[str] = []
    for form in forms:
        phrase = f"{form} {rest}" if rest else form
        if phrase not in out:
            out.append(phrase)
    return out


@dataclass
class Country:
    """One row of ``countries.tsv``."""

    iso3: str
    names: list[str]
    adjectives: list[str]
    capitals: list[str]


@dataclass
class Lexicon:
    """Everything the rules read; built by :func:`load_lexicon`."""

    version: str
    channel_nouns: dict[str, str] = field(default_factory=dict)  # phrase -> kind
    channel_verbs: dict[str, str] = field(default_factory=dict)  # phrase -> kind
    directional: set[str] = field(default_factory=set)  # verb forms with initiator -> recipient
    channel_exclusions: dict[str, list[list[str]]] = field(default_factory=dict)
    channel_modifiers: set[str] = field(default_factory=set)
    modality_cues: dict[str, list[list[str]]] = field(default_factory=dict)
    modality_priority: list[str] = field(default_factory=list)
    modality_window: int = 6
    modality_after: int = 4
    private_cues: list[list[str]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    title_sectors: dict[str, str] = field(default_factory=dict)
    name_prefixes: set[str] = field(default_factory=set)
    name_particles: set[str] = field(default_factory=set)
    honorifics: list[str] = field(default_factory=list)
    seats: dict[str, str] = field(default_factory=dict)  # phrase -> iso3
    government_nouns: list[str] = field(default_factory=list)
    group_nouns: list[str] = field(default_factory=list)
    organisation_nouns: list[str] = field(default_factory=list)
    plural_titles: list[str] = field(default_factory=list)
    anon_determiners: set[str] = field(default_factory=set)
    anon_modifiers: set[str] = field(default_factory=set)
    anon_nouns: set[str] = field(default_factory=set)
    anon_bare_before: set[str] = field(default_factory=set)
    organisations: list[str] = field(default_factory=list)
    not_venues: set[str] = field(default_factory=set)
    venue_prepositions: set[str] = field(default_factory=set)
    venue_heads: set[str] = field(default_factory=set)
    issue_heads: list[str] = field(default_factory=list)
    issue_of_heads: set[str] = field(default_factory=set)
    issue_tails: set[str] = field(default_factory=set)
    issue_prepositions: list[str] = field(default_factory=list)
    stance_cues: dict[str, str] = field(default_factory=dict)  # phrase -> polarity
    speech_verbs: set[str] = field(default_factory=set)
    countries: list[Country] = field(default_factory=list)
    country_names: dict[str, str] = field(default_factory=dict)
    country_adjectives: dict[str, str] = field(default_factory=dict)
    capitals: dict[str, str] = field(default_factory=dict)


def _data_dir() -> Path:
    return Path(str(resources.files("backchannel.eval.models").joinpath("data")))


def _words(items: list[Any]) -> list[list[str]]:
    return [str(item).split() for item in items]


def _read_countries(path: Path) -> list[Country]:
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 4:
            raise SchemaError(f"expected 4 tab-separated columns, got {len(cols)}", path=path,
                              line=lineno)  # fmt: skip
        iso3, names, adjs, caps = cols
        rows.append(
            Country(
                iso3=iso3.strip(),
                names=[n for n in names.split(";") if n],
                adjectives=[a for a in adjs.split(";") if a],
                capitals=[c for c in caps.split(";") if c],
            )
        )
    return rows


def _check_strings(node: Any, path: Path, where: str = "") -> None:
    """Refuse list items YAML did not read as strings (``on``, ``no`` and numbers unquoted)."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_strings(value, path, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for item in node:
            if not isinstance(item, str):
                raise SchemaError(
                    f"{where}: item {item!r} is not a string (quote it in YAML)", path=path
                )


@lru_cache(maxsize=4)
def load_lexicon(data_dir: str | None = None) -> Lexicon:
    """Read ``lexicon.yaml`` (from the package, or ``data_dir``) and ``countries.tsv`` (from
    ``data_dir`` when a copy is there, else the one shipped in :mod:`backchannel.data`).

    Raises:
        SchemaError: when a data file is missing or malformed, naming the file.
    """
    base = Path(data_dir) if data_dir else _data_dir()
    path = base / "lexicon.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaError("rules lexicon not found", path=path) from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"invalid YAML in rules lexicon: {exc}", path=path) from None
    _check_strings(raw, path)
    lex = Lexicon(version=str(raw.get("version", "0")))
    for kind, spec in raw["channels"].items():
        for noun in spec.get("nouns", []):
            lex.channel_nouns.setdefault(str(noun).lower(), kind)
        for verb in spec.get("verbs", []):
            for form in inflect(str(verb).lower()):
                lex.channel_verbs.setdefault(form, kind)
        for verb in spec.get("directional", []):
            lex.directional.update(f.split()[0] for f in inflect(str(verb).lower()))
    lex.channel_exclusions = {
        str(k).lower(): _words(v) for k, v in (raw.get("channel_exclusions") or {}).items()
    }
    lex.channel_modifiers = {str(w).lower() for w in raw.get("channel_modifiers", [])}
    mod = raw["modality"]
    lex.modality_cues = {k: _words(v) for k, v in mod["cues"].items()}
    lex.modality_priority = list(mod["priority"])
    lex.modality_window = int(mod.get("window", 6))
    lex.modality_after = int(mod.get("after_window", 4))
    lex.private_cues = _words(raw.get("visibility_private", []))
    lex.titles = [str(t) for t in raw["titles"]]
    for sector, words in (raw.get("sectors") or {}).items():
        for w in words:
            lex.title_sectors[str(w).lower()] = sector
    lex.name_prefixes = {str(w).lower() for w in raw.get("name_prefixes", [])}
    lex.name_particles = {str(w).lower() for w in raw.get("name_particles", [])}
    lex.honorifics = [str(w) for w in raw.get("honorifics", [])]
    for iso3, phrases in raw["seats"].items():
        for p in phrases:
            lex.seats[str(p)] = str(iso3)
    lex.government_nouns = [str(w) for w in raw["government_nouns"]]
    lex.group_nouns = [str(w) for w in raw["group_nouns"]]
    lex.organisation_nouns = [str(w) for w in raw.get("organisation_nouns", [])]
    titles = {t.lower() for t in lex.titles}
    lex.plural_titles = sorted({_plural(t) for t in lex.titles} - titles)
    anon = raw["anonymous"]
    lex.anon_determiners = {str(w).lower() for w in anon["determiners"]}
    lex.anon_modifiers = {str(w).lower() for w in anon["modifiers"]}
    lex.anon_nouns = {str(w).lower() for w in anon["nouns"]}
    lex.anon_bare_before = {str(w).lower() for w in anon["bare_plural_before"]}
    lex.organisations = [str(w) for w in raw["organisations"]]
    lex.not_venues = {str(w) for w in raw["not_venues"]}
    lex.venue_prepositions = {str(w).lower() for w in raw["venue_prepositions"]}
    lex.venue_heads = {str(w).lower() for w in raw["venue_heads"]}
    lex.issue_heads = [str(w).lower() for w in raw["issue_heads"]]
    lex.issue_of_heads = {str(w).lower() for w in raw["issue_of_heads"]}
    lex.issue_tails = {str(w).lower() for w in raw.get("issue_tails", [])}
    lex.issue_prepositions = [str(w).lower() for w in raw["issue_prepositions"]]
    for polarity, cues in raw["stance"].items():
        for cue in cues:
            lex.stance_cues.setdefault(str(cue).lower(), str(polarity))
    lex.speech_verbs = {str(w).lower() for w in raw["speech_verbs"]}
    countries = base / "countries.tsv"  # a user's copy beside the lexicon wins
    if not countries.is_file():
        countries = Path(str(resources.files("backchannel.data").joinpath("countries.tsv")))
    lex.countries = _read_countries(countries)
    for c in lex.countries:
        for n in c.names:
            lex.country_names.setdefault(n, c.iso3)
        for a in c.adjectives:
            lex.country_adjectives.setdefault(a, c.iso3)
        for cap in c.capitals:
            lex.capitals.setdefault(cap, c.iso3)
    return lex
