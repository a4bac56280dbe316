"""The launcher's steps before and after a run, each on its own: the pure config builder, the BigQuery project,
and where the one run_summary.json lands."""
from __future__ import annotations

import datetime as dt

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from beam_pipeline.launcher import (
    ModelSettings,
    bigquery_connection,
    build_config,
    build_parser,
    check_flags,
    complete_summary,
    final_summary_path,
    new_run,
)
from extraction.prompt import PromptStyle
from inference.limits import TokenLimits

MODEL = ModelSettings(PromptStyle.COMPACT, TokenLimits(8192, 200, 5400, 5400, 2792), "m@1")
NOW = dt.datetime(2026, 11, 26, 6, 30, tzinfo=dt.timezone.utc)


def parse(*argv: str):
    args, beam_args = build_parser().parse_known_args(list(argv))
    return args, PipelineOptions(beam_args)


def test_the_config_of_a_folder_run_is_built_from_flags_alone(tmp_path):
    args, _ = parse("--input", "in.jsonl", "--output", str(tmp_path / "out"), "--column", "description=body",
                    "--no-backfill")
    run = new_run(MODEL, NOW)
    config = build_config(args, MODEL, run)
    assert run.run_id.startswith("20261126T063000Z-") and run.model_version == "m@1"
    assert config.staging_output == str(tmp_path / f".out.staging-{run.run_id}")
    assert config.summary_path == f"{config.staging_output}/run_summary.json"
    assert config.counts_path == f"{config.summary_path}.counts"
    assert config.columns.description == "body" and not config.backfill and config.limits == MODEL.limits
    assert final_summary_path(config, over_budget=False) == str(tmp_path / "out" / "run_summary.json")
    assert final_summary_path(config, over_budget=True) == str(tmp_path / f".out.failed-{run.run_id}"
                                                                        / "run_summary.json")


def test_a_bigquery_run_keeps_its_summary_under_runs_and_its_tables_in_the_uri_project(monkeypatch):
    monkeypatch.delenv("BIGQUERY_EMULATOR_HOST", raising=False)
    args, options = parse("--input-query", "SELECT 1", "--output", "bq://data-proj.insights", "--project", "jobs")
    run = new_run(MODEL, NOW)
    config = build_config(args, MODEL, run, staging={"jobs": "data-proj.insights._staging_jobs"})
    assert config.summary_path == f"runs/{run.run_id}/run_summary.json" and config.staging_output is None
    assert final_summary_path(config, over_budget=True) == config.summary_path
    assert bigquery_connection(args, options).project == "data-proj"  # where the tables are, not --project
    args, options = parse("--input-query", "SELECT 1", "--output", "out", "--project", "jobs")
    assert bigquery_connection(args, options).project == "jobs"
    args, options = parse("--input", "in.jsonl", "--output", "out")
    assert bigquery_connection(args, options) is None


def test_a_query_without_any_project_is_one_actionable_error(monkeypatch):
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    args, options = parse("--input-query", "SELECT 1", "--output", "out")
    with pytest.raises(ValueError, match="give --project, name it in bq://PROJECT.DATASET"):
        bigquery_connection(args, options)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-proj")
    assert bigquery_connection(args, options).project == "env-proj"


@pytest.mark.parametrize("flags, message", [
    (["--batch-size", "0"], "must be positive"),
    (["--limit", "0"], "must be positive"),
    (["--max-error-rate", "1.5"], "expected a share between 0 and 1"),
    (["--column", "description"], "expected FIELD=COLUMN"),
])
def test_bad_flag_values_fail_before_anything_is_touched(flags, message):
    args, _ = parse("--input", "in.jsonl", "--output", "out", *flags)
    with pytest.raises(ValueError, match=message):
        check_flags(args)


def test_the_summary_is_the_counts_completed():
    counts = {"run_id": "r", "read": 10, "duplicates": 1, "dead_lettered": 2, "extracted": 7}
    summary = complete_summary(counts, 30.04, "out/run_summary.json", merged={"jobs": 7})
    assert summary == {**counts, "wall_seconds": 30.0, "summary_path": "out/run_summary.json",
                       "listings_per_minute": 19.97, "bigquery_rows_inserted": {"jobs": 7}}
    assert "bigquery_rows_inserted" not in complete_summary(counts, 1.0, "s.json")
