"""Labelled listings in, chat-formatted prompt/completion pairs out.

Labels go through `schemas` (validated and normalised), so the model learns
the canonical form the grammar also enforces. The split is a hash of job_id:
the same listing is in the same split on every run and every machine.
"""
from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from extraction.listings import ColumnMap, Listing, ListingError, normalise_listing
from extraction.postprocess import postprocess
from extraction.prompt import PromptStyle, count_tokens, fit_prompt
from schemas.models import JobExtraction
from schemas.validation import ExtractionError, canonical_json, parse_extraction

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledListing:
    listing: Listing
    extraction: JobExtraction


@dataclass
class LoadReport:
    """What happened to each input row; nothing is left out without a line here."""

    rows: int = 0
    loaded: int = 0
    rejected: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)  # label items without evidence, by list (clean=True)
    moved: dict[str, int] = field(default_factory=dict)  # label items moved to their taxonomy list

    def reject(self, where: str, why: str) -> None:
        self.rejected.append(f"{where}: {why}")
        LOG.warning("left out %s: %s", where, why)


def is_eval(job_id: str, eval_fraction: float) -> bool:
    """Deterministic split by job_id: stable across runs, machines and row order."""
    bucket = int(hashlib.sha256(job_id.encode("utf-8")).hexdigest()[:8], 16) / 2**32
    return bucket < eval_fraction


def read_rows(source: str, query: Optional[str] = None, project: Optional[str] = None) -> Iterator[dict[str, Any]]:
    """Rows from local JSONL/Parquet files (paths, globs, comma-separated) or from BigQuery (table or query)."""
    if query or source.startswith("bq://"):
        from extraction.bigquery import Connection, parse_uri
        from extraction.bigquery import read_rows as read_bigquery

        project = project or (parse_uri(source, want_table=True)[0] if not query else
                              os.environ.get("GOOGLE_CLOUD_PROJECT"))
        yield from read_bigquery(table=None if query else source, query=query,
                                 connection=Connection.from_options(project))
        return
    paths: list[str] = []
    for part in source.split(","):
        matched = sorted(glob.glob(part.strip()))
        if not matched:
            raise FileNotFoundError(f"no file matches {part.strip()!r}")
        paths += matched
    for path in paths:
        if path.endswith(".parquet"):
            import pyarrow.parquet as pq

            yield from pq.read_table(path).to_pylist()
        else:
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except json.JSONDecodeError as exc:
                            yield {"__error__": f"{path}:{number}: invalid JSON: {exc.msg}"}


def load_labelled(
    rows: Iterable[dict[str, Any]],
    columns: ColumnMap = ColumnMap(),
    label_column: str = "extraction",
    listings_by_id: Optional[dict[str, dict[str, Any]]] = None,
    clean: bool = False,
) -> tuple[list[LabelledListing], LoadReport]:
    """Validate every row; invalid labels and unreadable listings are reported and left out.

    `clean` (for training) grounds each label in its listing (`extraction.grounding`, no backfill): skills the
    listing never names are removed and counted, and skills in the wrong list move to their taxonomy list,
    so the model never learns to invent a tool or to file one where the pipeline would not.
    """
    report = LoadReport()
    out: list[LabelledListing] = []
    seen: set[str] = set()
    for row in rows:
        report.rows += 1
        where = f"row {report.rows}"
        if "__error__" in row:
            report.reject(where, row["__error__"])
            continue
        job_id = row.get(columns.job_id)
        where = f"job_id {job_id}" if job_id else where
        record = {**(listings_by_id or {}).get(str(job_id), {}), **row}
        try:
            listing = normalise_listing(record, columns)
            label = record.get(label_column)
            if label is None:
                raise ExtractionError("missing_label", [f"no {label_column!r} column"])
            extraction = parse_extraction(label)
            if clean:
                grounding = postprocess(extraction, listing, rules=False, backfill=False).grounding
                extraction = grounding.extraction
                for mine, theirs in ((report.removed, grounding.removed), (report.moved, grounding.moved)):
                    for key, n in theirs.items():
                        mine[key] = mine.get(key, 0) + n
        except ListingError as exc:
            report.reject(where, f"{exc.reason}: {exc}")
            continue
        except ExtractionError as exc:
            report.reject(where, f"{exc.reason}: " + "; ".join(exc.errors))
            continue
        if listing.job_id in seen:
            report.reject(where, "duplicate job_id; the first one is kept")
            continue
        seen.add(listing.job_id)
        out.append(LabelledListing(listing, extraction))
        report.loaded += 1
    return out, report


def split(examples: list[LabelledListing], eval_fraction: float) -> tuple[list[LabelledListing], list[LabelledListing]]:
    train = [e for e in examples if not is_eval(e.listing.job_id, eval_fraction)]
    held_out = [e for e in examples if is_eval(e.listing.job_id, eval_fraction)]
    return train, held_out


def format_examples(
    examples: list[LabelledListing],
    tokenizer: Any,
    style: PromptStyle,
    max_seq_length: int,
    truncate_listings: bool,
    report: LoadReport,
) -> list[dict[str, str]]:
    """prompt/completion pairs rendered with the model's chat template, the same prompt the pipeline builds.

    The completion is the canonical JSON; trl appends the end-of-turn token and
    computes the loss on the completion only.
    """
    pairs = []
    for example in examples:
        completion = canonical_json(example.extraction)
        room = max_seq_length - count_tokens(tokenizer, completion) - 1
        try:
            prompt = fit_prompt(tokenizer, example.listing.text(), style, room)
        except ValueError as exc:
            report.reject(f"job_id {example.listing.job_id}", f"longer than max_seq_length: {exc}")
            continue
        if prompt.listing_truncated and not truncate_listings:
            report.reject(f"job_id {example.listing.job_id}", "listing longer than max_seq_length allows")
            continue
        pairs.append({"prompt": prompt.text, "completion": completion, "job_id": example.listing.job_id})
    return pairs


def load_listings_by_id(path: Optional[str], columns: ColumnMap) -> Optional[dict[str, dict[str, Any]]]:
    """Listings to join on job_id when the labels file holds only {job_id, extraction}."""
    if not path:
        return None
    return {str(row.get(columns.job_id)): row for row in read_rows(path)}
