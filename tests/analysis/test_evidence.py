"""svlib.analysis.evidence: consent filtering, redaction, quotes for sharing and evidence per
outcome, on a fixture and on the bundled example collection."""

from __future__ import annotations

import pandas as pd
import pytest

from svlib.analysis.evidence import (
    EMAIL_REMOVED,
    NAME_REMOVED,
    PHONE_REMOVED,
    POSTCODE_REMOVED,
    NameRules,
    collection_name_rules,
    evidence_per_outcome,
    name_rules,
    outcomes_without_evidence,
    quotes_for_sharing,
    redact,
    redact_frame,
    redact_tables,
    shareable,
)
from svlib.tools.example_partners import NON_CONSENTED_PHRASE, TESTIMONY_EMAIL, TESTIMONY_PHONE

SECRET = "kept the spare key in the shed"

CASES = pd.DataFrame([
    {"case_id": "C1", "outcome_ids": "A1, A2", "title": "Back at school",
     "text": "Jo went back to class. Contact jo.bloggs@example.org or 07700 900123.",
     "consent": "yes", "anonymised": "yes"},
    {"case_id": "C2", "outcome_ids": "A2", "title": "Not agreed", "text": "He " + SECRET + ".",
     "consent": "no", "anonymised": "yes"},
    {"case_id": "C3", "outcome_ids": "A3; A1", "title": "Names left in", "text": "Sam " + SECRET + ".",
     "consent": "yes", "anonymised": "no"},
    {"case_id": "C4", "outcome_ids": "A3", "title": "Volunteering", "text": "Lives near DH1 3LE.",
     "consent": "Yes ", "anonymised": "YES"},
    {"case_id": "C5", "outcome_ids": "A9", "title": "Off the map", "text": "An outcome not in the map.",
     "consent": "yes", "anonymised": "yes"},
])

IMPACT_MAP = pd.DataFrame({"outcome_id": ["A1", "A2", "A3", "A4"],
                           "outcome": ["Attends school", "Feels safer", "Volunteers", "Into work"]})


@pytest.fixture(scope="module")
def example(processed_example) -> dict[str, pd.DataFrame]:
    return processed_example


class TestRedact:
    def test_email_and_mobile(self):
        text = redact("Contact jo.bloggs@example.org or 07700 900123 today.")
        assert text == f"Contact {EMAIL_REMOVED} or {PHONE_REMOVED} today."

    @pytest.mark.parametrize("phone", [
        "07700 900123", "07700900123", "07700-900-123", "0191 123 4567", "(0191) 123 4567", "0191-123-4567",
        "01913861234", "+44 7700 900123", "+447700900123", "+44 (0)191 123 4567", "+44 (0) 7700 900123",
        "0044 191 123 4567", "020 7946 0123", "0800 123 456",
    ])
    def test_uk_phone_forms(self, phone):
        assert redact(f"Ring {phone}, please.") == f"Ring {PHONE_REMOVED}, please."

    @pytest.mark.parametrize("text", [
        "Born 01/04/2010.", "Scored 12 of 20.", "Reference 0123456789012345.", "In 2024 we met 150 people.",
        "Grant number 1234567890.",
    ])
    def test_other_numbers_left_alone(self, text):
        assert redact(text) == text

    @pytest.mark.parametrize("postcode", ["DH1 3LE", "SR7 0AA", "dh1 3le", "DH13LE", "NE10 8AB", "SW1A 1AA",
                                          "M1 1AE", "sr70aa"])
    def test_postcodes(self, postcode):
        assert redact(f"Lives at {postcode} now.") == f"Lives at {POSTCODE_REMOVED} now."

    def test_names_whole_word_any_case(self):
        text = redact("Sam met SAMANTHA and sam's mum; Samuel came too. Jo-Anne said hi to jo.",
                      names=["Sam", "Jo-Anne", "Jo"])
        assert text == (f"{NAME_REMOVED} met SAMANTHA and {NAME_REMOVED}'s mum; Samuel came too. "
                        f"{NAME_REMOVED} said hi to {NAME_REMOVED}.")

    def test_longer_names_first(self):
        assert redact("Mary Ann and Mary", names=["Mary", "Mary Ann"]) == f"{NAME_REMOVED} and {NAME_REMOVED}"

    def test_names_never_damage_placeholders(self):
        assert redact("mail a@b.org", names=["email", "removed"]) == f"mail {EMAIL_REMOVED}"

    def test_non_text_unchanged(self):
        assert redact(None) is None

    def test_redact_frame_title_and_text_and_input_untouched(self):
        before = CASES.copy()
        out = redact_frame(CASES, names=["Jo"])
        pd.testing.assert_frame_equal(CASES, before)
        assert "jo.bloggs@example.org" not in out.loc[0, "text"] and "07700" not in out.loc[0, "text"]
        assert out.loc[0, "text"].startswith(NAME_REMOVED)
        assert POSTCODE_REMOVED in out.loc[3, "text"]


