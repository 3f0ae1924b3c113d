"""Regenerate ``eval/models/data/first_names.txt``, the rules model's given-name lexicon.

Why shipped data and not a run-time dependency: the rules model must start in a fraction of a
second and download nothing.  The names come from the person providers of Faker (MIT licence,
https://github.com/joke2k/faker), Latin-script locales only, plus a short curated supplement of
romanised given names common in diplomatic news that Faker lacks (written by the backchannel
team, CC BY 4.0).  Names that are also country, capital or nationality words, months, weekdays
or titles are left out: "Jordan" or "Georgia" must stay places.

    .venv/bin/pip install faker && .venv/bin/python scripts/build_first_names.py

The output is sorted and deterministic for a given Faker version; its header records the
provenance and licence.
"""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "eval" / "models" / "data" / "first_names.txt"

LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_NZ",
    "en_IN",
    "de_DE",
    "de_AT",
    "fr_FR",
    "fr_CH",
    "es_ES",
    "es_MX",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "nl_NL",
    "tr_TR",
    "cs_CZ",
    "sk_SK",
    "sl_SI",
    "sv_SE",
    "fi_FI",
    "hu_HU",
    "ro_RO",
    "hr_HR",
    "da_DK",
    "no_NO",
    "lt_LT",
    "lv_LV",
    "et_EE",
    "id_ID",
    "vi_VN",
    "az_AZ",
    "uz_UZ",
    "ga_IE",
    "en_AU",
    "en_CA",
    "en_PH",
    "fr_CA",
    "es_AR",
    "es_CL",
    "es_CO",
    "de_CH",
    "it_CH",
    "fil_PH",
    "tl_PH",
]

# Locales whose romanised names are read too; in East Asian order the family name comes first
# ("Wu Daiwei", "Anami Koreshige"), so their family names start names as well.
ROMANISED_LOCALES = ["zh_CN", "zh_TW", "ja_JP"]
ROMANISED_ATTRS = (
    "first_romanized_names",
    "first_romanized_names_male",
    "first_romanized_names_female",
    "last_romanized_names",
)
# Romanised names that are also English words a title-case headline capitalises.
ROMANISED_EXCLUDE = {"He", "Long", "Song", "Fan", "Man", "Gang", "Ran", "Bo", "Du", "Mo", "No"}

