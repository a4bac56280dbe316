"""The extraction models: the note's example, canonical forms, vocabularies, bounds."""
from __future__ import annotations

import copy

import pytest

from schemas.models import JobExtraction
from schemas.validation import ExtractionError, canonical_json, parse_extraction
from schemas.vocab import CompanyType, Methodology, RemoteStatus, RoleSeniority, SpecificationLevel


def test_note_example_validates_with_every_key(note_example):
    extraction = parse_extraction(note_example)
    dumped = extraction.model_dump(mode="json")

    def keys(node, prefix=""):
        out = set()
        for k, v in node.items():
            out.add(prefix + k)
            if isinstance(v, dict):
                out |= keys(v, prefix + k + ".")
        return out

    assert keys(dumped) == keys(note_example)
    assert list(dumped) == list(note_example)  # same order as the note


def test_note_placeholders_become_one_canonical_form(note_example):
    e = parse_extraction(note_example)
    req = e.required_qualifications
    assert (req.experience_years_min, req.experience_years_max) == (None, None)  # the note wrote 0
    assert req.education_requirements is None  # the note wrote "Not Specified"
    assert (e.role_context.team_structure, e.role_context.project_scope) == (None, None)
    assert e.benefits.paid_time_off_days is None
    # vocabulary fields keep their own "Not Specified" member
    assert e.location_and_work_model.specification_level is SpecificationLevel.NOT_SPECIFIED
    assert e.job_summary.role_seniority is RoleSeniority.MID_LEVEL
    assert e.location_and_work_model.remote_status is RemoteStatus.REMOTE_REGION


def test_round_trip_is_stable(note_example):
    first = parse_extraction(note_example)
    text = canonical_json(first)
    second = parse_extraction(text)
    assert second == first
    assert canonical_json(second) == text
    assert text.startswith('{"job_summary": {"role_title": "DevOps Engineer", ')


def test_null_and_missing_lists_become_empty():
    e = parse_extraction({"company_information": {"company_values_keywords": None}})
    assert e.company_information.company_values_keywords == []
    assert e.required_qualifications.technical_skills.programming_languages.general_purpose == []
    assert e.company_information.company_type is CompanyType.NOT_SPECIFIED
    assert e.job_summary.role_seniority is RoleSeniority.NOT_SPECIFIED  # missing becomes Not Specified


@pytest.mark.parametrize(
    "path, field",
    [
        (("job_summary", "role_seniority"), "role_seniority"),
        (("company_information", "company_type"), "company_type"),
        (("location_and_work_model", "remote_status"), "remote_status"),
        (("location_and_work_model", "specification_level"), "specification_level"),
    ],
)
def test_each_vocabulary_rejects_an_outside_value_naming_the_field(note_example, path, field):
    bad = copy.deepcopy(note_example)
    bad[path[0]][path[1]] = "Wizard"
    with pytest.raises(ExtractionError) as info:
        parse_extraction(bad)
    assert info.value.reason == "schema_violation"
    [message] = info.value.errors
    assert message.startswith(".".join(path) + ": 'Wizard' is not an allowed " + field)
    assert "use one of" in message


def test_methodologies_vocabulary(note_example):
    bad = copy.deepcopy(note_example)
    bad["required_qualifications"]["methodologies_practices"] = ["scrum", "Vibe Coding"]
    with pytest.raises(ExtractionError) as info:
        parse_extraction(bad)
    assert "required_qualifications.methodologies_practices" in info.value.errors[0]
    assert "'Vibe Coding' is not an allowed methodologies_practices" in info.value.errors[0]
    good = copy.deepcopy(note_example)
    good["required_qualifications"]["methodologies_practices"] = ["scrum", "Scrum", "kanban"]
    assert parse_extraction(good).required_qualifications.methodologies_practices == [Methodology.SCRUM,
                                                                                      Methodology.KANBAN]


def test_vocabulary_matching_ignores_case_and_spacing():
    e = parse_extraction({"job_summary": {"role_seniority": "mid-level"},
                          "location_and_work_model": {"remote_status": "fully  remote"}})
    assert e.job_summary.role_seniority is RoleSeniority.MID_LEVEL
    assert e.location_and_work_model.remote_status is RemoteStatus.FULLY_REMOTE


def test_unknown_keys_and_bad_types_are_named():
    with pytest.raises(ExtractionError) as info:
        parse_extraction({"job_summary": {"role_titel": "x"}, "benefits": {"paid_time_off_days": "lots"}})
    errors = "\n".join(info.value.errors)
    assert "job_summary.role_titel: unknown key" in errors
    assert "benefits.paid_time_off_days" in errors


def test_bounds_are_enforced():
    with pytest.raises(ExtractionError) as info:
        parse_extraction({"role_context": {"key_responsibilities": [f"task {i}" for i in range(9)]}})
    assert "role_context.key_responsibilities" in info.value.errors[0]
    with pytest.raises(ExtractionError):
        parse_extraction({"job_summary": {"role_title": "x" * 81}})
    with pytest.raises(ExtractionError):
        parse_extraction({"required_qualifications": {"experience_years_min": 51}})


def test_years_out_of_order_is_rejected_with_a_fix():
    with pytest.raises(ExtractionError) as info:
        parse_extraction({"required_qualifications": {"experience_years_min": 5, "experience_years_max": 3}})
    assert "swap them" in info.value.errors[0]


def test_not_json_and_not_object():
    with pytest.raises(ExtractionError) as info:
        parse_extraction('{"job_summary": ')
    assert info.value.reason == "invalid_json"
    with pytest.raises(ExtractionError) as info:
        parse_extraction("[1, 2]")
    assert info.value.reason == "not_an_object"


def test_defaults_build_an_empty_valid_object():
    assert parse_extraction(canonical_json(JobExtraction())) == JobExtraction()
