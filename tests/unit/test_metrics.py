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


def test_skill_scores_pool_every_skill_list_and_core_scalars_average():
    gold = extraction(job_summary={"role_seniority": "Senior"},
                      required_qualifications={"technical_skills": {"cloud_platforms": ["AWS"],
                                                                    "database_technologies": ["PostgreSQL"]},
                                               "soft_skills_keywords": ["Communication"]},
                      preferred_qualifications={"skills_keywords": ["Apache Kafka"]})
    # AWS right; PostgreSQL in the wrong list; Communication missed; Kafka right; Redis invented
    pred = extraction(job_summary={"role_seniority": "Senior"},
                      required_qualifications={"technical_skills": {"cloud_platforms": ["AWS"],
                                                                    "other_tools": ["PostgreSQL", "Redis"]}},
                      preferred_qualifications={"skills_keywords": ["Kafka"]})
    result = score([Example(pred, gold, "")])
    assert result["skills"]["precision"] == pytest.approx(2 / 4) and result["skills"]["recall"] == pytest.approx(2 / 4)
    assert result["skills_any_list"]["precision"] == pytest.approx(3 / 4)
    assert result["skills_any_list"]["recall"] == pytest.approx(3 / 4)
    assert result["tool_lists"]["precision"] == pytest.approx(1 / 3)
    assert result["tool_lists"]["recall"] == pytest.approx(1 / 2)
    assert result["scalar_core_accuracy"] == 1.0  # seniority right, the rest both unknown
