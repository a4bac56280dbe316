"""Labelled listings in, chat-formatted prompt/completion pairs out.

Labels go through `schemas` (validated and normalised), so the model learns
the canonical form the grammar also enforces. The split is a hash of job_id:
the same listing is in the same split on every run and every machine.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Union

from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, Listing, ListingError, keep_latest, normalise_listing
from extraction.postprocess import postprocess
from extraction.prompt import PromptStyle, count_tokens, fit_prompt
from extraction.readers import read_records
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


def load_labelled(
    rows: Iterable[Union[dict[str, Any], DeadLetter]],
    columns: ColumnMap = ColumnMap(),
    label_column: str = "extraction",
    listings_by_id: Optional[dict[str, dict[str, Any]]] = None,
    clean: bool = False,
) -> tuple[list[LabelledListing], LoadReport]:
    """Validate every row; unreadable rows (`extraction.readers` dead letters), invalid labels and listings
    without usable text are reported and left out, and of rows with the same job_id the pipeline's rule keeps
    one (`extraction.listings.keep_latest`: the latest ingestion, then the longest text).

    `clean` (for training) grounds each label in its listing (`extraction.grounding`, no backfill): skills the
    listing never names are removed and counted, and skills in the wrong list move to their taxonomy list,
    so the model never learns to invent a tool or to file one where the pipeline would not.
    """
    report = LoadReport()
    valid: list[LabelledListing] = []
    for row in rows:
        report.rows += 1
        where = f"row {report.rows}"
        if isinstance(row, DeadLetter):
            where = f"job_id {row.job_id}" if row.job_id else where
            report.reject(where, f"{row.reason}: {row.detail}")
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
        valid.append(LabelledListing(listing, extraction))
    kept, duplicates = keep_latest(valid, lambda example: example.listing)
    for job_id in duplicates:
        report.reject(f"job_id {job_id}", "duplicate job_id; the latest ingestion (then the longest text) is kept")
    report.loaded = len(kept)
    return kept, report


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
    """Listings to join on job_id when the labels file holds only {job_id, extraction}; a listing that cannot
    be read is logged here, and its labels are then left out by `load_labelled` as having no description."""
    if not path:
        return None
    listings = {}
    for row in read_records(path, columns=columns, flag="--listings"):
        if isinstance(row, DeadLetter):
            LOG.warning("listing left out of the join: %s: %s", row.reason, row.detail)
        else:
            listings[str(row.get(columns.job_id))] = row
    return listings
