"""Whole runs against hostile inputs and failures: no run may destroy the previous output.

The start-up and failure-budget cases dead-letter every record before the
model decodes anything; the kill and publish cases decode with the real model
and are marked slow.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from beam_pipeline.launcher import main
from tests.support.paths import BUNDLED_ADAPTER, EXAMPLES, ROOT, read_jsonl

MODEL = ["--model", str(BUNDLED_ADAPTER), "--prompt-style", "compact"]


def previous_output(root: Path) -> dict[str, bytes]:
    """A folder as an earlier run left it (plus a file of the user's), and its exact contents."""
    (root / "jobs").mkdir(parents=True)
    (root / "jobs" / "part-00000-of-00001.parquet").write_bytes(b"the previous run's jobs")
    (root / "run_summary.json").write_text('{"run_id": "previous"}')
    (root / "my-notes.txt").write_text("kept by the user")
    return snapshot(root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def hostile_file(path: Path) -> Path:
    """Records that all dead-letter before the model: one of each read and normalise reason."""
    lines = [
        b'{"job_id": "e1", "job_description": "   "}',
        b'{"job_id": "e2", "job_description": 12345}',
        b'{"job_id": "e3", "job_description": "caf\xe9"}',
        b"not json at all",
        b"[1, 2, 3]",
        b'{"job_id": "e4", "job_description": "Mix flour and eggs, bake for 20 minutes."}',
        b'{"job_id": 0, "job_description": "\\u200b\\u200b"}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("flags, message", [
    (["--input", "{tmp}/nothing-*.csv"], "no file matches"),
    (["--input", "{tmp}/broken.parquet"], "cannot read"),
    (["--input", "{tmp}/listings.xlsx"], "expected a .jsonl"),
    (["--input", str(EXAMPLES / "listings.jsonl"), "--max-new-tokens", "10"], "even an extraction with every"),
    (["--input", str(EXAMPLES / "listings.jsonl"), "--max-error-rate", "2"], "between 0 and 1"),
    (["--input", str(EXAMPLES / "listings.jsonl"), "--column", "description"], "expected FIELD=COLUMN"),
    (["--input", str(EXAMPLES / "listings.jsonl"), "--model", "{tmp}/no-such-model"], "no-such-model"),
])
def test_a_bad_start_is_one_line_and_leaves_the_previous_output(tmp_path, capsys, flags, message):
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    out = tmp_path / "out"
    before = previous_output(out)
    argv = [flag.format(tmp=tmp_path) for flag in flags] + ["--output", str(out)]
    argv = argv if "--model" in argv else argv + MODEL
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert snapshot(out) == before


def test_over_the_failure_budget_the_run_fails_but_keeps_its_dead_letters(tmp_path, capsys):
    out = tmp_path / "out"
    before = previous_output(out)
    assert main(["--input", str(hostile_file(tmp_path / "bad.jsonl")), "--output", str(out), *MODEL]) == 1
    assert "over --max-error-rate 0.5" in capsys.readouterr().err
    assert snapshot(out) == before
    (failed,) = tmp_path.glob(".out.failed-*")
    summary = json.loads((failed / "run_summary.json").read_text())
    assert summary["read"] == 7 and summary["dead_lettered"] == 7 and summary["reconciled"]
    assert summary["summary_path"] == str(failed / "run_summary.json") and summary["wall_seconds"] > 0
    assert not list(failed.glob("*.counts"))  # the pipeline's counts became the summary
    reasons = {(r["job_id"], r["reason"]) for r in pq.read_table(failed / "extraction_errors").to_pylist()}
    assert reasons == {("e1", "empty_description"), ("e2", "not_text"), ("e3", "invalid_encoding"),
                       ("(unknown)", "invalid_json"), ("(unknown)", "not_an_object"), ("e4", "not_a_job_listing"),
                       ("0", "empty_description")}
    assert not list(tmp_path.glob(".out.staging-*"))


def test_with_the_budget_lifted_the_run_publishes_its_dead_letters(tmp_path):
    out = tmp_path / "out"
    previous_output(out)
    assert main(["--input", str(hostile_file(tmp_path / "bad.jsonl")), "--output", str(out), *MODEL,
                 "--max-error-rate", "1"]) == 0
    assert (out / "my-notes.txt").read_text() == "kept by the user"
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["dead_lettered"] == 7 and summary["summary_path"] == str(out / "run_summary.json")
    assert pq.read_table(out / "jobs").num_rows == 0 and pq.read_table(out / "extraction_errors").num_rows == 7
    assert all(p.read_bytes() != b"the previous run's jobs" for p in (out / "jobs").iterdir())  # no old shard
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


@pytest.mark.slow
def test_a_killed_run_leaves_the_previous_output_exactly_as_it_was(tmp_path):
    out = tmp_path / "out"
    before = previous_output(out)
    source = tmp_path / "listings.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in read_jsonl(EXAMPLES / "listings.jsonl")[:6]) + "\n")
    log = tmp_path / "run.log"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    with open(log, "wb") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "beam_pipeline", "--input", str(source), "--output",
                                 str(out), *MODEL, "--slots", "2"], cwd=ROOT, stdout=handle,
                                stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 300
    while b"extracted a batch" not in log.read_bytes() and b" loaded " not in log.read_bytes():
        assert proc.poll() is None, log.read_text()
        assert time.time() < deadline, "the model never started decoding"
        time.sleep(0.5)
    time.sleep(2)  # decoding, with the staging folder being written
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0
    assert snapshot(out) == before
