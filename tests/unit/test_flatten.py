"""Flattening the note's example into table rows, and the table schemas."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from extraction.grounding import ground
from extraction.rows import RunInfo, flatten
from schemas.tables import TABLES, arrow_schema, bigquery_schema, column_names
from schemas.validation import parse_extraction

RUN = RunInfo(model_version="m@1", prompt_version="p1", prompt_style="full", run_id="r1",
              extracted_at=dt.datetime(2026, 11, 26, 5, 0, tzinfo=dt.timezone.utc))
SKILLS = "technical_skills."
EXPECTED_SKILLS = [
    (SKILLS + "programming_languages.general_purpose", "Python", "required", True),
    (SKILLS + "programming_languages.scripting_frontend", "Bash / Shell Scripting", "required", True),
    (SKILLS + "programming_languages.scripting_frontend", "PowerShell", "required", True),
    (SKILLS + "cloud_services_tools", "AKS", "required", True),
    (SKILLS + "cloud_services_tools", "Azure DevOps", "required", True),
    (SKILLS + "cloud_services_tools", "App Services", "required", True),
    (SKILLS + "cloud_services_tools", "Azure Monitor", "required", True),
    (SKILLS + "cloud_platforms", "Azure", "required", True),
    (SKILLS + "data_visualization_bi_tools", "Grafana", "required", True),
    (SKILLS + "devops_mlops_ci_cd_tools", "Git", "required", False),  # the teacher added Git; the text has none
    (SKILLS + "devops_mlops_ci_cd_tools", "GitHub Actions", "required", True),
    (SKILLS + "devops_mlops_ci_cd_tools", "Kubernetes", "required", True),
    (SKILLS + "devops_mlops_ci_cd_tools", "Docker", "required", True),
    (SKILLS + "other_tools", "Prometheus", "required", True),
    ("methodologies_practices", "DevOps Culture/Practices", "required", True),
    ("preferred_qualifications.skills_keywords", "SOC 2 Compliance", "preferred", True),
    ("preferred_qualifications.skills_keywords", "Security Best Practices", "preferred", True),
]


def test_note_example_flattens_to_the_expected_rows(note_example, note_listing):
    grounded = ground(parse_extraction(note_example), note_listing, keep_ungrounded=True, backfill=False)
    rows = flatten("vaibe-1", grounded, note_listing, RUN,
                   listing_columns={"job_title": "DevOps Engineer", "company_name": "Vaibe", "location": None},
                   ingestion_date="2026-11-20T08:00:00")
    [job] = rows["jobs"]
    assert job["job_id"] == "vaibe-1" and job["model_version"] == "m@1" and job["run_id"] == "r1"
    assert job["extraction_date"] == dt.date(2026, 11, 26)
    assert job["role_title"] == "DevOps Engineer"
    assert job["role_seniority"] == "Mid-Level"
    assert job["visa_sponsorship"] is False
    assert job["company_type"] == "Software Product / SaaS"
    assert job["remote_status"] == "Remote (Region Specific)"
    assert job["specification_level"] == "Not Specified"
    assert job["flexibility"] == ["Flexible Schedule"] and job["locations"] == []
    assert job["experience_years_min"] is None and job["paid_time_off_days"] is None
    assert job["education_requirements"] is None
    assert job["methodologies_practices"] == ["DevOps Culture/Practices"]
    assert len(job["key_responsibilities"]) == 7
    assert job["skill_count"] == len(EXPECTED_SKILLS)
    assert (job["skills_removed"], job["skills_recovered"]) == (1, 0)  # Git: flagged, kept on request
    assert job["ingestion_date"] == dt.date(2026, 11, 20) and job["listing_text"] == note_listing
    assert parse_extraction(job["extraction_json"]) == grounded.extraction
    assert [(r["category"], r["skill"], r["requirement"], r["grounded"]) for r in rows["job_skills"]] == EXPECTED_SKILLS
    for row in rows["job_skills"]:
        assert row["source"] in ("model", "both")
        if row["grounded"]:
            assert note_listing[row["evidence_start"]:row["evidence_end"]] == row["evidence_text"]
        else:
            assert row["evidence_start"] is None and row["evidence_text"] is None
    assert [(r["benefit"], r["kind"]) for r in rows["job_benefits"]] == [
        ("Health Insurance", "benefit"), ("Dental Insurance", "benefit"), ("Performance-based Bonus", "benefit"),
        ("Well-being Program", "benefit"), ("Flexible Schedule", "flexibility"),
        ("Professional development opportunities for training to advance your career.", "training_development"),
    ]


def test_by_default_ungrounded_skills_go_and_taxonomy_finds_come(note_example, note_listing):
    rows = flatten("vaibe-1", ground(parse_extraction(note_example), note_listing), note_listing, RUN)
    skills = {(r["skill"], r["source"]) for r in rows["job_skills"]}
    assert ("Git", "model") not in skills and all(r["grounded"] for r in rows["job_skills"])
    assert {("Terraform", "taxonomy"), ("Linux", "taxonomy"), ("Kubernetes", "both")} <= skills
    [job] = rows["jobs"]
    assert (job["skills_removed"], job["skills_recovered"]) == (1, 5)  # + CI/CD Practices and High Availability
    assert "Git" not in job["extraction_json"].replace("GitHub", "")


def test_rows_match_both_table_schemas(note_example, note_listing):
    rows = flatten("vaibe-1", ground(parse_extraction(note_example), note_listing), note_listing, RUN)
    for table, table_rows in rows.items():
        assert list(table_rows[0]) == column_names(table)
        pa.Table.from_pylist(table_rows, schema=arrow_schema(table))  # raises on a type mismatch


def test_bigquery_and_arrow_schemas_come_from_one_definition():
    for table, columns in TABLES.items():
        bq = bigquery_schema(table)
        arrow = arrow_schema(table)
        assert [f["name"] for f in bq] == arrow.names == [c.name for c in columns]
        for field, column in zip(bq, columns):
            assert (field["type"], field["mode"]) == (column.type, column.mode)
            assert arrow.field(column.name).nullable == (column.mode == "NULLABLE")
        assert bq[0]["name"] == "job_id" and "extraction_date" in arrow.names
