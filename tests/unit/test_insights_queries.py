"""The dashboard's queries on the hand-made dataset (tests/support/insights_dataset.py), numbers counted by hand."""
from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
import pytest

from insights import queries as Q
from insights.app import csv_chunks
from insights.highlight import Piece, evidence_pieces
from insights.source import Source, SourceError, open_source
from tests.support.insights_dataset import NEW, OLD, write_known_dataset

LATEST = Q.Filters(model_versions=(NEW,))


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Source:
    return open_source(str(write_known_dataset(tmp_path_factory.mktemp("known"))))


@pytest.fixture
def con(source):
    return source.cursor()


def test_filter_options_count_every_value_and_put_the_newest_model_first(con):
    options = Q.filter_options(con)
    assert options.roles == [("Data Engineer", 5), ("Data Analyst", 2)]
    assert [v for v, _ in options.seniorities] == ["Junior", "Mid-Level", "Senior"]  # vocabulary order
    assert options.locations[0] == ("Lisbon", 4)
    assert options.model_versions == [(NEW, 6), (OLD, 1)]
    assert (options.date_min, options.date_max) == (dt.date(2026, 11, 2), dt.date(2026, 11, 16))


def test_overview_of_the_newest_model(con):
    assert Q.overview(con, LATEST) == {"listings": 6, "companies": 3, "median_skills": 3.5, "remote_share": 2 / 6,
                                       "median_experience": 4.0, "skill_rows": 20, "distinct_skills": 9}


def test_every_filter_narrows_the_listings(con):
    cases = {Q.Filters(): 7, LATEST: 6, Q.Filters(model_versions=(OLD,)): 1,
             Q.Filters(roles=("Data Analyst",), model_versions=(NEW,)): 2,
             Q.Filters(seniorities=("Senior",), model_versions=(NEW,)): 3,
             Q.Filters(remote_statuses=("Hybrid", "Office-based"), model_versions=(NEW,)): 4,
             Q.Filters(locations=("Lisbon",), model_versions=(NEW,)): 3,  # j1 lists Lisbon and Portugal
             Q.Filters(company_types=("Fintech",), model_versions=(NEW,)): 3,
             # j6 has no ingestion date: any date bound leaves it out
             Q.Filters(date_from=dt.date(2026, 11, 9), model_versions=(NEW,)): 3,
             Q.Filters(date_to=dt.date(2026, 11, 3), model_versions=(NEW,)): 2,
             Q.Filters(seniorities=("Senior",), locations=("Porto",)): 0}
    assert {f: Q.count_listings(con, f) for f in cases} == cases


def test_filters_from_dash_values():
    f = Q.Filters.from_values(roles="Data Engineer", seniorities=["Senior"], date_from="2026-11-09T00:00:00",
                              date_to=None, model_versions=[])
    assert f == Q.Filters(roles=("Data Engineer",), seniorities=("Senior",), date_from=dt.date(2026, 11, 9))
    with pytest.raises(ValueError):
        Q.Filters.from_values(date_from="yesterday")


def test_skill_demand_counts_listings_once_and_splits_required_from_preferred(con):
    top = Q.skill_demand(con, LATEST, limit=3)
    assert top == [
        {"skill": "Python", "listings": 5, "required": 4, "preferred_only": 1, "share": 5 / 6},
        {"skill": "SQL", "listings": 4, "required": 4, "preferred_only": 0, "share": 4 / 6},
        # required in j1 and j4, only preferred in j2
        {"skill": "Apache Airflow", "listings": 3, "required": 2, "preferred_only": 1, "share": 3 / 6},
    ]
    senior = Q.skill_demand(con, Q.Filters(seniorities=("Senior",), model_versions=(NEW,)), limit=2)
    assert [(r["skill"], r["listings"], r["share"]) for r in senior] == [("Apache Airflow", 3, 1.0),
                                                                         ("Python", 3, 1.0)]
    bi = Q.skill_demand(con, LATEST, category="technical_skills.data_visualization_bi_tools")
    assert [(r["skill"], r["listings"]) for r in bi] == [("Microsoft Power BI", 2)]


def test_trend_of_a_skill_per_week_with_the_undated_counted_apart(con):
    trend = Q.skill_trend(con, LATEST, "SQL", "week")
    assert [(p["period"], p["listings"], p["with_skill"], p["share"]) for p in trend["points"]] == [
        (dt.date(2026, 11, 2), 2, 2, 1.0), (dt.date(2026, 11, 9), 2, 1, 0.5), (dt.date(2026, 11, 16), 1, 1, 1.0)]
    assert trend["undated"] == 1
    assert Q.trend_bucket(dt.date(2026, 1, 1), dt.date(2026, 2, 1)) == "day"
    assert Q.trend_bucket(dt.date(2025, 1, 1), dt.date(2026, 2, 1)) == "week"
    assert Q.trend_bucket(dt.date(2020, 1, 1), dt.date(2026, 2, 1)) == "month"
    with pytest.raises(ValueError):
        Q.skill_trend(con, LATEST, "SQL", "hour; DROP TABLE jobs")


