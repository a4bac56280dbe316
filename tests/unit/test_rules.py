"""Scalar rules: seniority from the title (then the years), remote status from the workplace column."""
from __future__ import annotations

import pytest

from extraction.rules import apply_rules, title_seniority
from schemas.validation import parse_extraction
from schemas.vocab import RemoteStatus
from schemas.vocab import RoleSeniority as S


@pytest.mark.parametrize("title, level", [
    ("Estágio em Engenharia de Dados", S.INTERNSHIP), ("Werkstudent Data Analytics (m/w/d)", S.INTERNSHIP),
    ("Data Engineering Intern", S.INTERNSHIP), ("Jr. Backend Developer", S.JUNIOR),
    ("Analista de Dados Pleno", S.MID_LEVEL), ("Sênior Data Scientist", S.SENIOR),
    ("Senior Staff Engineer", S.STAFF), ("Principal ML Engineer", S.PRINCIPAL), ("Tech Lead, Payments", S.LEAD),
    ("Head of Data", S.MANAGER), ("VP of Engineering", S.DIRECTOR), ("Data Engineer", None), (None, None),
    ("Product Manager", None), ("Seniority-free Engineer", None),
])
def test_title_markers(title, level):
    assert title_seniority(title) == level


def test_the_title_beats_the_model_then_years_decide_and_managers_keep_the_models_answer():
    mid = parse_extraction({"job_summary": {"role_seniority": "Mid-Level"},
                            "required_qualifications": {"experience_years_min": 6}})
    assert apply_rules(mid, "Estágio em Dados", None)[0].job_summary.role_seniority is S.INTERNSHIP
    ruled, changed = apply_rules(mid, "Data Engineer", None)
    assert ruled.job_summary.role_seniority is S.SENIOR and changed == ["role_seniority"]
    assert apply_rules(mid, "Engineering Manager", None)[0].job_summary.role_seniority is S.MID_LEVEL
    unchanged, changed = apply_rules(parse_extraction({}), "Data Engineer", None)
    assert unchanged.job_summary.role_seniority is S.NOT_SPECIFIED and changed == []


def test_the_workplace_column_fills_only_an_unknown_remote_status():
    unknown = parse_extraction({})
    assert apply_rules(unknown, None, "Hybrid")[0].location_and_work_model.remote_status is RemoteStatus.HYBRID
    region = parse_extraction({"location_and_work_model": {"remote_status": "Remote (Region Specific)"}})
    assert apply_rules(region, None, "Remote")[1] == []
