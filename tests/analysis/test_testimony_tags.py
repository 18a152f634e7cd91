"""svlib.analysis.testimony_tags: suggestions beside the partners' own tags, flagged where they
disagree, never read from unconsented text, never counted as evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from svlib.analysis import tagging
from svlib.analysis.evidence import counted_outcome_ids, outcomes_without_evidence, quotes_for_sharing
from svlib.analysis.testimony_tags import TAG_COLUMNS, in_theme, suggested_tags, unsupported_outcomes
from svlib.analysis.themes import load_indicators
from svlib.tools.example_partners import NON_CONSENTED_PHRASE

IMPACT_MAP = pd.DataFrame({
    "partner_id": ["p", "p", "p"],
    "outcome_id": ["JOB1", "SOC1", "ENV1"],
    "stakeholder": ["job seekers", "older people", "the county"],
    "outcome": ["Moved into paid work", "Felt less lonely", "Waste kept out of landfill"],
    "theme": ["Jobs", "Social", "Environment"],
    "indicator": ["", "", ""],
})


def cases(**columns) -> pd.DataFrame:
    base = {"partner_id": ["p"], "case_id": ["CS1"], "outcome_ids": ["JOB1"], "title": ["t"],
            "text": ["After two years out of work I got a full-time job at the bakery through the job club."],
            "consent": ["yes"], "anonymised": ["yes"]}
    return pd.DataFrame({**base, **columns})


class TestSuggestionsBesideOwnTags:
    def test_agreeing_case_is_not_flagged(self):
        out = suggested_tags({"CaseStudies": cases(), "ImpactMap": IMPACT_MAP}).tags
        assert list(out.columns) == TAG_COLUMNS
        row = out.iloc[0]
        assert (row["top_outcome"], row["suggested_theme"]) == ("JOB1", "Jobs")
        assert not row["disagrees"] and not row["to_review"]
        assert row["suggested_outcomes"].startswith("JOB1 (0.")

    def test_a_case_claiming_the_wrong_outcome_is_flagged_for_review(self):
        out = suggested_tags({"CaseStudies": cases(outcome_ids=["SOC1"]), "ImpactMap": IMPACT_MAP}).tags.iloc[0]
        assert out["disagrees"] and out["to_review"]
        assert "JOB1" in out["reason"] and "Jobs" in out["reason"]

    def test_accepted_ids_mark_it_reviewed(self):
        out = suggested_tags({"CaseStudies": cases(outcome_ids=["SOC1"], accepted_outcome_ids=["JOB1"]),
                              "ImpactMap": IMPACT_MAP}).tags.iloc[0]
        assert out["disagrees"] and not out["to_review"]
        assert out["accepted_outcome_ids"] == "JOB1"

    def test_scores_rounded_to_two_places(self):
        out = suggested_tags({"CaseStudies": cases(), "ImpactMap": IMPACT_MAP}).tags.iloc[0]
        assert out["top_outcome_score"] == round(out["top_outcome_score"], 2)

    def test_outside_the_toms_follows_the_crosswalk(self, example_tables):
        result = suggested_tags(example_tables)
        in_toms = load_indicators().set_index("indicator_id")["in_toms"]
        assert len(result.outside_toms)
        assert (in_toms[result.outside_toms["indicator_id"]] != "yes").all()
        suggested = {i.split(" ")[0] for text in result.tags["suggested_indicators"] for i in text.split("; ")}
        assert set(result.outside_toms["indicator_id"]) == {i for i in suggested if in_toms[i] != "yes"}

    def test_model_missing_still_lists_unsupported_outcomes(self, monkeypatch):
        def missing():
            raise tagging.ModelUnavailable("not installed")
        monkeypatch.setattr("svlib.analysis.testimony_tags.load_model", missing)
        result = suggested_tags({"CaseStudies": cases(), "ImpactMap": IMPACT_MAP})
        assert result.unavailable == "not installed" and result.tags.empty
        assert list(result.unsupported["outcome_id"]) == ["SOC1", "ENV1"]


class TestNeverUnconsentedText:
    @pytest.mark.parametrize("consent, anonymised", [("no", "yes"), ("yes", "no"), ("", "yes")])
    def test_not_shareable_is_neither_read_nor_listed(self, monkeypatch, consent, anonymised):
        read: list[str] = []
        embed = tagging.Model.embed
        monkeypatch.setattr(tagging.Model, "embed", lambda self, texts: read.extend(texts) or embed(self, texts))
        planted = cases(case_id=["CS9"], text=[f"I {NON_CONSENTED_PHRASE} after my first job."], consent=[consent],
                        anonymised=[anonymised])
        result = suggested_tags({"CaseStudies": pd.concat([cases(), planted]), "ImpactMap": IMPACT_MAP})
        assert read and NON_CONSENTED_PHRASE not in " ".join(read)
        assert list(result.tags["case_id"]) == ["CS1"]

    def test_example_collection(self, example_tables, monkeypatch):
        read: list[str] = []
        embed = tagging.Model.embed
        monkeypatch.setattr(tagging.Model, "embed", lambda self, texts: read.extend(texts) or embed(self, texts))
        result = suggested_tags(example_tables)
        assert len(result.tags) and NON_CONSENTED_PHRASE not in " ".join(read)
        assert NON_CONSENTED_PHRASE not in result.tags.to_csv() + result.outside_toms.to_csv()


class TestAcceptedTagsAreWhatCounts:
    def test_accepted_ids_replace_the_partners_own(self):
        frame = cases(outcome_ids=["SOC1, ENV1"], accepted_outcome_ids=["JOB1"])
        assert counted_outcome_ids(frame) == [["JOB1"]]
        assert list(unsupported_outcomes({"CaseStudies": frame, "ImpactMap": IMPACT_MAP})["outcome_id"]) == [
            "SOC1", "ENV1"]
        assert outcomes_without_evidence(frame, IMPACT_MAP, "p") == ["SOC1", "ENV1"]
        assert list(quotes_for_sharing(frame)["outcome_id"]) == ["JOB1"]  # quoted beside the accepted outcome

    def test_blank_accepted_ids_leave_the_partners_own(self):
        frame = cases(outcome_ids=["SOC1"], accepted_outcome_ids=[""])
        assert counted_outcome_ids(frame) == [["SOC1"]]

    def test_suggestions_alone_never_count(self):
        frame = cases(outcome_ids=[""])  # the text plainly says JOB1, but no one wrote it down
        result = suggested_tags({"CaseStudies": frame, "ImpactMap": IMPACT_MAP})
        assert result.tags.iloc[0]["top_outcome"] == "JOB1"
        assert list(result.unsupported["outcome_id"]) == ["JOB1", "SOC1", "ENV1"]
        assert outcomes_without_evidence(frame, IMPACT_MAP, "p") == ["JOB1", "SOC1", "ENV1"]

    def test_unconsented_case_supports_nothing(self):
        frame = cases(consent=["no"])
        assert list(unsupported_outcomes({"CaseStudies": frame, "ImpactMap": IMPACT_MAP})["outcome_id"]) == [
            "JOB1", "SOC1", "ENV1"]


class TestOneTheme:
    def test_theme_keeps_its_testimonies_and_gaps(self):
        frame = pd.concat([cases(), cases(case_id=["CS2"], outcome_ids=["SOC1"],
                                          text=["I was lonely until I joined the lunch club and made friends."])])
        tables = {"CaseStudies": frame, "ImpactMap": IMPACT_MAP}
        whole = suggested_tags(tables)
        jobs = in_theme(whole, tables, "jobs")
        assert list(jobs.tags["case_id"]) == ["CS1"]
        assert list(jobs.unsupported["outcome_id"]) == []
        assert list(in_theme(whole, tables, "Environment").unsupported["outcome_id"]) == ["ENV1"]
