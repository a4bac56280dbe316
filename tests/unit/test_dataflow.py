"""Dataflow submission: option checks, and the job graph built for DataflowRunner without submitting."""
from __future__ import annotations

import datetime as dt

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from beam_pipeline.config import ExtractionConfig
from beam_pipeline.dataflow import DataflowConfigError, check_dataflow, dataflow_problems
from beam_pipeline.launcher import build_parser
from beam_pipeline.pipeline import build_pipeline, make_handler
from extraction.bigquery import Connection
from extraction.prompt import PromptStyle
from extraction.rows import RunInfo
from inference.limits import TokenLimits

GOOD = [
    "--input", "bq://proj.linkedin.listings", "--output", "bq://proj.job_insights",
    "--summary", "gs://bucket/runs/r1/run_summary.json", "--model", "gs://bucket/models/qwen3/merged",
    "--engine", "vllm", "--prompt-style", "compact",
    "--runner", "DataflowRunner", "--project", "proj", "--region", "us-central1",
    "--temp_location", "gs://bucket/tmp", "--staging_location", "gs://bucket/staging",
    "--sdk_container_image", "us-docker.pkg.dev/proj/repo/jobx-worker:1", "--machine_type", "g2-standard-8",
    "--dataflow_service_options", "worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver:5xx",
]


def parse(argv):
    args, beam_args = build_parser().parse_known_args(argv)
    return args, PipelineOptions(beam_args)


def test_good_options_pass():
    assert dataflow_problems(*parse(GOOD)) == []
    check_dataflow(*parse(GOOD))  # and so nothing is raised


def drop(flag):
    i = GOOD.index(flag)
    return GOOD[:i] + GOOD[i + 2:]


@pytest.mark.parametrize("argv, message", [
    (drop("--region"), "--region is required"),
    (drop("--sdk_container_image"), "--sdk_container_image is required"),
    (drop("--dataflow_service_options"), "worker_accelerator=type:nvidia-l4"),
    ([a if a != "g2-standard-8" else "n1-standard-8" for a in GOOD], "cannot carry nvidia-l4"),
    ([a if a != "vllm" else "transformers" for a in GOOD], "--engine vllm is required"),
    ([a if a != "gs://bucket/models/qwen3/merged" else "./runs/merged" for a in GOOD], "--model must be"),
    ([a if a != "gs://bucket/tmp" else "/tmp/x" for a in GOOD], "--temp_location must be a gs:// path"),
    (drop("--summary"), "--summary gs://"),
])
def test_each_missing_or_inconsistent_option_is_named(argv, message):
    problems = dataflow_problems(*parse(argv))
    assert any(message in p for p in problems), problems
    with pytest.raises(DataflowConfigError, match="cannot submit to Dataflow"):
        check_dataflow(*parse(argv))


def test_graph_builds_for_dataflow_without_submitting():
    args, options = parse(GOOD + ["--dry_run", "true"])  # dry_run: Beam skips its GCS bucket checks (no network here)
    run = RunInfo("qwen3@1", "p", "compact", "r1", dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))
    config = ExtractionConfig(
        input=args.input, output=args.output, model=args.model, model_version="qwen3@1",
        prompt_style=PromptStyle.COMPACT, limits=TokenLimits(8192, 200, 5400, 5400, 2792), run=run,
        batch_size=64, engine="vllm", connection=Connection("proj"), summary=args.summary,
        staging={t: f"proj.job_insights._staging_r1_{t}" for t in ("jobs", "job_skills", "job_benefits",
                                                                   "extraction_errors")},
    )
    handler = make_handler(config)
    assert handler.engine.name == "vllm" and handler.share_model_across_processes()
    assert handler.engine.vllm_options == {"max_model_len": 8192, "gpu_memory_utilization": 0.90}
    pipeline = beam.Pipeline(options=options)  # DataflowRunner: nothing is submitted until run()
    build_pipeline(config, pipeline)
    proto = pipeline.to_runner_api()
    names = {t.unique_name for t in proto.components.transforms.values()}
    for step in ("Read", "NormaliseListings", "BuildPrompts", "Extract/RunInference", "ValidateOutput",
                 "FlattenToRows", "WriteTables/Write_jobs", "WriteTables/Write_extraction_errors", "Summarise"):
        assert step in names, step

