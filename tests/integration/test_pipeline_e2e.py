"""The whole pipeline on DirectRunner with the embedded model (plus the bundled LoRA adapter), offline."""
from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from beam_pipeline.launcher import run
from schemas.tables import arrow_schema
from schemas.validation import parse_extraction
from tests.support.paths import BUNDLED_ADAPTER, EXAMPLES, read_jsonl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    listings = {row["job_id"]: row for row in read_jsonl(EXAMPLES / "listings.jsonl")}
    good = [listings["4100000012"], listings["4100000004"]]
    long_listing = dict(listings["4100000001"], job_id="long-1",
                        job_description=listings["4100000001"]["job_description"] * 12)
    lines = [json.dumps(row) for row in good + [long_listing]] + [
        json.dumps(dict(good[0], job_title="scraped again")),           # duplicate job_id
        json.dumps({"job_id": "empty-1", "job_description": "   "}),     # empty
        json.dumps({"job_id": "html-1", "job_description": "<div><br/><p>&nbsp;</p></div>"}),  # HTML only
        json.dumps({"job_id": "huge-1", "job_description": "Python developer. " * 20000}),     # far too long
        "this line is not JSON",
    ]
    source = tmp / "listings.jsonl"
    source.write_text("\n".join(lines) + "\n")
    out = tmp / "out"
    summary = run(["--input", str(source), "--output", str(out), "--model", str(BUNDLED_ADAPTER),
                   "--prompt-style", "compact", "--batch-size", "3", "--max-error-rate", "1"])  # mostly hostile
    tables = {name: pq.read_table(out / name) for name in ("jobs", "job_skills", "job_benefits",
                                                            "extraction_errors")}
    return summary, tables, out


def test_counts_reconcile(e2e):
    summary, tables, out = e2e
    assert summary["read"] == 8
    assert summary["duplicates"] == 1
    assert summary["read"] == summary["extracted"] + summary["dead_lettered"] + summary["duplicates"]
    assert summary["rows"]["jobs"] == tables["jobs"].num_rows == summary["extracted"]
    assert summary["rows"]["extraction_errors"] == tables["extraction_errors"].num_rows
    assert json.loads((out / "run_summary.json").read_text())["reconciled"] is True


def test_bad_inputs_are_dead_letters_with_the_right_reason(e2e):
    _, tables, _ = e2e
    errors = {(row["job_id"], row["stage"], row["reason"]) for row in tables["extraction_errors"].to_pylist()}
    assert ("empty-1", "normalise", "empty_description") in errors
    assert ("html-1", "normalise", "empty_description") in errors
    assert ("huge-1", "normalise", "input_too_long") in errors
    assert ("(unknown)", "read", "invalid_json") in errors


def test_every_jobs_row_validates_and_tables_keep_their_schemas(e2e):
    summary, tables, _ = e2e
    jobs = tables["jobs"].to_pylist()
    assert {row["job_id"] for row in jobs} >= {"4100000012", "4100000004"}
    for row in jobs:
        parse_extraction(row["extraction_json"])
    for name, table in tables.items():
        assert table.schema.equals(arrow_schema(name), check_metadata=False), name
    skills = tables["job_skills"].to_pylist()
    assert skills and all(row["job_id"] in summary_ids(jobs) for row in skills)
    assert sum(row["skill_count"] for row in jobs) == len(skills)


def test_the_long_listing_was_cut_to_fit_and_marked(e2e):
    _, tables, _ = e2e
    jobs = {row["job_id"]: row for row in tables["jobs"].to_pylist()}
    errors = {row["job_id"]: row for row in tables["extraction_errors"].to_pylist()}
    if "long-1" in jobs:
        assert jobs["long-1"]["input_truncated"] is True
    else:  # the model may still fail on it, but then as a validation dead letter, never silently
        assert errors["long-1"]["stage"] == "validate"


def summary_ids(jobs: list[dict]) -> set[str]:
    return {row["job_id"] for row in jobs}


def test_the_summary_says_which_decoders_ran(e2e):
    """No flags: one single-threaded decoder process per usable core (as many as got listings to decode)."""
    from beam_pipeline.decoders import plan_decoders

    summary, _, _ = e2e
    planned = plan_decoders("transformers", [], listings=summary["read"])
    decoders = summary["decoders"]
    assert decoders["engine"] == summary["engine"] == "transformers"
    assert 1 <= decoders["processes"] <= planned.processes
    assert decoders["threads_each"] == planned.threads or planned.threads is None
    assert len(decoders["listings_each"]) == decoders["processes"]