class TestShareable:
    def test_only_consented_and_anonymised(self):
        assert list(shareable(CASES)["case_id"]) == ["C1", "C4", "C5"]

    def test_blank_or_other_answers_kept_back(self):
        odd = CASES.assign(consent=["yes", "", None, "y", "yes"], anonymised="yes")
        assert list(shareable(odd)["case_id"]) == ["C1", "C5"]

    def test_quotes_for_sharing(self):
        quotes = quotes_for_sharing(CASES, names=["Jo"])
        assert list(quotes.columns) == ["case_id", "outcome_id", "title", "text"]
        assert list(zip(quotes["case_id"], quotes["outcome_id"])) == [
            ("C1", "A1"), ("C1", "A2"), ("C4", "A3"), ("C5", "A9")]
        joined = " ".join(quotes["text"])
        assert SECRET not in joined
        assert "example.org" not in joined and "900123" not in joined and "3LE" not in joined
        assert "Jo " not in joined


class TestEvidencePerOutcome:
    def test_counts(self):
        table = evidence_per_outcome(CASES, IMPACT_MAP).set_index("outcome_id")
        # A1: C1 (shareable), C3 (not anonymised); A2: C1, C2 (no consent); A3: C3, C4 (shareable); A4: none
        assert table["case_studies"].to_dict() == {"A1": 2, "A2": 2, "A3": 2, "A4": 0, "A9": 1}
        assert table["shareable_case_studies"].to_dict() == {"A1": 1, "A2": 1, "A3": 1, "A4": 0, "A9": 1}
        assert table["in_impact_map"].to_dict() == {"A1": True, "A2": True, "A3": True, "A4": True, "A9": False}
        assert table.loc["A4", "outcome"] == "Into work"

    def test_outcomes_without_evidence(self):
        assert outcomes_without_evidence(CASES, IMPACT_MAP) == ["A4"]
        only_shareable = CASES[CASES["case_id"] != "C4"]
        assert outcomes_without_evidence(only_shareable, IMPACT_MAP, shareable_only=True) == ["A3", "A4"]

    def test_case_naming_an_outcome_twice_counted_once(self):
        twice = CASES.assign(outcome_ids=["A1, A1"] * len(CASES))
        assert evidence_per_outcome(twice, IMPACT_MAP).set_index("outcome_id").loc["A1", "case_studies"] == 5

    def test_several_partners_need_a_partner_id(self):
        cases = pd.concat([CASES.assign(partner_id="p"), CASES.iloc[:1].assign(partner_id="q")])
        impact = pd.concat([IMPACT_MAP.assign(partner_id="p"), IMPACT_MAP.assign(partner_id="q")])
        with pytest.raises(ValueError, match="partner_id"):
            outcomes_without_evidence(cases, impact)
        assert outcomes_without_evidence(cases, impact, partner_id="q") == ["A3", "A4"]
        table = evidence_per_outcome(cases, impact)
        assert table.set_index(["partner_id", "outcome_id"]).loc[("q", "A3"), "case_studies"] == 0


class TestExampleCollection:
    def test_non_consented_phrase_never_shared(self, example):
        cases = example["CaseStudies"]
        assert cases["text"].str.contains(NON_CONSENTED_PHRASE, regex=False).any()  # the phrase is there to leak
        for partner_id, partner_cases in cases.groupby("partner_id"):
            quotes = quotes_for_sharing(partner_cases)
            text = " ".join(quotes["title"].tolist() + quotes["text"].tolist())
            assert NON_CONSENTED_PHRASE not in text, partner_id
        assert not quotes_for_sharing(cases)["text"].str.contains(NON_CONSENTED_PHRASE, regex=False).any()

    def test_testimony_contact_details_redacted(self, example):
        cases = example["CaseStudies"]
        planted = cases["text"].str.contains(TESTIMONY_EMAIL, regex=False)
        assert planted.sum() == 1 and cases.loc[planted, "text"].str.contains(TESTIMONY_PHONE, regex=False).all()
        redacted = redact_frame(cases)
        for value in (TESTIMONY_EMAIL, TESTIMONY_PHONE):
            assert not redacted["text"].str.contains(value, regex=False).any()
        assert redacted.loc[planted, "text"].str.contains(EMAIL_REMOVED, regex=False).all()
        assert redacted.loc[planted, "text"].str.contains(PHONE_REMOVED, regex=False).all()
        shared = " ".join(quotes_for_sharing(cases)["text"])
        assert TESTIMONY_EMAIL not in shared and TESTIMONY_PHONE not in shared

    def test_every_shared_quote_names_an_outcome_of_its_partner(self, example):
        quotes = quotes_for_sharing(example["CaseStudies"])
        known = set(zip(example["ImpactMap"]["partner_id"], example["ImpactMap"]["outcome_id"]))
        assert set(zip(quotes["partner_id"], quotes["outcome_id"])) <= known

    def test_evidence_per_outcome_per_partner(self, example):
        table = evidence_per_outcome(example["CaseStudies"], example["ImpactMap"])
        assert table["in_impact_map"].all()
        assert len(table) == len(example["ImpactMap"])
        for partner_id in example["ImpactMap"]["partner_id"].unique():
            missing = outcomes_without_evidence(example["CaseStudies"], example["ImpactMap"], partner_id=partner_id)
            rows = table[(table["partner_id"] == partner_id) & (table["case_studies"] == 0)]
            assert missing == rows["outcome_id"].tolist()



