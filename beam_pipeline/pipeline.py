"""Builds the extraction pipeline without running it, so tests can hand in a TestPipeline."""
from __future__ import annotations

import hashlib
from typing import Any

import apache_beam as beam

from beam_pipeline.bigquery_io import ReadBigQueryListings, WriteBigQueryTables
from beam_pipeline.config import ExtractionConfig
from beam_pipeline.handler import ExtractionHandler
from beam_pipeline.sinks import WriteParquetTables
from beam_pipeline.summary import SummariseRun
from beam_pipeline.transforms import BuildPrompts, Extract, FlattenToRows, NormaliseListings, ReadListings, Validate
from inference.loading import EngineSpec
from schemas.tables import TABLE_NAMES


def make_handler(config: ExtractionConfig) -> ExtractionHandler:
    options = {"max_model_len": config.limits.context_length, "gpu_memory_utilization": config.gpu_memory_utilization}
    engine = EngineSpec(config.engine, config.model, slots=config.slots,
                        vllm_options=options if config.engine == "vllm" else {})
    return ExtractionHandler(engine, max_new_tokens=config.limits.max_new_tokens, batch_size=config.batch_size,
                             model_version=config.model_version)


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
        read = pipeline | "Read" >> ReadListings(config.input, run, config.columns)
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
                                                                             config.backfill)
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
    summary_pc = summary | "Summarise" >> SummariseRun(config.counts_path, config.summary_header())
    return {**tables, "summary": summary_pc}
