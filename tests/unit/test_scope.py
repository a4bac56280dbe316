"""Scope-aware grounding on hand-written listings in every language: negated and context-only mentions are no
evidence, backfill skips them, inline nice-to-haves are preferred, stems never collide across words; removals
are counted by reason from the grounding result through the run summary to `show`."""
from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from beam_pipeline.show import show
from beam_pipeline.summary import ReconciliationError, _MergeCounts, reconcile
from extraction.evidence import evidence_spans
from extraction.grounding import ground
from extraction.listings import Listing
from extraction.postprocess import postprocess
from extraction.rows import RunInfo, flatten
from extraction.structure import Section
from schemas.models import JobExtraction
from schemas.tables import TABLES, arrow_schema
from tests.support.scoped_listings import SCOPED, Scoped

RUN = RunInfo("m@1", "p1", "compact", "r1", dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
PREFERRED = "preferred_qualifications.skills_keywords"
# What a model might say of every listing of SCOPED: Java is ruled out there, MongoDB is only the company's
# stack and AWS only a benefit; Python is asked for.
MODEL = JobExtraction.model_validate({
    "job_summary": {"role_title": "Data Engineer"},
    "required_qualifications": {"technical_skills": {
        "programming_languages": {"general_purpose": ["Python", "Java"]},
        "database_technologies": ["MongoDB"], "cloud_platforms": ["AWS"]}}})


@pytest.mark.parametrize("case", SCOPED, ids=lambda c: c.lang)
def test_negated_and_context_only_items_are_removed_and_counted_by_reason(case: Scoped):
    result = ground(MODEL, case.text, backfill=False)
    assert [i.name for i in result.items] == ["Python"]
    assert result.removed_by_reason == {"negated": 1, "context_only": 2}
    assert sum(result.removed.values()) == 3
    assert result.unevidenced == ("Java", "AWS", "MongoDB")  # named, but not asked for: kept for the audit trail
    [python] = result.items
    assert python.section is Section.REQUIREMENTS and case.text[python.evidence.start:python.evidence.end] == "Python"


@pytest.mark.parametrize("case", SCOPED, ids=lambda c: c.lang)
def test_backfill_skips_negations_blurbs_and_benefits_and_files_nice_to_haves_as_preferred(case: Scoped):
    result = ground(JobExtraction.model_validate({"job_summary": {"role_title": "Data Engineer"}}), case.text)
    items = {i.name: i for i in result.items}
    assert {"Java", "MongoDB", "AWS"}.isdisjoint(items)
    assert (items["SQL"].requirement, items["Python"].requirement) == ("required", "required")
    kafka = items["Apache Kafka"]
    assert (kafka.category, kafka.requirement, kafka.section) == (PREFERRED, "preferred", Section.NICE_TO_HAVE)
    assert all(i.section in (Section.REQUIREMENTS, Section.NICE_TO_HAVE, Section.RESPONSIBILITIES)
               for i in result.items)


@pytest.mark.parametrize("lang, name, collision, match", [
    ("en", "Looker Certification", "We are looking for an analyst with a Tableau certification.",
     "Looker certification or equivalent."),
    ("pt", "Excel Avançado", "Comunicação excelente e inglês avançado.", "Excel avançado."),
    ("de", "Power BI Zertifizierung", "PowerShell-Zertifizierung und BI-Kenntnisse.", "Zertifizierung in Power BI."),
    ("es", "Certificación Excel", "Excelente nivel de inglés y certificación PMP.", "Certificación de Excel."),
    ("fr", "Excel avancé", "Excellent niveau d'anglais, usage avancé des outils.", "Excel avancé."),
    ("it", "Certificazione Power BI", "Certificazione PowerShell e reportistica BI.", "Certificazione Power BI."),
    ("nl", "Excel gevorderd", "Excellente communicatie, gevorderd Engels.", "Excel op gevorderd niveau."),
    ("pl", "Certyfikat Power BI", "Certyfikat PowerShell, raporty BI.", "Certyfikat Microsoft Power BI."),
])
def test_a_stem_never_collides_across_words(lang, name, collision, match):
    assert evidence_spans(name, collision, category=PREFERRED) == [], lang
    assert evidence_spans(name, match, category=PREFERRED), lang


def test_a_certification_needs_its_certification_not_only_the_tool():
    text = "Requirements\n- Python on AWS\nNice to have\n- Looker\n"
    model = JobExtraction.model_validate({"job_summary": {"role_title": "Data Engineer"},
                                          "preferred_qualifications": {"skills_keywords": [
                                              "AWS Certification", "Looker Certification"]}})
    result = ground(model, text, backfill=False)
    assert result.items == () and result.removed_by_reason == {"unevidenced": 2}
    certified = ground(model, text + "- An AWS certification (Solutions Architect)\n", backfill=False)
    assert [(i.name, i.requirement) for i in certified.items] == [("AWS Certification", "preferred")]


def test_a_listing_without_headings_backfills_from_its_requirement_and_duty_sentences():
    text = Listing("h", "Harbourline is a leading logistics company and our platform runs on Cassandra. "
                        "You will build dashboards in Tableau. You have strong SQL. Python is not required. "
                        "We offer a Udemy budget and AWS courses. Send your CV to jobs@harbourline.example.",
                   title="Data Analyst", company="Harbourline").text()
    result = ground(JobExtraction.model_validate({"job_summary": {"role_title": "Data Analyst"}}), text)
    assert {i.name: i.section for i in result.items} == {"Tableau": Section.RESPONSIBILITIES,
                                                         "SQL": Section.REQUIREMENTS}


def _merged(*counts) -> dict:
    merge = _MergeCounts()
    acc = merge.create_accumulator()
    for items in counts:
        for item in items:
            acc = merge.add_input(acc, item)
    return acc


def test_postprocess_counts_removals_by_reason_and_the_summary_reconciles_them():
    case = SCOPED[1]
    done = postprocess(MODEL, case.listing)
    counts = dict(done.counts())
    assert (counts["removed_reason:negated"], counts["removed_reason:context_only"]) == (1, 2)
    summary = reconcile({**_merged(done.counts(), postprocess(MODEL, SCOPED[2].listing).counts()),
                         "read": 2, "extracted": 2})
    assert summary["grounding"]["removed_reason"] == {"context_only": 4, "negated": 2}
    broken = _merged(done.counts(), [("removed_reason:unevidenced", 1)])
    with pytest.raises(ReconciliationError, match="removed by reason"):
        reconcile({**broken, "read": 1, "extracted": 1})


def test_rows_carry_their_section_and_show_prints_removals_by_reason(tmp_path, capsys):
    case = SCOPED[0]
    done = postprocess(MODEL, case.listing)
    rows = flatten(case.listing.job_id, done.grounding, case.text, RUN)
    sections = {row["skill"]: row["section"] for row in rows["job_skills"]}
    assert sections["Python"] == "requirements" and sections["Apache Kafka"] == "nice_to_have"
    for name in TABLES:
        pq.write_table(pa.Table.from_pylist(rows.get(name, []), schema=arrow_schema(name)), tmp_path / name)
    summary = reconcile({**_merged(done.counts()), "read": 1, "extracted": 1})
    (tmp_path / "run_summary.json").write_text(json.dumps({"run_id": "r1", **summary}))
    show(str(tmp_path))
    out = capsys.readouterr().out
    assert "removed by reason: only in company, benefits, apply or legal text (context only) 2, " \
           "ruled out by the listing (negated) 1" in out


def test_show_counts_removed_skills_apart_from_benefits(tmp_path, capsys):
    """The skills `show` says were removed are the ones counted by reason; benefits are a line of their own."""
    summary = {"run_id": "r1", "read": 1, "extracted": 1, "dead_lettered": 0, "duplicates": 0,
               "grounding": {"removed": {"soft_skills_keywords": 2, "benefits.other_benefits_keywords": 5},
                             "removed_reason": {"unevidenced": 2}, "recovered": {}}}
    for name in TABLES:
        pq.write_table(pa.Table.from_pylist([], schema=arrow_schema(name)), tmp_path / name)
    (tmp_path / "run_summary.json").write_text(json.dumps(summary))
    show(str(tmp_path))
    out = capsys.readouterr().out
    assert "(or perks), removed: 2 (soft_skills_keywords 2)\n  removed by reason: not in the listing 2" in out
    assert "named by the model but not in the listing, removed: 5 (other_benefits_keywords 5)" in out