@pytest.mark.parametrize("text, shown", [
    ("zoë@example.org", "[email removed]"),
    ("write to zoë.smith@example.org", "write to [email removed]"),
    ("jo\u00ad@example.org", "[email removed]"),  # a soft hyphen inside, as a word processor may leave
    ("jo＠example.org", "[email removed]"),  # a full-width @
    ("ring 0770\u200b0 900123", "ring [phone removed]"),  # a zero-width space inside the number
    ("call ０７７００ ９００１２３", "call [phone removed]"),  # full-width digits
    ("GIR 0AA", "[postcode removed]"),
    ("DH1\u00ad 3LE", "[postcode removed]"),
])
def test_contact_details_hidden_by_invisible_or_unusual_characters_are_still_removed(text, shown):
    from svlib.analysis.evidence import redact

    assert redact(text) == shown


def test_text_around_them_is_shown_as_written():
    from svlib.analysis.evidence import redact

    assert redact("flag 🏴 and 👩\u200d👧, CO₂ saved") == "flag 🏴 and 👩\u200d👧, CO₂ saved"
    assert redact("Right\u202eevil") == "Rightevil"  # an override never reaches a page


# --- people's names, collection by collection ---------------------------------------------

def _collection(case_text: str = "Harold came every Thursday.", names=(), consent: str = "yes") -> dict:
    """Two partners' processed tables, as load_processed gives them (not yet redacted)."""
    return {
        "Partner": pd.DataFrame({"partner_id": ["pantry", "hub"], "name": ["Stanley Pantry", "Hub"],
                                 "area": ["Stanley", "Peterlee"]}),
        "ImpactMap": pd.DataFrame({"partner_id": ["pantry", "hub", "hub"], "outcome_id": ["P1", "H1", "H2"],
                                   "stakeholder": ["Older people in Stanley", "Harold's friends", "Mary SMITH"],
                                   "outcome": ["Less lonely", "Grace Court residents less lonely", "Into work"],
                                   "evidence": ["Register", "Letters from Mrs Oyelaran", ""]}),
        "CaseStudies": pd.DataFrame({"partner_id": ["pantry", "pantry"], "case_id": ["C1", "C2"],
                                     "outcome_ids": ["P1", "P1"], "title": ["Lunches", "Private"],
                                     "text": [case_text, "Kayleigh told us everything."],
                                     "consent": [consent, "no"], "anonymised": ["yes", "yes"]}),
        "Names": pd.DataFrame(list(names), columns=["partner_id", "name", "remove"]),
    }


def test_a_listed_name_and_each_of_its_words_are_removed_from_every_partner_text_in_any_capitals():
    tables = _collection(names=[("hub", "Mrs Mary Smith", "yes")])
    rules = name_rules(tables)
    assert set(rules["pantry"].listed) == {"Mrs Mary Smith", "Mary", "Smith"}  # the title is no name
    shared = redact_tables(tables)
    assert shared["ImpactMap"]["stakeholder"].tolist()[2] == "[name removed] [name removed]"  # "Mary SMITH"
    assert "Names" not in shared  # the list of what must not be shown is never shown


def test_a_name_found_in_a_shared_testimony_is_removed_wherever_any_partner_wrote_it():
    tables = _collection("Harold Wilkinson came every Thursday. Later WILKINSON said the soup helped.")
    shared = redact_tables(tables)
    # the whole name, then its surname alone and in capitals
    assert shared["CaseStudies"]["text"].tolist()[0] == (
        "[name removed] came every Thursday. Later [name removed] said the soup helped.")
    # a name with a known surname is removed from labels too, wherever any partner wrote it
    tables["ImpactMap"].loc[2, "stakeholder"] = "Friends of Harold Wilkinson"
    assert redact_tables(tables)["ImpactMap"]["stakeholder"].tolist()[2] == "Friends of [name removed]"
    # the hub's evidence is free text too: the name after a title is found and removed, the title kept
    assert shared["ImpactMap"]["evidence"].tolist()[1] == "Letters from Mrs [name removed]"