# Romanised given names frequent in diplomatic news and missing from Faker's Latin locales.
SUPPLEMENT = [
    "Abdullah",
    "Abdulaziz",
    "Abdel",
    "Abdelfattah",
    "Abiy",
    "Adel",
    "Ahmed",
    "Ahmad",
    "Akihito",
    "Ali",
    "Alisher",
    "Amir",
    "Anwar",
    "Ashraf",
    "Ayman",
    "Bashar",
    "Bilawal",
    "Dmitry",
    "Dmitri",
    "Dmytro",
    "Emomali",
    "Fumio",
    "Faisal",
    "Gennady",
    "Hamad",
    "Hassan",
    "Hossein",
    "Ilham",
    "Javad",
    "Jaishankar",
    "Jong",
    "Keir",
    "Kassym",
    "Kim",
    "Kishida",
    "Lai",
    "Li",
    "Maia",
    "Mahmoud",
    "Mevlut",
    "Mohammad",
    "Mohammed",
    "Muhammad",
    "Naftali",
    "Nayib",
    "Nikol",
    "Oleksandr",
    "Oleksii",
    "Olexiy",
    "Pedro",
    "Rishi",
    "Salman",
    "Sameh",
    "Sergei",
    "Sergey",
    "Shavkat",
    "Shehbaz",
    "Shigeru",
    "Sheikh",
    "Tamim",
    "Taro",
    "Tsai",
    "Wang",
    "Xi",
    "Yair",
    "Yoav",
    "Yoon",
    "Yuri",
    "Yury",
    "Zayed",
    "Narendra",
    "Subrahmanyam",
    "Shinzo",
    "Yoshihide",
    "Yoshimasa",
    "Hakan",
    "Mevlüt",
    "Recep",
    "Volodymyr",
    "Vladimir",
    "Nikolai",
    "Andriy",
    "Andrii",
    "Rustem",
    "Denys",
    "Kaja",
    "Annalena",
    "Ursula",
    "Josep",
    "Antony",
    "Keiko",
    "Moon",
    "Jae",
    "Lee",
    "Han",
    "Cho",
    "Park",
    "Yang",
    "Wen",
    "Dong",
    "Zhou",
    "Qin",
    "Jiechi",
    "Ebrahim",
    "Masoud",
    "Abbas",
    "Benny",
    "Isaac",
    "Reuven",
    "Gideon",
    "Itamar",
    "Mohamed",
    "Khalid",
    "Tayyip",
    "Hun",
    "Prabowo",
    "Joko",
    "Ferdinand",
    "Rodrigo",
    "Anthony",
    # Portuguese and Spanish (Latin America)
    "Luiz",
    "Luís",
    "Dilma",
    "Celso",
    "Jair",
    "Geraldo",
    "Marina",
    "Fernando",
    "Néstor",
    "Cristina",
    "Evo",
    "Álvaro",
    "Hugo",
    "Nicolás",
    "Gustavo",
    "Gabriel",
    "Javier",
    "Dina",
    "Xiomara",
    "Daniel",
    "Andrés",
    "Manuel",
    "Claudia",
    "Marcelo",
    # Russian, Ukrainian, Belarusian and Caucasian romanisations
    "Mikhail",
    "Alexei",
    "Aleksei",
    "Alexey",
    "Andrei",
    "Andrey",
    "Viktor",
    "Valentina",
    "Maria",
    "Igor",
    "Ivan",
    "Yevgeny",
    "Yevgeniy",
    "Anatoly",
    "Boris",
    "Dmitriy",
    "Konstantin",
    "Maxim",
    "Oleg",
    "Pavel",
    "Pyotr",
    "Ramzan",
    "Ruslan",
    "Svetlana",
    "Tatiana",
    "Vasily",
    "Vyacheslav",
    "Yulia",
    "Petro",
    "Arseniy",
    "Kyrylo",
    "Mykhailo",
    "Oleksiy",
    "Vitali",
    "Vitaly",
    "Alexander",
    "Aleksandr",
    "Alyaksandr",
    "Eduard",
    "Levan",
    "Mikheil",
    "Irakli",
    "Salome",
    "Serzh",
    "Robert",
    # Arabic, Persian, Turkish and Kurdish romanisations
    "Abdul",
    "Abdulla",
    "Abdelaziz",
    "Abdelmadjid",
    "Alaa",
    "Amr",
    "Aref",
    "Ashraf",
    "Bandar",
    "Fahd",
    "Hamid",
    "Hosni",
    "Hamdan",
    "Haider",
    "Ismail",
    "Jassim",
    "Kais",
    "Karim",
    "Mahmud",
    "Mansour",
    "Marwan",
    "Mohsen",
    "Mustafa",
    "Nabil",
    "Nouri",
    "Nuri",
    "Saad",
    "Saeb",
    "Saud",
    "Tariq",
    "Walid",
    "Yasser",
    "Youssef",
    "Zeid",
    "Mojtaba",
    "Ebrahim",
    "Hassan",
    "Akbar",
    "Ruhollah",
    "Abbas",
    "Javad",
    "Massoud",
    "Nechirvan",
    "Masrour",
    "Binali",
    "Ahmet",
    "Abdullah",
    # South Asia
    "Manmohan",
    "Atal",
    "Imran",
    "Nawaz",
    "Pervez",
    "Asif",
    "Hasina",
    "Khaleda",
    "Mahinda",
    "Gotabaya",
    "Ranil",
    "Sushma",
    "Pranab",
    "Rajnath",
    "Amit",
    "Sharad",
    "Pushpa",
    "Kamal",
    "Ashraf",
    "Hamid",
    # Africa
    "Cyril",
    "Thabo",
    "Jacob",
    "Olusegun",
    "Goodluck",
    "Muhammadu",
    "Bola",
    "Uhuru",
    "Yoweri",
    "Isaias",
    "Salva",
    "Riek",
    "Omar",
    "Teodoro",
    "Macky",
    "Alassane",
    "Laurent",
    "Félix",
    "Denis",
    "Ellen",
    "Kofi",
    "Nana",
    "Emmerson",
    "Robert",
    "Hage",
    "Hery",
    "Hailemariam",
    "Meles",
    "Sahle-Work",
    "Filipe",
    # East and Southeast Asia
    "Susilo",
    "Megawati",
    "Thaksin",
    "Yingluck",
    "Prayut",
    "Najib",
    "Mahathir",
    "Hsien",
    "Rodrigo",
    "Gloria",
    "Benigno",
    "Ferdinand",
    "Min",
    "Aung",
    "Thein",
    "Jiabao",
    "Jintao",
    "Zemin",
    "Keqiang",
    "Yi",
    "Jinping",
    "Junichiro",
    "Yukio",
    "Naoto",
    "Yoshihiko",
    "Taro",
    "Toshimitsu",
    "Yoko",
    "Katsuya",
    "Kim",
    "Roh",
    "Moo",
    "Myung",
    "Geun",
    "Suk",
    "Yeol",
    "Ban",
    "Kang",
    "Chung",
    "Choi",
    "Jung",
    "Yoo",
    "Hong",
    "Nguyen",
    "Pham",
    "Tran",
    "Vo",
    "Bui",
    # Europe and elsewhere, for names Faker's locales lack
    "Jens",
    "Javier",
    "Federica",
    "Josep",
    "Charles",
    "Emmanuel",
    "Olaf",
    "Friedrich",
    "Giorgia",
    "Mette",
    "Viktor",
    "Kyriakos",
    "Alexis",
    "Recep",
    "Aleksandar",
    "Edi",
    "Milorad",
    "Sebastian",
    "Andrzej",
    "Radoslaw",
    "Radosław",
    "Zbigniew",
    "Volodymyr",
    "Benjamin",
    "Ehud",
    "Ariel",
    "Shimon",
    "Tzipi",
    "Mahmoud",
]

