"""Career insights: a Dash dashboard on the pipeline's output tables.

`source` loads the four tables (a Parquet output folder or a BigQuery dataset)
into an in-memory DuckDB database once; `queries` holds every question the
dashboard asks, as plain functions of a DuckDB connection and a `Filters`;
`figures` turns their rows into Plotly charts; `layout` builds the page;
`app` wires callbacks. `python -m insights OUT_DIR_OR_BQ_URI` starts it.
"""
