"""Finding people's names in partner text, for redaction and for the workbook checks.

One leaf that both the workbook checks (:mod:`svlib.validate.schema`, which warns where a
shared text seems to name a person) and redaction (:mod:`svlib.analysis.evidence`, which
removes what is found from every shared file) read, so what is flagged and what is removed
are the same thing.

What counts as a name
---------------------
Text is read as words (letters of any alphabet, with inner apostrophes and hyphens). A word
is *capitalised* when its first letter is upper case and the rest is not all upper case
("Mary", "McDonald", "O'Neill"; not "UK" or "I"). A possessive "'s" is not part of the name.

1. **A title and a name**: Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame, Rev (with or without
   a full stop) followed by capitalised words: the words (up to three) are a name, the title
   stays ("Mrs [name removed]").
2. **A first name**: a capitalised word that is a first name in :func:`name_lexicon`,
   wherever it stands, with the capitalised surnames, first names or initials that follow it
   (up to three): "Mary", "Mary Smith", "Wojciech K.".
3. A surname on its own is not taken for a name (Durham, Green, Hall and Street are
   surnames too); list it in the workbook's Names sheet to have it removed.

Month and weekday names are never taken for first names ("June", "May"), and neither is a
word inside a phrase the caller says to keep (the partner's own name and area, and the words
a partner marks ``remove = no`` in its Names sheet: "Stanley" as a town, "Grace Court" as a
building).

The rule leans towards removing: a word such as "Hope" or "Will" written with a capital is
taken for a name. A wrongly removed word costs a reader one word of a testimony; a missed
name can identify a person. The workbook check warns at each cell, so a partner sees what
will be removed and can keep a word that is not a name.

References
----------
Information Commissioner's Office, *Anonymisation: managing data protection risk* code of
practice (2012): direct identifiers, names first, are removed before data are shared.
First names and surnames: the person-name lists of the ``faker`` package (MIT licence),
taken from national statistics: the Office for National Statistics' baby-name and surname
tables (en_GB), NISRA and the Dúchas surname project (en_IE, ga_IE), the US Social Security
Administration and Census Bureau (en_US), and the national lists of each locale in
:data:`NAME_LOCALES`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

NAME_LOCALES: tuple[str, ...] = (
    "en_GB", "en_IE", "ga_IE", "en_US", "en_NZ", "en_IN", "en_PK", "en_NG", "yo_NG", "ig_NG", "ha_NG", "en_KE",
    "zu_ZA", "pl_PL", "ro_RO", "lt_LT", "lv_LV", "pt_PT", "pt_BR", "it_IT", "es_ES", "fr_FR", "de_DE", "nl_NL",
    "tr_TR", "cs_CZ", "sk_SK", "hu_HU",
)
"""The ``faker`` locales whose first names and surnames are read: the UK and Ireland, and the
countries of birth most common among people born abroad and living in England and Wales
(ONS, Census 2021, table TS004) whose names are written in the Latin alphabet. Faker's
generic ``en`` list is left out: it holds rare US forenames that are everyday words
("Council", "Park", "Hall")."""

TITLES: frozenset[str] = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "revd"})
"""Forms of address that stand before a name (compared in lower case, without a full stop)."""

CALENDAR_WORDS: frozenset[str] = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})
"""Month and weekday names, which are first names too ("June", "April") and are never taken
for one."""

MOST_WORDS = 3
"""The most words one name may run to after its first (a middle name, a surname, an initial)."""

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['\u2019]s?$", re.IGNORECASE)
_BETWEEN_NAME_WORDS = re.compile(r"\.?[ \t\u00a0]{1,2}")
"""What may stand between two words of one name: a space or two, after an initial's full stop."""


@dataclass(frozen=True)
class NameFound:
    """One name in a text: ``text[start:end]``, and why it was taken for one."""

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class NameLexicon:
    """First names and surnames, in lower case (:func:`str.casefold`)."""

    first_names: frozenset[str]
    surnames: frozenset[str]


