"""The rubric's shape and the one formula from point results to a score (quality/rubric.py)."""

from __future__ import annotations

import pytest

from quality.rubric import GATES, PASS_MARK, POINTS, RUBRIC, score_derive

ALL_PASS = dict.fromkeys(POINTS, True)


def test_the_rubric_has_exactly_50_points_in_ten_categories_with_weights_summing_to_100() -> None:
    assert sum(len(category.points) for category in RUBRIC) == 50
    assert len(POINTS) == 50  # ids are unique
    assert len(RUBRIC) == 10
    assert sum(category.weight for category in RUBRIC) == 100
    assert all(category.points for category in RUBRIC)


def test_the_gates_are_the_college_register_the_insurance_and_no_restriction() -> None:
    assert set(GATES) == {"credentials-register", "credentials-insurance", "credentials-restriction"}
    assert all(not POINTS[gate].computed for gate in GATES)  # an inspector decides every gate


def test_every_point_says_what_it_checks_and_how_in_both_languages() -> None:
    from django.utils import translation

    for point in POINTS.values():
        assert str(point.label).strip() and str(point.how).strip()
    assert any(point.computed for point in POINTS.values()) and any(not p.computed for p in POINTS.values())
    with translation.override("fr"):
        assert all(str(point.label) for point in POINTS.values())


def test_all_points_passed_is_100_and_admissible() -> None:
    score = score_derive(ALL_PASS)
    assert score.value == 100 and score.gates_passed and score.admissible


def test_nothing_passed_is_0() -> None:
    score = score_derive(dict.fromkeys(POINTS, False))
    assert score.value == 0 and not score.gates_passed and not score.admissible


def test_a_failed_point_costs_its_share_of_its_categorys_weight() -> None:
    # credentials weighs 15 over 5 points: one failed costs 3; cost weighs 9 over 5: one failed costs 1.8.
    assert score_derive(ALL_PASS | {"credentials-director": False}).value == 97
    assert score_derive(ALL_PASS | {"cost-receipts": False}).value == 98  # 98.2 rounds down
    assert score_derive(ALL_PASS | {"cost-receipts": False, "cost-direct-billing": False}).value == 96  # 96.4


def test_a_failed_gate_blocks_admission_whatever_the_score() -> None:
    score = score_derive(ALL_PASS | {"credentials-insurance": False})
    assert score.value == 97 and not score.gates_passed and not score.admissible


def test_an_unassessed_gate_has_not_passed() -> None:
    results = dict(ALL_PASS)
    del results["credentials-register"]
    score = score_derive(results)
    assert not score.gates_passed and score.value == 100  # four of four assessed credentials points passed


def test_a_category_with_no_data_gives_its_weight_back_and_the_rest_scale_to_100() -> None:
    # No reviews yet: the two review categories (12 + 8) are unassessed; a failed cost point then weighs
    # 9/5 of 80 remaining, i.e. 1.8 / 0.8 = 2.25 points of 100.
    no_reviews = {p: None for p in POINTS if p.startswith(("ratings-", "reviews-")) and POINTS[p].computed}
    results = ALL_PASS | no_reviews | {"reviews-no-incentives": None, "cost-receipts": False}
    score = score_derive(results)
    assert score.value == 98  # 100 - 2.25 = 97.75
    by_key = {c.category.key: c for c in score.categories}
    assert by_key["reviews"].assessed == 0 and by_key["reviews"].share is None
    assert by_key["cost"].share == pytest.approx(0.8)


def test_the_pass_mark_is_the_line_between_admissible_and_not() -> None:
    assert PASS_MARK == 70

    # Whole categories failed: reviews, ratings and outcomes cost 12 + 8 + 10 = 30; reputation 6 more.
    def failing(*keys: str) -> dict[str, bool]:
        failed = {p.id: False for c in RUBRIC if c.key in keys for p in c.points if not p.gate}
        return ALL_PASS | failed

    assert score_derive(failing("reviews", "ratings", "outcomes")).value == 70
    assert score_derive(failing("reviews", "ratings", "outcomes")).admissible
    assert score_derive(failing("reviews", "ratings", "outcomes", "reputation")).value == 64
    assert not score_derive(failing("reviews", "ratings", "outcomes", "reputation")).admissible


def test_nothing_assessed_scores_0() -> None:
    assert score_derive({}).value == 0


def test_an_unknown_point_is_refused_not_dropped() -> None:
    with pytest.raises(ValueError, match="no-such-point"):
        score_derive(ALL_PASS | {"no-such-point": True})


def test_every_point_has_its_own_advice_that_is_neither_its_label_nor_its_how() -> None:
    fixes = [str(point.fix).strip() for point in POINTS.values()]
    assert len(fixes) == 50 and all(fixes)
    assert len(set(fixes)) == 50  # no two points share their advice
    for point in POINTS.values():
        fix = str(point.fix).strip()
        assert fix not in (str(point.label).strip(), str(point.how).strip()), point.id
        assert "best" not in fix.lower(), point.id  # no claim of superiority
        assert fix.count(". ") <= 2, point.id  # about two sentences
