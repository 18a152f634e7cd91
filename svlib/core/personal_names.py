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

1. **A title and a name**: Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame, Rev, capitalised (with
   or without a full stop) followed by capitalised words: the words (up to three) are a name, the title
   stays ("Mrs [name removed]").
2. **A first name**: a capitalised word that is a first name in :func:`name_lexicon`,
   wherever it stands, with the capitalised words or initials that follow it (up to three):
   "Mary", "Mary Smith", "Brian Tolley", "Wojciech K.". In a label rather than free text
   (``narrative=False``) a first name counts only with a surname the lexicon knows
   ("Brian Smith", not "Job seekers").
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
from functools import cache, lru_cache

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
_NICKNAME = re.compile(r"[\"\u201c\u2018(\[]([^\"\u201d\u2019)\]]+)[\"\u201d\u2019)\]]")
"""A nickname or other name inside a listed name, in quotes or brackets."""
_POSSESSIVE = re.compile(r"['\u2019]s?$", re.IGNORECASE)
_BETWEEN_NAME_WORDS = re.compile(r"\.?\s+")
"""What may stand between two words of one name: spaces or a line break, after an initial's
full stop."""


@dataclass(frozen=True)
class NameFound:
    """One name in a text: ``text[start:end]``, and why it was taken for one."""

    start: int
    end: int
    text: str
    reason: str

    @property
    def words(self) -> list[str]:
        """Each word of the name but an initial ("Mary J. Smith": Mary, Smith)."""
        return [w for w in _WORD.findall(self.text) if len(w) > 1]

    @property
    def sure(self) -> bool:
        """Found after a title, or as a first name with a surname the lexicon knows; a
        first name on its own, or with words the lexicon does not know as surnames, may
        be a word or a place ("Hope", "Job Centre")."""
        return self.reason in ("a title and a name", "a first name and surname")


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


def whole_words(phrases: Iterable[str], ignore_case: bool = True, exact: Iterable[str] = ()) -> re.Pattern[str] | None:
    """One pattern for every phrase of ``phrases`` (in any capitals when ``ignore_case``)
    and of ``exact`` (as written) as whole words, not part of a longer word; longest first,
    so "Mary Ann" is found before "Mary"; ``None`` for none. Any run of white space in a
    phrase matches any run in the text (a line break included), and a straight or curly
    apostrophe matches either. A phrase followed by a hyphen and a digit is the start of a
    code ("JOB-04"), not the phrase."""
    def tidy(values: Iterable[str]) -> set[str]:
        return {" ".join(p.split()) for p in values if isinstance(p, str) and p.strip()}

    wanted = [(p, ignore_case) for p in tidy(phrases)] + [(p, False) for p in tidy(exact)]
    if not wanted:
        return None
    wanted.sort(key=lambda pair: len(pair[0]), reverse=True)

    def escaped(phrase: str, any_case: bool) -> str:
        body = re.sub(r"['\u2019]", "['\u2019]", re.escape(phrase)).replace(r"\ ", r"\s+")
        return f"(?i:{body})" if any_case else body

    # not inside a longer word, nor the letters of a code ("JOB-04" is no name "Job")
    return re.compile(r"(?<!\w)(?:" + "|".join(escaped(p, c) for p, c in wanted) + r")(?!\w|-\d)")


@lru_cache(maxsize=256)
def _keep_pattern(keep: tuple[str, ...]) -> re.Pattern[str] | None:
    return whole_words(keep)


def _kept_spans(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase of ``keep`` stands in ``text`` as whole words, in any case (the
    pattern built once for each set of phrases)."""
    pattern = _keep_pattern(tuple(keep))
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def listed_words(name: str, lexicon: NameLexicon | None = None) -> list[str]:
    """A name a partner lists, and each of its words that is a first name or surname of
    :func:`name_lexicon` (a person named in full is often named again by one word): "Mrs
    Mary Smith" gives itself, "Mary" and "Smith"; 'Kev "Bazza" Pickering' gives itself,
    the same without quotes, "Pickering" and the nickname in quotes, "Bazza" (as does a name
    in brackets). Ordinary words of a nickname ("The Gaffer", "Big Dave") are removed only
    with the whole name: list a nickname on its own row to have it removed alone."""
    lexicon = lexicon or name_lexicon()
    words = _WORD.findall(name)
    known = [w for w in words if len(w) > 1 and w.casefold() not in TITLES
             and (w.casefold() in lexicon.first_names or w.casefold() in lexicon.surnames)]
    nicknames = _NICKNAME.findall(name)  # 'Kev "Bazza" Pickering', 'Jo (Joanne) Bell': Bazza, Joanne
    return list(dict.fromkeys([name, " ".join(words), *known, *(n.strip() for n in nicknames if n.strip())]))


def find_names(text: str, keep: Iterable[str] = (), lexicon: NameLexicon | None = None,
               narrative: bool = True) -> list[NameFound]:
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
    narrative : bool
        Free text, where people are written about (the default): a first name counts on
        its own, and takes every capitalised word after it (up to three) as its surname,
        known or not ("Brian Tolley"). A label ("Job seekers", "Social Enterprise Mark") is
        read with ``narrative=False``: a first name counts only with a surname that
        :func:`name_lexicon` knows, or a name after a title.

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
        if word.casefold() in TITLES and word[:1].isupper() and joined(i) \
                and (_capitalised(words[i + 1][2]) or _initial(words[i + 1][2])) and not is_kept(*words[i + 1][:2]):
            first, reason = i + 1, "a title and a name"
        elif _capitalised(word) and _listed(word, lexicon.first_names) and not is_kept(start, end):
            first, reason = i, "a first name"
        else:
            i += 1
            continue
        last = first
        while (last - first < MOST_WORDS and joined(last) and not is_kept(*words[last + 1][:2])
               and (_initial(words[last + 1][2]) or (_capitalised(words[last + 1][2]) and (
                   reason == "a title and a name" or narrative or _listed(words[last + 1][2], lexicon.surnames)
                   or _listed(words[last + 1][2], lexicon.first_names))))):
            last += 1
        if reason == "a first name" and last > first:
            known = all(_initial(w) or _listed(w, lexicon.surnames) or _listed(w, lexicon.first_names)
                        for _, _, w in words[first + 1:last + 1])
            reason = "a first name and surname" if known else "a first name and the capitalised words after it"
        elif reason == "a first name" and not narrative:
            i += 1
            continue
        s, e = words[first][0], words[last][1]
        if _initial(words[last][2]) and text[e:e + 1] == ".":  # an initial's full stop is part of the name
            e += 1
        found.append(NameFound(s, e, text[s:e], reason))
        i = last + 1
    return found
