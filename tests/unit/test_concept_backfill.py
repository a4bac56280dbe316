"""Concept backfill on hand-written listings: only the concepts measured precise, only from the requirements,
nice-to-haves and duties."""
from __future__ import annotations

from extraction.grounding import BACKFILLED_CONCEPTS, ground
from schemas.models import JobExtraction
from schemas.taxonomy import PREFERRED, TAXONOMY, Kind

CONCEPTS = "technical_skills.data_architecture_concepts."

LISTING = """Title: Senior Data Engineer
Company: Brightharbor

About us
Brightharbor runs a lakehouse on Databricks and built its data mesh in 2024.
The team
Six engineers who look after the nightly batch processing of shipment events.
Deine Aufgaben
- Du modellierst unser Data Warehouse im Sternschema
- Du sorgst für Datenqualität und Monitoring
Requirements
- Experience with event-driven architecture and real-time data
- Familiarity with data contracts
Nice to have
- Medallion architecture
What we offer
- A yearly GDPR training for every employee
"""


def _recovered_concepts(text: str, **lists: list[str]) -> dict[str, list[str]]:
    data = {"job_summary": {"role_title": "Data Engineer"},
            "required_qualifications": {"technical_skills": {"data_architecture_concepts": lists}}}
    result = ground(JobExtraction.model_validate(data), text)
    return {item.category: [i.name for i in result.items if i.category == item.category and i.source != "model"]
            for item in result.items if item.category.startswith(CONCEPTS) or item.category == PREFERRED}


def test_precise_concepts_are_backfilled_from_requirements_and_duties():
    found = _recovered_concepts(LISTING)
    assert found[CONCEPTS + "data_storage_paradigms"] == ["Data Warehousing (DWH)"]
    assert found[CONCEPTS + "data_modeling"] == ["Dimensional Modeling"]
    assert found[CONCEPTS + "data_governance_quality"] == ["Data Quality Management"]
    assert found[CONCEPTS + "architecture_patterns"] == ["Event-Driven Architecture"]
    assert "Medallion Architecture" in found[PREFERRED]  # named only under "Nice to have"


def test_company_text_benefits_and_imprecise_concepts_backfill_nothing():
    found = {name for names in _recovered_concepts(LISTING).values() for name in names}
    assert "Lakehouse Architecture" not in found and "Data Mesh" not in found  # the company blurb
    assert "GDPR Compliance" not in found  # the benefits
    assert "Batch Processing" not in found  # a paragraph about the team, neither requirement nor duty
    assert "Stream Processing / Real-time Data" not in found and "Data Contracts" not in found  # not measured precise


def test_a_model_concept_outside_the_list_is_still_kept_with_its_evidence():
    data = {"job_summary": {"role_title": "Data Engineer"},
            "required_qualifications": {"technical_skills": {"data_architecture_concepts": {
                "data_governance_quality": ["Data Contracts"]}}}}
    result = ground(JobExtraction.model_validate(data), LISTING, backfill=False)
    [item] = [i for i in result.items if i.name == "Data Contracts"]
    assert item.source == "model" and LISTING[item.evidence.start:item.evidence.end] == "data contracts"


def test_every_backfilled_concept_is_a_canonical_concept_of_the_taxonomy():
    for name in BACKFILLED_CONCEPTS:
        entry = TAXONOMY.entry(name)
        assert entry is not None and entry.canonical == name and entry.kind is Kind.CONCEPT, name
