"""Where labels and rejections go, append-only and resumable: a JSONL file pair or BigQuery tables.

A run appends each outcome the moment it has it (JSONL: written, flushed and
fsynced), so a run killed at any moment loses at most the listings in flight.
On start the store reports which listings are already done for this teacher
model and prompt version; the run skips them, so a restart never writes a
second row for the same (job_id, teacher_model, prompt_version). A kill can
tear the last line of a file; that fragment is cut off on open (its listing
is labelled again), so the file stays valid JSONL for `trainer train`.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

from extraction.listings import Listing

LOG = logging.getLogger(__name__)

KEY_FIELDS = ("job_id", "teacher_model", "prompt_version")
INPUT_STAGES = ("read", "normalise")


class StoreError(RuntimeError):
    """The output cannot be used as it is; the message says which file or table and why."""


@dataclass
class Done:
    """What earlier runs finished for one teacher model and prompt version.

    Only the teacher's verdicts are final. A record rejected while reading or normalising is judged again on
    every run (the input may have been fixed since); `input_rejected` only keeps its row from being written twice.
    """

    labelled: set[str] = field(default_factory=set)
    rejected: dict[str, str] = field(default_factory=dict)  # job_id -> reason, answers the teacher gave
    input_rejected: set[tuple[str, str]] = field(default_factory=set)  # (job_id, reason) of read/normalise rows

    def add_rejection(self, job_id: str, stage: str, reason: str) -> None:
        if stage in INPUT_STAGES:
            self.input_rejected.add((job_id, reason))
        else:
            self.rejected[job_id] = reason


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def label_row(listing: Listing, extraction: dict[str, Any], teacher_model: str, prompt_version: str,
              input_tokens: int, output_tokens: int, grounding_removed: list[str]) -> dict[str, Any]:
    """A labelled listing in the layout `trainer train --data` reads (default column names), plus provenance."""
    return {
        "job_id": listing.job_id,
        "job_title": listing.title,
        "company_name": listing.company,
        "location": listing.location,
        "workplace_type": listing.workplace_type,
        "job_description": listing.description,
        "extraction": extraction,
        "teacher_model": teacher_model,
        "prompt_version": prompt_version,
        "labelled_at": now_utc(),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "grounding_removed": grounding_removed,
    }


def rejection_row(job_id: str, teacher_model: str, prompt_version: str, stage: str, reason: str, detail: str,
                  raw_output: Optional[str] = None, input_excerpt: Optional[str] = None) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "teacher_model": teacher_model,
        "prompt_version": prompt_version,
        "stage": stage,
        "reason": reason,
        "detail": detail[:2000],
        "raw_output": raw_output,
        "input_excerpt": input_excerpt,
        "rejected_at": now_utc(),
    }


class Store(Protocol):
    def done(self, teacher_model: str, prompt_version: str) -> Done: ...
    def add_label(self, row: dict[str, Any]) -> None: ...
    def add_rejection(self, row: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def _repair_torn_tail(path: Path) -> None:
    """Cut a last line that has no newline: the fragment a kill left mid-write."""
    with path.open("rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        position = size
        while position > 0:
            step = min(65536, position)
            handle.seek(position - step)
            chunk = handle.read(step)
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                position = position - step + newline + 1
                break
            position -= step
        handle.truncate(position)
        LOG.warning("%s: removed a torn last line (%d bytes) left by an interrupted run; its listing is "
                    "labelled again", path, size - position)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise StoreError(f"{path}:{number}: not JSON ({exc.msg}); this file is appended to and must stay "
                                 "JSONL: fix or remove that line") from None
            if not isinstance(row, dict) or any(k not in row for k in KEY_FIELDS):
                raise StoreError(f"{path}:{number}: not a label or rejection row (needs {', '.join(KEY_FIELDS)})")
            rows.append(row)
    return rows


class JsonlStore:
    """Labels and rejections as two JSONL files, each locked against a second run writing at the same time."""

    def __init__(self, output: Path, rejections: Path):
        self.paths = (output, rejections)
        self._handles = []
        for path in self.paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                self.close()
                raise StoreError(f"{path}: another labelling run is writing to it; wait for it or choose another "
                                 "--output") from None
            self._handles.append(handle)
            _repair_torn_tail(path)

    def done(self, teacher_model: str, prompt_version: str) -> Done:
        done = Done()
        labels, rejections = (_read_jsonl(path) for path in self.paths)
        for row in labels:
            if (row["teacher_model"], row["prompt_version"]) == (teacher_model, prompt_version):
                done.labelled.add(str(row["job_id"]))
        for row in rejections:
            if (row["teacher_model"], row["prompt_version"]) == (teacher_model, prompt_version):
                done.add_rejection(str(row["job_id"]), str(row.get("stage")), str(row.get("reason")))
        return done

    @staticmethod
    def _append(handle: Any, row: dict[str, Any]) -> None:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())

    def add_label(self, row: dict[str, Any]) -> None:
        self._append(self._handles[0], row)

    def add_rejection(self, row: dict[str, Any]) -> None:
        self._append(self._handles[1], row)

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles = []


LABEL_COLUMNS = (
    ("job_id", "STRING", "REQUIRED"), ("job_title", "STRING", "NULLABLE"), ("company_name", "STRING", "NULLABLE"),
    ("location", "STRING", "NULLABLE"), ("workplace_type", "STRING", "NULLABLE"),
    ("job_description", "STRING", "REQUIRED"), ("extraction", "STRING", "REQUIRED"),
    ("teacher_model", "STRING", "REQUIRED"), ("prompt_version", "STRING", "REQUIRED"),
    ("labelled_at", "TIMESTAMP", "REQUIRED"), ("input_tokens", "INTEGER", "NULLABLE"),
    ("output_tokens", "INTEGER", "NULLABLE"), ("grounding_removed", "STRING", "REPEATED"),
)
REJECTION_COLUMNS = (
    ("job_id", "STRING", "REQUIRED"), ("teacher_model", "STRING", "REQUIRED"),
    ("prompt_version", "STRING", "REQUIRED"), ("stage", "STRING", "REQUIRED"), ("reason", "STRING", "REQUIRED"),
    ("detail", "STRING", "NULLABLE"), ("raw_output", "STRING", "NULLABLE"), ("input_excerpt", "STRING", "NULLABLE"),
    ("rejected_at", "TIMESTAMP", "REQUIRED"),
)


def _quote(value: str) -> str:
    return json.dumps(value)  # a BigQuery string literal: double quotes, backslash escapes


class BigQueryStore:
    """Labels and rejections as two BigQuery tables, one streaming insert per outcome.

    The extraction is stored as JSON text in a STRING column, which
    `trainer train --data bq://...` parses like a JSONL object. Each insert
    carries the row's key as its insertId, so a retried insert is not doubled.
    """

    def __init__(self, output: str, rejections: str, connection: Any):
        from google.cloud import bigquery

        from extraction.bigquery import parse_uri

        self._client = connection.client()
        self.tables = []
        for uri, columns in ((output, LABEL_COLUMNS), (rejections, REJECTION_COLUMNS)):
            project, dataset, table = parse_uri(uri, want_table=True)
            self._client.create_dataset(f"{project}.{dataset}", exists_ok=True)
            schema = [bigquery.SchemaField(name, kind, mode=mode) for name, kind, mode in columns]
            self._client.create_table(bigquery.Table(f"{project}.{dataset}.{table}", schema=schema), exists_ok=True)
            self.tables.append(f"{project}.{dataset}.{table}")

    def done(self, teacher_model: str, prompt_version: str) -> Done:
        done = Done()
        where = f"WHERE teacher_model = {_quote(teacher_model)} AND prompt_version = {_quote(prompt_version)}"
        for row in self._client.query(f"SELECT job_id FROM `{self.tables[0]}` {where}").result():
            done.labelled.add(row["job_id"])
        for row in self._client.query(f"SELECT job_id, stage, reason FROM `{self.tables[1]}` {where}").result():
            done.add_rejection(row["job_id"], row["stage"], row["reason"])
        return done

    def _insert(self, table: str, row: dict[str, Any]) -> None:
        key = "|".join(str(row[k]) for k in KEY_FIELDS)
        errors = self._client.insert_rows_json(table, [row], row_ids=[key])
        if errors:
            raise StoreError(f"{table}: insert of {row['job_id']} failed: {errors}")

    def add_label(self, row: dict[str, Any]) -> None:
        self._insert(self.tables[0], {**row, "extraction": json.dumps(row["extraction"], ensure_ascii=False)})

    def add_rejection(self, row: dict[str, Any]) -> None:
        self._insert(self.tables[1], row)

    def close(self) -> None:
        self._client.close()


def default_paths(output: str, rejections: Optional[str], report: Optional[str]) -> tuple[str, str, str]:
    """Rejections and report beside the output unless given."""
    if output.startswith("bq://"):
        return output, rejections or f"{output}_rejections", report or "label_summary.json"
    if not output.endswith(".jsonl"):
        raise ValueError(f"--output {output}: expected a .jsonl path or bq://project.dataset.table")
    stem = output[: -len(".jsonl")]
    return output, rejections or f"{stem}.rejections.jsonl", report or f"{stem}.summary.json"


def open_store(output: str, rejections: str, connection: Any = None) -> Store:
    if output.startswith("bq://"):
        if not rejections.startswith("bq://"):
            raise ValueError(f"--rejections {rejections}: BigQuery output keeps its rejections in BigQuery too")
        return BigQueryStore(output, rejections, connection)
    if rejections.startswith("bq://"):
        raise ValueError(f"--rejections {rejections}: a .jsonl output keeps its rejections in a .jsonl file")
    return JsonlStore(Path(output), Path(rejections))
