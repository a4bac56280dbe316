"""BigQuery in and out, through google-cloud-bigquery so every call also reaches the emulator.

Reading uses the client (with the Storage Read API when it is reachable), so
the same code reads from BigQuery and from `bqemulator`. Writing uses Beam's
WriteToBigQuery (streaming inserts) into run-scoped staging tables; after the
run `finalize` MERGEs each staging table into its final table on the table's
key, so re-running the same input with the same model adds no duplicate rows,
then drops the staging tables and (re)creates the dashboard views.

Beam's BigQueryIO builds its own clients and ignores BIGQUERY_EMULATOR_HOST;
its writer accepts a client object (`test_client`), and with CREATE_NEVER it
makes exactly one kind of call on it, `insert_rows_json`. `LazyClient` is a
picklable handle that builds a real client for the configured endpoint on
the worker, so the writer's calls go to the emulator in tests and to
BigQuery in production (where no endpoint is set and Beam's own client is used).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterator, Optional

from schemas.tables import CLUSTERING, PARTITION_COLUMN, TABLES, bigquery_schema

LOG = logging.getLogger(__name__)

# Each table's natural key: a MERGE inserts a staging row only when no final row has the same key.
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "jobs": ("job_id", "model_version"),
    "job_skills": ("job_id", "model_version", "skill", "category", "requirement"),
    "job_benefits": ("job_id", "model_version", "benefit", "kind"),
    "extraction_errors": ("job_id", "model_version", "stage", "reason", "input_excerpt"),
}
VIEWS = ("v_skill_demand", "v_skill_pairs", "v_remote_share_by_location", "v_benefit_frequency")
STAGING_EXPIRY = dt.timedelta(days=2)


@dataclass(frozen=True)
class Connection:
    """How to reach BigQuery. Empty endpoints mean Google's; the emulator sets both (picklable)."""

    project: str
    endpoint: Optional[str] = None  # REST, e.g. http://127.0.0.1:9050
    storage_endpoint: Optional[str] = None  # Storage Read gRPC host:port of an emulator
    location: Optional[str] = None

    @classmethod
    def from_options(cls, project: Optional[str], endpoint: Optional[str] = None,
                     storage_endpoint: Optional[str] = None, location: Optional[str] = None) -> "Connection":
        """Explicit flags win; else BIGQUERY_EMULATOR_HOST / BIGQUERY_STORAGE_EMULATOR_HOST, as client libraries read."""
        endpoint = endpoint or os.environ.get("BIGQUERY_EMULATOR_HOST")
        if endpoint and "://" not in endpoint:
            endpoint = f"http://{endpoint}"
        storage_endpoint = storage_endpoint or os.environ.get("BIGQUERY_STORAGE_EMULATOR_HOST")
        if not project:
            raise ValueError("BigQuery needs a project: give it in bq://PROJECT.dataset or with --project")
        return cls(project, endpoint, storage_endpoint, location)

    def client(self) -> Any:
        from google.cloud import bigquery

        if not self.endpoint:
            return bigquery.Client(project=self.project, location=self.location)
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials

        return bigquery.Client(project=self.project, location=self.location, credentials=AnonymousCredentials(),
                               client_options=ClientOptions(api_endpoint=self.endpoint))

    def read_client(self) -> Any:
        """A Storage Read API client, or None to page through REST (an emulator without gRPC)."""
        from google.cloud import bigquery_storage_v1

        if not self.endpoint:
            return bigquery_storage_v1.BigQueryReadClient()
        if not self.storage_endpoint:
            return None
        import grpc
        from google.cloud.bigquery_storage_v1.services.big_query_read.transports import BigQueryReadGrpcTransport

        return bigquery_storage_v1.BigQueryReadClient(
            transport=BigQueryReadGrpcTransport(channel=grpc.insecure_channel(self.storage_endpoint)))


class LazyClient:
    """A picklable stand-in for a google-cloud-bigquery Client, built on first use on the worker."""

    def __init__(self, connection: Connection):
        self._connection = connection
        self._client = None

    def __getstate__(self) -> dict[str, Any]:
        return {"_connection": self._connection, "_client": None}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._client is None:
            self._client = self._connection.client()
        return getattr(self._client, name)


_TABLE = re.compile(r"^bq://(?P<project>[\w\-.:]+?)\.(?P<dataset>\w+)(?:\.(?P<table>[\w\-$]+))?$")