def test_skill_pairs_among_the_top_skills(con):
    pairs = Q.skill_pairs(con, LATEST, top=3)
    assert pairs["skills"] == ["Python", "SQL", "Apache Airflow"]
    assert [(p["skill_a"], p["skill_b"], p["listings"]) for p in pairs["pairs"]] == [
        ("Python", "SQL", 4), ("Apache Airflow", "Python", 3), ("Apache Airflow", "SQL", 2)]


def test_remote_share_by_location(con):
    found = {r["location"]: r for r in Q.remote_share_by_location(con, LATEST)}
    assert found["Lisbon"]["listings"] == 3
    assert (found["Lisbon"]["remote_share"], found["Lisbon"]["hybrid_share"], found["Lisbon"]["office_share"]) == (
        pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert (found["Berlin"]["remote_share"], found["Porto"]["remote_share"], found["Portugal"]["listings"]) == (
        0.0, 1.0, 1)


def test_experience_by_seniority(con):
    found = {r["seniority"]: r for r in Q.experience_by_seniority(con, LATEST)}
    assert list(found) == ["Junior", "Mid-Level", "Senior"]
    assert (found["Senior"]["min"], found["Senior"]["median"], found["Senior"]["max"]) == (4, 5.0, 6)
    assert (found["Mid-Level"]["listings"], found["Mid-Level"]["without_years"]) == (0, 1)


def test_benefits_and_learning_platforms(con):
    found = Q.benefits(con, LATEST)
    assert found["benefit"] == [{"benefit": "Health Insurance", "listings": 2, "share": 2 / 6},
                                {"benefit": "Meal Allowance", "listings": 2, "share": 2 / 6}]
    assert [(r["benefit"], r["listings"]) for r in found["learning_platform"]] == [("Udemy", 2)]
    assert [r["benefit"] for r in found["flexibility"]] == ["Flexible Schedule"]
    assert Q.benefits(con, LATEST, limit=1)["benefit"] == found["benefit"][:1]


def test_skill_gap_ranks_what_is_missing_and_counts_full_matches(con):
    gap = Q.skill_gap(con, LATEST, "Data Engineer", "Senior", "python, SQL; aws\nk8s, Haskell")
    assert gap.have == ["Python", "SQL", "AWS", "Kubernetes", "Haskell"]
    # j1 requires Python, SQL, Airflow (communication is a soft skill); j2 Python, SQL, AWS; j4 Python, Spark,
    # AWS, Airflow: only j2 is fully matched; coverage (2/3 + 3/3 + 2/4) / 3
    assert (gap.listings, gap.with_requirements, gap.matched) == (3, 3, 1)
    assert gap.match_share == pytest.approx(1 / 3) and gap.coverage == pytest.approx((2 / 3 + 1 + 2 / 4) / 3)
    assert [(r["skill"], r["listings"]) for r in gap.missing] == [("Apache Airflow", 3), ("Apache Spark", 1)]
    assert "Communication" not in [r["skill"] for r in gap.demand]
    assert gap.unknown == ["Haskell"]
    everything = Q.skill_gap(con, LATEST, "Data Engineer", None, "Python, SQL, AWS, Airflow, Spark")
    # junior j3 counts too; Kubernetes, only preferred (in j1), is missing but keeps no listing from a match
    assert (everything.listings, everything.matched) == (4, 4)
    assert [r["skill"] for r in everything.missing] == ["Kubernetes"]
    nothing = Q.skill_gap(con, LATEST, "Data Engineer", "Senior", "")
    assert (nothing.have, nothing.matched, nothing.coverage) == ([], 0, 0.0)


def test_jobs_page_and_job_detail(con):
    page, total = Q.jobs_page(con, LATEST, offset=4, limit=3)
    assert total == 6 and [r["job_id"] for r in page] == ["j1", "j6"]  # newest first, the undated last
    job = Q.job_detail(con, "j1")
    assert job["model_version"] == NEW and job["other_versions"] == [OLD]
    assert [s["skill"] for s in job["skills"]][:2] == ["Python", "SQL"]  # in text order
    assert Q.job_detail(con, "j1", OLD)["skill_count"] == 1
    assert Q.job_detail(con, "no-such-job") is None


def test_csv_exports_match_the_filters_and_defuse_formulas(con):
    jobs = Q.export_jobs(con, Q.Filters(seniorities=("Senior",), model_versions=(NEW,))).read_all()
    assert jobs.column("job_id").to_pylist() == ["j4", "j2", "j1"]  # newest ingestion first
    assert "listing_text" not in jobs.column_names and jobs.column("locations").to_pylist()[2] == "Lisbon; Portugal"
    skills = b"".join(csv_chunks(Q.export_skills(con, LATEST, batch_rows=7))).decode().splitlines()
    assert len(skills) == 1 + 20 and skills[0].startswith('"job_id","model_version"')
    risky = pa.record_batch({"a": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "plain", None]})
    assert Q._csv_safe(risky).column("a").to_pylist() == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "plain", None]


