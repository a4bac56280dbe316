"""A hand-made pipeline output with known answers, for the dashboard's query and browser tests.

Six listings extracted by model `m@new` and one of them again by `m@old`,
so every number the tests expect can be counted by hand from the tables
below. The first listing's text carries markup that must show as text.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Optional

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.tables import arrow_schema, column_names

NEW, OLD = "m@new", "m@old"
EXTRACTED = {NEW: dt.datetime(2026, 11, 20, 6, tzinfo=dt.timezone.utc),
             OLD: dt.datetime(2026, 10, 1, 6, tzinfo=dt.timezone.utc)}
GENERAL, QUERY = "technical_skills.programming_languages.general_purpose", "technical_skills.programming_languages.query"
ORCHESTRATION, CLOUD = "technical_skills.orchestration_workflow_tools", "technical_skills.cloud_platforms"
LIBS, BI = "technical_skills.programming_languages.data_ml_libs", "technical_skills.data_visualization_bi_tools"
OTHER, PREFERRED, SOFT = ("technical_skills.other_tools", "preferred_qualifications.skills_keywords",
                          "soft_skills_keywords")
J1_TEXT = ("Senior Data Engineer at Acme Pay. You build pipelines in Python and SQL, scheduled with Airflow. "
           "<script>alert('pwned')</script> <b>Nice to have</b>: k8s. Strong communication.")

# job_id, model, role, seniority, remote, locations, company type, company, ingestion, years min/max, text,
# skills as (name, category, requirement, source, evidence words or None), benefits as (benefit, kind)
LISTINGS: list[tuple] = [
    ("j1", NEW, "Data Engineer", "Senior", "Fully Remote", ["Lisbon", "Portugal"], "Fintech", "Acme Pay",
     dt.date(2026, 11, 2), 5, 8, J1_TEXT,
     [("Python", GENERAL, "required", "both", "Python"), ("SQL", QUERY, "required", "model", "SQL"),
      ("Apache Airflow", ORCHESTRATION, "required", "model", "Airflow"),
      ("Communication", SOFT, "required", "model", "communication"),
      ("Kubernetes", PREFERRED, "preferred", "taxonomy", "k8s")],
     [("Health Insurance", "benefit"), ("Udemy", "learning_platform"), ("Flexible Schedule", "flexibility")]),
    ("j2", NEW, "Data Engineer", "Senior", "Hybrid", ["Lisbon"], "Fintech", "Banco Azul", dt.date(2026, 11, 3),
     4, None, "Data Engineer (Senior). Python, SQL and AWS every day; Airflow is a plus.",
     [("Python", GENERAL, "required", "model", "Python"), ("SQL", QUERY, "required", "model", "SQL"),
      ("AWS", CLOUD, "required", "model", "AWS"), ("Apache Airflow", PREFERRED, "preferred", "model", "Airflow")],
     [("Health Insurance", "benefit"), ("Meal Allowance", "benefit")]),
    ("j3", NEW, "Data Engineer", "Junior", "Office-based", ["Berlin"], "Software Product / SaaS", "Datawerk",
     dt.date(2026, 11, 9), 1, 2, "Junior Data Engineer in Berlin: SQL first, some Python.",
     [("SQL", QUERY, "required", "model", "SQL"), ("Python", GENERAL, "required", "model", "Python")],
     [("Udemy", "learning_platform")]),
    ("j4", NEW, "Data Engineer", "Senior", "Hybrid", ["Berlin"], "Software Product / SaaS", "Datawerk",
     dt.date(2026, 11, 10), 6, None, "Senior Data Engineer: Python, Spark on AWS, orchestrated by Airflow.",
     [("Python", GENERAL, "required", "model", "Python"), ("Apache Spark", LIBS, "required", "model", "Spark"),
      ("AWS", CLOUD, "required", "model", "AWS"), ("Apache Airflow", ORCHESTRATION, "required", "model", "Airflow")],
     []),
    ("j5", NEW, "Data Analyst", "Junior", "Fully Remote", ["Porto"], "Fintech", "Acme Pay", dt.date(2026, 11, 16),
     1, None, "Data Analyst, remote from Porto. SQL and Power BI; Python welcome.",
     [("SQL", QUERY, "required", "model", "SQL"), ("Microsoft Power BI", BI, "required", "model", "Power BI"),
      ("Python", PREFERRED, "preferred", "model", "Python")],
     [("Meal Allowance", "benefit")]),
    ("j6", NEW, "Data Analyst", "Mid-Level", "Office-based", ["Lisbon"], "Banking / Financial Institution",
     "Banco Azul", None, None, None, "Analyst for reporting in Excel and Power BI at our Lisbon office.",
     [("Microsoft Excel", OTHER, "required", "model", "Excel"),
      ("Microsoft Power BI", BI, "required", "model", "Power BI")],
     []),
    ("j1", OLD, "Data Engineer", "Senior", "Fully Remote", ["Lisbon"], "Fintech", "Acme Pay", dt.date(2026, 11, 2),
     5, None, J1_TEXT, [("Python", GENERAL, "required", "model", "Python")], []),
]
ERRORS = [(NEW, "validate", "truncated"), (NEW, "normalise", "empty_description"), (OLD, "validate", "invalid_json")]


def _keys(job_id: Optional[str], model: str) -> dict[str, Any]:
    at = EXTRACTED[model]
    return {"job_id": job_id, "model_version": model, "extraction_date": at.date(), "extracted_at": at,
            "run_id": f"run-{model}"}


def known_tables() -> dict[str, list[dict[str, Any]]]:
    """The four tables as rows, every column of schemas.tables filled."""
    tables: dict[str, list[dict[str, Any]]] = {"jobs": [], "job_skills": [], "job_benefits": [],
                                               "extraction_errors": []}
    for (job_id, model, role, seniority, remote, locations, company_type, company, ingested, years_min, years_max,
         text, skills, benefits) in LISTINGS:
        keys = _keys(job_id, model)
        extraction = {"job_summary": {"role_title": role, "role_seniority": seniority},
                      "location_and_work_model": {"remote_status": remote, "locations": locations}}
        job = {name: None for name in column_names("jobs")}
        job.update(keys, prompt_version="p1", prompt_style="compact", input_truncated=False, job_title=role,
                   company_name=company, listing_location=locations[0], ingestion_date=ingested, listing_text=text,
                   role_title=role, role_seniority=seniority, company_type=company_type,
                   specification_level="Specific Location / Remote Status Identified", remote_status=remote,
                   locations=locations, experience_years_min=years_min, experience_years_max=years_max,
                   skill_count=len(skills), skills_removed=0, skills_recovered=sum(s[3] == "taxonomy" for s in skills),
                   extraction_json=json.dumps(extraction))
        for name in column_names("jobs"):
            if job[name] is None and str(arrow_schema("jobs").field(name).type).startswith("list"):
                job[name] = []
        tables["jobs"].append(job)
        for name, category, requirement, source, words in skills:
            start = text.index(words) if words else None
            tables["job_skills"].append({
                **keys, "skill": name, "category": category, "requirement": requirement, "grounded": words is not None,
                "source": source, "evidence_start": start, "evidence_end": start + len(words) if words else None,
                "evidence_text": words})
        tables["job_benefits"] += [{**keys, "benefit": benefit, "kind": kind} for benefit, kind in benefits]
    for i, (model, stage, reason) in enumerate(ERRORS):
        tables["extraction_errors"].append({**_keys(f"bad-{i}", model), "stage": stage, "reason": reason,
                                            "detail": f"{reason} in test", "raw_output": None,
                                            "input_excerpt": "<p>"})
    return tables


def write_known_dataset(root: Path) -> Path:
    """Write the tables as the pipeline does (`<root>/<table>/part-00000-of-00001.parquet`) plus a run summary."""
    for name, found in known_tables().items():
        (root / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(found, schema=arrow_schema(name)),
                       root / name / "part-00000-of-00001.parquet")
    summary = {"run_id": f"run-{NEW}", "model_version": NEW, "read": 9, "extracted": 6, "dead_lettered": 2,
               "dead_lettered_by": {"normalise/empty_description": 1, "validate/truncated": 1}, "duplicates": 1,
               "rows": {"jobs": 6, "job_skills": 20, "job_benefits": 7, "extraction_errors": 2},
               "reconciled": True, "wall_seconds": 12.5, "listings_per_minute": 43.2}
    (root / "run_summary.json").write_text(json.dumps(summary))
    return root
