"""Evaluation metrics on hand-made prediction/gold pairs with known answers."""
from __future__ import annotations

import pytest

from schemas.validation import parse_extraction
from trainer.metrics import Example, score

TOOLS = "required_qualifications.technical_skills."


def extraction(**sections):
    return parse_extraction(sections)


def test_perfect_prediction_scores_one():
    gold = extraction(job_summary={"role_title": "Data Engineer", "role_seniority": "Senior"},
                      required_qualifications={"technical_skills": {"cloud_platforms": ["AWS"]}})
    result = score([Example(gold, gold, "AWS data engineer")])
    assert result["valid_json_rate"] == 1.0
    assert result["scalar_accuracy"]["job_summary.role_seniority"] == 1.0
    assert result["list_scores"][TOOLS + "cloud_platforms"]["f1"] == 1.0
    assert result["grounding_rate"] == 1.0
    assert result["mean_f1"] == 1.0


def test_known_precision_recall_f1_and_grounding():
    gold = extraction(required_qualifications={"technical_skills": {
        "devops_mlops_ci_cd_tools": ["Docker", "Kubernetes", "Terraform", "Git"]}})
    # 2 right (k8s canonicalises to Kubernetes), 1 wrong, 2 missed
    pred = extraction(required_qualifications={"technical_skills": {
        "devops_mlops_ci_cd_tools": ["docker", "k8s", "Jenkins"]}})
    result = score([Example(pred, gold, "We use Docker and Kubernetes.")])
    s = result["list_scores"][TOOLS + "devops_mlops_ci_cd_tools"]
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(2 / 4)
    assert s["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert result["grounding_rate"] == pytest.approx(2 / 3)  # Jenkins is not in the text
    assert result["mean_f1"] == pytest.approx(s["f1"])  # the only list field with any item


def test_invalid_output_counts_as_empty_and_scalars_compare_loosely():
    gold = extraction(job_summary={"role_title": "BI Developer", "role_seniority": "Junior"},
                      benefits={"other_benefits_keywords": ["Health Insurance"]})
    pred = extraction(job_summary={"role_title": "bi  developer", "role_seniority": "Senior"})
    result = score([Example(pred, gold, ""), Example(None, gold, "")])
    assert result["valid_json_rate"] == 0.5
    assert result["scalar_accuracy"]["job_summary.role_title"] == 0.5  # case/spacing-insensitive
    assert result["scalar_accuracy"]["job_summary.role_seniority"] == 0.0
    assert result["scalar_accuracy"]["benefits.paid_time_off_days"] == 1.0  # both null
    benefits = result["list_scores"]["benefits.other_benefits_keywords"]
    assert (benefits["recall"], benefits["precision"], benefits["f1"]) == (0.0, None, 0.0)
    assert result["grounding_rate"] is None
