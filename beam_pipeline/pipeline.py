"""Builds the extraction pipeline without running it, so tests can hand in a TestPipeline."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Optional

import apache_beam as beam

from beam_pipeline.bigquery import Connection
from beam_pipeline.bigquery_io import ReadBigQueryListings, WriteBigQueryTables
from beam_pipeline.generation import DEFAULT_SLOTS
from beam_pipeline.handlers import DEFAULT_BATCH_SIZE, TransformersExtractionHandler, VLLMExtractionHandler
from beam_pipeline.sinks import TABLE_NAMES, WriteParquetTables
from beam_pipeline.summary import SummariseRun
from beam_pipeline.transforms import BuildPrompts, Extract, FlattenToRows, NormaliseListings, ReadListings, Validate
from schemas.flatten import RunInfo
from schemas.listings import ColumnMap
from schemas.prompt import PromptStyle


@dataclass(frozen=True)
class TokenLimits:
    context_length: int
    instruction_tokens: int
    token_budget: int
    max_new_tokens: int
    max_prompt_tokens: int


@dataclass(frozen=True)
class ExtractionConfig:
    """Everything the pipeline needs, resolved by the launcher (or a test) before construction."""

    input: str
    output: str
    model: Optional[str]
    model_version: str
    prompt_style: PromptStyle
    limits: TokenLimits
    run: RunInfo
    batch_size: int = DEFAULT_BATCH_SIZE
    slots: int = DEFAULT_SLOTS
    limit: Optional[int] = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    max_listing_chars: int = 60_000
    engine: str = "transformers"
    input_query: Optional[str] = None
    connection: Optional[Connection] = None  # set when reading from or writing to BigQuery
    staging: Optional[dict[str, str]] = None  # {table: staging table id} when writing to BigQuery
    summary: Optional[str] = None
    gpu_memory_utilization: float = 0.90
    staging_output: Optional[str] = None  # where a folder output is written before it replaces `output`
    keep_ungrounded: bool = False
    recall: bool = True
    listing_check: bool = True  # refuse texts that do not read like a listing before the model

    @property
    def write_path(self) -> str:
        return self.staging_output or self.output

    @property
    def summary_path(self) -> str:
        return self.summary or f"{self.write_path.rstrip('/')}/run_summary.json"

    @property
    def reads_bigquery(self) -> bool:
        return bool(self.input_query) or self.input.startswith("bq://")

    def summary_header(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id,
            "input": self.input_query or self.input,
            "output": self.output,
            "model": self.model or "embedded",
            "model_version": self.model_version,
            "engine": self.engine,
            "prompt_style": self.prompt_style.value,
            "prompt_version": self.run.prompt_version,
            "max_new_tokens": self.limits.max_new_tokens,
            "max_prompt_tokens": self.limits.max_prompt_tokens,
            "limit": self.limit,
            "keep_ungrounded": self.keep_ungrounded,
            "taxonomy_recall": self.recall,
            "listing_check": self.listing_check,
        }


MIN_LISTING_TOKENS = 512


def resolve_token_limits(tokenizer: Any, context_length: int, style: PromptStyle,
                         max_new_tokens: Optional[int]) -> TokenLimits:
    """Split the context between prompt and output; fail before the run when they cannot fit.

    By default the output gets the schema's whole token budget, unless that
    would leave less than MIN_LISTING_TOKENS for the listing; then the listing
    keeps those and the output gets the rest (rare longer outputs are then
    dead-lettered as `truncated`).
    """
    from schemas.decoding import token_budget
    from schemas.prompt import count_tokens, render

    from schemas.models import JobExtraction
    from schemas.validation import canonical_json

    floor = count_tokens(tokenizer, canonical_json(JobExtraction()))
    if max_new_tokens is not None and max_new_tokens < floor:
        raise ValueError(f"--max-new-tokens {max_new_tokens} is too small: even an extraction with every field empty "
                         f"takes {floor} tokens with this model's tokenizer")
    instructions = count_tokens(tokenizer, render(tokenizer, "", style))
    budget = token_budget(tokenizer)
    if max_new_tokens is None:
        max_new_tokens = min(budget, context_length - instructions - MIN_LISTING_TOKENS)
    max_prompt = context_length - max_new_tokens
    if max_new_tokens < floor or max_prompt <= instructions:
        raise ValueError(
            f"the model's context ({context_length} tokens) cannot hold the {style.value} prompt's "
            f"{instructions} instruction tokens plus max_new_tokens={max_new_tokens}; use --prompt-style compact "
            "or a smaller --max-new-tokens"
        )
    return TokenLimits(context_length, instructions, budget, max_new_tokens, max_prompt)


def model_version(model_path: str, spec: Optional[str]) -> str:
    """A short, stable name for the weights: the folder name plus a hash of its config and weight sizes."""
    from pathlib import Path

    folder = Path(model_path)
    if not folder.is_dir():
        return spec or model_path
    digest = hashlib.sha1()
    for path in sorted(folder.iterdir()):
        if path.suffix in (".json", ".safetensors", ".bin"):
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return f"{folder.name}@{digest.hexdigest()[:10]}"


def make_handler(config: ExtractionConfig) -> Any:
    if config.engine == "transformers":
        return TransformersExtractionHandler(
            config.model,
            max_new_tokens=config.limits.max_new_tokens,
            batch_size=config.batch_size,
            slots=config.slots,
            model_version=config.model_version,
        )
    if config.engine == "vllm":
        return VLLMExtractionHandler(
            config.model,
            max_new_tokens=config.limits.max_new_tokens,
            max_model_len=config.limits.context_length,
            batch_size=config.batch_size,
            gpu_memory_utilization=config.gpu_memory_utilization,
            model_version=config.model_version,
        )
    raise ValueError(f"--engine {config.engine}: unknown engine")


def _limit(records: beam.PCollection, n: int) -> beam.PCollection:
    """A deterministic sample of n records (the n smallest content hashes), whatever the read order."""
    import json

    def digest(record: dict[str, Any]) -> str:
        return hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()

    return (records | "TakeN" >> beam.combiners.Top.Of(n, key=digest, reverse=True)
            | "Unbatch" >> beam.FlatMap(lambda batch: batch))


def build_pipeline(config: ExtractionConfig, pipeline: beam.Pipeline) -> dict[str, beam.PCollection]:
    """Attach the whole extraction to `pipeline` and return its outputs (the caller runs it)."""
    run = config.run
    if config.reads_bigquery:
        table = None if config.input_query else config.input
        read = pipeline | "Read" >> ReadBigQueryListings(config.connection, run, table, config.input_query)
    else:
        read = pipeline | "Read" >> ReadListings(config.input, run)
    records = read["records"]
    if config.limit is not None:
        records = _limit(records, config.limit)
    normalised = records | "NormaliseListings" >> NormaliseListings(config.columns, config.max_listing_chars, run,
                                                                        config.listing_check)
    prompts = normalised["listings"] | "BuildPrompts" >> BuildPrompts(
        config.model, config.prompt_style, config.limits.max_prompt_tokens, run)
    extracted = prompts["prompts"] | "Extract" >> Extract(make_handler(config), run)
    validated = extracted["predictions"] | "ValidateOutput" >> Validate(run)
    flattened = validated["extractions"] | "FlattenToRows" >> FlattenToRows(run, config.keep_ungrounded,
                                                                             config.recall)
    grounding = flattened.pop("grounding")
    tables = flattened
    errors = ((read["errors"], normalised["errors"], prompts["errors"], extracted["errors"], validated["errors"])
              | "AllErrors" >> beam.Flatten())
    tables = {**tables, "extraction_errors": errors}
    if config.staging:
        tables | "WriteTables" >> WriteBigQueryTables(config.connection, config.staging)
    else:
        tables | "WriteTables" >> WriteParquetTables(config.write_path)
    summary = {"read_records": records, "read_errors": read["errors"], "duplicates": normalised["duplicates"],
               "errors": errors, "grounding": grounding,
               **{name: tables[name] for name in TABLE_NAMES if name != "extraction_errors"}}
    summary_pc = summary | "Summarise" >> SummariseRun(config.summary_path, config.summary_header())
    return {**tables, "summary": summary_pc}
