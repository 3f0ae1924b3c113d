"""Regenerate ``eval/models/data/people.yaml`` from Wikidata (CC0), when run by hand.

Why a script and not a run-time lookup: the rules model downloads nothing; the list ships as
data with its provenance, and this script is how a maintainer with network refreshes it.  It is
never run by tests.  It asks the Wikidata SPARQL endpoint for everyone who held, since
``--since``, a position that is a head of state or government, a foreign or defence minister
or a special envoy, keeps the entries already in the file that the query does not return
(curated envoys and spokespeople), and writes the file atomically.

    .venv/bin/python scripts/refresh_people.py [--since 2017] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "eval" / "models" / "data" / "people.yaml"
ENDPOINT = "https://query.wikidata.org/sparql"

# Position classes: head of state (Q48352), head of government (Q2285706), minister of foreign
# affairs (Q7330070), minister of defence (Q1553195), special envoy (Q1257391).
QUERY = """
SELECT DISTINCT ?person ?personLabel ?iso ?classLabel WHERE {
  VALUES ?class { wd:Q48352 wd:Q2285706 wd:Q7330070 wd:Q1553195 wd:Q1257391 }
  ?position wdt:P279* ?class .
  ?person p:P39 ?held . ?held ps:P39 ?position .
  OPTIONAL { ?held pq:P580 ?start . }
  OPTIONAL { ?held pq:P582 ?end . }
  FILTER(!BOUND(?end) || YEAR(?end) >= %(since)d)
  OPTIONAL { ?position wdt:P1001 ?jur . ?jur wdt:P298 ?iso . }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
}
"""


def fold(name: str) -> str:
    """The name without diacritics ("Erdoğan" -> "Erdogan")."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def fetch(since: int) -> list[dict[str, str]]:
    """Rows of the SPARQL answer (network)."""
    url = ENDPOINT + "?" + urllib.parse.urlencode({"query": QUERY % {"since": since}})
    req = urllib.request.Request(
        url,
        headers={
            "Accept": "application/sparql-results+json",
            "User-Agent": "backchannel-refresh/1 (people gazetteer)",
        },
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        data = json.load(resp)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--since", type=int, default=2017)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    current = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    by_name = {p["name"]: p for p in current["people"]}
    for row in fetch(args.since):
        name = row.get("personLabel", "")
        qid = row["person"].rsplit("/", 1)[-1]
        if not name or name == qid:
            continue
        entry = by_name.setdefault(name, {"name": name})
        entry["qid"] = qid
        if row.get("iso"):
            entry.setdefault("country", row["iso"])
        entry.setdefault("role", row.get("classLabel", "office holder"))
    current["people"] = sorted(by_name.values(), key=lambda p: fold(p["name"]))
    text = yaml.safe_dump(current, allow_unicode=True, sort_keys=False, width=100)
    if args.dry_run:
        sys.stdout.write(text)
        return 0
    tmp = DATA.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(DATA)
    print(f"{DATA}: {len(current['people'])} people")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
