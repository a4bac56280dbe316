"""BigQuery reading, writing, merging and views against a real emulator (no mock)."""
from __future__ import annotations

import json

import pytest

from beam_pipeline.bigquery_tables import ensure_tables, finalize
from extraction.bigquery import read_rows, to_json_row
from schemas.tables import TABLES, bigquery_schema
from tests.support.listings import load_listings
from tests.support.paths import EXAMPLES, read_jsonl


def test_read_rows_from_a_table_and_a_query(connection):
    rows = read_jsonl(EXAMPLES / "listings.jsonl")[:5]
    uri = load_listings(connection, "read_test", rows)
    read = list(read_rows(table=uri, connection=connection))
    assert sorted(r["job_id"] for r in read) == sorted(r["job_id"] for r in rows)
    queried = list(read_rows(query=f"SELECT job_id FROM `{connection.project}.read_test.listings` "
                                   "WHERE job_id = '4100000001'", connection=connection))
    assert queried == [{"job_id": "4100000001"}]


def test_tables_are_partitioned_clustered_and_merge_without_duplicates(connection):
    from google.cloud import bigquery

    staging = ensure_tables(connection, "merge_test", "run-1")
    client = connection.client()
    for name in TABLES:
        table = client.get_table(f"{connection.project}.merge_test.{name}")
        assert table.time_partitioning.field == "extraction_date"
        assert table.clustering_fields
    row = {"job_id": "j1", "model_version": "m@1", "extraction_date": "2026-11-26",
           "extracted_at": "2026-11-26T05:00:00+00:00", "run_id": "run-1", "skill": "Python",
           "category": "technical_skills.programming_languages.general_purpose", "requirement": "required",
           "grounded": True}
    assert client.insert_rows_json(staging["job_skills"], [row]) == []
    assert finalize(connection, "merge_test", staging)["job_skills"] == 1
    staging = ensure_tables(connection, "merge_test", "run-2")  # the same row again, as a re-run would
    assert client.insert_rows_json(staging["job_skills"], [dict(row, run_id="run-2")]) == []
    assert finalize(connection, "merge_test", staging)["job_skills"] == 0
    count = list(client.query(f"SELECT COUNT(*) AS n FROM `{connection.project}.merge_test.job_skills`").result())
    assert count[0]["n"] == 1
    with pytest.raises(Exception):
        client.get_table(staging["job_skills"])  # staging tables are dropped
    assert isinstance(client.get_table(f"{connection.project}.merge_test.v_skill_pairs"), bigquery.Table)


def test_tables_of_an_older_release_gain_the_new_columns(connection):
    from google.cloud import bigquery

    client = connection.client()
    client.create_dataset("upgrade_test", exists_ok=True)
    new = {"listing_text", "ingestion_date", "skills_removed", "skills_recovered"}
    old = [bigquery.SchemaField.from_api_repr(f) for f in bigquery_schema("jobs") if f["name"] not in new]
    client.create_table(bigquery.Table(f"{connection.project}.upgrade_test.jobs", schema=old))
    ensure_tables(connection, "upgrade_test", "run-1")
    names = [f.name for f in client.get_table(f"{connection.project}.upgrade_test.jobs").schema]
    assert new <= set(names) and names[:len(old)] == [f.name for f in old]  # appended, nothing reordered


def test_over_budget_only_the_dead_letters_are_merged(connection):
    client = connection.client()
    staging = ensure_tables(connection, "budget_test", "run-1")
    keys = {"model_version": "m", "extraction_date": "2026-11-26", "extracted_at": "2026-11-26T00:00:00Z",
            "run_id": "run-1"}
    assert client.insert_rows_json(staging["extraction_errors"], [
        {"job_id": "e1", **keys, "stage": "read", "reason": "invalid_json", "detail": "x"}]) == []
    assert client.insert_rows_json(staging["job_benefits"], [
        {"job_id": "j1", **keys, "benefit": "Gym", "kind": "benefit"}]) == []
    merged = finalize(connection, "budget_test", staging, only=("extraction_errors",))
    assert merged == {"extraction_errors": 1}
    count = list(client.query(f"SELECT COUNT(*) AS n FROM `{connection.project}.budget_test.job_benefits`").result())
    assert count[0]["n"] == 0
    assert client.get_table(staging["job_benefits"])  # kept for inspection until it expires


