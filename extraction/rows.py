"""Flatten one validated extraction into rows of `jobs`, `job_skills` and `job_benefits`.

Plain functions of plain data, so the pipeline, the trainer's evaluation and
the tests share them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from extraction.benefits import FLEXIBILITY, LEARNING_PLATFORMS, OTHER_BENEFITS, TRAINING, benefit_evidence
from schemas.models import JobExtraction
from schemas.tables import column_names
from schemas.validation import canonical_json

if TYPE_CHECKING:
    from extraction.grounding import GroundingResult


@dataclass(frozen=True)
class RunInfo:
    """What every row of one run shares."""

    model_version: str
    prompt_version: str
    prompt_style: str
    run_id: str
    extracted_at: dt.datetime

    def keys(self, job_id: str) -> dict[str, Any]:
        return {
            "job_id": job_id,
            "model_version": self.model_version,
            "extraction_date": self.extracted_at.date(),
            "extracted_at": self.extracted_at,
            "run_id": self.run_id,
        }


def skill_rows(job_id: str, grounding: "GroundingResult", run: RunInfo) -> list[dict[str, Any]]:
    """One row per grounded skill, with where it came from, its evidence span in the listing text and the
    listing section that span is in."""
    rows = []
    for item in grounding.items:
        evidence = item.evidence
        rows.append({**run.keys(job_id), "skill": item.name, "category": item.category,
                     "requirement": item.requirement, "grounded": item.grounded, "source": item.source,
                     "evidence_start": evidence.start if evidence else None,
                     "evidence_end": evidence.end if evidence else None,
                     "evidence_text": evidence.text if evidence else None,
                     "section": item.section.value if item.section is not None else None})
    return rows


def benefit_rows(job_id: str, extraction: JobExtraction, listing: str, run: RunInfo) -> list[dict[str, Any]]:
    """One row per benefit, learning platform, flexibility option and the training description, each with its
    evidence span in the listing text (`extraction.benefits.benefit_evidence`; null for an item kept ungrounded
    and for a training description the listing does not say word for word)."""
    benefits = extraction.benefits
    items = [(b, OTHER_BENEFITS, "benefit") for b in benefits.other_benefits_keywords]
    items += [(p, LEARNING_PLATFORMS, "learning_platform") for p in benefits.learning_platforms]
    items += [(f, FLEXIBILITY, "flexibility") for f in extraction.location_and_work_model.flexibility]
    if benefits.training_development:
        items.append((benefits.training_development, TRAINING, "training_development"))
    rows = []
    for benefit, path, kind in items:
        evidence = benefit_evidence(benefit, listing, path)
        rows.append({**run.keys(job_id), "benefit": benefit, "kind": kind,
                     "evidence_start": evidence.start if evidence else None,
                     "evidence_end": evidence.end if evidence else None,
                     "evidence_text": evidence.text if evidence else None})
    return rows


def job_row(
    job_id: str,
    extraction: JobExtraction,
    run: RunInfo,
    *,
    skill_count: int,
    input_truncated: bool = False,
    listing_columns: Optional[dict[str, Optional[str]]] = None,
    listing_text: Optional[str] = None,
    ingestion_date: Optional[str] = None,
    skills_removed: int = 0,
    skills_recovered: int = 0,
) -> dict[str, Any]:
    e = extraction
    summary, company, where = e.job_summary, e.company_information, e.location_and_work_model
    req, pref, ctx, ben = e.required_qualifications, e.preferred_qualifications, e.role_context, e.benefits
    listing_columns = listing_columns or {}
    row = {
        **run.keys(job_id),
        "prompt_version": run.prompt_version,
        "prompt_style": run.prompt_style,
        "input_truncated": input_truncated,
        "job_title": listing_columns.get("job_title"),
        "company_name": listing_columns.get("company_name"),
        "listing_location": listing_columns.get("location"),
        "ingestion_date": dt.date.fromisoformat(ingestion_date[:10]) if ingestion_date else None,
        "listing_text": listing_text,
        "role_title": summary.role_title,
        "role_objective": summary.role_objective,
        "role_seniority": summary.role_seniority.value,
        "visa_sponsorship": summary.visa_sponsorship,
        "company_type": company.company_type.value,
        "company_values_keywords": list(company.company_values_keywords),
        "specification_level": where.specification_level.value,
        "remote_status": where.remote_status.value,
        "flexibility": list(where.flexibility),
        "locations": list(where.locations),
        "experience_years_min": req.experience_years_min,
        "experience_years_max": req.experience_years_max,
        "experience_description": req.experience_description,
        "education_requirements": req.education_requirements,
        "methodologies_practices": [m.value for m in req.methodologies_practices],
        "soft_skills_keywords": list(req.soft_skills_keywords),
        "preferred_other_notes": pref.other_notes,
        "collaboration_with": list(ctx.collaboration_with),
        "team_structure": ctx.team_structure,
        "project_scope": ctx.project_scope,
        "key_responsibilities": list(ctx.key_responsibilities),
        "training_development": ben.training_development,
        "paid_time_off_days": ben.paid_time_off_days,
        "skill_count": skill_count,
        "skills_removed": skills_removed,
        "skills_recovered": skills_recovered,
        "extraction_json": canonical_json(e),
    }
    assert list(row) == column_names("jobs"), "jobs columns and row keys drifted apart"
    return row


def flatten(
    job_id: str,
    grounding: "GroundingResult",
    listing: str,
    run: RunInfo,
    *,
    input_truncated: bool = False,
    listing_columns: Optional[dict[str, Optional[str]]] = None,
    ingestion_date: Optional[str] = None,
) -> dict[str, list[dict[str, Any]]]:
    """All rows one listing contributes, by table name, from its grounded extraction (`extraction.grounding.ground`)."""
    extraction = grounding.extraction
    skills = skill_rows(job_id, grounding, run)
    job = job_row(job_id, extraction, run, skill_count=len(skills), input_truncated=input_truncated,
                  listing_columns=listing_columns, listing_text=listing, ingestion_date=ingestion_date,
                  skills_removed=sum(grounding.removed.values()),
                  skills_recovered=sum(grounding.recovered.values()))
    return {"jobs": [job], "job_skills": skills, "job_benefits": benefit_rows(job_id, extraction, listing, run)}
