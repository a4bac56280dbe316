"""The extraction tables in BigQuery: run-scoped staging tables, MERGE into the final tables, the views.

Beam's WriteToBigQuery (streaming inserts, see `beam_pipeline.bigquery_io`) writes into run-scoped
staging tables; after the run `finalize` MERGEs each staging table into its final table on the table's
key, so re-running the same input with the same model adds no duplicate rows, then drops the staging
tables and (re)creates the dashboard views. The connection itself is `extraction.bigquery`.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from importlib import resources
from typing import Any, Optional

from extraction.bigquery import Connection
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
