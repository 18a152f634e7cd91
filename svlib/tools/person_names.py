"""Write the first names and surnames that the name check reads (``svlib/data/person_names.csv``).

The lists come from the person providers of the ``faker`` package (MIT licence), which take
them from national statistics: the Office for National Statistics' baby-name and surname
tables (en_GB), NISRA and the Dúchas surname project (en_IE, ga_IE), the US Social Security
Administration and Census Bureau (en_US), and each locale's national lists. svlib ships the
extracted names rather than reading ``faker`` when it runs, so a run reads the same names on
every machine whatever ``faker`` version is installed (and starts 60 ms sooner per process);
``faker`` is needed only to regenerate the file, and a test checks the shipped file is what
this script writes.

Regenerate with::

    python -m svlib.tools.person_names
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import re
from pathlib import Path

from svlib import paths
from svlib.core.files import write_atomic

NAME_LOCALES: tuple[str, ...] = (
    "en_GB", "en_IE", "ga_IE", "en_US", "en_NZ", "en_IN", "en_PK", "en_NG", "yo_NG", "ig_NG", "ha_NG", "en_KE",
    "zu_ZA", "pl_PL", "ro_RO", "lt_LT", "lv_LV", "pt_PT", "pt_BR", "it_IT", "es_ES", "fr_FR", "de_DE", "nl_NL",
    "tr_TR", "cs_CZ", "sk_SK", "hu_HU",
)
"""The ``faker`` locales read: the UK and Ireland, and the countries of birth most common among
people born abroad and living in England and Wales (ONS, Census 2021, table TS004) whose
names are written in the Latin alphabet. Faker's generic ``en`` list is left out: it holds
rare US forenames that are everyday words ("Council", "Park", "Hall")."""

FILE_NAME = "person_names.csv"

_ONE_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")


def _names_in(values: object) -> set[str]:
    """The one-word names written with a capital of a provider's list (a tuple, list or
    dict of weights), case-folded; names in alphabets without capitals are left out (they
    cannot be told from other words by their capital)."""
    if not isinstance(values, (tuple, list, dict, set, frozenset)):
        return set()
    return {v.casefold() for v in values
            if isinstance(v, str) and v[:1].isupper() and not v.isupper() and _ONE_WORD.fullmatch(v)}


def person_names(locales: tuple[str, ...] = NAME_LOCALES) -> list[tuple[str, str]]:
    """``(kind, name)`` for every first name (``first``) and surname (``surname``) of the
    ``faker`` person providers of ``locales``, sorted.

    Every list attribute of a provider is read (``first_names``, ``first_names_female``,
    ``male_last_names``, ...): a name is a first name when the attribute names ``first``, a
    surname when it names ``last``.
    """
    first: set[str] = set()
    last: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            if "names" in attribute and not attribute.startswith("_"):
                listed = _names_in(getattr(provider, attribute, ()))
                if "first" in attribute:
                    first.update(listed)
                elif "last" in attribute:
                    last.update(listed)
    return sorted([("first", n) for n in first] + [("surname", n) for n in last])


def person_names_csv(locales: tuple[str, ...] = NAME_LOCALES) -> str:
    """The file's text: a header ``kind,name`` and one row per name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "name"])
    writer.writerows(person_names(locales))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(paths.package_data(FILE_NAME)), help="where to write it")
    args = parser.parse_args(argv)
    write_atomic(Path(args.out), person_names_csv())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