def parse_uri(uri: str, *, want_table: bool) -> tuple[str, str, Optional[str]]:
    """`bq://project.dataset[.table]` → (project, dataset, table)."""
    match = _TABLE.match(uri)
    if not match or bool(match["table"]) != want_table:
        form = "bq://PROJECT.DATASET.TABLE" if want_table else "bq://PROJECT.DATASET"
        raise ValueError(f"{uri!r}: expected {form}")
    return match["project"], match["dataset"], match["table"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def to_json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as the JSON the insert API takes (dates and timestamps as ISO strings)."""
    return {key: _jsonable(value) for key, value in row.items()}


def read_rows(table: Optional[str] = None, query: Optional[str] = None,
              connection: Optional[Connection] = None) -> Iterator[dict[str, Any]]:
    """Rows of a table (bq://project.dataset.table) or of a query, as dicts, batch by batch."""
    if bool(table) == bool(query):
        raise ValueError("give exactly one of a table (bq://project.dataset.table) or a query")
    if connection is None:
        project = parse_uri(table, want_table=True)[0] if table else os.environ.get("GOOGLE_CLOUD_PROJECT")
        connection = Connection.from_options(project)
    client = connection.client()
    if table:  # tables stream through the Storage Read API
        project, dataset, name = parse_uri(table, want_table=True)
        batches = client.list_rows(f"{project}.{dataset}.{name}").to_arrow_iterable(
            bqstorage_client=connection.read_client())
    else:  # query results page through REST (the emulator cannot stream anonymous result tables)
        batches = client.query(query).result().to_arrow_iterable(bqstorage_client=None)
    for batch in batches:
        yield from batch.to_pylist()


def _table_id(project: str, dataset: str, table: str) -> str:
    return f"{project}.{dataset}.{table}"


def staging_name(table: str, run_id: str) -> str:
    return f"_staging_{re.sub(r'[^0-9A-Za-z_]', '_', run_id)}_{table}"


def ensure_tables(connection: Connection, dataset: str, run_id: str) -> dict[str, str]:
    """Create the dataset, the partitioned and clustered final tables, and this run's staging tables.

    Returns {table: staging table id} for the writer.
    """
    from google.cloud import bigquery

    client = connection.client()
    ds = bigquery.Dataset(f"{connection.project}.{dataset}")
    if connection.location:
        ds.location = connection.location
    client.create_dataset(ds, exists_ok=True)
    staging: dict[str, str] = {}
    for name in TABLES:
        schema = [bigquery.SchemaField.from_api_repr(field) for field in bigquery_schema(name)]
        final = bigquery.Table(_table_id(connection.project, dataset, name), schema=schema)
        final.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY,
                                                            field=PARTITION_COLUMN)
        final.clustering_fields = CLUSTERING[name]
        add_missing_columns(client, client.create_table(final, exists_ok=True), schema)
        temp = bigquery.Table(_table_id(connection.project, dataset, staging_name(name, run_id)), schema=schema)
        temp.expires = dt.datetime.now(dt.timezone.utc) + STAGING_EXPIRY  # a crashed run's leftovers go away
        client.create_table(temp, exists_ok=True)
        staging[name] = _table_id(connection.project, dataset, staging_name(name, run_id))
    return staging


def add_missing_columns(client: Any, table: Any, schema: list[Any]) -> list[str]:
    """Append the columns a newer release added (all NULLABLE or REPEATED) to a table made by an older one."""
    have = {field.name for field in table.schema}
    missing = [field for field in schema if field.name not in have]
    if missing:
        table.schema = list(table.schema) + missing
        client.update_table(table, ["schema"])
        LOG.info("added columns %s to %s", [f.name for f in missing], table.table_id)
    return [field.name for field in missing]


def merge_sql(project: str, dataset: str, table: str, staging: str) -> str:
    """Insert the staging rows whose key is not yet in the final table (NULL-safe key comparison)."""
    columns = [field["name"] for field in bigquery_schema(table)]
    on = " AND ".join(f"IFNULL(T.{k}, '') = IFNULL(S.{k}, '')" for k in MERGE_KEYS[table])
    return (
        f"MERGE `{project}.{dataset}.{table}` T USING `{staging}` S ON {on} "
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({', '.join('S.' + c for c in columns)})"
    )


def view_sql(name: str, project: str, dataset: str) -> str:
    text = resources.files("beam_pipeline").joinpath("sql", f"{name}.sql").read_text()
    return text.format(dataset=f"`{project}.{dataset}`")


def create_views(connection: Connection, dataset: str) -> list[str]:
    client = connection.client()
    for name in VIEWS:
        body = view_sql(name, connection.project, dataset)
        client.query(f"CREATE OR REPLACE VIEW `{connection.project}.{dataset}.{name}` AS\n{body}").result()
    return list(VIEWS)


def finalize(connection: Connection, dataset: str, staging: dict[str, str],
             only: Optional[tuple[str, ...]] = None) -> dict[str, int]:
    """MERGE staging tables into their final tables, drop those staging tables, refresh the views.

    `only` limits the merge to some tables (a run over its failure budget
    merges its dead letters alone); the others' staging tables stay for
    inspection until they expire. Returns the rows each MERGE inserted (0 for
    a re-run of the same input and model).
    """
    client = connection.client()
    inserted: dict[str, int] = {}
    for table, staging_id in staging.items():
        if only is not None and table not in only:
            LOG.warning("not merged: %s stays in %s until it expires", table, staging_id)
            continue
        job = client.query(merge_sql(connection.project, dataset, table, staging_id))
        job.result()
        inserted[table] = int(job.num_dml_affected_rows or 0)
        client.delete_table(staging_id, not_found_ok=True)
    create_views(connection, dataset)
    LOG.info("merged into %s.%s: %s", connection.project, dataset, inserted)
    return inserted
