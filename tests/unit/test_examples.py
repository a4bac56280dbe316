"""The bundled sample data has the variety the project promises."""
from __future__ import annotations

from tests.support.paths import EXAMPLES, read_jsonl


def test_sample_listings_and_gold():
    listings = read_jsonl(EXAMPLES / "listings.jsonl")
    gold = read_jsonl(EXAMPLES / "gold.jsonl")
    ids = [row["job_id"] for row in listings]
    assert len(listings) >= 24 and len(set(ids)) == len(ids)
    assert len(gold) >= 12 and {g["job_id"] for g in gold} <= set(ids)
    assert sum("<li>" in row["job_description"] or "<p>" in row["job_description"] for row in listings) >= 3
    assert min(len(row["job_description"]) for row in listings) < 300  # the very short one
    assert any("ignore all previous instructions" in row["job_description"].lower() for row in listings)


def test_training_set_size():
    labelled = read_jsonl(EXAMPLES / "train_labelled.jsonl")
    gold = read_jsonl(EXAMPLES / "gold.jsonl")
    assert len(labelled) + len(gold) >= 60
    assert not {row["job_id"] for row in labelled} & {row["job_id"] for row in gold}