def test_json_rows_are_serialisable():
    import datetime as dt

    row = to_json_row({"d": dt.date(2026, 11, 26), "t": dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc), "x": 1})
    assert json.dumps(row) == '{"d": "2026-11-26", "t": "2026-11-26T00:00:00+00:00", "x": 1}'


def test_trainer_loads_labelled_listings_from_bigquery(connection, emulator, monkeypatch):
    from google.cloud import bigquery

    from extraction.readers import read_records
    from trainer.data import load_labelled

    rows = read_jsonl(EXAMPLES / "train_labelled.jsonl")[:4]
    rows[3] = dict(rows[3], extraction=json.dumps({"job_summary": {"role_seniority": "Guru"}}))
    client = connection.client()
    client.create_dataset("train_data", exists_ok=True)
    schema = [bigquery.SchemaField(c, "STRING") for c in ("job_id", "job_title", "job_description", "extraction")]
    table = client.create_table(bigquery.Table(f"{connection.project}.train_data.labelled", schema=schema),
                                exists_ok=True)
    payload = [{"job_id": r["job_id"], "job_title": r["job_title"], "job_description": r["job_description"],
                "extraction": r["extraction"] if isinstance(r["extraction"], str) else json.dumps(r["extraction"])}
               for r in rows]
    assert client.insert_rows_json(table, payload) == []
    # the loader finds the emulator the way client libraries do: through the environment
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", emulator.rest.removeprefix("http://"))
    monkeypatch.setenv("BIGQUERY_STORAGE_EMULATOR_HOST", emulator.grpc)
    examples, report = load_labelled(read_records(f"bq://{connection.project}.train_data.labelled"))
    assert sorted(e.listing.job_id for e in examples) == sorted(r["job_id"] for r in rows[:3])
    assert report.rows == 4 and "role_seniority" in report.rejected[0]
    queried, _ = load_labelled(read_records(
        "", f"SELECT * FROM `{connection.project}.train_data.labelled` WHERE job_id = '{rows[0]['job_id']}'",
        project=connection.project))
    assert [e.listing.job_id for e in queried] == [rows[0]["job_id"]]


@pytest.mark.slow
def test_pipeline_reads_and_writes_bigquery_and_reruns_without_duplicates(connection, emulator, tmp_path):
    from beam_pipeline.launcher import run
    from tests.support.paths import BUNDLED_ADAPTER

    listings = {r["job_id"]: r for r in read_jsonl(EXAMPLES / "listings.jsonl")}
    rows = [listings["4100000012"], dict(listings["4100000012"], job_title="scraped again"),
            {"job_id": "empty-1", "job_description": "<p> </p>"}]
    source = load_listings(connection, "pipeline_in", rows)
    out = f"bq://{connection.project}.pipeline_out"
    argv = ["--input", source, "--output", out, "--model", str(BUNDLED_ADAPTER), "--prompt-style", "compact",
            "--bigquery-endpoint", emulator.rest, "--bigquery-storage-endpoint", emulator.grpc,
            "--max-error-rate", "1"]
    first = run(argv + ["--summary", str(tmp_path / "first.json")])
    assert (first["read"], first["duplicates"], first["extracted"] + first["dead_lettered"]) == (3, 1, 2)
    assert first["bigquery_rows_inserted"]["extraction_errors"] >= 1
    assert json.loads((tmp_path / "first.json").read_text()) == first  # written once, with the merge's counts
    assert not list(tmp_path.glob("*.counts"))
    client = connection.client()

    def count(table: str) -> int:
        return list(client.query(f"SELECT COUNT(*) AS n FROM `{connection.project}.pipeline_out.{table}`")
                    .result())[0]["n"]

    counts = {t: count(t) for t in ("jobs", "job_skills", "job_benefits", "extraction_errors")}
    assert counts["jobs"] == first["extracted"] and counts["extraction_errors"] == first["dead_lettered"]
    assert counts["job_skills"] == first["rows"]["job_skills"]
    second = run(argv + ["--summary", str(tmp_path / "second.json")])
    assert second["bigquery_rows_inserted"] == {t: 0 for t in counts}
    assert {t: count(t) for t in counts} == counts  # the re-run added no duplicate rows
    dupes = list(client.query(f"SELECT job_id, model_version, COUNT(*) AS n FROM "
                              f"`{connection.project}.pipeline_out.jobs` GROUP BY 1, 2 HAVING n > 1").result())
    assert dupes == []
    if counts["jobs"]:
        demand = list(client.query(f"SELECT skill, listings FROM `{connection.project}.pipeline_out.v_skill_demand`")
                      .result())
        assert sum(r["listings"] for r in demand) == counts["job_skills"]


