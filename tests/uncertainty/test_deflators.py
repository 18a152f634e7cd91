"""svlib.uncertainty.deflators: the question bank, reading answers, survey summaries, the distribution
of a survey mean, priors and benchmarks, each checked against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from svlib import paths
from svlib.contract.cells import CellError
from svlib.contract.questions import answer_to_fraction, load_questions
from svlib.uncertainty.deflators import (
    EVIDENCE_SMALL_SURVEY,
    EVIDENCE_SURVEY,
    WARNING_FEW,
    Prior,
    benchmark_prior,
    load_benchmarks,
    mean_distribution,
    printable_survey,
    summarise_survey,
    survey_distributions,
)
from svlib.validate.impact_map import load_impact_map


def survey(rows: list[tuple[str, str, str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["respondent_ref", "outcome_id", "factor", "answer"])


class TestQuestionBank:
    def test_one_anchored_question_per_factor(self):
        q = load_questions()
        assert list(q.columns) == ["factor", "question", "answer_1", "answer_2", "answer_3", "answer_4", "answer_5"]
        assert list(q["factor"]) == ["deadweight", "displacement", "attribution", "drop_off"]
        dw = q.set_index("factor").loc["deadweight"]
        assert dw["question"] == "Without our service, how many of these people would have achieved this anyway?"
        assert [dw[f"answer_{k}"] for k in range(1, 6)] == [
            "None of them (0%)", "A few (about 25%)", "About half (50%)", "Most (about 75%)", "All of them (100%)"]

    def test_every_anchored_answer_maps_to_its_position(self):
        for row in load_questions().to_dict(orient="records"):
            for k, expected in zip(range(1, 6), (0.0, 0.25, 0.5, 0.75, 1.0)):
                assert answer_to_fraction(row[f"answer_{k}"]) == expected


class TestAnswers:
    @pytest.mark.parametrize("text, expected", [
        ("None of them (0%)", 0.0), ("a few (ABOUT 25%)", 0.25), ("  About   half (50%) ", 0.5),
        ("most", 0.75), ("All of it is gone after a year (100%)", 1.0),
        ("30%", 0.3), ("0.3", 0.3), (0.3, 0.3), (1, 1.0),
    ])
    def test_accepted(self, text, expected):
        assert answer_to_fraction(text) == pytest.approx(expected)

    @pytest.mark.parametrize("text", ["maybe", "30", 45, "", None, "120%", "a lot"])
    def test_refused_with_a_cell_error(self, text):
        with pytest.raises(CellError):
            answer_to_fraction(text)

    def test_message_shows_the_expected_answers(self):
        with pytest.raises(CellError, match="None of them"):
            answer_to_fraction("dunno")


class TestPrintableSurvey:
    def test_covers_every_outcome_and_question(self):
        example = load_impact_map(paths.EXAMPLE_IMPACT_MAP, price_year=2024)
        text = printable_survey(example)
        for oid in example["outcome_id"]:
            assert f"## {oid}: " in text
        assert text.count("- [ ] ") == len(example) * 4 * 5
        assert text.count("Without our service, how many of these people would have achieved this anyway?") == len(example)
        assert "DeflatorSurvey" in text


class TestSummary:
    def tiny(self) -> pd.DataFrame:
        rows = [
            ("r1", "O1", "deadweight", "None of them (0%)"),
            ("r2", "O1", "deadweight", "A few (about 25%)"),
            ("r3", "O1", "deadweight", "about half"),
        ]
        rows += [(f"s{i}", "O1", "attribution", "25%" if i < 5 else "Most of it (about 75%)") for i in range(10)]
        rows += [(f"t{i}", "O2", "drop_off", 0.4) for i in range(6)]
        return survey(rows)

    def test_by_hand(self):
        s = summarise_survey(self.tiny()).set_index(["outcome_id", "factor"])
        dw = s.loc[("O1", "deadweight")]
        # answers 0, 0.25, 0.5: mean 0.25; sd = sqrt((0.0625 + 0 + 0.0625) / 2) = 0.25; se = 0.25 / sqrt(3)
        assert dw["n_answers"] == 3
        assert dw["mean"] == pytest.approx(0.25)
        assert dw["sd"] == pytest.approx(0.25)
        assert dw["se"] == pytest.approx(0.25 / math.sqrt(3))
        assert dw["evidence"] == EVIDENCE_SMALL_SURVEY == "small survey (fewer than 10)"
        assert dw["warning"] == WARNING_FEW == "fewer than 5 answers: treat as indicative"
        at = s.loc[("O1", "attribution")]
        # five 0.25 and five 0.75: mean 0.5; sd = sqrt(10 × 0.0625 / 9); se = sd / sqrt(10)
        assert at["n_answers"] == 10
        assert at["mean"] == pytest.approx(0.5)
        assert at["sd"] == pytest.approx(math.sqrt(10 * 0.0625 / 9))
        assert at["se"] == pytest.approx(math.sqrt(10 * 0.0625 / 9) / math.sqrt(10))
        assert at["evidence"] == EVIDENCE_SURVEY == "survey (10 or more answers)"
        assert at["warning"] == ""
        do = s.loc[("O2", "drop_off")]
        assert (do["n_answers"], do["mean"], do["sd"], do["se"]) == (6, pytest.approx(0.4), 0.0, 0.0)
        assert do["evidence"] == EVIDENCE_SMALL_SURVEY and do["warning"] == ""

    def test_single_answer_has_no_sd(self):
        s = summarise_survey(survey([("r1", "O1", "deadweight", "50%")]))
        assert s.loc[0, "n_answers"] == 1 and np.isnan(s.loc[0, "sd"]) and np.isnan(s.loc[0, "se"])

    def test_bad_answer_names_its_row(self):
        with pytest.raises(CellError, match="survey row 2 \\(O1, deadweight\\)"):
            summarise_survey(survey([("r1", "O1", "deadweight", "50%"), ("r2", "O1", "deadweight", "lots")]))

    def test_unknown_factor(self):
        with pytest.raises(CellError, match="unknown factor"):
            summarise_survey(survey([("r1", "O1", "dead weight", "50%")]))


class TestDistributionOfTheMean:
    def test_moment_matched_beta(self):
        se = math.sqrt(10 * 0.0625 / 9) / math.sqrt(10)  # 0.0833...
        d = mean_distribution(0.5, se, 10)
        # nu = 0.25 / se² − 1 = 0.25 / (0.0625/9) − 1 = 35; alpha = beta = 17.5
        assert d.kind == "beta"
        assert d.shape_parameters() == pytest.approx((17.5, 17.5))
        assert d.mean() == pytest.approx(0.5) and math.sqrt(d.variance()) == pytest.approx(se)

    def test_single_answer_uses_the_widest_proper_beta(self):
        d = mean_distribution(0.25, np.nan, 1)
        # nu = 1: alpha = 0.25, beta = 0.75, variance = 0.25 × 0.75 / 2
        assert d.shape_parameters() == pytest.approx((0.25, 0.75))
        assert d.variance() == pytest.approx(0.1875 / 2)

    def test_identical_answers_use_a_bernoulli_like_spread(self):
        d = mean_distribution(0.5, 0.0, 6)
        # se² = m(1 − m)/n = 0.25/6, i.e. nu = n − 1 = 5
        assert d.variance() == pytest.approx(0.25 / 6)
        assert d.shape_parameters() == pytest.approx((2.5, 2.5))

    def test_all_answers_zero_is_moved_half_an_answer_inwards(self):
        d = mean_distribution(0.0, 0.0, 4)
        # mean 0.5/(4 + 1) = 0.1; nu = 3: alpha = 0.3, beta = 2.7
        assert d.mean() == pytest.approx(0.1)
        assert d.shape_parameters() == pytest.approx((0.3, 2.7))

    def test_blend_with_a_prior(self):
        se = 1 / 12
        d = mean_distribution(0.5, se, 10, Prior(0.25, 0.4, "benchmark"))
        # blended mean = 0.4 × 0.25 + 0.6 × 0.5 = 0.4; sd = 0.6 × 1/12 = 0.05
        assert d.mean() == pytest.approx(0.4)
        assert math.sqrt(d.variance()) == pytest.approx(0.05)
        assert "weight 0.4" in d.evidence and "benchmark" in d.evidence

    def test_prior_with_full_weight_is_fixed(self):
        d = mean_distribution(0.5, 0.1, 10, Prior(0.3, 1.0, "judgement"))
        assert (d.kind, d.mode) == ("fixed", 0.3)

    @pytest.mark.parametrize("args", [(0.3, 1.2, "benchmark"), (1.3, 0.5, "judgement"), (0.3, 0.5, "guess")])
    def test_invalid_priors(self, args):
        with pytest.raises(ValueError):
            Prior(*args)

    def test_survey_distributions_report_the_weight(self):
        answers = survey([(f"r{i}", "O1", "deadweight", a) for i, a in enumerate(["25%", "75%"] * 5)])
        table = survey_distributions(answers, {("O1", "deadweight"): Prior(0.25, 0.4, "judgement")})
        row = table.iloc[0]
        assert (row["prior_value"], row["prior_weight"], row["prior_label"]) == (0.25, 0.4, "judgement")
        assert row["estimate_mean"] == pytest.approx(0.4)
        assert row["estimate_sd"] == pytest.approx(0.6 * math.sqrt(10 * 0.0625 / 9) / math.sqrt(10))
        assert row["distribution"].kind == "beta"


class TestBenchmarks:
    def test_recall_rows_are_unverified(self):
        table = load_benchmarks()
        recall = table["verified"] == "recall"
        assert recall.any()
        assert set(table.loc[recall, "status"]) == {"unverified"}
        assert set(table.loc[table["verified"] == "yes", "status"]) == {"verified"}

    def test_unverified_rows_are_never_used(self):
        with pytest.raises(ValueError, match="unverified"):
            benchmark_prior("displacement", "ready reckoner: Medium", 0.5)

    def test_verified_row_with_a_value_can_be_a_prior(self):
        prior = benchmark_prior("attribution", "example from one assured SROI (Citizens Advice service)", 0.2)
        assert (prior.value, prior.weight, prior.label) == (0.5, 0.2, "benchmark")
