"""`trainer label` with BigQuery in and out, against the real emulator (tests/support/bigquery_emulator.py)."""
from __future__ import annotations

import json

import pytest

from extraction.listings import normalise_listing
from extraction.readers import read_records
from tests.support import llama_server
from tests.support.listings import LISTINGS, load_listings
from tests.support.paths import EXAMPLES, read_jsonl
from trainer.data import load_labelled
from trainer.label.config import LabelConfig
from trainer.label.run import label
from trainer.label.store import BigQueryStore, label_row, rejection_row


@pytest.fixture(scope="module", autouse=True)
def emulator_env(emulator):
    """The trainer's reader builds its own connection from the environment, as the client libraries do."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BIGQUERY_EMULATOR_HOST", emulator.rest)
        patch.setenv("BIGQUERY_STORAGE_EMULATOR_HOST", emulator.grpc)
        yield


def test_labels_in_bigquery_are_what_trainer_train_reads(connection):
    uri = f"bq://{connection.project}.labels_store.labelled"
    store = BigQueryStore(uri, uri + "_rejections", connection)
    rows = read_jsonl(EXAMPLES / "train_labelled.jsonl")[:4]
    for row in rows:
        store.add_label(label_row(normalise_listing(row), row["extraction"], "teacher-x", "v1", 4000, 900, ["Git"]))
    store.add_rejection(rejection_row("r1", "teacher-x", "v1", "teacher", "truncated", "cut at 8192 tokens"))
    done = store.done("teacher-x", "v1")
    assert done.labelled == {r["job_id"] for r in rows} and done.rejected == {"r1": "truncated"}
    assert store.done("teacher-y", "v1").labelled == set()
    store.close()

    examples, report = load_labelled(read_records(uri))
    assert report.rejected == [] and report.loaded == 4
    by_id = {e.listing.job_id: e for e in examples}
    assert by_id[rows[0]["job_id"]].extraction.model_dump(mode="json") == rows[0]["extraction"]
    stored = list(read_records(uri))
    assert stored[0]["grounding_removed"] == ["Git"] and json.loads(stored[0]["extraction"])


@pytest.mark.slow
def test_a_run_from_a_bigquery_table_into_bigquery_resumes(connection, tmp_path):
    server = llama_server.shared()
    source = load_listings(connection, "label_in", LISTINGS[:3])
    output = f"bq://{connection.project}.label_out.labelled"
    cfg = LabelConfig(input=source, output=output, report=str(tmp_path / "summary.json"),
                      base_url=server.base_url, model=llama_server.MODEL_ALIAS, response_format="json_object_schema",
                      max_tokens=4, concurrency=1, progress_every=1)
    first = label(cfg, connection)
    assert first["complete"] and first["requests"] == 3
    assert first["counts"]["read"] == 3 and first["rejected_by_reason"] == {"truncated": 3}
    rejected = list(read_records(output + "_rejections"))
    assert sorted(r["job_id"] for r in rejected) == ["L1", "L2", "L3"]
    assert {r["reason"] for r in rejected} == {"truncated"}

    second = label(cfg, connection)
    assert second["requests"] == 0 and second["counts"]["done_before"] == 3
    assert len(list(read_records(output + "_rejections"))) == 3
