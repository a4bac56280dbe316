"""Where the dashboard's data comes from: a Parquet output folder or a BigQuery dataset, loaded into DuckDB once.

Both sources end in the same place: the four tables, checked against
`schemas.tables`, in an in-memory DuckDB database, with an integer key `jk`
per (job_id, model_version) so that every filter is one join on an integer,
and `listing_skills`, one row per (listing, skill id), which the skill charts
group on integers instead of text.
BigQuery is read once at start-up rather than queried per click: a BigQuery
query costs about a second before it returns anything, and every click would
scan (and bill) the tables again, while 100k jobs and 1.5M skill rows fit in
memory and DuckDB answers each chart in tens of milliseconds (BENCHMARKS.md).
Restart the app to see newer rows.
"""
from __future__ import annotations

import glob
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

from schemas.tables import TABLE_NAMES, arrow_schema, column_names

LOG = logging.getLogger(__name__)

SOFT_SKILLS = "soft_skills_keywords"  # the skill gap leaves them out: nobody types "Teamwork" to compare


class SourceError(RuntimeError):
    """The location cannot be read as the pipeline's output; the message says why in one line."""


@dataclass
class Source:
    """The loaded tables and what else the dashboard shows about the runs that wrote them."""

    location: str
    connection: duckdb.DuckDBPyConnection
    run_summaries: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # unreadable summary files and the like, shown, not hidden
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own for one callback: DuckDB connections must not be shared between threads."""
        with self._lock:
            cursor = self.connection.cursor()
        cursor.execute("SET enable_progress_bar = false")  # a cursor is a session of its own
        return cursor


def conform(name: str, table: pa.Table, where: str, problems: list[str]) -> pa.Table:
    """The table with exactly the schema's columns, in its order and with its Arrow types, or a clear error.

    Columns that a newer pipeline added and an older output lacks are filled (empty lists, else nulls),
    as the BigQuery writer adds them to older tables, and a line in `problems` says so.
    """
    schema = arrow_schema(name)
    missing = [c for c in column_names(name) if c not in table.column_names]
    for column in missing:
        kind = schema.field(column).type
        filler = pa.array([[]] * table.num_rows, kind) if pa.types.is_list(kind) else pa.nulls(table.num_rows, kind)
        table = table.append_column(column, filler)
    if missing:
        problems.append(f"{where}: no column {', '.join(missing)} (written by an older pipeline version): "
                        "shown as empty")
    try:
        return table.select(column_names(name)).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise SourceError(f"{where}: table {name} does not have the types of schemas.tables: {exc}") from exc


def load(location: str, tables: dict[str, pa.Table], run_summaries: Optional[list[dict[str, Any]]] = None,
         problems: Optional[list[str]] = None) -> Source:
    """Put the four (conformed) tables into a fresh in-memory DuckDB database, keyed by `jk`."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # no bar drawn on the server's console
    con.register("_jobs", tables["jobs"])
    con.execute("CREATE TABLE jobs AS SELECT CAST(row_number() OVER () AS INTEGER) AS jk, * FROM _jobs")
    con.unregister("_jobs")
    # one key per (job_id, model_version), even if a table holds a duplicate job row (data quality counts those)
    con.execute("CREATE TABLE job_keys AS SELECT job_id, model_version, min(jk) AS jk FROM jobs GROUP BY ALL")
    for name in ("job_skills", "job_benefits"):
        con.register("_part", tables[name])
        # rows whose listing is missing from jobs keep jk NULL: no filter matches them, data quality counts them
        con.execute(f"CREATE TABLE {name} AS SELECT k.jk, p.* FROM _part p LEFT JOIN job_keys k "
                    "ON k.job_id = p.job_id AND k.model_version = p.model_version")
        con.unregister("_part")
    # one row per (listing, skill) with integer keys: what most charts count, grouped on integers, not text
    con.execute("CREATE TABLE skills AS SELECT CAST(row_number() OVER (ORDER BY skill) AS INTEGER) AS sid, skill "
                "FROM (SELECT DISTINCT skill FROM job_skills)")
    con.execute(f"""CREATE TABLE listing_skills AS
        SELECT s.jk, k.sid, bool_or(s.requirement = 'required') AS required,
               bool_or(s.category <> '{SOFT_SKILLS}') AS hard,
               bool_or(s.requirement = 'required' AND s.category <> '{SOFT_SKILLS}') AS required_hard
        FROM job_skills s JOIN skills k ON k.skill = s.skill WHERE s.jk IS NOT NULL
        GROUP BY s.jk, k.sid ORDER BY s.jk""")
    con.register("_errors", tables["extraction_errors"])
    con.execute("CREATE TABLE extraction_errors AS SELECT * FROM _errors")
    con.unregister("_errors")
    return Source(location, con, run_summaries or [], problems or [])


