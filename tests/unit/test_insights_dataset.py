"""The hand-made dashboard dataset (tests/support/insights_dataset.py) is itself a valid pipeline output."""
from __future__ import annotations

import pyarrow.parquet as pq

from schemas.tables import column_names
from tests.support.insights_dataset import write_known_dataset


def test_known_dataset_fits_the_schemas_and_its_evidence_fits_the_text(tmp_path):
    root = write_known_dataset(tmp_path)
    jobs = pq.read_table(root / "jobs")
    assert jobs.schema.names == column_names("jobs") and jobs.num_rows == 7
    texts = {(r["job_id"], r["model_version"]): r["listing_text"] for r in jobs.to_pylist()}
    for row in pq.read_table(root / "job_skills").to_pylist():
        text = texts[(row["job_id"], row["model_version"])]
        assert text[row["evidence_start"]:row["evidence_end"]] == row["evidence_text"]
