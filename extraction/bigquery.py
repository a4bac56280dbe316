"""Reaching BigQuery through google-cloud-bigquery, so every call also reaches the emulator.

Reading uses the client (with the Storage Read API when it is reachable), so the same code reads from
BigQuery and from `bqemulator`. Beam's BigQueryIO builds its own clients and ignores
BIGQUERY_EMULATOR_HOST; its writer accepts a client object (`test_client`), and with CREATE_NEVER it makes
exactly one kind of call on it, `insert_rows_json`. `LazyClient` is a picklable handle that builds a real
client for the configured endpoint on the worker, so the writer's calls go to the emulator in tests and to
BigQuery in production (where no endpoint is set and Beam's own client is used).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional


@dataclass(frozen=True)
class Connection:
    """How to reach BigQuery. Empty endpoints mean Google's; the emulator sets both (picklable)."""

    project: str
    endpoint: Optional[str] = None  # REST, e.g. http://127.0.0.1:9050
    storage_endpoint: Optional[str] = None  # Storage Read gRPC host:port of an emulator
    location: Optional[str] = None

    @classmethod
    def from_options(cls, project: Optional[str] = None, endpoint: Optional[str] = None,
                     storage_endpoint: Optional[str] = None, location: Optional[str] = None, *,
                     uri: Optional[str] = None) -> "Connection":
        """The project as `resolve_project` finds it; endpoints from the flags, else BIGQUERY_EMULATOR_HOST /
        BIGQUERY_STORAGE_EMULATOR_HOST, as the client libraries read them."""
        endpoint = endpoint or os.environ.get("BIGQUERY_EMULATOR_HOST")
        if endpoint and "://" not in endpoint:
            endpoint = f"http://{endpoint}"
        storage_endpoint = storage_endpoint or os.environ.get("BIGQUERY_STORAGE_EMULATOR_HOST")
        return cls(resolve_project(project, uri), endpoint, storage_endpoint, location)

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


def resolve_project(project: Optional[str] = None, uri: Optional[str] = None) -> str:
    """The Google Cloud project BigQuery work runs in: `project` (a --project flag) when given, else the project
    a bq:// URI names, else GOOGLE_CLOUD_PROJECT (as the client libraries read it)."""
    if project:
        return project
    match = _TABLE.match(uri or "")
    if match:
        return match["project"]
    if os.environ.get("GOOGLE_CLOUD_PROJECT"):
        return os.environ["GOOGLE_CLOUD_PROJECT"]
    raise ValueError("BigQuery needs a project: give --project, name it in bq://PROJECT.DATASET[.TABLE], or set "
                     "GOOGLE_CLOUD_PROJECT")


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
    connection = connection or Connection.from_options(uri=table)
    client = connection.client()
    if table:  # tables stream through the Storage Read API
        project, dataset, name = parse_uri(table, want_table=True)
        batches = client.list_rows(f"{project}.{dataset}.{name}").to_arrow_iterable(
            bqstorage_client=connection.read_client())
    else:  # query results page through REST (the emulator cannot stream anonymous result tables)
        batches = client.query(query).result().to_arrow_iterable(bqstorage_client=None)
    for batch in batches:
        yield from batch.to_pylist()
