"""Patterns for personal contact details: email addresses, UK phone numbers, UK postcodes.

One leaf that both the workbook checks (:mod:`svlib.validate.schema`, which warns where a
partner typed contact details) and redaction (:mod:`svlib.analysis.evidence`) read, so
what is flagged and what is removed are the same thing. The patterns are described in
:mod:`svlib.analysis.evidence`'s notes, with their sources.
"""

from __future__ import annotations

import re
import unicodedata

from svlib.core.problems import BIDI_CONTROLS, CONTROL_CHARACTERS

EMAIL_PATTERN = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
"""An email address, letters of any alphabet included (``zoë@example.org``). It starts
only where a run of address characters starts, so the search takes time in proportion to
the text (without that, a long run of letters with no ``@`` made it try every position
of the run again: seconds for a 50 KB case study)."""

PHONE_PATTERN = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?44\s?(?:\(0\)\s?|0\s?)?|\(0|0)"   # +44, +44 (0), 0044, or a leading 0 / (0
    r"(?=[1-9])"                                       # UK numbers start 01, 02, 03, 07, 08, 09
    r"(?:\d[\s\-.()]{0,2}){8,9}\d"                      # 9 or 10 more digits, single separators
    r"(?![\d])"
)
"""A UK telephone number, mobile or landline, national or +44 form."""

POSTCODE_PATTERN = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)
"""A UK postcode, with or without the space (``GIR 0AA`` included)."""

_INVISIBLE = re.compile(
    f"[{CONTROL_CHARACTERS}{BIDI_CONTROLS}"  # control characters other than tab and new lines, bidi controls
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u08e2\u180e\u200b\u200c\u200e\u200f"
    "\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]"  # the other format characters (Cf), but the joiner U+200D
)
"""Characters that show as nothing, or not at all (the soft hyphen, zero-width spaces,
direction marks and overrides): one inside an address or number, as copying from a word
processor can leave, would hide it from the patterns while a page shows it whole. The
zero-width joiner (U+200D) and the tag characters stay: emoji sequences need them."""

_WIDE = re.compile("[\u3000\ufe50-\ufe6b\uff01-\uff5e]")
"""Full-width and small forms of ASCII characters (``＠``, ``０７７００``), read as the
characters they stand for (Unicode NFKC)."""


def comparable(text: str) -> str:
    """Text as the contact-detail patterns read it: without :data:`_INVISIBLE`
    characters, and full-width or small forms of ASCII turned into ASCII. Everything
    else is left as written."""
    text = _INVISIBLE.sub("", text)
    return _WIDE.sub(lambda found: unicodedata.normalize("NFKC", found.group()), text) if _WIDE.search(text) else text
