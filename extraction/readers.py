"""The one reader of listings and labels: files (JSONL, CSV, Parquet; local or gs://) and BigQuery.

`read_records` is what the labeller and the trainer call; the pipeline's
`ReadListings` calls the per-line and per-file functions below inside Beam, and
its BigQuery read calls `extraction.bigquery.read_rows`. Record by record, so
that one bad line, row or byte never aborts a run: every record comes out
either as a dict or as a `DeadLetter` with a machine-readable reason, an
excerpt of the raw bytes, and the record's job_id when it can still be made out:

- `invalid_encoding`: the line or row is not valid UTF-8 (a UTF-8 byte-order mark is accepted);
- `invalid_json`: a .jsonl line that does not parse (or nests deeper than Python can follow);
- `not_an_object`: a .jsonl line that is JSON but not an object;
- `invalid_csv`: a CSV row the csv module cannot parse;
- `wrong_field_count`: a CSV row with more fields than the header, or fewer and the description among the
  missing ones (a row that lacks only trailing optional columns, as exporters drop empty last fields, is
  read with those fields empty).

Files that cannot be read at all (nothing matches, unreadable, not Parquet)
fail in `check_input` before the run writes anything, with one line that says why.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from typing import Any, Iterator, Optional, Union

from apache_beam.io.filesystems import FileSystems

from extraction.bigquery import Connection, read_rows
from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, ListingError, job_id_of

FORMATS = ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".parquet", "parquet"))
BOM = "\ufeff"
RAW_EXCERPT_BYTES = 300

# a description of several MB is legal CSV; the pipeline bounds it later (input_too_long), not the csv module
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

Record = Union[dict[str, Any], DeadLetter]
_CSV_MARKS = re.compile(rb'["\r\n]')


class InputError(ValueError):
    """The input as a whole cannot be read; the message is one line a person can act on."""


def input_format(pattern: str, flag: str = "--input") -> str:
    """jsonl, csv or parquet, from the path's suffix."""
    lowered = pattern.lower()
    for suffix, kind in FORMATS:
        if lowered.endswith(suffix):
            return kind
    raise InputError(f"{flag} {pattern}: expected a .jsonl, .json, .ndjson, .csv or .parquet path or glob")


def raw_excerpt(raw: bytes) -> str:
    """The first bytes of a record as text a person can read, undecodable bytes shown as \\xNN."""
    return raw[:RAW_EXCERPT_BYTES].decode("utf-8", errors="backslashreplace")


def check_input(pattern: str, flag: str = "--input") -> list[str]:
    """The files `pattern` matches, each proven readable; raises InputError (one line) otherwise."""
    kind = input_format(pattern, flag)
    try:
        matched = [m.path for result in FileSystems.match([pattern]) for m in result.metadata_list]
    except Exception as exc:  # the filesystem's own error (bad bucket, no permission) says why
        raise InputError(f"{flag} {pattern}: cannot list files: {str(exc).splitlines()[0]}") from None
    if not matched:
        raise InputError(f"{flag} {pattern}: no file matches")
    for path in sorted(matched):
        try:
            with FileSystems.open(path) as handle:
                if kind == "parquet":
                    import pyarrow.parquet as pq

                    pq.ParquetFile(handle).schema_arrow  # reads the footer: a corrupt file fails here
                else:
                    handle.read(1)
        except Exception as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise InputError(f"{flag} {pattern}: cannot read {path}: {first}") from None
    return sorted(matched)


def check_sources(source: str, flag: str = "--input") -> list[str]:
    """`check_input` for each of several comma-separated paths or globs, in the order given."""
    return [path for part in source.split(",") if part.strip() for path in check_input(part.strip(), flag)]


def readable_job_id(value: Any, column: str) -> Optional[str]:
    """A job_id made out of a record that could not be read whole; None when it is not clean text."""
    try:
        job_id = job_id_of(value, column)
    except ListingError:
        return None
    return None if job_id is None or "\ufffd" in job_id else job_id


def parse_json_line(raw: Union[bytes, str], job_id_column: str = "job_id") -> dict[str, Any]:
    """One .jsonl line as a dict, or a DeadLetter saying why not."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DeadLetter("read", "invalid_encoding", f"not UTF-8: byte {raw[exc.start]:#04x} at offset "
                             f"{exc.start}", input_excerpt=raw_excerpt(raw),
                             job_id=_job_id_of_undecodable_line(raw, job_id_column)) from None
    else:
        text = raw
    text = text.removeprefix(BOM)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeadLetter("read", "invalid_json", f"{exc.msg} at column {exc.colno}",
                         input_excerpt=text[:RAW_EXCERPT_BYTES]) from None
    except RecursionError:
        raise DeadLetter("read", "invalid_json", "nested too deeply to parse",
                         input_excerpt=text[:RAW_EXCERPT_BYTES]) from None
    if not isinstance(value, dict):
        raise DeadLetter("read", "not_an_object", f"expected a JSON object per line, got {type(value).__name__}",
                         input_excerpt=text[:RAW_EXCERPT_BYTES])
    return value


def _job_id_of_undecodable_line(raw: bytes, column: str) -> Optional[str]:
    """The job_id of a line with a bad byte elsewhere: the line read with the bad bytes replaced."""
    try:
        value = json.loads(raw.decode("utf-8", errors="replace").removeprefix(BOM))
    except (json.JSONDecodeError, RecursionError):
        return None
    return readable_job_id(value.get(column), column) if isinstance(value, dict) else None


def _physical_rows(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(row number, bytes) of each CSV record, split at line ends (\\n, \\r\\n or a lone \\r) outside quotes."""
    start, quoted, number = 0, False, 1
    for match in _CSV_MARKS.finditer(data):
        i = match.start()
        if match.group() == b'"':
            quoted = not quoted
        elif not quoted and (match.group() == b"\n" or data[i + 1:i + 2] != b"\n"):
            yield number, data[start:i + 1]
            start, number = i + 1, number + 1
    if data[start:].strip():
        yield number, data[start:]


