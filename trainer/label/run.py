"""`python -m trainer label`: label listings with a teacher model into training data, resumably.

read (the pipeline's reader, column map and normalisation) → drop duplicates
(one listing per job_id, the pipeline's rule: the latest ingestion) → optional
`--sample` → skip what earlier runs finished → ask the teacher (full prompt,
structured output) with bounded concurrency → validate strictly → remove tool
names the listing never mentions → append the label or the rejection at once.

Every record read ends as a label, a rejection with its reason, a duplicate,
a listing left out of the sample, or a listing still to do (the teacher
failed after all retries, or the run stopped); the summary checks that these
add up to the records read, as the pipeline's run summary does.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, Listing, content_job_id, keep_latest, normalise_record
from extraction.postprocess import postprocess
from extraction.prompt import PROMPT_VERSION, PromptStyle, messages
from extraction.readers import check_sources, read_records, reads_bigquery
from schemas.models import JobExtraction
from schemas.validation import ExtractionError, canonical_json, format_errors, parse_extraction
from trainer.label.config import LabelConfig, TeacherSettings, teacher_settings
from trainer.label.report import LabelStats, format_counts, summary
from trainer.label.sample import sample_listings
from trainer.label.store import Done, Store, default_paths, label_row, open_store, rejection_row
from trainer.label.teacher import RateLimiter, RetryPolicy, Stopped, Teacher, TeacherFailure, TeacherFatal, TeacherReply

LOG = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------ input

def _letter_fields(letter: DeadLetter) -> tuple[str, str, str, Optional[str]]:
    return letter.stage, letter.reason, letter.detail, letter.input_excerpt


@dataclass
class Inputs:
    """The listings to label, in input order, and the rejections reading and normalising produced."""

    listings: list[Listing] = field(default_factory=list)
    rejections: list[tuple[str, str, str, str, Optional[str]]] = field(default_factory=list)  # id, stage, ...


def collect(cfg: LabelConfig, stats: LabelStats, connection: Any = None) -> Inputs:
    """Read, normalise and deduplicate every record; counts go into `stats`."""
    columns = ColumnMap.from_pairs(cfg.columns)
    listings: list[Listing] = []
    inputs = Inputs()
    for item in read_records(cfg.input, cfg.input_query, columns=columns, project=cfg.project,
                             connection=connection):
        stats.read += 1
        if isinstance(item, DeadLetter):
            stage, reason, detail, excerpt = _letter_fields(item)
            job_id = item.job_id or f"{stage}:{content_job_id(detail + (excerpt or ''))}"
            inputs.rejections.append((job_id, stage, reason, detail, excerpt))
            continue
        try:
            listings.append(normalise_record(item, columns, cfg.max_listing_chars))
        except DeadLetter as letter:
            stage, reason, detail, _ = _letter_fields(letter)
            raw = json.dumps(item, ensure_ascii=False, default=str)
            job_id = str(item.get(columns.job_id) or "") or f"{stage}:{content_job_id(raw)}"
            inputs.rejections.append((job_id, stage, reason, detail, raw[:500]))
    inputs.listings, duplicates = keep_latest(listings)
    stats.duplicates += len(duplicates)
    return inputs


# ------------------------------------------------------------------------------------------------ one listing

def ground_label(extraction: JobExtraction, listing: Listing) -> tuple[JobExtraction, Counter, Counter, list[str]]:
    """Remove skills the listing never mentions (the design note's "Git" case), so the student never learns to
    invent them; returns the cleaned label, removals and moves counted by list, and the removed names.

    `extraction.postprocess` without rules or backfill: the label keeps only the teacher's own items, in the
    lists the taxonomy files them under; the unevidenced names are kept for the audit trail.
    """
    result = postprocess(extraction, listing, rules=False, backfill=False).grounding
    return result.extraction, Counter(result.removed), Counter(result.moved), list(result.unevidenced)


def _strip_fences(text: str) -> str:
    """Models answering without structured output often wrap the JSON in a ```json fence."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped[3:-3]
        stripped = stripped[4:] if stripped.startswith("json") else stripped
    return stripped.strip()


@dataclass
class Outcome:
    """What happened to one listing: a label row, a rejection row, or a failure (still to do)."""

    listing: Listing
    reply: Optional[TeacherReply] = None
    label: Optional[dict[str, Any]] = None
    rejection: Optional[dict[str, Any]] = None
    failure: Optional[TeacherFailure] = None
    removed: Counter = field(default_factory=Counter)  # skills without evidence, by list
    moved: Counter = field(default_factory=Counter)  # skills filed under another list, by the list they left


def judge(listing: Listing, reply: TeacherReply, model: str, max_tokens: int) -> Outcome:
    """Turn the teacher's reply into a label or a rejection with its reason."""
    outcome = Outcome(listing, reply)
    text = reply.text or ""

    def reject(reason: str, detail: str) -> Outcome:
        outcome.rejection = rejection_row(listing.job_id, model, PROMPT_VERSION, "teacher", reason, detail,
                                          raw_output=text or None, input_excerpt=listing.text()[:500])
        return outcome

    if reply.refusal or reply.finish_reason == "content_filter":
        return reject("refusal", reply.refusal or "the server stopped the answer with finish_reason content_filter")
    if reply.finish_reason == "length":
        return reject("truncated", f"the answer reached max_tokens ({max_tokens}) before the JSON closed")
    if not text.strip():
        return reject("empty", f"no text in the answer (finish_reason {reply.finish_reason})")
    try:
        extraction = parse_extraction(_strip_fences(text), strict=True)
    except ExtractionError as exc:
        return reject(exc.reason, "; ".join(exc.errors))
    try:
        grounded, outcome.removed, outcome.moved, names = ground_label(extraction, listing)
    except ValidationError as exc:  # grounding moves items between lists and validates the result again
        return reject("schema_violation", "after grounding: " + "; ".join(format_errors(exc)))
    outcome.label = label_row(listing, json.loads(canonical_json(grounded)), model, PROMPT_VERSION,
                              reply.input_tokens, reply.output_tokens, names)
    return outcome


def label_one(listing: Listing, teacher: Teacher) -> Outcome:
    """Ask the teacher about one listing (runs on a worker thread)."""
    try:
        reply = teacher.complete(messages(listing.text(), PromptStyle.FULL))
    except TeacherFailure as failure:
        return Outcome(listing, failure=failure)
    return judge(listing, reply, teacher.model, teacher.max_tokens)


# ------------------------------------------------------------------------------------------------ the run

class LabelRun:
    """One labelling run: the store, the teacher, the counts, and the loop that ties them together."""

    def __init__(self, cfg: LabelConfig, connection: Any = None):
        if cfg.concurrency < 1 or cfg.max_failures < 0 or cfg.max_tokens < 1:
            raise ValueError("concurrency and max_tokens must be at least 1, max_failures at least 0")
        self.cfg = cfg
        self.settings: TeacherSettings = teacher_settings(cfg)
        self.output, self.rejections_path, self.report_path = default_paths(cfg.output, cfg.rejections, cfg.report)
        self.connection = connection
        self.stats = LabelStats()
        self.stop = threading.Event()
        self.stop_reason: Optional[str] = None

    def _teacher(self) -> Teacher:
        s, cfg = self.settings, self.cfg
        return Teacher(s.base_url, s.model, s.api_key, response_format=s.response_format,
                       temperature=cfg.temperature, max_tokens=cfg.max_tokens, timeout=cfg.timeout,
                       limiter=RateLimiter(cfg.requests_per_minute),
                       policy=RetryPolicy(cfg.max_retries, cfg.backoff_base, cfg.backoff_max, cfg.max_retry_after),
                       stop=self.stop, seed=cfg.sample_seed)

    def _connection(self) -> Any:
        if self.connection is None and self.output.startswith("bq://"):
            from extraction.bigquery import Connection

            self.connection = Connection.from_options(self.cfg.project, uri=self.output)
        return self.connection

    def run(self) -> dict[str, Any]:
        """Label everything still to do; returns the summary (also written to the report file)."""
        stats, model = self.stats, self.settings.model
        if not reads_bigquery(self.cfg.input, self.cfg.input_query):
            check_sources(self.cfg.input)  # a wrong path fails here, before any output file is created
        store = open_store(self.output, self.rejections_path, self._connection())
        teacher = self._teacher()
        try:
            done = store.done(model, PROMPT_VERSION)
            inputs = collect(self.cfg, stats, self.connection)
            self._record_input_rejections(store, inputs, done)
            selected = inputs.listings
            if self.cfg.sample is not None:
                selected = sample_listings(inputs.listings, self.cfg.sample, self.cfg.sample_seed)
                stats.not_sampled = len(inputs.listings) - len(selected)
            todo = []
            for listing in selected:
                if listing.job_id in done.labelled:
                    stats.labelled_before += 1
                elif listing.job_id in done.rejected:
                    stats.rejected_before[done.rejected[listing.job_id]] += 1
                else:
                    todo.append(listing)
            stats.to_do = len(todo)
            LOG.info("label: %d records read, %d duplicates, %d not sampled, %d done before, %d to label with %s",
                     stats.read, stats.duplicates, stats.not_sampled,
                     stats.labelled_before + sum(stats.rejected_before.values()), len(todo), model)
            self._label(todo, teacher, store)
        finally:
            store.close()
        stats.requests = teacher.requests
        stats.retries = teacher.retries
        result = summary(stats, self.settings, self.cfg, self.output, self.rejections_path, self.stop_reason)
        Path(self.report_path).parent.mkdir(parents=True, exist_ok=True)
        Path(self.report_path).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return result

    def _record_input_rejections(self, store: Store, inputs: Inputs, done: Done) -> None:
        """Unreadable records and listings without usable text: judged on every run, each row written once."""
        for job_id, stage, reason, detail, excerpt in inputs.rejections:
            if (job_id, reason) in done.input_rejected:
                self.stats.rejected_before[reason] += 1
                continue
            store.add_rejection(rejection_row(job_id, self.settings.model, PROMPT_VERSION, stage, reason, detail,
                                              input_excerpt=excerpt))
            done.add_rejection(job_id, stage, reason)
            self.stats.rejected[reason] += 1

    def _record(self, outcome: Outcome, store: Store) -> None:
        stats = self.stats
        if outcome.failure is not None:
            stats.failed[outcome.failure.reason] += 1
            stats.last_failure = f"{outcome.listing.job_id}: {outcome.failure}"
            stats.failures.append({"job_id": outcome.listing.job_id, "reason": outcome.failure.reason,
                                   "detail": outcome.failure.detail, "attempts": outcome.failure.attempts})
            if sum(stats.failed.values()) > self.cfg.max_failures:
                self._halt(f"stopped: {sum(stats.failed.values())} listings failed after all retries, over the "
                           f"failure budget (--max_failures {self.cfg.max_failures}): "
                           f"{format_counts(stats.failed)}; last: {stats.last_failure}. Labels so far are kept; "
                           "run the same command again to resume")
            return
        reply = outcome.reply
        stats.input_tokens += reply.input_tokens
        stats.output_tokens += reply.output_tokens
        if outcome.label is not None:
            store.add_label(outcome.label)
            stats.labelled += 1
            stats.grounding_removed.update(outcome.removed)
            stats.grounding_moved.update(outcome.moved)
        else:
            store.add_rejection(outcome.rejection)
            stats.rejected[outcome.rejection["reason"]] += 1
            stats.teacher_rejected += 1

    def _halt(self, reason: str) -> None:
        if not self.stop.is_set():
            self.stop_reason = reason
            LOG.error("label: %s", reason)
            self.stop.set()

    def _label(self, todo: list[Listing], teacher: Teacher, store: Store) -> None:
        queue = iter(todo)
        in_flight: dict[Future, Listing] = {}
        last_log = time.monotonic()
        bar = tqdm(total=len(todo), unit="listing", desc="labelling", disable=None, dynamic_ncols=True, smoothing=0.1)
        with bar, logging_redirect_tqdm(), \
                ThreadPoolExecutor(max_workers=self.cfg.concurrency, thread_name_prefix="label") as pool:
            while True:
                while not self.stop.is_set() and len(in_flight) < self.cfg.concurrency:
                    listing = next(queue, None)
                    if listing is None:
                        break
                    in_flight[pool.submit(label_one, listing, teacher)] = listing
                if not in_flight:
                    break
                try:
                    finished, _ = wait(in_flight, timeout=self.cfg.progress_every, return_when=FIRST_COMPLETED)
                except KeyboardInterrupt:
                    self._halt("interrupted; labels so far are kept, run the same command again to resume")
                    continue
                for future in finished:
                    in_flight.pop(future)
                    bar.update()
                    try:
                        self._record(future.result(), store)
                    except Stopped:
                        pass  # gave up waiting to retry because the run is stopping; still to do
                    except TeacherFatal as exc:
                        self._halt(str(exc))
                if time.monotonic() - last_log >= self.cfg.progress_every:
                    LOG.info("label: %s", self.stats.progress_line())
                    last_log = time.monotonic()
        LOG.info("label: %s", self.stats.progress_line())


def label(cfg: LabelConfig, connection: Any = None) -> dict[str, Any]:
    """Run `trainer label` with `cfg`; `connection` overrides the BigQuery endpoint (tests, emulators)."""
    return LabelRun(cfg, connection).run()
