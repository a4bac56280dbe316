"""Beam transforms for BigQuery: read listings from a table or query, write the tables into staging tables."""
from __future__ import annotations

from typing import Any, Optional

import apache_beam as beam

from extraction.bigquery import Connection, LazyClient, read_rows, to_json_row
from extraction.rows import RunInfo
from schemas.tables import bigquery_schema


class InsertFailed(RuntimeError):
    """BigQuery refused rows; the run fails rather than lose them."""


def _raise_insert_error(failed: Any) -> None:
    raise InsertFailed(f"BigQuery refused a row: {failed!r}"[:2000])


class ReadBigQueryListings(beam.PTransform):
    """A table (bq://project.dataset.table) or a query → {"records": dicts, "errors": none}.

    One worker streams the rows (Storage Read API where reachable) and a
    Reshuffle spreads them; reading is never the bottleneck next to inference.
    """

    def __init__(self, connection: Connection, run: RunInfo, table: Optional[str] = None,
                 query: Optional[str] = None):
        super().__init__()
        self._connection = connection
        self._table = table
        self._query = query
        self._run = run

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        connection, table, query = self._connection, self._table, self._query
        records = (pbegin | "Source" >> beam.Create([None])
                   | "ReadRows" >> beam.FlatMap(lambda _: read_rows(table, query, connection))
                   | "Spread" >> beam.Reshuffle())
        return {"records": records, "errors": pbegin | "NoReadErrors" >> beam.Create([])}


class WriteBigQueryTables(beam.PTransform):
    """{table: rows} → this run's staging tables, with Beam's WriteToBigQuery (streaming inserts).

    The staging tables already exist (ensure_tables), so CREATE_NEVER; the launcher
    MERGEs them into the final tables after the run.
    """

    def __init__(self, connection: Connection, staging: dict[str, str]):
        super().__init__()
        self._connection = connection
        self._staging = staging

    def expand(self, tables: dict[str, beam.PCollection]) -> dict[str, Any]:
        client = LazyClient(self._connection) if self._connection.endpoint else None
        results = {}
        for name, staging_id in self._staging.items():
            project, rest = staging_id.split(".", 1)
            result = (tables[name]
                      | f"ToJson_{name}" >> beam.Map(to_json_row)
                      | f"Write_{name}" >> beam.io.WriteToBigQuery(
                          table=f"{project}:{rest}",
                          schema={"fields": bigquery_schema(name)},
                          create_disposition=beam.io.BigQueryDisposition.CREATE_NEVER,
                          write_disposition=beam.io.BigQueryDisposition.WRITE_APPEND,
                          method=beam.io.WriteToBigQuery.Method.STREAMING_INSERTS,
                          insert_retry_strategy="RETRY_ON_TRANSIENT_ERROR",
                          test_client=client))
            result.failed_rows_with_errors | f"FailOn_{name}" >> beam.Map(_raise_insert_error)
            results[name] = result
        return results
