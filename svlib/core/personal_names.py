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
First names and surnames: ``svlib/data/person_names.csv``, the person-name lists of the
``faker`` package (MIT licence) for 28 locales, taken from national statistics: the Office
for National Statistics' baby-name and surname tables (en_GB), NISRA and the Dúchas surname
project (en_IE, ga_IE), the US Social Security Administration and Census Bureau (en_US), and
the national lists of each locale of :data:`svlib.tools.person_names.NAME_LOCALES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from svlib import paths

PERSON_NAMES_FILE = "person_names.csv"
"""First names and surnames, one per row (``kind``: first or surname; ``name``, case-folded)."""

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
def name_lexicon() -> NameLexicon:
    """The first names and surnames shipped with svlib (``svlib/data/person_names.csv``,
    written by :mod:`svlib.tools.person_names` from the ``faker`` package's national lists;
    sources in ``svlib/data/SOURCES.md``), month and weekday names taken out of the first
    names."""
    lines = paths.package_data(PERSON_NAMES_FILE).read_text(encoding="utf-8").splitlines()[1:]  # kind,name
    rows = [line.split(",", 1) for line in lines]  # one word a name: no comma or quote inside
    first = {name for kind, name in rows if kind == "first"}
    return NameLexicon(frozenset(first - CALENDAR_WORDS), frozenset(name for kind, name in rows if kind == "surname"))


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _initial(word: str) -> bool:
    return len(word) == 1 and word.isupper()


def _listed(word: str, names: frozenset[str]) -> bool:
    """``word`` is one of ``names``, or a hyphenated name whose first part is ("Mary-Jane",
    "Smith-Jones")."""
    folded = word.casefold()
    return folded in names or ("-" in folded and folded.split("-", 1)[0] in names)


def whole_words(phrases: Iterable[str], ignore_case: bool = True) -> re.Pattern[str] | None:
    """One pattern for every phrase of ``phrases`` as whole words (not part of a longer
    word), longest first, so "Mary Ann" is found before "Mary"; ``None`` for none."""
    wanted = sorted({p.strip() for p in phrases if isinstance(p, str) and p.strip()}, key=len, reverse=True)
    if not wanted:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in wanted) + r")(?!\w)",
                      re.IGNORECASE if ignore_case else 0)


def _kept_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase of ``keep`` stands in ``text`` as whole words, in any case."""
    pattern = whole_words(keep)
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def listed_words(name: str) -> list[str]:
    """A name a partner lists, and each of its words but a title or an initial: all are
    removed ("Mrs M. Smith": itself and "Smith"), since a person named in full is often
    named again by one word."""
    words = [w.strip(".,") for w in name.split()]
    return [name] + [w for w in words if len(w) > 1 and w.casefold() not in TITLES]


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
        if _initial(words[last][2]) and text[e:e + 1] == ".":  # an initial's full stop is part of the name
            e += 1
        found.append(NameFound(s, e, text[s:e], reason))
        i = last + 1
    return found
