"""The dashboard reads the pipeline's four BigQuery tables, written the pipeline's way, from a real emulator."""
from __future__ import annotations

import pytest

from beam_pipeline.bigquery_tables import ensure_tables, finalize
from extraction.bigquery import to_json_row
from insights import queries as Q
from insights.source import SourceError, open_source
from tests.support.insights_dataset import NEW, known_tables


def test_source_reads_the_four_tables_from_bigquery(connection, tmp_path):  # noqa: F811
    staging = ensure_tables(connection, "insights_test", "run-insights")
    client = connection.client()
    tables = known_tables()
    for name, found in tables.items():
        assert client.insert_rows_json(staging[name], [to_json_row(r) for r in found]) == []
    finalize(connection, "insights_test", staging)
    source = open_source(f"bq://{connection.project}.insights_test", connection=connection,
                         summaries=str(tmp_path / "run_summary.json"))
    con = source.cursor()
    assert {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables} == {
        name: len(found) for name, found in tables.items()}
    latest = Q.Filters(model_versions=(NEW,))
    assert [(r["skill"], r["listings"]) for r in Q.skill_demand(con, latest, limit=2)] == [("Python", 5), ("SQL", 4)]
    gap = Q.skill_gap(con, latest, "Data Engineer", "Senior", "python, sql, aws")
    assert (gap.matched, gap.with_requirements) == (1, 3)
    job = Q.job_detail(con, "j1", NEW)  # types survive the round trip: lists, dates, offsets
    assert job["locations"] == ["Lisbon", "Portugal"] and str(job["ingestion_date"]) == "2026-11-02"
    airflow = next(s for s in job["skills"] if s["skill"] == "Apache Airflow")
    assert job["listing_text"][airflow["evidence_start"]:airflow["evidence_end"]] == "Airflow"
    with pytest.raises(SourceError, match="no table jobs"):
        open_source(f"bq://{connection.project}.no_such_dataset", connection=connection)