@cache
def name_lexicon(locales: tuple[str, ...] = NAME_LOCALES) -> NameLexicon:
    """The first names and surnames of ``faker``'s person providers for ``locales``.

    Returns
    -------
    NameLexicon
        Every name written with a capital letter (names in alphabets without capitals
        cannot be told from other words this way and are left out), case-folded; month and
        weekday names are taken out of the first names.
    """
    first: set[str] = set()
    last: set[str] = set()
    for locale in locales:
        # each locale's module is a few hundred kilobytes: imported on first use, not with svlib
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_female", "first_names_male", "first_names_nonbinary"):
            first.update(_names_in(getattr(provider, attribute, ())))
        last.update(_names_in(getattr(provider, "last_names", ())))
    return NameLexicon(frozenset(first - CALENDAR_WORDS), frozenset(last))


def _names_in(values: object) -> set[str]:
    """The capitalised one-word names of a provider's list (a tuple, or a dict of weights)."""
    if not isinstance(values, (tuple, list, dict, set, frozenset)):
        return set()
    return {v.casefold() for v in values if isinstance(v, str) and _capitalised(v) and _WORD.fullmatch(v)}


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _listed(word: str, names: frozenset[str]) -> bool:
    """``word`` is one of ``names``, or a hyphenated name whose first part is ("Mary-Jane",
    "Smith-Jones")."""
    folded = word.casefold()
    return folded in names or ("-" in folded and folded.split("-", 1)[0] in names)


def _kept_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase of ``keep`` stands in ``text`` as whole words, in any case."""
    phrases = sorted({k.strip() for k in keep if isinstance(k, str) and k.strip()}, key=len, reverse=True)
    if not phrases:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in phrases) + r")(?!\w)", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def find_names(text: str, keep: Iterable[str] = (), lexicon: NameLexicon | None = None) -> list[NameFound]:
    """Every likely personal name in ``text``, by the rules in the module notes.

    Parameters
    ----------
    text : str
        A partner's text (a non-string gives no names).
    keep : iterable of str
        Phrases that are not names here (matched as whole words, in any case): no word
        inside one is taken for a name.
    lexicon : NameLexicon, optional
        The names to look for (default :func:`name_lexicon`).

    Returns
    -------
    list of NameFound
        In the order they stand in the text, not overlapping.

    Examples
    --------
    >>> [n.text for n in find_names("Mary Smith came with Mrs Oyelaran and Wojciech.")]
    ['Mary Smith', 'Oyelaran', 'Wojciech']
    >>> [n.text for n in find_names("We met in June at Stanley.", keep=["Stanley"])]
    []
    """
    if not isinstance(text, str) or not text:
        return []
    lexicon = lexicon or name_lexicon()
    kept = _kept_spans(text, keep)
    words = [(m.start(), m.start() + len(_POSSESSIVE.sub("", m.group())) if _capitalised(m.group()) else m.end(),
              m.group()) for m in _WORD.finditer(text)]
    words = [(s, e, text[s:e]) for s, e, _ in words if e > s]

    def is_kept(start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in kept)

    def joined(i: int) -> bool:  # words i and i + 1 are two words of one name, if they are names
        return i + 1 < len(words) and bool(_BETWEEN_NAME_WORDS.fullmatch(text[words[i][1]:words[i + 1][0]]))

    found: list[NameFound] = []
    i = 0
    while i < len(words):
        start, end, word = words[i]
        if word.casefold() in TITLES and joined(i) and (_capitalised(words[i + 1][2]) or _initial(words[i + 1][2])) \
                and not is_kept(*words[i + 1][:2]):
            first, reason = i + 1, "a title and a name"
        elif _capitalised(word) and _listed(word, lexicon.first_names) and not is_kept(start, end):
            first, reason = i, "a first name"
        else:
            i += 1
            continue
        last = first
        while (last - first < MOST_WORDS and joined(last) and not is_kept(*words[last + 1][:2])
               and (_initial(words[last + 1][2]) or (_capitalised(words[last + 1][2]) and (
                   reason == "a title and a name" or _listed(words[last + 1][2], lexicon.surnames)
                   or _listed(words[last + 1][2], lexicon.first_names))))):
            last += 1
        if reason == "a first name" and last > first:
            reason = "a first name and surname"
        s, e = words[first][0], words[last][1]
        found.append(NameFound(s, e, text[s:e], reason))
        i = last + 1
    return found