EXCLUDE_EXTRA = (
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday President Prime Minister Secretary "
    "King Queen Prince Princess General Major Colonel Captain Sir Lord Lady Dame Will Mark Grant "
    "Bill Hope Summer Rose Art Guy Page Story Ivy Faith Joy Said Sunny Major Royal Love Dean "
    "Chase Frank Earnest Forest Gay Heather Holly Lane Mercy Miles Page Rich Sterling West Young "
    "Walker Star Storm Sky River Justice Liberty Unity Iran Israel Jordan Georgia Chad India "
    "China Kenya Paris Sydney Victoria Florence Houston Dallas Brooklyn Lincoln Washington Ukraine "
    "Arab Asia Africa America Europe Britain Russia France Trinity Tory Labour Union "
    "El Al Le La De Del Della Di Da Van Von Der Den Du Dos Ter Bin Ibn Abu Saint San Santa"
)


def _excluded() -> set[str]:
    """Country, capital and adjective words of the rules lexicon, and the extra stop list."""
    data = ROOT / "src" / "backchannel" / "data" / "countries.tsv"
    words = set(EXCLUDE_EXTRA.split())
    for line in data.read_text(encoding="utf-8").splitlines():
        for cell in line.split("\t"):
            words.update(w for w in cell.replace("the ", "").split() if w[:1].isupper())
    return words


def _fold(name: str) -> str:
    """Lower case without diacritics: "Jordán" is excluded with "Jordan"."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).lower()


def _latin(name: str) -> bool:
    """Letters of the Latin script only (diacritics allowed), at least two, capitalised."""
    return (
        len(name) >= 2
        and name[:1].isupper()
        and all(c.isalpha() and "LATIN" in unicodedata.name(c, "") for c in name)
    )


def main() -> int:
    import faker

    names: set[str] = set()
    for loc in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            value = getattr(provider, attr, ())
            if isinstance(value, (list, tuple, dict, set)):  # some locales define properties
                names.update(value)
    for loc in ROMANISED_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attr in ROMANISED_ATTRS:
            names.update(
                n for n in getattr(provider, attr, ()) if n not in ROMANISED_EXCLUDE and len(n) > 1
            )
    names.update(SUPPLEMENT)
    excluded = {_fold(w) for w in _excluded()}
    keep = sorted(n for n in names if _latin(n) and _fold(n) not in excluded)
    header = [
        "# Given names for the rules model's person recogniser (one a line).",
        f"# provenance: Faker {faker.VERSION} person providers ({' '.join(LOCALES)}; "
        f"romanised given and family names of {' '.join(ROMANISED_LOCALES)}), "
        "https://github.com/joke2k/faker; plus a curated supplement by the backchannel team",
        "# licence: MIT (Faker, Copyright (c) 2012 Daniele Faraglia); supplement CC-BY-4.0",
        "# generated by: scripts/build_first_names.py (do not edit by hand)",
    ]
    OUT.write_text("\n".join([*header, *keep]) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(keep)} names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
