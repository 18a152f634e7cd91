"""svlib.core.personal_names: which words of a partner's text are taken for people's names,
checked on sentences worked by hand against the rules in the module notes."""

from __future__ import annotations

import pytest

from svlib import paths
from svlib.core.personal_names import PERSON_NAMES_FILE, find_names, name_lexicon
from svlib.tools.person_names import NAME_LOCALES, person_names_csv


def names(text: str, keep=()) -> list[str]:
    return [n.text for n in find_names(text, keep)]


@pytest.mark.parametrize("text, expected", [
    # rule 2: a first name, wherever it stands, with the surnames and initials after it
    ("Harold started coming on Thursdays.", ["Harold"]),
    ("We met Kayleigh Robson at the hub.", ["Kayleigh Robson"]),
    ("Wojciech K. now leads the crew.", ["Wojciech K."]),
    ("Mary-Jane's son joined.", ["Mary-Jane"]),          # hyphenated, possessive left outside
    ("Siobhan’s mum rang.", ["Siobhan"]),                 # a typographic apostrophe too
    # rule 1: a title and the capitalised words after it; the title stays
    ("Mrs Oyelaran referred him.", ["Oyelaran"]),
    ("Letters from Mr J. Pybus arrived.", ["J. Pybus"]),
    ("He would never miss Thursday lunches.", []),         # a title only with its capital
    ("Brian Tolley and Margaret\nThornbury came.", ["Brian Tolley", "Margaret\nThornbury"]),
    # rule 3: a surname alone, or a town, is not a name
    ("Durham County Council and Green Lane allotments.", []),
    ("A woman in Bishop Auckland learned to use email.", []),
    # month and weekday names, upper-case abbreviations, lower-case words are not names
    ("Every Sunday in June the UK team met; I said so.", []),
    ("harold wrote it in lower case", []),
])
def test_names_are_found_by_the_stated_rules(text, expected):
    assert names(text) == expected


def test_a_kept_phrase_hides_the_names_inside_it_and_only_there():
    text = "Stanley helped at the Stanley pantry; Grace Court residents came, and so did Grace."
    assert names(text) == ["Stanley", "Stanley", "Grace Court", "Grace"]  # free text: the capitalised word after a first name goes with it
    assert names(text, keep=["stanley", "Grace Court"]) == ["Grace"]


def test_a_label_counts_a_first_name_only_with_a_known_surname_or_a_title():
    label = "Job seekers met Brian Smith, Brian Tolley and Mrs Pratt (Social Enterprise Mark)"
    assert [n.text for n in find_names(label, narrative=False)] == ["Brian Smith", "Pratt"]
    assert [n.sure for n in find_names("Brian Smith and Brian Tolley")] == [True, False]


def test_where_a_name_stands_is_given_exactly():
    text = "Then Mary Smith's neighbour came."
    [found] = find_names(text)
    assert (found.start, found.end, text[found.start:found.end], found.reason) == (
        5, 15, "Mary Smith", "a first name and surname")


def test_text_that_is_not_a_string_has_no_names():
    assert find_names(float("nan")) == [] and find_names("") == []


def test_the_lexicon_holds_names_of_the_locales_and_not_everyday_words():
    lexicon = name_lexicon()
    assert "en_GB" in NAME_LOCALES and "pl_PL" in NAME_LOCALES
    for name in ("kayleigh", "mohammed", "wojciech", "siobhan", "ngozi", "andreea"):
        assert name in lexicon.first_names, name
    for name in ("smith", "kowalski", "robson"):
        assert name in lexicon.surnames, name
    # faker's generic 'en' list is left out: it holds 'Council', 'Park', 'Hall' as forenames
    for word in ("council", "park", "hall", "june", "may"):
        assert word not in lexicon.first_names, word


def test_the_shipped_names_are_what_the_script_writes_from_faker():
    shipped = paths.package_data(PERSON_NAMES_FILE).read_text(encoding="utf-8")
    assert shipped == person_names_csv(), "regenerate with: python -m svlib.tools.person_names"
