"""Writing the four tables: a Parquet dataset per table under a local or gs:// folder."""
from __future__ import annotations

import apache_beam as beam

from schemas.tables import TABLE_NAMES, arrow_schema


class WriteParquetTables(beam.PTransform):
    """{table: rows} → `<output>/<table>/part-*.parquet`, each with the Arrow schema from `schemas.tables`."""

    def __init__(self, output: str):
        super().__init__()
        self._output = output.rstrip("/")

    def expand(self, tables: dict[str, beam.PCollection]) -> dict[str, beam.PCollection]:
        return {
            name: tables[name] | f"Write_{name}" >> beam.io.WriteToParquet(
                file_path_prefix=f"{self._output}/{name}/part",
                schema=arrow_schema(name),
                file_name_suffix=".parquet",
            )
            for name in TABLE_NAMES
        }
