"""The one reader (`extraction.readers.read_records`) and the one duplicate rule (`keep_latest`), on real files:
what the pipeline, the labeller and the trainer read from the same file is the same."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to

from beam_pipeline.transforms import NormaliseListings, ReadListings
from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, Listing, keep_latest, normalise_listing
from extraction.readers import InputError, read_records
from extraction.rows import RunInfo
from schemas.__main__ import main as schemas_main
from tests.support.paths import EXAMPLES, read_jsonl
from trainer.data import load_labelled
from trainer.label.config import LabelConfig
from trainer.label.report import LabelStats
from trainer.label.run import collect

RUN = RunInfo("m@1", "p1", "compact", "r1", dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))
DESC = "We are hiring a Data Engineer. Requirements: 3 years of experience with Python and SQL."


def outcomes(items) -> list:
    """Each record as its job_id, each dead letter as (reason, job_id)."""
    return [(item.reason, item.job_id) if isinstance(item, DeadLetter) else item.get("job_id") for item in items]


# ------------------------------------------------------------------------------------------------ CSV shapes

def test_a_csv_row_without_its_trailing_optional_columns_is_read_with_them_empty(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"job_id,job_description,job_title,location,workplace_type\r\n"
                     b"c1," + DESC.encode() + b",Data Engineer,Lisbon,Remote\r\n"
                     b"c2," + DESC.encode() + b",Data Engineer\r\n"   # location and workplace_type dropped
                     b"c3\r\n")                                         # the description itself is missing
    records = list(read_records(str(path)))
    assert outcomes(records) == ["c1", "c2", ("wrong_field_count", "c3")]
    assert records[1] == {"job_id": "c2", "job_description": DESC, "job_title": "Data Engineer", "location": "",
                          "workplace_type": ""}
    listing = normalise_listing(records[1])
    assert (listing.title, listing.location, listing.workplace_type) == ("Data Engineer", None, None)


def test_a_csv_row_with_a_renamed_description_column_is_judged_by_that_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,body,extra\r\nx1,text\r\nx2\r\n")
    columns = ColumnMap(job_id="id", description="body")
    records = list(read_records(str(path), columns=columns))
    assert records[0] == {"id": "x1", "body": "text", "extra": ""}
    assert (records[1].reason, records[1].job_id) == ("wrong_field_count", "x2")
    # with the default map neither column is the description: both rows are read, normalising judges them
    assert [r["id"] for r in read_records(str(path))] == ["x1", "x2"]


# ------------------------------------------------------------------------------------------------ job_id kept

def test_read_dead_letters_keep_a_readable_job_id(tmp_path):
    csv_path = tmp_path / "listings.csv"
    csv_path.write_bytes(b"job_id,job_description\r\n"
                         b"b1,caf\xe9 au lait\r\n"       # a bad byte after the job_id
                         b"b2,text,one field too many\r\n"
                         b"\xff\xfe,bad id\r\n")         # the job_id itself is unreadable
    assert outcomes(read_records(str(csv_path))) == [
        ("invalid_encoding", "b1"), ("wrong_field_count", "b2"), ("invalid_encoding", None)]

    jsonl_path = tmp_path / "listings.jsonl"
    jsonl_path.write_bytes(b'{"job_id": "j1", "job_description": "caf\xe9"}\n'
                           b'{"job_id": 42, "job_description": "caf\xe9"}\n'
                           b'{"job_id": "j\xe93", "job_description": "x"}\n'
                           b'{"job_id": "j4", "job_descr\n')
    assert outcomes(read_records(str(jsonl_path))) == [
        ("invalid_encoding", "j1"), ("invalid_encoding", "42"), ("invalid_encoding", None), ("invalid_json", None)]


def test_the_pipeline_writes_the_kept_job_id_into_extraction_errors(tmp_path):
    path = tmp_path / "listings.csv"
    path.write_bytes(b"id,body\r\nb1,caf\xe9\r\nb2,x,y\r\n")
    with BeamTestPipeline() as p:
        out = p | ReadListings(str(path), RUN, ColumnMap(job_id="id", description="body"))
        assert_that(out["errors"] | beam.Map(lambda row: (row["job_id"], row["reason"])),
                    equal_to([("b1", "invalid_encoding"), ("b2", "wrong_field_count")]))


def test_the_labeller_records_a_read_rejection_under_its_job_id(tmp_path):
    path = tmp_path / "listings.jsonl"
    path.write_bytes(b'{"job_id": "j1", "job_description": "caf\xe9"}\nnot json\n')
    inputs = collect(LabelConfig(input=str(path), output=str(tmp_path / "labels.jsonl")), LabelStats())
    ids = [job_id for job_id, *_ in inputs.rejections]
    assert ids[0] == "j1" and ids[1].startswith("read:sha1-")  # no job_id to keep: a hash of the line


# ------------------------------------------------------------------------------------------------ trainer

def test_the_trainer_reads_a_bom_a_bad_byte_and_csv_like_the_pipeline(tmp_path):
    labelled = read_jsonl(EXAMPLES / "train_labelled.jsonl")[:2]
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(labelled[0]).encode() + b"\n"
                     + b'{"job_id": "bad", "job_description": "caf\xe9", "extraction": {}}\n'
                     + json.dumps(labelled[1]).encode() + b"\n")
    examples, report = load_labelled(read_records(str(path)))
    assert [e.listing.job_id for e in examples] == [labelled[0]["job_id"], labelled[1]["job_id"]]
    assert report.rows == 3 and report.rejected == ["job_id bad: invalid_encoding: not UTF-8: byte 0xe9 at offset 41"]

    csv_path = tmp_path / "labels.csv"
    import csv
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["job_id", "job_title", "job_description", "extraction"])
        writer.writeheader()
        for row in labelled:
            writer.writerow({"job_id": row["job_id"], "job_title": row.get("job_title"),
                             "job_description": row["job_description"],
                             "extraction": row["extraction"] if isinstance(row["extraction"], str)
                             else json.dumps(row["extraction"])})
    from_csv, _ = load_labelled(read_records(str(csv_path)))
    assert [e.extraction for e in from_csv] == [e.extraction for e in examples]


def test_several_sources_and_a_missing_one(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.parquet"
    first.write_text(json.dumps({"job_id": "a", "job_description": DESC}) + "\n")
    pq.write_table(pa.Table.from_pylist([{"job_id": "b", "job_description": DESC}]), second)
    assert outcomes(read_records(f"{first}, {second}")) == ["a", "b"]
    with pytest.raises(InputError, match=r"^--data .*nothing\.jsonl: no file matches$"):
        list(read_records(str(tmp_path / "nothing.jsonl"), flag="--data"))


# ------------------------------------------------------------------------------------------------ validate

def test_schemas_validate_names_a_bare_json_string_not_an_object(tmp_path, capsys):
    path = tmp_path / "labels.jsonl"
    path.write_text('"just text"\n"{\\"job_summary\\": {}}"\n[1]\n{"job_summary": {}}\n')
    assert schemas_main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}:1: not_an_object: expected a JSON object, got str" in captured.err
    assert f"{path}:2: not_an_object: expected a JSON object, got str" in captured.err  # never parsed twice
    assert f"{path}:3: not_an_object:" in captured.err and "invalid_json" not in captured.err
    assert "1 valid, 3 invalid" in captured.out


# ------------------------------------------------------------------------------------------------ duplicates

def _listing(job_id: str, text: str, date: str | None = None) -> Listing:
    return Listing(job_id, text, ingestion_date=date)


def test_keep_latest_keeps_the_newest_then_the_longest_in_first_seen_order():
    listings = [_listing("a", "short", "2026-01-01T00:00:00"), _listing("b", "only one"),
                _listing("a", "older but longer text", "2025-12-01T00:00:00"),
                _listing("a", "newest", "2026-02-01T00:00:00"), _listing("c", "x"), _listing("c", "longer x")]
    kept, duplicates = keep_latest(listings)
    assert [(k.job_id, k.description) for k in kept] == [("a", "newest"), ("b", "only one"), ("c", "longer x")]
    assert Counter(duplicates) == {"a": 2, "c": 1}
    same = [_listing("d", "same"), _listing("d", "same")]
    assert keep_latest(same)[0][0] is same[0]  # a tie keeps the first one read


ROWS = [
    {"job_id": "r1", "job_description": DESC + " Old.", "ingestionDate": "2026-01-01"},
    {"job_id": "r2", "job_description": DESC},
    {"job_id": "r1", "job_description": DESC, "ingestionDate": "2026-03-01"},
    {"job_id": "r3", "job_description": DESC},  # the same text as r2 under another id: a listing of its own
]


def test_pipeline_labeller_and_trainer_keep_the_same_duplicate(tmp_path):
    path = tmp_path / "listings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    expected = {("r1", DESC), ("r2", DESC), ("r3", DESC)}

    with BeamTestPipeline() as p:
        normalised = p | beam.Create(ROWS) | NormaliseListings(ColumnMap(), 60_000, RUN)
        assert_that(normalised["listings"] | beam.Map(lambda listing: (listing.job_id, listing.description)),
                    equal_to(sorted(expected)), label="pipeline")
        assert_that(normalised["duplicates"], equal_to(["r1"]), label="duplicates")

    stats = LabelStats()
    inputs = collect(LabelConfig(input=str(path), output=str(tmp_path / "labels.jsonl")), stats)
    assert [(listing.job_id, listing.description) for listing in inputs.listings] == [
        ("r1", DESC), ("r2", DESC), ("r3", DESC)]
    assert stats.duplicates == 1

    labelled = [{**row, "extraction": {}} for row in ROWS]
    examples, report = load_labelled(labelled)
    assert {(e.listing.job_id, e.listing.description) for e in examples} == expected
    assert report.rejected == ["job_id r1: duplicate job_id; the latest ingestion (then the longest text) is kept"]
