"""Run counts computed from the data itself and reconciled inside the pipeline.

Counting the PCollections (not metrics) makes the numbers exact on any
runner: read = extracted + dead-lettered + duplicates, or the run fails.
The counts go to a file the launcher completes (timings, BigQuery's merged
rows) into run_summary.json, which it writes once.
"""
from __future__ import annotations

import json
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from schemas.models import JobExtraction, skill_lists
from schemas.tables import TABLE_NAMES

# which PCollection feeds which count
COUNT_KEYS = {
    "read_records": "read",
    "read_errors": "read",
    "duplicates": "duplicates",
    "jobs": "extracted",
    "job_skills": "rows.job_skills",
    "job_benefits": "rows.job_benefits",
    "errors": "rows.extraction_errors",
}


GROUNDING_KINDS = ("removed", "removed_reason", "recovered")
_GROUPS = {"dead": "dead_lettered_by", "ruled": "rules_changed", **{kind: kind for kind in GROUNDING_KINDS}}
# The lists whose removals grounding also counts by reason (unevidenced, negated, context_only, perk).
SKILL_LIST_PATHS = frozenset(path for path, _, _ in skill_lists(JobExtraction()))


class ReconciliationError(RuntimeError):
    """The counts of a run do not add up: some record was lost or produced twice."""


def reconcile(counts: dict[str, Any]) -> dict[str, Any]:
    """Add the totals and check read = extracted + dead_lettered + duplicates, and that the skills removed by
    reason add up to the skills removed by list."""
    by_reason: dict[str, int] = counts.get("dead_lettered_by", {})
    dead = sum(by_reason.values())
    summary = {
        "read": counts.get("read", 0),
        "duplicates": counts.get("duplicates", 0),
        "extracted": counts.get("extracted", 0),
        "dead_lettered": dead,
        "dead_lettered_by": dict(sorted(by_reason.items())),
        "rows": {
            "jobs": counts.get("extracted", 0),
            **{k: counts.get(f"rows.{k}", 0) for k in TABLE_NAMES if k != "jobs"},
        },
        "grounding": {kind: dict(sorted(counts.get(kind, {}).items())) for kind in GROUNDING_KINDS},
        "rules_changed": dict(sorted(counts.get("rules_changed", {}).items())),
    }
    accounted = summary["extracted"] + dead + summary["duplicates"]
    summary["reconciled"] = summary["read"] == accounted
    if not summary["reconciled"]:
        raise ReconciliationError(
            f"read {summary['read']} != extracted {summary['extracted']} + dead-lettered {dead} + duplicates "
            f"{summary['duplicates']} = {accounted}: {json.dumps(summary)}"
        )
    grounding = summary["grounding"]
    by_list = sum(n for path, n in grounding["removed"].items() if path in SKILL_LIST_PATHS)
    by_reason = sum(grounding["removed_reason"].values())
    if by_list != by_reason:
        raise ReconciliationError(f"skills removed by list {by_list} != removed by reason {by_reason}: "
                                  f"{json.dumps(grounding)}")
    return summary


class _MergeCounts(beam.CombineFn):
    def create_accumulator(self) -> dict[str, Any]:
        return {"dead_lettered_by": {}}

    def add_input(self, acc: dict[str, Any], item: tuple[str, int]) -> dict[str, Any]:
        key, n = item
        group, sep, name = key.partition(":")
        if sep:  # dead:<stage>/<reason>, removed:<list>, removed_reason:<reason>, recovered:<list>
            bucket = acc.setdefault(_GROUPS[group], {})
            bucket[name] = bucket.get(name, 0) + n
        else:
            acc[key] = acc.get(key, 0) + n
        return acc

    def merge_accumulators(self, accumulators: Any) -> dict[str, Any]:
        merged = self.create_accumulator()
        for acc in accumulators:
            for key, value in acc.items():
                if isinstance(value, dict):
                    bucket = merged.setdefault(key, {})
                    for name, n in value.items():
                        bucket[name] = bucket.get(name, 0) + n
                else:
                    merged[key] = merged.get(key, 0) + value
        return merged

    def extract_output(self, acc: dict[str, Any]) -> dict[str, Any]:
        return acc


def write_counts(counts: dict[str, Any], path: str, header: dict[str, Any]) -> dict[str, Any]:
    document = {**header, **counts}
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(document, indent=2, default=str).encode("utf-8"))
    return document


class SummariseRun(beam.PTransform):
    """Counts → reconciled counts, after the run's `header`, written to `path`; raises ReconciliationError when
    they disagree."""

    def __init__(self, path: str, header: dict[str, Any]):
        super().__init__()
        self._path = path
        self._header = header

    def expand(self, parts: dict[str, beam.PCollection]) -> beam.PCollection:
        keyed = [
            parts[name] | f"Count_{name}" >> beam.combiners.Count.Globally()
            | f"Key_{name}" >> beam.Map(lambda n, key=key: (key, n))
            for name, key in COUNT_KEYS.items()
        ]
        keyed.append(parts["errors"] | "KeyByReason" >> beam.Map(
            lambda row: (f"dead:{row['stage']}/{row['reason']}", 1)))
        keyed.append(parts["grounding"])
        return (keyed | "AllCounts" >> beam.Flatten()
                | "Merge" >> beam.CombineGlobally(_MergeCounts())
                | "Reconcile" >> beam.Map(reconcile)
                | "Write" >> beam.Map(write_counts, self._path, self._header))
