"""Listings several tests share: six short ones for labelling runs, and a loader for the author's BigQuery layout."""
from __future__ import annotations

import json
from pathlib import Path

from extraction.bigquery import Connection

# Short listings keep each request cheap: the server has the instructions cached and reads only these.
LISTINGS = [
    {"job_id": "L1", "job_title": "Senior Data Engineer", "company_name": "Quarry Foods", "location": "Leeds, UK",
     "job_description": "We are looking for a data engineer with 5 years of experience in Python and SQL on AWS "
                        "(S3, Glue). Airflow is a plus. Hybrid."},
    {"job_id": "L2", "job_title": "Engenheiro(a) de Dados", "company_name": "Onda Seguros", "location": "Lisboa",
     "job_description": "Procuramos engenheiro de dados com experiência em Python, Spark e Azure Data Factory. "
                        "Trabalho remoto."},
    {"job_id": "L3", "job_title": "Data Scientist (m/w/d)", "company_name": "Rhein Mobility", "location": "Köln",
     "job_description": "Wir suchen Verstärkung: du entwickelst Prognosemodelle mit Python, scikit-learn und SQL. "
                        "Erfahrung mit Statistik. 30 Tage Urlaub."},
    {"job_id": "L4", "job_title": "Junior BI Developer", "company_name": "Kiln Home", "location": "Dublin",
     "job_description": "In this role you build Power BI reports and DAX measures on our SQL Server warehouse. "
                        "Office based."},
    {"job_id": "L5", "job_title": "MLOps Engineer", "company_name": "Helix Labs", "location": "Remote",
     "job_description": "Join our platform team to run model training on Kubernetes with MLflow and Terraform on "
                        "Google Cloud. Remote."},
    {"job_id": "L6", "job_title": "Analytics Engineer", "company_name": "Fern", "location": "Amsterdam",
     "job_description": "You will model data with dbt and Snowflake, test it and document it for analysts. Hybrid."},
]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def load_listings(connection: Connection, dataset: str, rows: list[dict]) -> str:
    """The author's listings layout: partitioned by ingestionDate, clustered by job_id, STRING columns."""
    from google.cloud import bigquery

    client = connection.client()
    client.create_dataset(dataset, exists_ok=True)
    columns = ["job_id", "job_title", "company_name", "location", "employment_type", "experience_level",
               "workplace_type", "job_description", "job_link"]
    table = bigquery.Table(f"{connection.project}.{dataset}.listings",
                           schema=[bigquery.SchemaField(c, "STRING") for c in columns]
                           + [bigquery.SchemaField("ingestionDate", "DATE")])
    table.time_partitioning = bigquery.TimePartitioning(field="ingestionDate")
    table.clustering_fields = ["job_id"]
    client.create_table(table, exists_ok=True)
    payload = [{**{c: r.get(c) for c in columns}, "ingestionDate": "2026-11-25"} for r in rows]
    assert client.insert_rows_json(table, payload) == []
    return f"bq://{connection.project}.{dataset}.listings"
