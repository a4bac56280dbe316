"""Output tables, each column defined once; the BigQuery and the Arrow/Parquet schemas both derive from it.

`jobs` has one row per listing, `job_skills` one row per (listing, skill,
category), `job_benefits` one row per (listing, benefit), `extraction_errors`
one row per dead letter. Every table carries `job_id`, `model_version`,
`extraction_date` (the partition column in BigQuery) and `run_id`.

Columns added after the first release are NULLABLE (or REPEATED): BigQuery can
add only such columns to an existing table, so older datasets upgrade in place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # BigQuery standard SQL type: STRING, INT64, BOOL, DATE, TIMESTAMP
    mode: str = "NULLABLE"  # NULLABLE, REQUIRED or REPEATED
    description: str = ""


def _keys() -> list[Column]:
    return [
        Column("job_id", "STRING", "REQUIRED", "The listing's job_id, or a content hash when it had none."),
        Column("model_version", "STRING", "REQUIRED", "Which model extracted it (name and fingerprint)."),
        Column("extraction_date", "DATE", "REQUIRED", "UTC date of the run; the partition column."),
        Column("extracted_at", "TIMESTAMP", "REQUIRED", "UTC time of the run."),
        Column("run_id", "STRING", "REQUIRED", "Identifies the pipeline run that wrote the row."),
    ]


def _text(name: str, description: str) -> Column:
    return Column(name, "STRING", "NULLABLE", description)


def _repeated(name: str, description: str) -> Column:
    return Column(name, "STRING", "REPEATED", description)


TABLES: dict[str, list[Column]] = {
    "jobs": _keys() + [
        Column("prompt_version", "STRING", "REQUIRED", "Version of the prompt text."),
        Column("prompt_style", "STRING", "REQUIRED", "full or compact."),
        Column("input_truncated", "BOOL", "REQUIRED", "The listing was cut to fit the model's context."),
        _text("job_title", "The listing's own title column."),
        _text("company_name", "The listing's own company column."),
        _text("listing_location", "The listing's own location column."),
        Column("ingestion_date", "DATE", "NULLABLE", "The listing's own ingestion date (parsed; null when absent or "
               "unreadable)."),
        Column("listing_text", "STRING", "NULLABLE", "The normalised listing text the model read; job_skills "
               "and job_benefits evidence offsets index into it."),
        _text("role_title", "job_summary.role_title"),
        _text("role_objective", "job_summary.role_objective"),
        Column("role_seniority", "STRING", "REQUIRED", "job_summary.role_seniority (controlled vocabulary)."),
        Column("visa_sponsorship", "BOOL", "NULLABLE", "job_summary.visa_sponsorship"),
        Column("company_type", "STRING", "REQUIRED", "company_information.company_type (controlled vocabulary)."),
        _repeated("company_values_keywords", "company_information.company_values_keywords"),
        Column("specification_level", "STRING", "REQUIRED", "location_and_work_model.specification_level"),
        Column("remote_status", "STRING", "REQUIRED", "location_and_work_model.remote_status"),
        _repeated("flexibility", "location_and_work_model.flexibility"),
        _repeated("locations", "location_and_work_model.locations (Title Case, sorted)."),
        Column("experience_years_min", "INT64", "NULLABLE", "required_qualifications.experience_years_min"),
        Column("experience_years_max", "INT64", "NULLABLE", "required_qualifications.experience_years_max"),
        _text("experience_description", "required_qualifications.experience_description"),
        _text("education_requirements", "required_qualifications.education_requirements"),
        _repeated("methodologies_practices", "required_qualifications.methodologies_practices"),
        _repeated("soft_skills_keywords", "required_qualifications.soft_skills_keywords"),
        _text("preferred_other_notes", "preferred_qualifications.other_notes"),
        _repeated("collaboration_with", "role_context.collaboration_with"),
        _text("team_structure", "role_context.team_structure"),
        _text("project_scope", "role_context.project_scope"),
        _repeated("key_responsibilities", "role_context.key_responsibilities"),
        _text("training_development", "benefits.training_development"),
        Column("paid_time_off_days", "INT64", "NULLABLE", "benefits.paid_time_off_days"),
        Column("skill_count", "INT64", "REQUIRED", "Rows of this listing in job_skills."),
        Column("skills_removed", "INT64", "NULLABLE", "Skills the model named that the listing never mentions "
               "(removed, or kept and flagged with --keep-ungrounded), and perks it wrote into a skill list "
               "(always removed)."),
        Column("skills_recovered", "INT64", "NULLABLE", "Skills found in the listing through the taxonomy that the "
               "model left out, added."),
        Column("extraction_json", "STRING", "REQUIRED", "The whole validated extraction, canonical JSON."),
    ],
    "job_skills": _keys() + [
        Column("skill", "STRING", "REQUIRED", "Canonical skill or tool name."),
        Column("category", "STRING", "REQUIRED", "Path of the list it came from, e.g. technical_skills.cloud_platforms."),
        Column("requirement", "STRING", "REQUIRED", "required or preferred."),
        Column("grounded", "BOOL", "REQUIRED", "The name or one of its spellings occurs in the listing text."),
        Column("source", "STRING", "NULLABLE", "Where the item came from: model, taxonomy (recovered from the "
               "listing text) or both."),
        Column("evidence_start", "INT64", "NULLABLE", "Character offset in jobs.listing_text where the evidence "
               "starts (null when ungrounded)."),
        Column("evidence_end", "INT64", "NULLABLE", "Character offset where the evidence ends (exclusive)."),
        _text("evidence_text", "The listing's own words for the skill: listing_text[evidence_start:evidence_end]."),
        _text("section", "The part of the listing the evidence is in: requirements, nice_to_have, responsibilities, "
              "header or other (extraction.structure.Section; null when ungrounded)."),
    ],
    "job_benefits": _keys() + [
        Column("benefit", "STRING", "REQUIRED", "Benefit keyword, learning platform or flexibility option."),
        Column("kind", "STRING", "REQUIRED", "benefit, learning_platform, flexibility or training_development."),
        Column("evidence_start", "INT64", "NULLABLE", "Character offset in jobs.listing_text where the evidence "
               "starts (null when the listing does not name it: an item kept ungrounded, a training description "
               "the listing does not say word for word)."),
        Column("evidence_end", "INT64", "NULLABLE", "Character offset where the evidence ends (exclusive)."),
        _text("evidence_text", "The listing's own words for the benefit: listing_text[evidence_start:evidence_end]."),
    ],
    "extraction_errors": _keys() + [
        Column("stage", "STRING", "REQUIRED", "read, normalise, prompt, inference or validate."),
        Column("reason", "STRING", "REQUIRED", "Short machine-readable reason, e.g. truncated, invalid_json."),
        _text("detail", "Human-readable explanation."),
        _text("raw_output", "The model's raw output, when there was one."),
        _text("input_excerpt", "The first characters of the input record."),
    ],
}
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)  # every output names its tables from here, in this order

CLUSTERING: dict[str, list[str]] = {
    "jobs": ["role_seniority", "remote_status", "company_type"],
    "job_skills": ["skill", "category", "requirement"],
    "job_benefits": ["benefit", "kind"],
    "extraction_errors": ["stage", "reason"],
}
PARTITION_COLUMN = "extraction_date"

_ARROW_TYPES = {
    "STRING": pa.string(),
    "INT64": pa.int64(),
    "BOOL": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
}


def bigquery_schema(table: str) -> list[dict[str, Any]]:
    """The table's schema in BigQuery's API form (`SchemaField.from_api_repr`, Beam's `{"fields": ...}`)."""
    return [
        {"name": c.name, "type": c.type, "mode": c.mode, "description": c.description} for c in TABLES[table]
    ]


def arrow_schema(table: str) -> pa.Schema:
    """The same columns as Arrow types, for Parquet files."""
    fields = []
    for c in TABLES[table]:
        kind = _ARROW_TYPES[c.type]
        if c.mode == "REPEATED":
            fields.append(pa.field(c.name, pa.list_(kind), nullable=False))
        else:
            fields.append(pa.field(c.name, kind, nullable=c.mode != "REQUIRED"))
    return pa.schema(fields)


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]
