"""Actor identities: the typed records of a resolution and the gazetteer that gives stable ids.

The shipped gazetteer knows states and their governments (ISO 3166, ``backchannel.data``);
:meth:`Gazetteer.load` adds any TSV of known actors (for example leaders with Wikidata QIDs).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import msgspec

from backchannel.annotation.export.actor_names import _compatible, _fold, name_key
from backchannel.errors import InputError

__all__ = [
    "ACTOR",
    "SAME_ACTOR",
    "SECTOR_NAMES",
    "ActorRef",
    "Gazetteer",
    "GazetteerEntry",
    "Resolution",
    "default_gazetteer",
]

ACTOR = "ACTOR"


#: The optional relation by which annotators settle identity the rules cannot.
SAME_ACTOR = "SAME_ACTOR"


#: POLECAT/CAMEO sector codes and the words an analyst reads in a canonical name.
SECTOR_NAMES = {
    "GOV": "Government",
    "MIL": "Military",
    "SPY": "Intelligence",
    "LEG": "Legislature",
    "JUD": "Judiciary",
    "ELI": "Elites",
    "BUS": "Business",
    "MED": "Media",
    "CVL": "Civil society",
    "OPP": "Opposition",
}


class ActorRef(msgspec.Struct, frozen=True, omit_defaults=True):
    """One resolved actor: what every row of the event table names.

    Attributes:
        actor_id: stable across articles: ``iso3166:GBR``, ``iso3166:GBR/GOV``, a gazetteer id
            (e.g. a Wikidata QID) or ``bc:`` and a hash of kind, name key and country.
        canonical: the name an analyst reads ("Alan Hartley", "Government (United Kingdom)").
        kind: person, office, state, sector (a country's government, military...),
            organisation.
        country: ISO 3166-1 alpha-3, ``IGO``, or ``None``.
        sector: CAMEO/PLOVER sector code, or ``None``.
        source: where the id comes from: ``gazetteer:NAME`` or ``derived``.
    """

    actor_id: str
    canonical: str
    kind: str
    country: str | None = None
    sector: str | None = None
    source: str = "derived"


class Resolution(msgspec.Struct, frozen=True, omit_defaults=True):
    """What one ACTOR mention resolves to, and why.

    ``status`` is ``resolved`` (``actor`` set), ``generic`` (a plural or generic mention:
    "leaders", "both capitals") or ``unknown`` (specific, but nothing in the text says who).
    """

    mention_id: str
    text: str
    status: str
    rule: str
    actor: ActorRef | None = None
    metonymy: bool = False


class GazetteerEntry(msgspec.Struct, frozen=True):
    """One actor a gazetteer knows."""

    actor_id: str
    name: str
    kind: str
    country: str | None = None
    sector: str | None = None


class Gazetteer:
    """Countries (always) and, optionally, named actors with identifiers of their own.

    Countries come from the shipped ``backchannel/data/countries.tsv`` (ISO 3166 alpha-3,
    names, adjectives, capitals).  :meth:`load` adds a TSV of named actors with columns
    ``id``, ``name``, ``aliases`` (``;``), ``country``, ``sector``, ``kind`` and a header line;
    a person or organisation whose name key and country match an entry takes its id.
    """

    def __init__(self, name: str = "iso3166") -> None:
        self.name = name
        self.country_names: dict[str, str] = {}
        self.country_words: dict[str, str] = {}
        self.entries: dict[tuple[str, str], GazetteerEntry] = {}
        self.by_key: dict[str, list[GazetteerEntry]] = {}
        self._read_countries()

    def _read_countries(self) -> None:
        text = resources.files("backchannel.data").joinpath("countries.tsv").read_text("utf-8")
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            iso = cols[0].strip()
            names = [n.strip() for n in cols[1].split(";") if n.strip()] if len(cols) > 1 else []
            self.country_names[iso] = names[0] if names else iso
            for col in cols[1:3]:
                for word in col.split(";"):
                    if word.strip():
                        self.country_words.setdefault(_fold(word.strip()), iso)
            if len(cols) > 3:
                for capital in cols[3].split(";"):
                    if capital.strip():
                        self.country_words.setdefault("@" + _fold(capital.strip()), iso)

    def country_name(self, iso: str | None) -> str:
        """The English name of an ISO 3166 alpha-3 code (the code itself when unknown)."""
        if iso is None:
            return "unknown country"
        if iso == "IGO":
            return "international organisation"
        return self.country_names.get(iso, iso)

    def country_of(self, word: str) -> str | None:
        """The ISO code a country name, adjective or demonym stands for."""
        return self.country_words.get(_fold(word))

    def capital_of(self, word: str) -> str | None:
        """The ISO code whose capital (or metonymic city) ``word`` is."""
        return self.country_words.get("@" + _fold(word))

    @classmethod
    def load(cls, path: str | Path) -> Gazetteer:
        """The country gazetteer plus the named actors of a TSV file.

        Raises:
            InputError: for a file without the header or a line without id and name.
        """
        gaz = cls(name=Path(path).stem)
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError(f"cannot read gazetteer: {exc.strerror}", path=path) from None
        header = lines[0].split("\t") if lines else []
        if header[:2] != ["id", "name"]:
            raise InputError(
                "gazetteer must start with a header: id, name, aliases, country, sector, kind",
                path=path,
                line=1,
            )
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip() or line.startswith("#"):
                continue
            cols = dict(zip(header, line.split("\t"), strict=False))
            if not cols.get("id") or not cols.get("name"):
                raise InputError("gazetteer line without id or name", path=path, line=number)
            entry = GazetteerEntry(
                actor_id=cols["id"].strip(),
                name=cols["name"].strip(),
                kind=(cols.get("kind") or "person").strip(),
                country=(cols.get("country") or "").strip() or None,
                sector=(cols.get("sector") or "").strip() or None,
            )
            for alias in [entry.name, *(cols.get("aliases") or "").split(";")]:
                if alias.strip():
                    gaz.by_key.setdefault(name_key(alias), []).append(entry)
        return gaz

    def lookup(self, key: str, country: str | None, kind: str) -> GazetteerEntry | None:
        """The entry of a name key, of a compatible country and kind; ``None`` if not one."""
        found = [
            e
            for e in self.by_key.get(key, [])
            if _compatible(e.country, country) and (e.kind == kind or kind == "person")
        ]
        return found[0] if len({e.actor_id for e in found}) == 1 else None


@cache
def default_gazetteer() -> Gazetteer:
    """The shipped gazetteer: ISO 3166 countries only."""
    return Gazetteer()
