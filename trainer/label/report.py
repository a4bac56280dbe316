"""Counts of a labelling run: the progress line on the terminal and the summary / cost report JSON.

The summary reconciles like the pipeline's: every record read is a label, a
rejection, a duplicate, a listing left out of the sample, or one still to do,
and the counts must add up to the records read. Cost is this run's tokens at
the configured prices; without prices it is left out and says so.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from extraction.prompt import PROMPT_VERSION, PromptStyle

MAX_FAILURES_LISTED = 100


def format_counts(counter: Counter) -> str:
    """"timeout 3, server_error 1", most frequent first."""
    return ", ".join(f"{reason} {n}" for reason, n in counter.most_common()) or "none"


@dataclass
class LabelStats:
    read: int = 0
    duplicates: int = 0
    not_sampled: int = 0
    labelled_before: int = 0
    rejected_before: Counter = field(default_factory=Counter)
    to_do: int = 0
    labelled: int = 0
    rejected: Counter = field(default_factory=Counter)  # this run, by reason (input rejections included)
    teacher_rejected: int = 0  # of those, answers of the teacher (the rest never reached the to-do list)
    failed: Counter = field(default_factory=Counter)  # this run, by reason: still to do
    last_failure: Optional[str] = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # this run's failed listings, with the reason
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    retries: Counter = field(default_factory=Counter)
    grounding_removed: Counter = field(default_factory=Counter)  # by list
    grounding_moved: Counter = field(default_factory=Counter)  # by the list they left
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> int:
        return self.labelled + self.teacher_rejected + sum(self.failed.values())

    def labels_per_minute(self) -> float:
        minutes = (time.monotonic() - self.started) / 60
        return self.labelled / minutes if minutes > 0 else 0.0

    def progress_line(self) -> str:
        """done/total, rate, rejections and failures by reason, ETA."""
        elapsed = time.monotonic() - self.started
        rate = self.finished / elapsed if elapsed > 0 else 0.0
        left = self.to_do - self.finished
        eta = f"{left / rate / 60:.1f} min" if rate > 0 and left > 0 else ("0 min" if left <= 0 else "unknown")
        percent = 100 * self.finished / self.to_do if self.to_do else 100.0
        return (f"{self.finished}/{self.to_do} done ({percent:.0f}%), {self.labelled} labelled, "
                f"{self.labels_per_minute():.1f} labels/min; rejected: {format_counts(self.rejected)}; "
                f"failed: {format_counts(self.failed)}; retries: {format_counts(self.retries)}; ETA {eta}")


def _cost(stats: LabelStats, settings: Any) -> dict[str, Any]:
    price_in, price_out = settings.price_input_per_million, settings.price_output_per_million
    if price_in is None or price_out is None:
        return {"usd": None, "note": "no prices configured: set price_input_per_million and "
                                     "price_output_per_million (a preset sets its own)"}
    usd = stats.input_tokens / 1e6 * price_in + stats.output_tokens / 1e6 * price_out
    answered = stats.labelled + stats.teacher_rejected
    return {
        "usd": round(usd, 6),
        "usd_per_1k_labels": round(usd / stats.labelled * 1000, 4) if stats.labelled else None,
        "usd_per_1k_answers": round(usd / answered * 1000, 4) if answered else None,
        "price_input_per_million": price_in,
        "price_output_per_million": price_out,
        "prices_as_of": settings.prices_as_of,
    }


def summary(stats: LabelStats, settings: Any, cfg: Any, output: str, rejections: str,
            stopped: Optional[str]) -> dict[str, Any]:
    """The run summary and cost report; raises RuntimeError if the counts do not reconcile."""
    labelled = stats.labelled_before + stats.labelled
    rejected_by_reason = stats.rejected_before + stats.rejected
    rejected = sum(rejected_by_reason.values())
    pending = stats.to_do - stats.labelled - stats.teacher_rejected
    counts = {
        "read": stats.read,
        "labelled": labelled,
        "rejected": rejected,
        "duplicates": stats.duplicates,
        "not_sampled": stats.not_sampled,
        "pending": pending,
        "labelled_this_run": stats.labelled,
        "rejected_this_run": sum(stats.rejected.values()),
        "done_before": stats.labelled_before + sum(stats.rejected_before.values()),
    }
    total = labelled + rejected + stats.duplicates + stats.not_sampled + pending
    if total != stats.read:
        raise RuntimeError(f"counts do not reconcile: labelled {labelled} + rejected {rejected} + duplicates "
                           f"{stats.duplicates} + not_sampled {stats.not_sampled} + pending {pending} = {total}, "
                           f"but {stats.read} records were read")
    elapsed = time.monotonic() - stats.started
    answered = stats.labelled + stats.teacher_rejected
    return {
        "complete": pending == 0,
        "stopped": stopped,
        "teacher": {"base_url": settings.base_url, "model": settings.model,
                    "response_format": settings.response_format.value, "prompt_version": PROMPT_VERSION,
                    "prompt_style": PromptStyle.FULL.value},
        "input": cfg.input_query or cfg.input,
        "output": output,
        "rejections": rejections,
        "sample": cfg.sample,
        "counts": counts,
        "reconciled": "read = labelled + rejected + duplicates + not_sampled + pending",
        "rejected_by_reason": dict(rejected_by_reason.most_common()),
        "failed_by_reason": dict(stats.failed.most_common()),
        "failed_listings": stats.failures[:MAX_FAILURES_LISTED],
        "retries_by_reason": dict(stats.retries.most_common()),
        "requests": stats.requests,
        "input_tokens": stats.input_tokens,
        "output_tokens": stats.output_tokens,
        "mean_input_tokens": round(stats.input_tokens / answered, 1) if answered else None,
        "mean_output_tokens": round(stats.output_tokens / answered, 1) if answered else None,
        "grounding_removed": {"names": sum(stats.grounding_removed.values()),
                              "by_list": dict(stats.grounding_removed.most_common())},
        "grounding_moved": {"names": sum(stats.grounding_moved.values()),
                            "by_list": dict(stats.grounding_moved.most_common())},
        "elapsed_s": round(elapsed, 1),
        "labels_per_minute": round(stats.labels_per_minute(), 2),
        "cost": _cost(stats, settings),
    }
