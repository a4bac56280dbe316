"""The pipeline's steps on their own, on the real DirectRunner (no model needed here)."""
from __future__ import annotations

import datetime as dt
import json

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.ml.inference.base import PredictionResult
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from beam_pipeline.summary import ReconciliationError, reconcile
from beam_pipeline.transforms import NormaliseListings, ReadListings, validate_prediction
from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, Listing
from extraction.prompt import PromptRecord
from extraction.rows import RunInfo
from inference.engine import Generation
from schemas.validation import canonical_json, parse_extraction

RUN = RunInfo("m@1", "p1", "compact", "r1", dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))
ROWS = [
    {"job_id": "a", "job_title": "Data Engineer", "job_description": "<p>Python &amp; SQL</p>"},
    {"job_id": "b", "job_title": "BI Analyst", "job_description": "Power BI"},
]


def _read(tmp_path, name: str, writer) -> list:
    path = tmp_path / name
    writer(path)
    with BeamTestPipeline() as p:
        out = p | ReadListings(str(path), RUN)
        assert_that(out["records"] | beam.Map(lambda r: (r["job_id"], r["job_description"])),
                    equal_to([(r["job_id"], r["job_description"]) for r in ROWS]), label="records")
        assert_that(out["errors"] | beam.Map(lambda r: r["reason"]), equal_to([]), label="errors")


def test_reads_jsonl_csv_and_parquet(tmp_path):
    _read(tmp_path, "l.jsonl", lambda p: p.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n\n"))

    def write_csv(path):
        import csv
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(ROWS[0]))
            writer.writeheader()
            writer.writerows(ROWS)
    _read(tmp_path, "l.csv", write_csv)
    _read(tmp_path, "l.parquet", lambda p: pq.write_table(pa.Table.from_pylist(ROWS), p))


def test_bad_lines_become_read_errors(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"job_id": "a", "job_description": "x"}\nnot json\n[1, 2]\n')
    with BeamTestPipeline() as p:
        out = p | ReadListings(str(path), RUN)
        assert_that(out["errors"] | beam.Map(lambda r: (r["stage"], r["reason"], r["input_excerpt"])),
                    equal_to([("read", "invalid_json", "not json"), ("read", "not_an_object", "[1, 2]")]))


def test_unknown_input_format_is_a_clear_error():
    with pytest.raises(ValueError, match=r".jsonl, .json, .ndjson, .csv or .parquet"):
        with BeamTestPipeline() as p:
            p | ReadListings("listings.xlsx", RUN)


OLD, NEW, NO_ID = "Data engineer role, 2 years of experience", "Data engineer role, 3 years of experience", \
    "Hiring a Python developer"


def test_normalise_deduplicates_and_dead_letters():
    records = [
        {"job_id": "a", "job_description": OLD, "ingestionDate": "2026-01-01"},
        {"job_id": "a", "job_description": NEW, "ingestionDate": "2026-01-02"},
        {"job_id": "a", "job_description": NEW, "ingestionDate": "2026-01-02"},
        {"job_id": "b", "job_description": "<div><br></div>"},
        {"job_id": "c", "job_description": "x" * 101},
        {"job_description": NO_ID},
    ]
    with BeamTestPipeline() as p:
        out = p | beam.Create(records) | NormaliseListings(ColumnMap(), 100, RUN)
        assert_that(out["listings"] | beam.Map(lambda l: (l.job_id, l.description)),
                    equal_to([("a", NEW), ("sha1-" + __import__("hashlib").sha1(NO_ID.encode())
                               .hexdigest()[:16], NO_ID)]), label="listings")
        assert_that(out["duplicates"], equal_to(["a", "a"]), label="duplicates")
        assert_that(out["errors"] | beam.Map(lambda r: (r["job_id"], r["stage"], r["reason"])),
                    equal_to([("b", "normalise", "empty_description"), ("c", "normalise", "input_too_long")]),
                    label="errors")


def _result(text: str, finish: str = "stop") -> PredictionResult:
    record = PromptRecord(Listing("j1", "Python"), "prompt", [1] * 10, False)
    return PredictionResult(record, Generation(text, finish, 10, 20), "m@1")


def test_validate_prediction(note_example):
    text = canonical_json(parse_extraction(note_example))
    record, extraction = validate_prediction(_result(text))
    assert record.listing.job_id == "j1" and extraction.job_summary.role_title == "DevOps Engineer"
    with pytest.raises(DeadLetter) as info:
        validate_prediction(_result(text[:100], finish="length"))
    assert (info.value.stage, info.value.reason) == ("validate", "truncated")
    with pytest.raises(DeadLetter) as info:
        validate_prediction(_result('{"job_summary": {"role_seniority": "Guru"}}'))
    assert info.value.reason == "schema_violation" and "role_seniority" in info.value.args[2]


def test_reconcile_fails_loudly_when_counts_disagree():
    ok = reconcile({"read": 5, "duplicates": 1, "extracted": 2, "dead_lettered_by": {"validate/truncated": 2}})
    assert ok["reconciled"] and ok["dead_lettered"] == 2
    with pytest.raises(ReconciliationError, match="read 5 != extracted 2"):
        reconcile({"read": 5, "duplicates": 1, "extracted": 2, "dead_lettered_by": {"validate/truncated": 1}})
