"""The pipeline's steps, each a composite PTransform around plain functions that can be tested alone.

read → normalise (+ deduplicate) → build prompts → RunInference → validate → flatten → write.
Every step that can fail on one record uses `with_exception_handling`; its
failures become `extraction_errors` rows with the stage and reason.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.ml.inference.base import ModelHandler, PredictionResult, RunInference

from extraction.errors import DeadLetter, error_row, excerpt, failure_letter
from extraction.listings import ColumnMap, Listing, ListingError, job_id_of, keep_latest, normalise_record
from extraction.postprocess import postprocess
from extraction.prompt import PromptRecord, PromptStyle, fit_prompt
from extraction.readers import input_format, iter_csv_records, iter_jsonl_records
from extraction.rows import RunInfo, flatten
from schemas.models import JobExtraction, is_empty_extraction
from schemas.validation import ExtractionError, parse_extraction


def _raw_text(element: Any) -> str:
    return json.dumps(element, ensure_ascii=False, default=str) if isinstance(element, dict) else excerpt(element)


def _failures_to_rows(label: str, stage: str, failures: beam.PCollection, run: RunInfo, job_id_of: Callable,
                      text_of: Callable = _raw_text) -> beam.PCollection:
    """Turn `(element, (type, repr, traceback))` failures into extraction_errors rows."""

    def to_row(failed: tuple) -> dict[str, Any]:
        element, failure = failed
        letter = failure_letter(stage, failure)
        return letter_row(run, job_id_of(element), letter, letter.input_excerpt or excerpt(text_of(element)))

    return failures | label >> beam.Map(to_row)


def letter_row(run: RunInfo, job_id: Optional[str], letter: DeadLetter, input_excerpt: Optional[str]) -> dict:
    """The extraction_errors row of one DeadLetter."""
    return error_row(run, job_id, letter.stage, letter.reason, letter.detail, raw_output=letter.raw_output,
                     input_excerpt=input_excerpt)


# ------------------------------------------------------------------------------------------------ read

def route_letters(item: Any, run: RunInfo) -> Iterator[Any]:
    """Records pass on; DeadLetters from a reader become extraction_errors rows on the "errors" output."""
    if isinstance(item, DeadLetter):
        yield beam.pvalue.TaggedOutput("errors", letter_row(run, item.job_id, item, item.input_excerpt))
    else:
        yield item


class ReadListings(beam.PTransform):
    """Local or GCS files (.jsonl, .csv, .parquet) → {"records": dicts, "errors": error rows}.

    Each line or row is decoded and parsed on its own (`extraction.readers`),
    so a bad byte, line or row becomes a dead letter and the run goes on.
    """

    def __init__(self, pattern: str, run: RunInfo, columns: ColumnMap = ColumnMap()):
        super().__init__()
        self._pattern = pattern
        self._run = run
        self._columns = columns

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        kind, columns = input_format(self._pattern), self._columns
        if kind == "jsonl":
            items = (pbegin | "ReadLines" >> beam.io.ReadFromText(self._pattern, coder=beam.coders.BytesCoder())
                     | "ParseJson" >> beam.FlatMap(iter_jsonl_records, columns))
        elif kind == "csv":
            items = (pbegin | "Match" >> fileio.MatchFiles(self._pattern) | "Open" >> fileio.ReadMatches()
                     | "ParseCsv" >> beam.FlatMap(lambda f: iter_csv_records(f.read(), f.metadata.path, columns)))
        else:
            items = pbegin | "ReadParquet" >> beam.io.ReadFromParquet(self._pattern)
        routed = items | "RouteLetters" >> beam.FlatMap(route_letters, self._run).with_outputs("errors",
                                                                                              main="records")
        return {"records": routed.records, "errors": routed.errors}


# ------------------------------------------------------------------------------------------------ normalise

def keep_one(job_id: str, listings: Iterable[Listing]) -> Iterator[Any]:
    """One listing per job_id (`extraction.listings.keep_latest`); the rest are counted duplicates."""
    (kept,), duplicates = keep_latest(listings)
    yield kept
    for _ in duplicates:
        yield beam.pvalue.TaggedOutput("duplicates", job_id)


def _record_job_id(columns: ColumnMap) -> Callable[[Any], Optional[str]]:
    """The job_id of a raw record for its dead-letter row, when it has a usable one."""

    def job_id(record: Any) -> Optional[str]:
        try:
            return job_id_of(record.get(columns.job_id), columns.job_id) if isinstance(record, dict) else None
        except ListingError:
            return None

    return job_id


class NormaliseListings(beam.PTransform):
    """Records → {"listings", "duplicates" (job_ids dropped), "errors"}."""

    def __init__(self, columns: ColumnMap, max_listing_chars: int, run: RunInfo, listing_check: bool = True):
        super().__init__()
        self._columns = columns
        self._max_chars = max_listing_chars
        self._run = run
        self._listing_check = listing_check

    def expand(self, records: beam.PCollection) -> dict[str, beam.PCollection]:
        listings, failed = records | "Normalise" >> beam.Map(
            normalise_record, self._columns, self._max_chars, self._listing_check).with_exception_handling()
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
        from inference.model_source import load_tokenizer

        self._tokenizer = load_tokenizer(self._model_spec)

    def process(self, listing: Listing) -> Iterator[PromptRecord]:
        try:
            fitted = fit_prompt(self._tokenizer, listing.text(), self._style, self._max_prompt_tokens)
        except ValueError as exc:
            raise DeadLetter("prompt", "instructions_too_long", str(exc)) from None
        beam.metrics.Metrics.counter("jobx", "listings_truncated").inc(int(fitted.listing_truncated))
        yield PromptRecord(listing, fitted.text, fitted.ids, fitted.listing_truncated)


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
            letter = failure_letter("inference", failure)
            reason, detail = letter.reason, letter.detail
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
        extraction = parse_extraction(generation.text)
    except ExtractionError as exc:
        raise DeadLetter("validate", exc.reason, "; ".join(exc.errors), generation.text) from None
    if is_empty_extraction(extraction):
        raise DeadLetter("validate", "not_a_job_listing", "the model found no role title, skill or responsibility "
                         "in the text", generation.text)
    return record, extraction


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

def flatten_extraction(pair: tuple[PromptRecord, JobExtraction], run: RunInfo, keep_ungrounded: bool = False,
                       backfill: bool = True) -> Iterator[Any]:
    """Set the scalars the listing states (`extraction.rules`), ground the extraction in the listing text
    (`extraction.grounding`), then flatten it into rows.

    Besides the rows, emits ("removed:<list>" | "recovered:<list>" | "ruled:<field>", n) on the "grounding"
    output for the run summary.
    """
    record, extraction = pair
    listing = record.listing
    done = postprocess(extraction, listing, backfill=backfill, keep_ungrounded=keep_ungrounded)
    tables = flatten(listing.job_id, done.grounding, listing.text(), run, input_truncated=record.listing_truncated,
                     listing_columns=listing.listing_columns(), ingestion_date=listing.ingestion_date)
    for table, rows in tables.items():
        for row in rows:
            yield row if table == "jobs" else beam.pvalue.TaggedOutput(table, row)
    for key, n in done.counts():
        yield beam.pvalue.TaggedOutput("grounding", (key, n))


class FlattenToRows(beam.PTransform):
    """(PromptRecord, JobExtraction) → {"jobs", "job_skills", "job_benefits", "grounding" counts}."""

    def __init__(self, run: RunInfo, keep_ungrounded: bool = False, backfill: bool = True):
        super().__init__()
        self._run = run
        self._keep_ungrounded = keep_ungrounded
        self._backfill = backfill

    def expand(self, extractions: beam.PCollection) -> dict[str, beam.PCollection]:
        rows = extractions | "GroundAndFlatten" >> beam.FlatMap(
            flatten_extraction, self._run, self._keep_ungrounded, self._backfill).with_outputs(
            "job_skills", "job_benefits", "grounding", main="jobs")
        return {"jobs": rows.jobs, "job_skills": rows.job_skills, "job_benefits": rows.job_benefits,
                "grounding": rows.grounding}