def test_dashboard_views_on_known_rows(connection):
    staging = ensure_tables(connection, "views_test", "run-v")
    client = connection.client()
    keys = {"model_version": "m@1", "extraction_date": "2026-11-26", "extracted_at": "2026-11-26T05:00:00+00:00",
            "run_id": "run-v"}
    jobs = []
    for job_id, remote, locations in (("a", "Fully Remote", ["Lisbon", "Portugal"]), ("b", "Hybrid", ["Lisbon"]),
                                      ("c", "Office-based", ["Berlin"])):
        jobs.append({**keys, "job_id": job_id, "prompt_version": "p", "prompt_style": "compact",
                     "input_truncated": False, "role_title": "Data Engineer", "role_seniority": "Senior",
                     "company_type": "Fintech", "specification_level": "Specific Location / Remote Status Identified",
                     "remote_status": remote, "locations": locations, "flexibility": [], "company_values_keywords": [],
                     "methodologies_practices": [], "soft_skills_keywords": [], "collaboration_with": [],
                     "key_responsibilities": [], "skill_count": 2, "extraction_json": "{}"})
    skills = [{**keys, "job_id": j, "skill": s, "category": "technical_skills.cloud_platforms",
               "requirement": "required", "grounded": True}
              for j, s in (("a", "AWS"), ("a", "Python"), ("b", "AWS"), ("b", "Python"), ("c", "AWS"), ("c", "SQL"))]
    benefits = [{**keys, "job_id": j, "benefit": "Health Insurance", "kind": "benefit"} for j in ("a", "b")]
    for table, rows in (("jobs", jobs), ("job_skills", skills), ("job_benefits", benefits)):
        assert client.insert_rows_json(staging[table], rows) == []
    finalize(connection, "views_test", staging)
    project = connection.project

    def query(sql: str) -> list[dict]:
        return [dict(r) for r in client.query(sql.format(v=f"{project}.views_test")).result()]

    demand = query("SELECT skill, listings FROM `{v}.v_skill_demand` ORDER BY skill")
    assert demand == [{"skill": "AWS", "listings": 3}, {"skill": "Python", "listings": 2},
                      {"skill": "SQL", "listings": 1}]
    pairs = query("SELECT skill_a, skill_b, listings FROM `{v}.v_skill_pairs` ORDER BY listings DESC, skill_b")
    assert pairs[0] == {"skill_a": "AWS", "skill_b": "Python", "listings": 2}
    remote = query("SELECT location, listings, remote_listings, remote_share FROM "
                   "`{v}.v_remote_share_by_location` ORDER BY location")
    assert remote == [{"location": "Berlin", "listings": 1, "remote_listings": 0, "remote_share": 0.0},
                      {"location": "Lisbon", "listings": 2, "remote_listings": 1, "remote_share": 0.5},
                      {"location": "Portugal", "listings": 1, "remote_listings": 1, "remote_share": 1.0}]
    benefit = query("SELECT benefit, listings, share FROM `{v}.v_benefit_frequency`")
    assert benefit[0]["listings"] == 2 and benefit[0]["share"] == pytest.approx(2 / 3)
