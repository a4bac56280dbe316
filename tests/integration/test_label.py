"""`trainer label` end to end against a real llama.cpp server (tests/support/llama_server.py), with faults from
tests/support/fault_proxy.py where a test needs them. Most runs cap answers at a few tokens (each one is then a real
`truncated` rejection, which is cheap); one run lets the model write whole labels and hands them to the
trainer's loader.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from extraction.readers import read_records
from schemas.validation import parse_extraction
from tests.support import llama_server
from tests.support.fault_proxy import FaultProxy
from tests.support.listings import LISTINGS, write_jsonl
from tests.support.paths import ROOT, read_jsonl
from trainer.data import load_labelled
from trainer.label.config import LabelConfig
from trainer.label.run import label


def config(tmp_path: Path, base_url: str, **overrides) -> LabelConfig:
    values = dict(input=str(tmp_path / "listings.jsonl"), output=str(tmp_path / "labels.jsonl"), base_url=base_url,
                  model=llama_server.MODEL_ALIAS, response_format="json_object_schema", max_tokens=4, timeout=60,
                  concurrency=2, requests_per_minute=6000, backoff_base=0.05, backoff_max=0.2, progress_every=1)
    return LabelConfig(**{**values, **overrides})


def outcomes(tmp_path: Path) -> Counter:
    """How often each job_id appears across the labels and the rejections file."""
    rows = read_jsonl(tmp_path / "labels.jsonl") + read_jsonl(tmp_path / "labels.rejections.jsonl")
    return Counter(row["job_id"] for row in rows)


@pytest.fixture(scope="module")
def server() -> llama_server.LlamaServer:
    return llama_server.shared()


@pytest.mark.slow
def test_bad_input_duplicates_and_a_rerun_that_writes_nothing_twice(tmp_path, server):
    older = {**LISTINGS[0], "job_description": "Old. " + LISTINGS[0]["job_description"], "ingestionDate": "2026-01-01"}
    newer = {**LISTINGS[0], "ingestionDate": "2026-02-01"}
    repost = {**LISTINGS[2], "job_id": "L3-again"}  # the same ad under another id: a listing of its own
    write_jsonl(tmp_path / "listings.jsonl", [older, LISTINGS[1], newer, LISTINGS[2], repost,
                                              {"job_id": "E", "job_description": "<p> </p>"}, "{not json"])
    first = label(config(tmp_path, server.base_url))
    assert first["counts"] == {
        "read": 7, "labelled": 0, "rejected": 6, "duplicates": 1, "not_sampled": 0, "pending": 0,
        "labelled_this_run": 0, "rejected_this_run": 6, "done_before": 0}
    assert first["rejected_by_reason"] == {"truncated": 4, "empty_description": 1, "invalid_json": 1}
    assert first["complete"] and first["requests"] == 4 and first["input_tokens"] > 4 * 3000
    rows = {r["job_id"]: r for r in read_jsonl(tmp_path / "labels.rejections.jsonl")}
    assert rows["L1"]["input_excerpt"].endswith(LISTINGS[0]["job_description"])  # the newer ingestion was kept
    assert rows["L1"]["raw_output"] and rows["L1"]["stage"] == "teacher"
    assert rows["E"]["stage"] == "normalise" and rows["L3-again"]["stage"] == "teacher"
    summary = json.loads((tmp_path / "labels.summary.json").read_text())
    assert summary["counts"] == first["counts"]

    before = (tmp_path / "labels.rejections.jsonl").read_bytes()
    second = label(config(tmp_path, server.base_url))
    assert second["requests"] == 0 and second["counts"]["done_before"] == 6
    assert second["counts"]["rejected"] == 6 and second["counts"]["rejected_this_run"] == 0
    assert (tmp_path / "labels.rejections.jsonl").read_bytes() == before

    # a record rejected while reading or normalising is judged again: once fixed, the teacher sees it
    fixed = {**LISTINGS[3], "job_id": "E"}
    write_jsonl(tmp_path / "listings.jsonl", [older, LISTINGS[1], newer, LISTINGS[2], repost, fixed, "{not json"])
    third = label(config(tmp_path, server.base_url))
    assert third["requests"] == 1 and third["counts"]["rejected_this_run"] == 1
    assert third["rejected_by_reason"] == {"truncated": 5, "invalid_json": 1}
    assert [r["stage"] for r in read_jsonl(tmp_path / "labels.rejections.jsonl") if r["job_id"] == "E"] == [
        "normalise", "teacher"]


@pytest.mark.slow
def test_the_rate_limit_holds_at_the_server_across_threads(tmp_path, server):
    write_jsonl(tmp_path / "listings.jsonl", LISTINGS[:5])
    with FaultProxy(server.root_url) as proxy:
        result = label(config(tmp_path, proxy.url + "/v1", concurrency=4, requests_per_minute=120))
    assert result["complete"] and result["requests"] == len(proxy.arrivals) == 5
    # 120 a minute: request starts 0.5 s apart however many threads wait; arrivals may jitter by the time a
    # request takes to leave the client (the first one also opens the connection), never by a burst
    times = proxy.arrivals
    for i in range(len(times)):
        for j in range(i + 1, len(times)):
            assert times[j] - times[i] >= (j - i) * 0.5 - 0.1, times


@pytest.mark.slow
def test_faults_in_a_run_are_retried_or_recorded_and_the_next_run_finishes(tmp_path, server):
    write_jsonl(tmp_path / "listings.jsonl", LISTINGS[:4])
    # one listing at a time, one retry each: L1 429 then ok; L2 hang then drop -> failed; L3 500 then ok;
    # L4 not_json then ok
    faults = {1: "429", 3: "hang", 4: "drop", 5: "500", 7: "not_json"}
    with FaultProxy(server.root_url, faults, retry_after=0.5) as proxy:
        result = label(config(tmp_path, proxy.url + "/v1", concurrency=1, max_retries=1, timeout=15))
    assert proxy.injected == ["429", None, "hang", "drop", "500", None, "not_json", None]
    assert result["retries_by_reason"] == {"rate_limited": 1, "timeout": 1, "server_error": 1, "bad_response": 1}
    assert result["failed_by_reason"] == {"connection_error": 1}
    assert result["failed_listings"][0] | {"detail": ""} == {"job_id": "L2", "reason": "connection_error",
                                                             "attempts": 2, "detail": ""}
    assert not result["complete"] and result["counts"]["pending"] == 1 and result["stopped"] is None
    assert outcomes(tmp_path) == Counter({"L1": 1, "L3": 1, "L4": 1})

    again = label(config(tmp_path, server.base_url))
    assert again["complete"] and again["requests"] == 1 and again["counts"]["rejected"] == 4
    assert outcomes(tmp_path) == Counter({"L1": 1, "L2": 1, "L3": 1, "L4": 1})


def run_cli(tmp_path: Path, base_url: str, *extra: str, wait: bool = True) -> subprocess.Popen:
    args = [sys.executable, "-m", "trainer", "label", "--input", str(tmp_path / "listings.jsonl"), "--output",
            str(tmp_path / "labels.jsonl"), "--base_url", base_url, "--model", llama_server.MODEL_ALIAS,
            "--response_format", "json_object_schema", "--max_tokens", "4", "--backoff_base", "0.05",
            "--progress_every", "1", *extra]
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
    if wait:
        process.communicate(timeout=600)
    return process


def test_the_failure_budget_stops_the_run_with_a_clear_message(tmp_path):
    write_jsonl(tmp_path / "listings.jsonl", LISTINGS[:5])
    with FaultProxy("http://127.0.0.1:9", always="500") as proxy:  # never forwards: no server needed
        process = subprocess.run(
            [sys.executable, "-m", "trainer", "label", "--input", str(tmp_path / "listings.jsonl"), "--output",
             str(tmp_path / "labels.jsonl"), "--base_url", proxy.url + "/v1", "--model", "m", "--max_retries", "1",
             "--backoff_base", "0.01", "--max_failures", "1", "--concurrency", "1"],
            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert process.returncode == 1, process.stderr[-2000:]
    assert ("stopped: 2 listings failed after all retries, over the failure budget (--max_failures 1): "
            "server_error 2; last: L2: server_error: HTTP 500: internal error (injected)") in process.stderr
    assert len(proxy.arrivals) == 4  # two listings, two attempts each, then nothing more was sent
    summary = json.loads((tmp_path / "labels.summary.json").read_text())
    assert summary["counts"]["pending"] == 5 and summary["counts"]["read"] == 5 and not summary["complete"]
    assert summary["stopped"].startswith("stopped: 2 listings failed")
    assert (tmp_path / "labels.jsonl").read_text() == (tmp_path / "labels.rejections.jsonl").read_text() == ""


@pytest.mark.slow
def test_a_killed_run_restarts_and_every_listing_ends_exactly_once(tmp_path, server):
    write_jsonl(tmp_path / "listings.jsonl", LISTINGS)
    rejections = tmp_path / "labels.rejections.jsonl"
    process = run_cli(tmp_path, server.base_url, "--concurrency", "1", wait=False)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not rejections.exists() or len(read_jsonl(rejections)) < 2):
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)  # a real kill, mid-run
    process.wait(timeout=30)
    finished = len(read_jsonl(rejections))
    assert 2 <= finished < len(LISTINGS)
    # what a kill during a write leaves: a line without its end (written here, since a kill rarely lands there)
    with rejections.open("a") as handle:
        handle.write('{"job_id": "L6", "teacher_model": "jobx-teacher", "prompt_ver')
    with (tmp_path / "labels.jsonl").open("a") as handle:
        handle.write('{"job_id": "L5", "extrac')

    restarted = run_cli(tmp_path, server.base_url, "--concurrency", "1")
    assert restarted.returncode == 0
    assert outcomes(tmp_path) == Counter({row["job_id"]: 1 for row in LISTINGS})
    summary = json.loads((tmp_path / "labels.summary.json").read_text())
    assert summary["counts"]["done_before"] == finished
    assert summary["counts"]["read"] == summary["counts"]["rejected"] == len(LISTINGS)
    assert summary["requests"] == len(LISTINGS) - finished


@pytest.mark.slow
def test_labels_from_the_real_server_are_what_trainer_train_reads(tmp_path, server):
    write_jsonl(tmp_path / "listings.jsonl", LISTINGS[:2])
    result = label(config(tmp_path, server.base_url, max_tokens=1500, timeout=600, concurrency=1))
    assert result["complete"] and result["counts"]["labelled"] >= 1, result["rejected_by_reason"]
    labelled = read_jsonl(tmp_path / "labels.jsonl")
    assert len(labelled) == result["counts"]["labelled"]
    assert result["output_tokens"] > 300 and result["mean_input_tokens"] > 3000
    examples, report = load_labelled(read_records(str(tmp_path / "labels.jsonl")))
    assert report.rejected == [] and report.loaded == len(labelled)
    assert {e.listing.job_id for e in examples} == {row["job_id"] for row in labelled}
    for row in labelled:
        assert parse_extraction(row["extraction"], strict=True)  # every key there, canonical form
        assert row["teacher_model"] == llama_server.MODEL_ALIAS and row["output_tokens"] > 0