def _csv_fields(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), strict=True), [])


def iter_csv_records(data: bytes, source: str = "csv", columns: ColumnMap = ColumnMap()) -> Iterator[Record]:
    """Rows of one CSV file as dicts keyed by the header; each bad row becomes a DeadLetter, the rest go on.

    Rows are split on the raw bytes first, so an invalid byte spoils only its own
    row, and each row is decoded and parsed on its own.
    """
    rows = _physical_rows(data.removeprefix(BOM.encode("utf-8")))
    header: Optional[list[str]] = None

    def job_id(fields: list[str]) -> Optional[str]:
        position = header.index(columns.job_id) if header and columns.job_id in header else None
        if position is None or position >= len(fields):
            return None
        return readable_job_id(fields[position], columns.job_id)

    for number, raw in rows:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            try:
                fields = _csv_fields(raw.decode("utf-8", errors="replace"))
            except csv.Error:
                fields = []
            yield DeadLetter("read", "invalid_encoding", f"{source} row {number}: not UTF-8 (byte "
                             f"{raw[exc.start]:#04x} at offset {exc.start})", input_excerpt=raw_excerpt(raw),
                             job_id=job_id(fields))
            continue
        try:
            fields = _csv_fields(text)
        except csv.Error as exc:
            yield DeadLetter("read", "invalid_csv", f"{source} row {number}: {exc}",
                             input_excerpt=text[:RAW_EXCERPT_BYTES])
            continue
        if header is None:
            if not fields:
                continue
            header = [name.strip() for name in fields]
            continue
        if not fields or not any(field.strip() for field in fields):
            continue  # blank line
        missing = header[len(fields):]
        if len(fields) > len(header) or columns.description in missing:
            yield DeadLetter("read", "wrong_field_count", f"{source} row {number}: {len(fields)} fields, the header "
                             f"has {len(header)}", input_excerpt=text[:RAW_EXCERPT_BYTES], job_id=job_id(fields))
            continue
        yield dict(zip(header, fields + [""] * len(missing)))  # trailing optional columns left out: empty
    if header is None:
        yield DeadLetter("read", "invalid_csv", f"{source}: no header row",
                         input_excerpt=raw_excerpt(data))


def iter_jsonl_records(data: bytes, columns: ColumnMap = ColumnMap()) -> Iterator[Record]:
    """Lines of one .jsonl file; blank lines are skipped, bad ones become DeadLetters."""
    for raw in data.split(b"\n"):
        if raw.strip():
            try:
                yield parse_json_line(raw.rstrip(b"\r"), columns.job_id)
            except DeadLetter as letter:
                yield letter


def iter_parquet_records(path: str) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    with FileSystems.open(path) as handle:
        for batch in pq.ParquetFile(handle).iter_batches(batch_size=1024):
            yield from batch.to_pylist()


def iter_file_records(path: str, columns: ColumnMap = ColumnMap()) -> Iterator[Record]:
    """Every record of one file, in order."""
    kind = input_format(path)
    if kind == "parquet":
        yield from iter_parquet_records(path)
        return
    with FileSystems.open(path) as handle:
        data = handle.read()
    yield from (iter_jsonl_records(data, columns) if kind == "jsonl" else iter_csv_records(data, path, columns))


def reads_bigquery(source: Optional[str], query: Optional[str] = None) -> bool:
    return bool(query) or (source or "").startswith("bq://")


def read_records(source: Optional[str], query: Optional[str] = None, *, columns: ColumnMap = ColumnMap(),
                 project: Optional[str] = None, connection: Optional[Connection] = None,
                 flag: str = "--input") -> Iterator[Record]:
    """Every record of a source, in order: files (a path or glob, local or gs://, or several separated by
    commas; checked first, see `check_input`), a BigQuery table (bq://PROJECT.DATASET.TABLE) or a query.

    BigQuery runs in `connection`, else in the project `extraction.bigquery.resolve_project` finds from
    `project` and the table's URI.
    """
    if reads_bigquery(source, query):
        table = None if query else source
        yield from read_rows(table=table, query=query,
                             connection=connection or Connection.from_options(project, uri=table))
        return
    for path in check_sources(source or "", flag):
        yield from iter_file_records(path, columns)
