"""Who is who: ACTOR mentions resolved to actors, within an article and across articles.

The event table is read by analysts who count contacts between actors, not between strings:
"Hartley", "Prime Minister Sir Alan Hartley" and "the Prime Minister" are one person, "Downing
Street" is the British government, and "both capitals" is nobody in particular.  This module
turns the ACTOR spans of one :class:`~backchannel.documents.Document` into one
:class:`Resolution` per mention, by rules a reader can check:

1. **Names.**  A person's name is the run of name words at the end of the mention, after its
   titles, honorifics, nationality words and possessives ("Ukraine's President Taras Koval" ->
   "Taras Koval").  Names compare by a *key* that casefolds, transliterates (anyascii: Cyrillic
   and diacritics alike), folds ``y`` into ``i`` and collapses doubled letters, so
   "Zelenskyy", "Zelensky" and "Зеленский" share one key.  A shorter name whose words are a run
   of a longer name's words of a compatible country ("Hartley", "President Seo", "Couto" of
   "Helena Couto Vasconcelos") is that person.
2. **Appositives.**  A role next to a person with only a comma or space between ("Australia's
   prime minister, Hanna Whitlock") is that person.
3. **Titles.**  A role ("the Prime Minister", "the minister", "Japanese PM") is the one person
   of its country in the article whose titles contain the role's title; with none, the role is
   an *office* ("Chancellor (Germany)"), with several, the nearest holder before it.
4. **States and governments.**  A state is its country (``iso3166:GBR``); a government, a
   seat of government standing for it (metonymy: "Downing Street", "the Kremlin", kept as
   ``metonymy=True``), a ministry, an unnamed official or a group of officials of one country
   is that country's sector actor, as POLECAT and ICEWS code them ("Government (United
   Kingdom)", ``iso3166:GBR/GOV``).
5. **Organisations** are their name; an acronym ("EU") is the organisation whose initials it
   is, and "the bloc", "the Commission", "the Front" the nearest organisation before it that
   the head noun fits.
6. **Annotated identity.**  A ``SAME_ACTOR`` relation (head -> tail) drawn by an annotator
   wins over every rule: the head is the tail's actor.
7. **Generic mentions** ("leaders", "both capitals", "each delegation", "the two ministers")
   are marked ``generic`` and resolve to nothing; mentions nothing identifies ("a diplomat",
   "a spokesman" of no known country) are ``unknown``.

Across articles an actor has a stable id: the gazetteer's where one knows it (the shipped ISO
3166 country list for states and governments; any other TSV gazetteer, e.g. of leaders with
Wikidata QIDs, through :meth:`Gazetteer.load`), else ``bc:`` and a short hash of its kind,
name key and country.  Transliteration variants and titles never change a key, so they never
split an actor.  Two different people of one name and country share an id (a known limit of
any name-based resolution); a surname that never appears in full in its article keeps an id of
its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from backchannel.annotation.export.actor_gazetteer import (
    ACTOR,
    SAME_ACTOR,
    SECTOR_NAMES,
    ActorRef,
    Gazetteer,
    Resolution,
    default_gazetteer,
)
from backchannel.annotation.export.actor_names import (
    _ANAPHOR_HEADS,
    _DETERMINERS,
    _IGO_SEATS,
    _KNOWN_ACRONYMS,
    _NO_COUNTRY,
    _POSSESSIVE,
    _QUANTIFIERS,
    _acronym,
    _acronym_or_key,
    _capital_runs,
    _compatible,
    _contains_run,
    _fold,
    _is_non_latin,
    _role_title,
    _short_hash,
    _strip_possessive,
    _words,
    name_key,
    person_name,
)
from backchannel.documents import Document, Span

__all__ = ["resolve_document", "resolve_documents"]


# -- resolution --------------------------------------------------------------------------------
class _Mention:
    __slots__ = ("country", "group", "kind", "name", "sector", "span", "text", "titles")

    def __init__(self, span: Span, text: str) -> None:
        self.span = span
        self.text = text
        attrs = span.attrs
        self.kind = attrs.get("actor_kind") or "person"
        country = attrs.get("country")
        self.country = None if country in _NO_COUNTRY else country
        self.sector = attrs.get("sector") if attrs.get("sector") not in (None, "", "UNK") else None
        self.name = ""
        self.titles: list[str] = []
        self.group = -1


class _Resolver:
    def __init__(self, doc: Document, gaz: Gazetteer) -> None:
        self.doc = doc
        self.gaz = gaz
        spans = sorted(
            (s for s in doc.spans if s.label == ACTOR), key=lambda s: (s.start, s.end, s.id)
        )
        self.mentions = [_Mention(s, doc.text[s.start : s.end]) for s in spans]
        for m in self.mentions:
            if m.country is None and m.span.attrs.get("country") is None:
                m.country = self._infer_country(m)
        self.parent = list(range(len(self.mentions)))
        self.out: dict[str, Resolution] = {}

    def _infer_country(self, m: _Mention) -> str | None:
        """A country the words say, for mentions with no ``country`` attribute (predictions):
        a country name or adjective ("Russian officials"), or a capital standing for its
        government ("Moscow said")."""
        words = [w for w in _words(m.text) if _fold(w) not in _DETERMINERS]
        bare = [_strip_possessive(w) for w in words]
        for n in (3, 2, 1):
            for k in range(len(bare) - n + 1):
                phrase = " ".join(bare[k : k + n])
                iso = self.gaz.country_of(phrase)
                if iso is None and (m.kind == "government" or m.span.attrs.get("metonymy")):
                    iso = self.gaz.capital_of(phrase)
                if iso is not None:
                    return iso
        return None

    # union-find over person mentions
    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def run(self) -> dict[str, Resolution]:
        people: list[int] = []
        for i, m in enumerate(self.mentions):
            if m.kind == "person" and m.span.attrs.get("anonymous") != "yes":
                m.name, m.titles = person_name(m.text, self.gaz)
                if m.name and name_key(m.name):
                    people.append(i)
        self._link_names(people)
        roles = [i for i, m in enumerate(self.mentions) if m.kind == "role"]
        holders: dict[int, str] = {}
        for i in roles:
            j = self._appositive(i, people)
            if j is not None:
                self.union(j, i)
                holders[i] = "appositive"
        for i in roles:
            if i not in holders:
                j = self._title_holder(i, people)
                if j is not None:
                    self.union(j, i)
                    holders[i] = "title held by a person named in the article"
        self._emit_people(people, holders)
        for i, m in enumerate(self.mentions):
            if m.span.id not in self.out:
                self.out[m.span.id] = self._other(i, m)
        self._annotated_identity()
        return self.out

    def _annotated_identity(self) -> None:
        """Annotated SAME_ACTOR relations win over every rule: the head takes the tail's actor
        (followed along chains; a tail that resolves to nothing leaves the head as it was)."""
        links = {
            r.head: r.tail
            for r in self.doc.relations
            if r.label == SAME_ACTOR and r.head in self.out and r.tail in self.out
        }
        for head in links:
            tail, seen = links[head], {head}
            while tail in links and tail not in seen:
                seen.add(tail)
                tail = links[tail]
            target = self.out[tail].actor
            if target is not None and tail != head:
                old = self.out[head]
                self.out[head] = Resolution(
                    old.mention_id,
                    old.text,
                    "resolved",
                    "annotated SAME_ACTOR",
                    target,
                    old.metonymy,
                )

    # -- people ---------------------------------------------------------------------------------
    def _link_names(self, people: list[int]) -> None:
        keys = {i: name_key(self.mentions[i].name).split() for i in people}
        by_len = sorted(people, key=lambda i: (-len(keys[i]), self.mentions[i].span.start))
        for i in people:
            mi = self.mentions[i]
            candidates = [
                j
                for j in by_len
                if len(keys[j]) > len(keys[i])
                and _contains_run(keys[j], keys[i])
                and _compatible(mi.country, self.mentions[j].country)
            ]
            same = [j for j in people if j != i and keys[j] == keys[i]]
            for j in same:
                if _compatible(mi.country, self.mentions[j].country):
                    self.union(i, j)
            if candidates:
                distinct = {" ".join(keys[j]) for j in candidates}
                if len(distinct) == 1:
                    self.union(i, candidates[0])
                else:
                    self.union(i, self._nearest(i, candidates))

    def _nearest(self, i: int, candidates: list[int]) -> int:
        pos = self.mentions[i].span.start
        before = [j for j in candidates if self.mentions[j].span.start < pos]
        pool = before or candidates
        return min(pool, key=lambda j: abs(self.mentions[j].span.start - pos))

    def _appositive(self, i: int, people: list[int]) -> int | None:
        m = self.mentions[i]
        text = self.doc.text
        for j in people:
            p = self.mentions[j]
            if not _compatible(m.country, p.country):
                continue
            gap = (
                text[m.span.end : p.span.start]
                if m.span.end <= p.span.start
                else text[p.span.end : m.span.start]
            )
            if (
                max(m.span.start, p.span.start) >= min(m.span.end, p.span.end)
                and len(gap) <= 3
                and re.fullmatch(r"[\s,]*", gap)
            ):
                return j
        return None

    def _title_holder(self, i: int, people: list[int]) -> int | None:
        m = self.mentions[i]
        title = _role_title(m.text, self.gaz)
        if not title or m.country is None:
            return None
        if title[-1] == "counterpart":
            fits = [j for j in people if self.mentions[j].country == m.country]
        else:
            fits = []
            for j in people:
                p = self.mentions[j]
                if p.country != m.country:
                    continue
                group_titles = [
                    self.mentions[k].titles
                    for k in range(len(self.mentions))
                    if self.find(k) == self.find(j)
                ]
                group_titles += [
                    _role_title(self.mentions[k].text, self.gaz)
                    for k in range(len(self.mentions))
                    if self.mentions[k].kind == "role" and self.find(k) == self.find(j)
                ]
                if any(_contains_run(t, title) for t in group_titles):
                    fits.append(j)
        groups = {self.find(j) for j in fits}
        if not fits:
            return None
        if len(groups) == 1:
            return fits[0]
        return self._nearest(i, fits)

    def _emit_people(self, people: list[int], holders: dict[int, str]) -> None:
        groups: dict[int, list[int]] = {}
        for i in range(len(self.mentions)):
            if i in holders or i in people:
                groups.setdefault(self.find(i), []).append(i)
        for members in groups.values():
            named = [i for i in members if i in people]
            if not named:
                continue
            full = max(
                named,
                key=lambda i: (
                    len(name_key(self.mentions[i].name).split()),
                    not _is_non_latin(self.mentions[i].name),
                    -self.mentions[i].span.start,
                ),
            )
            fm = self.mentions[full]
            fuller = self._fuller_name(fm.name)
            countries = [self.mentions[i].country for i in members if self.mentions[i].country]
            # the most frequent, the first mentioned among equals: never set order, which
            # differs between processes (a cluster worker must resolve as the serial run does)
            country = Counter(countries).most_common(1)[0][0] if countries else None
            sectors = [self.mentions[i].sector for i in members if self.mentions[i].sector]
            sector = Counter(sectors).most_common(1)[0][0] if sectors else None
            key = name_key(fuller)
            entry = self.gaz.lookup(key, country, "person")
            if entry is not None:
                actor = ActorRef(
                    entry.actor_id,
                    entry.name,
                    "person",
                    entry.country or country,
                    entry.sector or sector,
                    f"gazetteer:{self.gaz.name}",
                )
            else:
                actor = ActorRef(
                    _short_hash("person", key, country or ""), fuller, "person", country, sector
                )
            for i in members:
                m = self.mentions[i]
                if i in holders:
                    rule = holders[i]
                elif name_key(m.name) == key:
                    rule = "full name"
                elif fuller != fm.name and name_key(m.name) == name_key(fm.name):
                    rule = f"the fuller name in the text: {fuller!r}"
                else:
                    rule = f"part of the name {fuller!r}"
                self.out[m.span.id] = Resolution(m.span.id, m.text, "resolved", rule, actor)

    def _fuller_name(self, name: str) -> str:
        """The longest name in the article's text that ends with ``name`` (a surname whose
        full form no ACTOR span covers, as in predictions that mark "Hartley" only)."""
        if len(name.split()) > 1:
            return name
        best = name
        pattern = r"(?:[A-Z][\w'’-]*[ \t]+){1,4}" + re.escape(name) + r"\b"
        text = self.doc.text
        for match in re.finditer(pattern, text):
            candidate, titles = person_name(match.group(0), self.gaz)
            before = text[: match.start()].rstrip(" \t")
            sentence_start = not before or before[-1] in '.!?\n"“”:;'
            if sentence_start and not titles:
                continue  # "Later Hartley": a capitalised word that starts a sentence
            if candidate.endswith(name) and len(candidate.split()) > len(best.split()):
                best = candidate
        return best

    # -- everything else ------------------------------------------------------------------------
    def _other(self, i: int, m: _Mention) -> Resolution:
        sid, text = m.span.id, m.text
        metonymy = m.span.attrs.get("metonymy") == "yes"
        folded = [_fold(w) for w in _words(text)]
        if any(w in _QUANTIFIERS or w.isdigit() for w in folded) or (
            m.kind == "group" and " and " in f" {_fold(text)} "
        ):
            return Resolution(sid, text, "generic", "plural or quantified mention")
        if m.kind == "state":
            return self._country_actor(sid, text, m, "state", metonymy)
        if m.kind == "role":
            return self._office(sid, text, m)
        if m.country is None and m.kind == "government":
            return self._derived_government(sid, text, metonymy)
        if m.country == "IGO" or m.country is None:
            org = self._organisation(i, m)
            if org is not None:
                return Resolution(sid, text, "resolved", org[1], org[0], metonymy)
            if m.country is None and (metonymy or m.kind == "government"):
                return self._derived_government(sid, text, metonymy)
            if m.kind == "group":
                return Resolution(sid, text, "generic", "group of no one country or organisation")
            return Resolution(sid, text, "unknown", "no country and no name")
        if m.kind == "organisation" and self._named(_words(text)):
            org = self._organisation(i, m)
            if org is not None:
                return Resolution(sid, text, "resolved", org[1], org[0], metonymy)
        return self._country_actor(sid, text, m, "sector", metonymy)

    def _named(self, words: list[str]) -> bool:
        """Whether an organisation's words name it ("the Canadian Chamber of Commerce"), not
        describe it ("Japan's coast guard", "Iranian state media")."""
        words = [w for w in words if _fold(w) not in _DETERMINERS]
        return len(words) >= 2 and any(
            w[:1].isupper() and not _POSSESSIVE.search(w) and self.gaz.country_of(w) is None
            for w in words
        )

    def _owner(self, m: _Mention) -> str:
        """Who an office belongs to: its country's name, or the organisation in its text."""
        if m.country != "IGO":
            return self.gaz.country_name(m.country)
        for w in _words(m.text):
            bare = _strip_possessive(w)
            if bare.isupper() and len(bare) > 1:
                return _KNOWN_ACRONYMS.get(bare, bare)
        caps = _capital_runs(m.text)
        return max(caps, key=len) if caps else "international organisation"

    def _office(self, sid: str, text: str, m: _Mention) -> Resolution:
        title = [w for w in _role_title(text, self.gaz) if w.upper() not in _KNOWN_ACRONYMS]
        if not title or m.country is None:
            return Resolution(sid, text, "unknown", "office of no known country")
        label = " ".join(title)
        owner = self._owner(m)
        actor = ActorRef(
            _short_hash("office", label, m.country, owner),
            f"{label[0].upper()}{label[1:]} ({owner})",
            "office",
            m.country,
            m.sector,
        )
        return Resolution(sid, text, "resolved", "office with no holder named", actor)

    def _country_actor(
        self, sid: str, text: str, m: _Mention, kind: str, metonymy: bool
    ) -> Resolution:
        if m.country is None:
            name = " ".join(w for w in _words(text) if _fold(w) not in _DETERMINERS)
            actor = ActorRef(_short_hash("state", name_key(name)), name, "state")
            return Resolution(sid, text, "resolved", "state not in ISO 3166", actor, metonymy)
        country = self.gaz.country_name(m.country)
        if kind == "state" and not metonymy:
            actor = ActorRef(
                f"iso3166:{m.country}", country, "state", m.country, None, "gazetteer:iso3166"
            )
            return Resolution(sid, text, "resolved", "state", actor)
        sector = m.sector or "GOV"
        actor = ActorRef(
            f"iso3166:{m.country}/{sector}",
            f"{SECTOR_NAMES.get(sector, sector)} ({country})",
            "sector",
            m.country,
            sector,
            "gazetteer:iso3166",
        )
        rule = "metonymy for the government" if metonymy else f"{m.kind} of one country"
        return Resolution(sid, text, "resolved", rule, actor, metonymy)

    def _derived_government(self, sid: str, text: str, metonymy: bool) -> Resolution:
        name = " ".join(w for w in _words(text) if _fold(w) not in _DETERMINERS)
        actor = ActorRef(
            _short_hash("government", name_key(name)), f"Government ({name})", "sector", None, "GOV"
        )
        rule = "seat of a government of no ISO code"
        return Resolution(sid, text, "resolved", rule, actor, metonymy)

    def _organisation(self, i: int, m: _Mention) -> tuple[ActorRef, str] | None:
        words = [w for w in _words(m.text) if _fold(w) not in _DETERMINERS]
        if not words:
            return None
        seats = [_IGO_SEATS[_fold(w)] for w in words if _fold(w) in _IGO_SEATS]
        if seats and (m.span.attrs.get("metonymy") == "yes" or m.kind != "organisation"):
            return self._org_actor(seats[0]), "seat of an international organisation"
        acronyms = [
            _strip_possessive(w)
            for w in words
            if _strip_possessive(w).isupper() and len(_strip_possessive(w)) > 1
        ]
        if len(words) == 1 and not acronyms:
            target = self._antecedent_org(i, _fold(words[0]))
            if target is not None:
                return target, "the nearest organisation before it that the noun fits"
            if words[0][:1].isupper():
                return self._org_actor(words[0]), "organisation name"
            return None
        if len(words) == 1:
            return self._acronym_actor(acronyms[0]), "organisation acronym"
        if m.kind != "organisation":
            # members of an organisation: "EU leaders", "a delegation from the X Front"
            if acronyms:
                return self._acronym_actor(acronyms[0]), "members of an organisation"
            caps = [c for c in _capital_runs(m.text) if len(c.split()) >= 2]
            if caps:
                return self._org_actor(max(caps, key=len)), "members of an organisation"
            return None
        if self._named(words) or acronyms:
            return self._org_actor(" ".join(words)), "organisation name"
        target = self._antecedent_org(i, _fold(words[-1]))
        if target is not None:
            return target, "the nearest organisation before it that the noun fits"
        return None

    def _acronym_actor(self, acr: str) -> ActorRef:
        if acr in _KNOWN_ACRONYMS:
            return self._org_actor(_KNOWN_ACRONYMS[acr])
        for other in self.mentions:
            for run in _capital_runs(other.text):
                if len(run.split()) > 1 and _acronym(run) == acr:
                    return self._org_actor(run)
        return self._org_actor(acr)

    def _org_actor(self, name: str) -> ActorRef:
        key = _acronym_or_key(name)
        entry = self.gaz.lookup(name_key(name), "IGO", "organisation")
        if entry is not None:
            return ActorRef(
                entry.actor_id,
                entry.name,
                "organisation",
                entry.country,
                entry.sector,
                f"gazetteer:{self.gaz.name}",
            )
        if key.startswith("acronym:"):
            name = _KNOWN_ACRONYMS[key.removeprefix("acronym:")]
        return ActorRef(_short_hash("organisation", key), name, "organisation")

    def _antecedent_org(self, i: int, head: str) -> ActorRef | None:
        """The nearest organisation before mention ``i`` whose name has ``head`` in it, or,
        for "the bloc", "the alliance", the nearest international organisation."""
        for k in range(i - 1, -1, -1):
            other = self.mentions[k]
            earlier = self.out.get(other.span.id)
            if (
                head in _ANAPHOR_HEADS - {"front"}
                and earlier is not None
                and earlier.actor is not None
                and earlier.actor.kind == "organisation"
            ):
                return earlier.actor
            if other.kind not in ("organisation", "group"):
                continue
            runs = [c for c in _capital_runs(other.text) if len(c.split()) >= 2 or c.isupper()]
            for run in runs:
                if head in (_fold(w) for w in run.split()):
                    return self._org_actor(run)
            if head in _ANAPHOR_HEADS - {"front"} and other.country == "IGO" and runs:
                run = max(runs, key=len)
                return self._acronym_actor(run) if run.isupper() else self._org_actor(run)
        return None


def resolve_document(doc: Document, gazetteer: Gazetteer | None = None) -> dict[str, Resolution]:
    """Resolve every ACTOR span of ``doc``; returns one :class:`Resolution` per span id.

    Example:
        >>> res = resolve_document(doc)  # doctest: +SKIP
        >>> res["a1"].actor.canonical, res["a1"].rule
        ('Alan Hartley', "part of the name 'Alan Hartley'")
    """
    return _Resolver(doc, gazetteer or default_gazetteer()).run()


def resolve_documents(
    docs: Iterable[Document], gazetteer: Gazetteer | None = None
) -> dict[str, dict[str, Resolution]]:
    """:func:`resolve_document` over many documents, keyed by document id."""
    return {doc.id: resolve_document(doc, gazetteer) for doc in docs}