def _read_parquet_table(root: Path, name: str) -> pa.Table:
    folder = root / name
    if not folder.is_dir():
        raise SourceError(f"{root}: no {name}/ folder, so not a pipeline output folder (it needs "
                          f"{', '.join(t + '/' for t in TABLE_NAMES)})")
    files = sorted(folder.glob("part-*.parquet"))
    if not files:  # a run without rows for this table
        return arrow_schema(name).empty_table()
    try:
        return pads.dataset([str(f) for f in files], format="parquet").to_table()
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(f"{folder}: unreadable Parquet: {exc}") from exc


def read_summaries(pattern: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Every run_summary.json the pattern finds (newest run last), and a line for each that cannot be read."""
    summaries, problems = [], []
    for path in sorted(glob.glob(pattern)):
        try:
            document = json.loads(Path(path).read_text())
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: not a run summary ({exc})")
            continue
        summaries.append({**document, "summary_path": path})
    summaries.sort(key=lambda s: str(s.get("run_id", "")))
    return summaries, problems


def open_parquet(folder: str, summaries: Optional[str] = None) -> Source:
    """A pipeline output folder: `<folder>/<table>/part-*.parquet` and `<folder>/run_summary.json`."""
    root = Path(folder)
    if not root.is_dir():
        raise SourceError(f"{folder}: no such folder (run the pipeline first, e.g. make demo)")
    problems: list[str] = []
    tables = {name: conform(name, _read_parquet_table(root, name), str(root / name), problems)
              for name in TABLE_NAMES}
    found, unreadable = read_summaries(summaries or str(root / "run_summary.json"))
    return load(folder, tables, found, problems + unreadable)


def open_bigquery(uri: str, connection: Any = None, summaries: Optional[str] = None) -> Source:
    """A BigQuery dataset `bq://PROJECT.DATASET` written by the pipeline, read whole through the pipeline's client."""
    from google.api_core import exceptions

    from extraction.bigquery import Connection, parse_uri

    try:
        project, dataset, _ = parse_uri(uri, want_table=False)
    except ValueError as exc:
        raise SourceError(str(exc)) from exc
    connection = connection or Connection.from_options(uri=uri)
    client, reader = connection.client(), connection.read_client()
    tables, problems = {}, []
    for name in TABLE_NAMES:
        table_id = f"{project}.{dataset}.{name}"
        try:
            arrow = client.list_rows(client.get_table(table_id)).to_arrow(bqstorage_client=reader)
        except exceptions.NotFound as exc:
            raise SourceError(f"{uri}: no table {name} ({exc.message}); was the pipeline run with "
                              f"--output {uri}?") from exc
        except exceptions.GoogleAPICallError as exc:
            raise SourceError(f"{uri}: reading {name} failed: {exc}") from exc
        tables[name] = conform(name, arrow if arrow.num_rows else arrow_schema(name).empty_table(), table_id,
                               problems)
        LOG.info("read %s rows from %s", f"{tables[name].num_rows:,}", table_id)
    # the launcher writes a BigQuery run's summary to runs/<run_id>/run_summary.json where it ran
    found, unreadable = read_summaries(summaries or "runs/*/run_summary.json")
    return load(uri, tables, found, problems + unreadable)


def open_source(location: str, connection: Any = None, summaries: Optional[str] = None) -> Source:
    """`bq://PROJECT.DATASET` or a local output folder."""
    if location.startswith("bq://"):
        return open_bigquery(location, connection, summaries)
    if "://" in location:
        raise SourceError(f"{location}: the dashboard reads a local output folder or bq://PROJECT.DATASET "
                          "(copy gs:// outputs locally first, e.g. gsutil -m cp -r)")
    return open_parquet(location, summaries)
