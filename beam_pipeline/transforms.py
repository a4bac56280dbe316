"""The pipeline's steps, each a composite PTransform around plain functions that can be tested alone.

read → normalise (+ deduplicate) → build prompts → RunInference → validate → flatten → write.
Every step that can fail on one record uses `with_exception_handling`; its
failures become `extraction_errors` rows with the stage and reason.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.ml.inference.base import ModelHandler, PredictionResult, RunInference

from beam_pipeline.records import DeadLetter, PromptRecord, error_row, excerpt, failure_fields
from schemas.flatten import RunInfo, flatten
from schemas.listings import ColumnMap, EmptyDescription, Listing, normalise_listing
from schemas.models import JobExtraction
from schemas.prompt import PromptStyle, fit_prompt
from schemas.validation import ExtractionError, parse_extraction

OUTPUT_TABLES = ("jobs", "job_skills", "job_benefits")


def _raw_text(element: Any) -> str:
    return json.dumps(element, ensure_ascii=False, default=str) if isinstance(element, dict) else str(element)


def _failures_to_rows(label: str, stage: str, failures: beam.PCollection, run: RunInfo, job_id_of: Callable,
                      text_of: Callable = _raw_text) -> beam.PCollection:
    """Turn `(element, (type, repr, traceback))` failures into extraction_errors rows."""

    def to_row(failed: tuple) -> dict[str, Any]:
        element, failure = failed
        stage_, reason, detail, raw = failure_fields(stage, failure)
        return error_row(run, job_id_of(element), stage_, reason, detail, raw_output=raw,
                         input_excerpt=excerpt(text_of(element)))

    return failures | label >> beam.Map(to_row)


# ------------------------------------------------------------------------------------------------ read

def input_format(pattern: str) -> str:
    lowered = pattern.lower()
    for suffix, kind in ((".jsonl", "jsonl"), (".json", "jsonl"), (".ndjson", "jsonl"), (".csv", "csv"),
                         (".parquet", "parquet")):
        if lowered.endswith(suffix):
            return kind
    raise ValueError(f"--input {pattern}: expected a .jsonl, .csv or .parquet path or glob")


def parse_json_record(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DeadLetter("read", "invalid_json", f"{exc.msg} at column {exc.colno}") from None
    if not isinstance(value, dict):
        raise DeadLetter("read", "not_an_object", f"expected a JSON object per line, got {type(value).__name__}")
    return value


def read_csv_file(readable: Any) -> Iterator[dict[str, Any]]:
    with readable.open() as handle:
        yield from csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline=""))


class ReadListings(beam.PTransform):
    """Local or GCS files (.jsonl, .csv, .parquet) → {"records": dicts, "errors": error rows}."""

    def __init__(self, pattern: str, run: RunInfo):
        super().__init__()
        self._pattern = pattern
        self._run = run

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        kind = input_format(self._pattern)
        if kind == "jsonl":
            lines = (pbegin | "ReadLines" >> beam.io.ReadFromText(self._pattern)
                     | "SkipBlank" >> beam.Filter(lambda line: bool(line.strip())))
            records, failed = lines | "ParseJson" >> beam.Map(parse_json_record).with_exception_handling()
            errors = _failures_to_rows("ReadErrors", "read", failed, self._run, lambda element: None)
            return {"records": records, "errors": errors}
        if kind == "csv":
            records = (pbegin | "Match" >> fileio.MatchFiles(self._pattern) | "Open" >> fileio.ReadMatches()
                       | "ParseCsv" >> beam.FlatMap(read_csv_file))
        else:
            records = pbegin | "ReadParquet" >> beam.io.ReadFromParquet(self._pattern)
        return {"records": records, "errors": pbegin | "NoReadErrors" >> beam.Create([])}


# ------------------------------------------------------------------------------------------------ normalise

def normalise_record(record: dict[str, Any], columns: ColumnMap, max_listing_chars: int) -> Listing:
    """A Listing, or a DeadLetter for an empty or absurdly long description."""
    try:
        listing = normalise_listing(record, columns)
    except EmptyDescription as exc:
        raise DeadLetter("normalise", "empty_description", str(exc)) from None
    if len(listing.description) > max_listing_chars:
        raise DeadLetter("normalise", "input_too_long",
                         f"{len(listing.description)} characters after cleaning, over --max-listing-chars "
                         f"{max_listing_chars}")
    return listing


def keep_one(job_id: str, listings: Iterable[Listing]) -> Iterator[Any]:
    """One listing per job_id: the latest ingestion, then the longest text; the rest are counted duplicates."""
    ranked = sorted(listings, key=lambda l: (l.ingestion_date or "", len(l.description), l.description),
                    reverse=True)
    yield ranked[0]
    for _ in ranked[1:]:
        yield beam.pvalue.TaggedOutput("duplicates", job_id)


def _record_job_id(columns: ColumnMap):
    return lambda record: str(record.get(columns.job_id)) if isinstance(record, dict) and record.get(
        columns.job_id) else None


class NormaliseListings(beam.PTransform):
    """Records → {"listings", "duplicates" (job_ids dropped), "errors"}."""

    def __init__(self, columns: ColumnMap, max_listing_chars: int, run: RunInfo):
        super().__init__()
        self._columns = columns
        self._max_chars = max_listing_chars
        self._run = run

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        listings, failed = records | "Normalise" >> beam.Map(
            normalise_record, self._columns, self._max_chars).with_exception_handling()
        deduped = (listings
                   | "KeyByJobId" >> beam.Map(lambda listing: (listing.job_id, listing))
                   | "GroupByJobId" >> beam.GroupByKey()
                   | "KeepOne" >> beam.FlatMapTuple(keep_one).with_outputs("duplicates", main="listings"))
        errors = _failures_to_rows("NormaliseErrors", "normalise", failed, self._run, _record_job_id(self._columns))
        return {"listings": deduped.listings, "duplicates": deduped.duplicates, "errors": errors}


# ------------------------------------------------------------------------------------------------ prompts

class _BuildPromptFn(beam.DoFn):
    def __init__(self, model_spec: Optional[str], style: PromptStyle, max_prompt_tokens: int):
        self._model_spec = model_spec
        self._style = style
        self._max_prompt_tokens = max_prompt_tokens
        self._tokenizer = None

    def setup(self) -> None:
        from schemas.model_source import load_tokenizer

        self._tokenizer = load_tokenizer(self._model_spec)

    def process(self, listing: Listing) -> Iterator[PromptRecord]:
        try:
            fitted = fit_prompt(self._tokenizer, listing.text(), self._style, self._max_prompt_tokens)
        except ValueError as exc:
            raise DeadLetter("prompt", "instructions_too_long", str(exc)) from None
        beam.metrics.Metrics.counter("jobx", "listings_truncated").inc(int(fitted.listing_truncated))
        yield PromptRecord(listing, fitted.text, fitted.prompt_tokens, fitted.listing_truncated)


class BuildPrompts(beam.PTransform):
    """Listings → {"prompts": PromptRecords within the context, "errors"}; long listings are cut and marked."""

    def __init__(self, model_spec: Optional[str], style: PromptStyle, max_prompt_tokens: int, run: RunInfo):
        super().__init__()
        self._fn = _BuildPromptFn(model_spec, style, max_prompt_tokens)
        self._run = run

    def expand(self, listings: beam.PCollection) -> dict[str, beam.PCollection]:
        prompts, failed = listings | "Render" >> beam.ParDo(self._fn).with_exception_handling()
        errors = _failures_to_rows("PromptErrors", "prompt", failed, self._run, lambda listing: listing.job_id,
                                   lambda listing: listing.text())
        return {"prompts": prompts, "errors": errors}


# ------------------------------------------------------------------------------------------------ inference

class Extract(beam.PTransform):
    """PromptRecords → {"predictions", "errors"} through RunInference; a failed batch dead-letters its records."""

    def __init__(self, handler: ModelHandler, run: RunInfo):
        super().__init__()
        self._handler = handler
        self._run = run

    def expand(self, prompts: beam.PCollection) -> dict[str, beam.PCollection]:
        predictions, dlq = prompts | "RunInference" >> RunInference(self._handler).with_exception_handling()
        run = self._run

        def batch_rows(failed: tuple) -> Iterator[dict[str, Any]]:
            batch, failure = failed
            _, reason, detail, _ = failure_fields("inference", failure)
            for record in batch:
                yield error_row(run, record.listing.job_id, "inference", reason, detail,
                                input_excerpt=excerpt(record.listing.text()))

        errors = dlq.failed_inferences | "InferenceErrors" >> beam.FlatMap(batch_rows)
        return {"predictions": predictions, "errors": errors}


# ------------------------------------------------------------------------------------------------ validate

def validate_prediction(result: PredictionResult) -> tuple[PromptRecord, JobExtraction]:
    """The validated, normalised extraction; output cut at the token budget is never a partial row."""
    record, generation = result.example, result.inference
    if generation.finish_reason == "length":
        raise DeadLetter("validate", "truncated",
                         f"the output reached max_new_tokens ({generation.output_tokens} tokens) before the "
                         "JSON closed", generation.text)
    try:
        return record, parse_extraction(generation.text)
    except ExtractionError as exc:
        raise DeadLetter("validate", exc.reason, "; ".join(exc.errors), generation.text) from None


class Validate(beam.PTransform):
    """PredictionResults → {"extractions": (PromptRecord, JobExtraction), "errors"}."""

    def __init__(self, run: RunInfo):
        super().__init__()
        self._run = run

    def expand(self, predictions: beam.PCollection) -> dict[str, beam.PCollection]:
        extractions, failed = predictions | "Validate" >> beam.Map(validate_prediction).with_exception_handling()
        errors = _failures_to_rows("ValidationErrors", "validate", failed, self._run,
                                   lambda result: result.example.listing.job_id,
                                   lambda result: result.example.listing.text())
        return {"extractions": extractions, "errors": errors}


# ------------------------------------------------------------------------------------------------ flatten

def flatten_extraction(pair: tuple[PromptRecord, JobExtraction], run: RunInfo) -> Iterator[Any]:
    record, extraction = pair
    listing = record.listing
    tables = flatten(listing.job_id, extraction, listing.text(), run, input_truncated=record.listing_truncated,
                     listing_columns=listing.listing_columns())
    for table, rows in tables.items():
        for row in rows:
            yield row if table == "jobs" else beam.pvalue.TaggedOutput(table, row)


class FlattenToRows(beam.PTransform):
    """(PromptRecord, JobExtraction) → {"jobs", "job_skills", "job_benefits"} rows."""

    def __init__(self, run: RunInfo):
        super().__init__()
        self._run = run

    def expand(self, extractions: beam.PCollection) -> dict[str, beam.PCollection]:
        rows = extractions | "Flatten" >> beam.FlatMap(flatten_extraction, self._run).with_outputs(
            "job_skills", "job_benefits", main="jobs")
        return {"jobs": rows.jobs, "job_skills": rows.job_skills, "job_benefits": rows.job_benefits}