def test_data_quality(source, con):
    dq = Q.data_quality(con, (NEW,))
    assert dq["tables"] == {"jobs": 6, "job_skills": 20, "job_benefits": 7, "extraction_errors": 2}
    assert {(r["stage"], r["reason"]): r["rows"] for r in dq["dead_letters"]} == {
        ("validate", "truncated"): 1, ("normalise", "empty_description"): 1}
    assert (dq["skills"]["from_taxonomy"], dq["skills"]["from_both"], dq["skills"]["orphans"]) == (1, 1, 0)
    assert (dq["jobs"]["duplicate_rows"], dq["jobs"]["without_ingestion_date"]) == (0, 1)
    assert [r["run_id"] for r in Q.data_quality(con)["runs"]] == [f"run-{NEW}", f"run-{OLD}"]
    assert source.run_summaries[0]["duplicates"] == 1 and source.problems == []


def test_evidence_pieces_rebuild_the_text_and_report_bad_spans():
    text = "Use Spark SQL and k8s daily."
    rows = [{"skill": "Spark SQL", "evidence_start": 4, "evidence_end": 13, "evidence_text": "Spark SQL"},
            {"skill": "Apache Spark", "evidence_start": 4, "evidence_end": 9, "evidence_text": "Spark"},  # overlaps
            {"skill": "Kubernetes", "evidence_start": 18, "evidence_end": 21, "evidence_text": "k8s"},
            {"skill": "Scala", "evidence_start": None, "evidence_end": None, "evidence_text": None},  # ungrounded
            {"skill": "Go", "evidence_start": 20, "evidence_end": 99, "evidence_text": "Go"},
            {"skill": "SQL", "evidence_start": 0, "evidence_end": 3, "evidence_text": "SQL"}]
    pieces, problems = evidence_pieces(text, rows)
    assert "".join(p.text for p in pieces) == text
    assert pieces == [Piece("Use "), Piece("Spark SQL", ("Apache Spark", "Spark SQL")), Piece(" and "),
                      Piece("k8s", ("Kubernetes",)), Piece(" daily.")]
    assert len(problems) == 2 and problems[0].startswith("Go: evidence offsets 20-99")
    assert "reads 'Use'" in problems[1]


def test_a_folder_that_is_not_an_output_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no such folder"):
        open_source(str(tmp_path / "missing"))
    with pytest.raises(SourceError, match="no jobs/ folder"):
        open_source(str(tmp_path))
    with pytest.raises(SourceError, match="bq://PROJECT.DATASET"):
        open_source("gs://bucket/out")


def test_an_older_output_opens_with_its_missing_columns_reported(tmp_path):
    import pyarrow.parquet as pq

    root = write_known_dataset(tmp_path / "out")
    jobs = pq.read_table(root / "jobs").drop_columns(["listing_text", "ingestion_date"])
    pq.write_table(jobs, next((root / "jobs").glob("part-*.parquet")))
    (root / "run_summary.json").write_text("{not json")
    source = open_source(str(root))
    assert Q.count_listings(source.cursor(), LATEST) == 6
    assert "no column ingestion_date, listing_text" in source.problems[0]
    assert "not a run summary" in source.problems[1]
    with pytest.raises(SourceError, match="does not have the types"):
        bad = jobs.set_column(jobs.schema.get_field_index("skill_count"), "skill_count",
                              pa.array(["many"] * jobs.num_rows))
        pq.write_table(bad, next((root / "jobs").glob("part-*.parquet")))
        open_source(str(root))


def test_hostile_run_summary_is_reported_not_trusted(tmp_path):
    root = write_known_dataset(tmp_path / "out")
    (root / "run_summary.json").write_text(json.dumps(["a list"]))
    assert "not a JSON object" in open_source(str(root)).problems[0]
