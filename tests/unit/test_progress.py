"""The progress feed between decoder processes and the launcher, the bar's total, and the warnings left out."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

from beam_pipeline.progress import (ENV, ProgressBar, count_records, decoder_report, describe_decoders,
                                    quiet_unactionable_warnings, read_reports)


def test_reports_from_several_processes_add_up(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path))
    code = ("from beam_pipeline.progress import decoder_report\n"
            "r = decoder_report('transformers', 1)\n"
            "r.add(2); r.add(1)\n")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, ENV: str(tmp_path)})
    reports = read_reports(tmp_path)
    assert [r["done"] for r in reports] == [3, 3]
    assert describe_decoders(reports) == {"processes": 2, "threads_each": 1, "engine": "transformers",
                                          "listings_each": [3, 3]}


def test_one_report_per_process_and_none_unasked(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert decoder_report("transformers", 1) is None
    monkeypatch.setenv(ENV, str(tmp_path))
    assert decoder_report("transformers", 1) is decoder_report("transformers", 1)


def test_the_bar_sees_decoders_logs_them_and_restores_the_environment(monkeypatch, caplog):
    monkeypatch.delenv(ENV, raising=False)
    with caplog.at_level(logging.INFO), ProgressBar(total=4, poll_seconds=0.05, log_seconds=0.05) as bar:
        folder = os.environ[ENV]
        report = decoder_report("transformers", 1)
        report.add(4)
        time.sleep(0.3)
    assert ENV not in os.environ and not os.path.exists(folder)
    assert bar.decoders["listings_each"] == [4]
    lines = [r.getMessage() for r in caplog.records]
    assert f"decoder process {os.getpid()} loaded its model (transformers engine, 1 thread)" in lines
    assert any(line.startswith("decoded 4/4 listings in") for line in lines)  # stderr is no terminal here


def test_tokens_show_the_run_moving_before_any_listing_is_done(monkeypatch, caplog):
    """Listings decoding together finish together: until then the tokens and their rate are what moves."""
    monkeypatch.delenv(ENV, raising=False)
    with caplog.at_level(logging.INFO), ProgressBar(total=4, poll_seconds=0.05, log_seconds=0.05):
        decoder_report("transformers", 1).add_tokens(1234)
        time.sleep(0.3)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("decoded 0/4 listings")]
    assert lines and "1 decoder x 1 thread, 1,234 tokens, " in lines[-1] and lines[-1].endswith(" tok/s)")


def test_count_records_local_files(tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("".join(json.dumps({"job_id": str(i), "description": "x"}) + "\n" for i in range(5)) + "\n")
    pq.write_table(pa.table({"job_id": ["1", "2", "3"]}), tmp_path / "b.parquet")
    assert count_records(str(jsonl)) == 5
    assert count_records(str(jsonl), limit=2) == 2
    assert count_records(str(tmp_path / "b.parquet")) == 3
    assert count_records("bq://p.d.t") is None and count_records("bq://p.d.t", limit=7) == 7


def test_unactionable_warnings_are_dropped_and_others_kept(caplog):
    quiet_unactionable_warnings()
    relay = logging.getLogger("apache_beam.runners.portability.local_job_service")
    with caplog.at_level(logging.WARNING):
        logging.warning("Resource module is not available for current platform, memory usage cannot be fetched.")
        relay.warning("Worker: message: \"Discarding unparseable args: [\\'--pipeline_type_check\\', "
                      "\\'--direct_runner_use_stacked_bundle\\']\"")
        relay.warning("Worker: message: \"No semi_persistent_directory found: User registered objects\"")
        relay.warning("Worker: message: \"Discarding unparseable args: [\\'--my_own_flag\\']\"")
        logging.warning("a real warning")
    assert [r.getMessage() for r in caplog.records] == [
        "Worker: message: \"Discarding unparseable args: [\\'--my_own_flag\\']\"", "a real warning"]