def test_a_first_name_alone_is_removed_from_free_text_but_a_label_keeps_its_words():
    # "Job Centre" in a testimony is taken for a name there; the hub's label "Job seekers" keeps "Job"
    tables = _collection("Harold came via the Job Centre.")
    tables["ImpactMap"].loc[1, "stakeholder"] = "Job seekers"
    shared = redact_tables(tables)
    assert shared["CaseStudies"]["text"].tolist()[0] == "[name removed] came via the [name removed]."
    assert shared["ImpactMap"]["stakeholder"].tolist()[1] == "Job seekers"


def test_a_listed_first_name_does_not_hide_the_rest_of_a_full_name():
    tables = _collection("Dave Kowalczyk and Siobhan O’Neill came.",
                         names=[("pantry", "Dave", "yes"), ("pantry", "Siobhan O'Neill", "yes")])
    assert redact_tables(tables)["CaseStudies"]["text"].tolist()[0] == "[name removed] and [name removed] came."


def test_a_listed_nickname_with_ordinary_words_is_removed_whole_and_its_ordinary_words_stay():
    tables = _collection("The Gaffer said \"Bazza\" was the best.",
                         names=[("pantry", "The Gaffer", "yes"), ("pantry", 'Kev "Bazza" Pickering', "yes"),
                                ("pantry", "Bazza", "yes")])
    rules = name_rules(tables)["pantry"]
    assert "The" not in rules.listed and "Pickering" in rules.listed
    assert redact_tables(tables)["CaseStudies"]["text"].tolist()[0] == (
        '[name removed] said "[name removed]" was the best.')


def test_a_testimony_without_consent_is_not_read_for_names_and_never_shared():
    rules = name_rules(_collection(consent="no"))
    assert rules["pantry"].found == ("Oyelaran",)  # from the hub's evidence alone; not Harold, not Kayleigh
    assert "Harold" not in rules["pantry"].found_alone and "Kayleigh" not in rules["pantry"].found_alone


def test_a_partner_keeps_its_own_name_area_and_kept_phrases_and_only_its_own():
    tables = _collection("Stanley and Grace came to Grace Court.", names=[("hub", "Grace Court", "no")])
    rules = name_rules(tables)
    assert "Grace" in rules["pantry"].found_alone and "Stanley" not in rules["pantry"].found_alone  # its own area
    shared = redact_tables(tables)
    assert shared["CaseStudies"]["text"].tolist()[0] == "Stanley and [name removed] came to [name removed]."
    assert shared["ImpactMap"]["outcome"].tolist()[1] == "Grace Court residents less lonely"  # the hub keeps it
    assert shared["ImpactMap"]["stakeholder"].tolist()[0] == "Older people in Stanley"


def test_a_phrase_listed_to_remove_and_to_keep_is_removed():
    tables = _collection("Sparky drove.", names=[("pantry", "Sparky", "yes"), ("hub", "sparky", "no")])
    assert redact_tables(tables)["CaseStudies"]["text"].tolist()[0] == "[name removed] drove."


def test_the_check_looks_for_names_as_names_are_written_outside_every_kept_phrase():
    rules = collection_name_rules(name_rules(_collection(names=[("hub", "Will", "yes"), ("hub", "Grace Court", "no")])),
                                  ordinary={"Carlo"})
    assert rules.names_in("Will and WILL came; Harold too.") == ["Will", "WILL", "Harold"]
    assert rules.names_in("The ratio will rise at Grace Court.") == []  # svlib's own 'will' is no name
    assert collection_name_rules(name_rules(_collection("Carlo came."))).names_in("Monte Carlo") == ["Carlo"]
    assert collection_name_rules(name_rules(_collection("Carlo came.")), ordinary={"Carlo"}).names_in(
        "Monte Carlo draws") == []  # one of svlib's own words: removed from partner text, not looked for


def test_redaction_without_names_leaves_the_text_as_it_was():
    assert NameRules().remove("Harold came.") == "Harold came." == redact("Harold came.", rules=NameRules())


def test_a_code_is_not_a_name_and_a_donor_named_in_full_in_a_label_is():
    tables = _collection("Harold and Job came.")
    tables["Inputs"] = pd.DataFrame({"partner_id": ["hub", "hub"], "input_id": ["IN1", "IN2"],
                                     "source": ["Volunteer driver Brian Smith", "Grant"],
                                     "description": ["Mileage", "700 hours at £11.44 (JOB-04)"]})
    shared = redact_tables(tables)
    assert shared["Inputs"]["source"].tolist() == ["Volunteer driver [name removed]", "Grant"]
    assert shared["Inputs"]["description"].tolist()[1] == "700 hours at £11.44 (JOB-04)"  # a proxy id stays
