"""The labels store: appended at once, resumable by key, a torn last line cut, one writer at a time."""
from __future__ import annotations

import json

import pytest

from extraction.listings import Listing
from trainer.label.store import JsonlStore, StoreError, default_paths, label_row, rejection_row


def listing(job_id: str) -> Listing:
    return Listing(job_id=job_id, description=f"Listing {job_id}: Python and SQL.", title="Data Engineer")


def open_store(tmp_path) -> JsonlStore:
    return JsonlStore(tmp_path / "labels.jsonl", tmp_path / "labels.rejections.jsonl")


def test_default_paths_sit_beside_the_output():
    assert default_paths("runs/x.jsonl", None, None) == ("runs/x.jsonl", "runs/x.rejections.jsonl",
                                                         "runs/x.summary.json")
    assert default_paths("bq://p.d.labels", None, None) == ("bq://p.d.labels", "bq://p.d.labels_rejections",
                                                            "label_summary.json")
    with pytest.raises(ValueError, match="expected a .jsonl path"):
        default_paths("runs/x.csv", None, None)


def test_done_is_keyed_by_job_id_teacher_model_and_prompt_version(tmp_path):
    store = open_store(tmp_path)
    store.add_label(label_row(listing("a"), {}, "teacher-1", "v1", 10, 5, []))
    store.add_label(label_row(listing("b"), {}, "teacher-2", "v1", 10, 5, []))
    store.add_rejection(rejection_row("c", "teacher-1", "v1", "teacher", "truncated", "cut"))
    store.add_rejection(rejection_row("d", "teacher-1", "v2", "teacher", "empty", "nothing"))
    store.add_rejection(rejection_row("e", "teacher-1", "v1", "normalise", "empty_description", "no text"))
    done = store.done("teacher-1", "v1")
    assert done.labelled == {"a"} and done.rejected == {"c": "truncated"}
    assert done.input_rejected == {("e", "empty_description")}  # judged again on the next run, not final
    store.close()


def test_every_row_is_on_disk_as_soon_as_it_is_added(tmp_path):
    store = open_store(tmp_path)
    store.add_label(label_row(listing("a"), {"x": 1}, "t", "v", 1, 1, ["Git"]))
    row = json.loads((tmp_path / "labels.jsonl").read_text())  # read while the store is still open
    assert (row["job_id"], row["extraction"], row["grounding_removed"]) == ("a", {"x": 1}, ["Git"])
    store.close()


def test_a_torn_last_line_is_cut_and_its_listing_counts_as_not_done(tmp_path, caplog):
    store = open_store(tmp_path)
    store.add_label(label_row(listing("a"), {}, "t", "v", 1, 1, []))
    store.close()
    whole = (tmp_path / "labels.jsonl").read_bytes()
    torn = json.dumps(label_row(listing("b"), {}, "t", "v", 1, 1, [])).encode()[:57]
    (tmp_path / "labels.jsonl").write_bytes(whole + torn)
    store = open_store(tmp_path)
    assert "removed a torn last line (57 bytes)" in caplog.text
    assert store.done("t", "v").labelled == {"a"}
    store.add_label(label_row(listing("b"), {}, "t", "v", 1, 1, []))
    store.close()
    lines = (tmp_path / "labels.jsonl").read_text().splitlines()
    assert [json.loads(line)["job_id"] for line in lines] == ["a", "b"]


def test_a_broken_line_inside_the_file_is_an_error_not_a_silent_relabel(tmp_path):
    (tmp_path / "labels.jsonl").write_text('{"job_id": "a"\n{"job_id": "b", "teacher_model": "t", '
                                           '"prompt_version": "v"}\n')
    store = open_store(tmp_path)
    with pytest.raises(StoreError, match=r"labels.jsonl:1: not JSON"):
        store.done("t", "v")
    store.close()


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    first = open_store(tmp_path)
    with pytest.raises(StoreError, match="another labelling run is writing to it"):
        open_store(tmp_path)
    first.close()
    open_store(tmp_path).close()
