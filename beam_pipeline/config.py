"""The pipeline's resolved configuration: plain data, built by the launcher (or a test) before construction."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from extraction.bigquery import Connection
from extraction.listings import ColumnMap
from extraction.prompt import PromptStyle
from extraction.rows import RunInfo
from inference.engine import DEFAULT_SLOTS
from inference.limits import TokenLimits

DEFAULT_BATCH_SIZE = 64  # listings per RunInference call


@dataclass(frozen=True)
class ExtractionConfig:
    """Everything the pipeline needs, resolved by the launcher (or a test) before construction."""

    input: str
    output: str
    model: Optional[str]
    model_version: str
    prompt_style: PromptStyle
    limits: TokenLimits
    run: RunInfo
    batch_size: int = DEFAULT_BATCH_SIZE
    slots: int = DEFAULT_SLOTS
    limit: Optional[int] = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    max_listing_chars: int = 60_000
    engine: str = "transformers"
    input_query: Optional[str] = None
    connection: Optional[Connection] = None  # set when reading from or writing to BigQuery
    staging: Optional[dict[str, str]] = None  # {table: staging table id} when writing to BigQuery
    summary: Optional[str] = None
    gpu_memory_utilization: float = 0.90
    staging_output: Optional[str] = None  # where a folder output is written before it replaces `output`
    keep_ungrounded: bool = False
    backfill: bool = True
    listing_check: bool = True  # refuse texts that do not read like a listing before the model
    listings: Optional[int] = None  # records to read where cheap to know (local files): engine choice, bar

    @property
    def write_path(self) -> str:
        return self.staging_output or self.output

    @property
    def summary_path(self) -> str:
        return self.summary or f"{self.write_path.rstrip('/')}/run_summary.json"

    @property
    def counts_path(self) -> str:
        """Where the pipeline leaves its reconciled counts; the launcher completes them into the summary."""
        return f"{self.summary_path}.counts"

    @property
    def reads_bigquery(self) -> bool:
        return bool(self.input_query) or self.input.startswith("bq://")

    def summary_header(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id,
            "input": self.input_query or self.input,
            "output": self.output,
            "model": self.model or "embedded",
            "model_version": self.model_version,
            "engine": self.engine,
            "prompt_style": self.prompt_style.value,
            "prompt_version": self.run.prompt_version,
            "max_new_tokens": self.limits.max_new_tokens,
            "max_prompt_tokens": self.limits.max_prompt_tokens,
            "limit": self.limit,
            "keep_ungrounded": self.keep_ungrounded,
            "taxonomy_backfill": self.backfill,
            "listing_check": self.listing_check,
        }


def model_version(model_path: str, spec: Optional[str]) -> str:
    """A short, stable name for the weights: the folder name plus a hash of its config and weight sizes."""
    folder = Path(model_path)
    if not folder.is_dir():
        return spec or model_path
    digest = hashlib.sha1()
    for path in sorted(folder.iterdir()):
        if path.suffix in (".json", ".safetensors", ".bin"):
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return f"{folder.name}@{digest.hexdigest()[:10]}"
