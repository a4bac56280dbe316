"""Typed configuration of `python -m trainer label` (YAML file plus CLI overrides, like `train`)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from trainer.label.teacher import PRESETS, ResponseFormat


@dataclass
class LabelConfig:
    """Label listings with a teacher model into the layout `trainer train --data` reads."""

    input: str = field(
        default="examples/listings.jsonl",
        metadata={"help": "Listings: a .jsonl/.csv/.parquet path or glob (local or gs://), or "
                          "bq://project.dataset.table. Read, normalised and deduplicated as the pipeline does."},
    )
    input_query: Optional[str] = field(default=None, metadata={"help": "BigQuery SQL returning listings instead."})
    project: Optional[str] = field(
        default=None, metadata={"help": "Google Cloud project for BigQuery (default: from the bq:// URI or "
                                        "GOOGLE_CLOUD_PROJECT)."}
    )
    columns: list[str] = field(
        default_factory=list,
        metadata={"help": "Column overrides FIELD=COLUMN, e.g. description=body (fields of schemas.ColumnMap)."},
    )
    max_listing_chars: int = field(
        default=60_000, metadata={"help": "Longer descriptions (after cleaning) are rejected as input_too_long."}
    )
    output: str = field(
        default="runs/label/labelled.jsonl",
        metadata={"help": "Labels: a .jsonl file (appended to; a re-run resumes) or bq://project.dataset.table. "
                          "Rows: job_id, job_title, company_name, location, workplace_type, job_description, "
                          "extraction, and the teacher's model, prompt version and token counts."},
    )
    rejections: Optional[str] = field(
        default=None,
        metadata={"help": "Rejected listings with stage, reason and detail (default: OUTPUT.rejections.jsonl, or "
                          "the table OUTPUT_rejections for BigQuery)."},
    )
    report: Optional[str] = field(
        default=None,
        metadata={"help": "The run summary and cost report JSON (default: OUTPUT.summary.json; for BigQuery "
                          "output, label_summary.json in the working directory)."},
    )
    sample: Optional[int] = field(
        default=None,
        metadata={"help": "Label only N listings, a deterministic subset spread across title families, languages "
                          "and seniority levels (the same N listings on every run)."},
    )
    sample_seed: int = field(default=0, metadata={"help": "Seed of the sample's order; change it for another subset."})

    preset: Optional[str] = field(
        default=None,
        metadata={"help": f"A named teacher: {', '.join(sorted(PRESETS))} (base URL, model, API key variable, "
                          "structured-output form and prices). Fields given explicitly override it."},
    )
    base_url: Optional[str] = field(
        default=None, metadata={"help": "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1."}
    )
    model: Optional[str] = field(default=None, metadata={"help": "The teacher model's name at that endpoint."})
    api_key_env: Optional[str] = field(
        default=None,
        metadata={"help": "Environment variable holding the API key (the key itself never goes into a config "
                          "file). Without one, local servers get a placeholder key."},
    )
    response_format: Optional[str] = field(
        default=None,
        metadata={"help": "Structured output: json_schema (OpenAI, Gemini, vLLM, Ollama, llama.cpp's "
                          "llama-server), json_object_schema (llama-cpp-python's server), json_object, or none. "
                          "Default json_schema. Labels are validated whichever is used."},
    )
    temperature: float = field(default=0.0, metadata={"help": "Sampling temperature of the teacher."})
    max_tokens: int = field(
        default=8192, metadata={"help": "Output tokens per label; a label cut at this bound is rejected "
                                        "as truncated."}
    )

    concurrency: int = field(default=4, metadata={"help": "Requests in flight at once."})
    requests_per_minute: float = field(
        default=60.0,
        metadata={"help": "Requests started per minute, retries included, evenly spaced (Gemini's free tier "
                          "allows 15 for gemini-2.0-flash)."},
    )
    timeout: float = field(default=120.0, metadata={"help": "Seconds one request may take before it is retried."})
    max_retries: int = field(
        default=6, metadata={"help": "Retries per listing on 429, 5xx, timeouts, dropped connections, bad bodies."}
    )
    backoff_base: float = field(default=1.0, metadata={"help": "First retry waits about this long (seconds)."})
    backoff_max: float = field(default=60.0, metadata={"help": "Longest backoff between retries (seconds)."})
    max_retry_after: float = field(
        default=300.0,
        metadata={"help": "A Retry-After longer than this (seconds; a spent daily quota) fails the request."},
    )
    max_failures: int = field(
        default=20,
        metadata={"help": "Failure budget: stop the run once more listings than this failed after all retries "
                          "(they stay unlabelled and are tried again on the next run)."},
    )
    progress_every: float = field(default=10.0, metadata={"help": "Seconds between progress lines."})

    price_input_per_million: Optional[float] = field(
        default=None, metadata={"help": "USD per 1M input tokens for the cost report (a preset sets its own)."}
    )
    price_output_per_million: Optional[float] = field(
        default=None, metadata={"help": "USD per 1M output tokens for the cost report (a preset sets its own)."}
    )
    prices_as_of: Optional[str] = field(default=None, metadata={"help": "When the prices were published."})


@dataclass(frozen=True)
class TeacherSettings:
    """The preset merged with explicit fields: what the run actually uses."""

    base_url: str
    model: str
    api_key: str
    api_key_env: Optional[str]
    response_format: ResponseFormat
    price_input_per_million: Optional[float]
    price_output_per_million: Optional[float]
    prices_as_of: Optional[str]


def teacher_settings(cfg: LabelConfig) -> TeacherSettings:
    """Resolve the preset and overrides; raises ValueError with one line saying what is missing."""
    if cfg.preset is not None and cfg.preset not in PRESETS:
        raise ValueError(f"--preset {cfg.preset!r}: unknown; use one of {sorted(PRESETS)}")
    preset = PRESETS.get(cfg.preset) if cfg.preset else None
    base_url = cfg.base_url or (preset.base_url if preset else None)
    model = cfg.model or (preset.model if preset else None)
    if not base_url or not model:
        raise ValueError("no teacher: give --preset gemini, or --base_url and --model of an OpenAI-compatible server")
    key_env = cfg.api_key_env or (preset.api_key_env if preset else None)
    if key_env:
        api_key = os.environ.get(key_env, "")
        if not api_key:
            raise ValueError(f"the teacher's API key is not set: export {key_env}=...")
    else:
        api_key = "no-key"  # local servers ignore it; the openai client needs a value
    fmt = ResponseFormat(cfg.response_format or (preset.response_format if preset else ResponseFormat.JSON_SCHEMA))

    # the preset's prices are its model's: another model through the same endpoint has no known price
    priced = preset if preset and model == preset.model else None
    explicit = cfg.price_input_per_million is not None or cfg.price_output_per_million is not None
    return TeacherSettings(
        base_url=base_url,
        model=model,
        api_key=api_key,
        api_key_env=key_env,
        response_format=fmt,
        price_input_per_million=cfg.price_input_per_million if explicit else (
            priced.price_input_per_million if priced else None),
        price_output_per_million=cfg.price_output_per_million if explicit else (
            priced.price_output_per_million if priced else None),
        prices_as_of=cfg.prices_as_of if explicit or cfg.prices_as_of else (priced.prices_as_of if priced else None),
    )
