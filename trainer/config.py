"""Typed configuration of `python -m trainer train|evaluate` (YAML file plus CLI overrides, as trl's scripts do)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from inference.model_source import default_model


@dataclass
class DataConfig:
    """Where labelled listings come from and how they are split and formatted."""

    data: str = field(
        default="examples/train_labelled.jsonl",
        metadata={"help": "Labelled listings: .jsonl/.parquet path or glob (comma-separated for several), or "
                          "bq://project.dataset.table. Each row: job_id, job_description (+ job_title, "
                          "company_name, location), extraction."},
    )
    data_query: Optional[str] = field(default=None, metadata={"help": "BigQuery SQL returning the same columns."})
    project: Optional[str] = field(
        default=None, metadata={"help": "Google Cloud project that runs data_query (default: GOOGLE_CLOUD_PROJECT)."}
    )
    columns: list[str] = field(
        default_factory=list,
        metadata={"help": "Column overrides FIELD=COLUMN, e.g. description=body (fields of schemas.ColumnMap)."},
    )
    label_column: str = field(default="extraction", metadata={"help": "Column holding the extraction JSON."})
    eval_fraction: float = field(
        default=0.2, metadata={"help": "Share of job_ids held out for evaluation (split by a hash of job_id)."}
    )
    prompt_style: str = field(default="compact", metadata={"help": "full or compact (see extraction.prompt)."})
    max_seq_length: int = field(default=5120, metadata={"help": "Longest training sequence in tokens."})
    truncate_listings: bool = field(
        default=True,
        metadata={"help": "Cut over-long listings (never the instructions or the answer) instead of skipping them."},
    )


@dataclass
class ModelConfig:
    """The base model and its LoRA adapter."""

    model: str = field(
        default="embedded",
        metadata={"help": "Base model: 'embedded' (SmolLM2-135M), a local folder, a .gguf file or a hub id "
                          "such as Qwen/Qwen3-1.7B."},
    )
    backend: str = field(
        default="auto",
        metadata={"help": "auto, unsloth, bnb or peft. auto picks unsloth, then bitsandbytes 4-bit, when CUDA "
                          "is available and they are installed, else plain peft LoRA."},
    )
    load_in_4bit: bool = field(default=True, metadata={"help": "Quantise the base to 4 bits (CUDA backends only)."})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank."})
    lora_alpha: int = field(default=16, metadata={"help": "LoRA alpha."})
    lora_dropout: float = field(default=0.0, metadata={"help": "LoRA dropout."})
    target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        metadata={"help": "Projections that get adapters: attention and MLP."},
    )


@dataclass
class RunConfig:
    """Optimisation and outputs."""

    output_dir: str = field(
        default="runs/train",
        metadata={"help": "Writes checkpoints/, adapter/, merged/ and train_report.json here; gs://bucket/path "
                          "trains in a local folder and uploads the results."},
    )
    seed: int = field(default=42, metadata={"help": "Seed for the split-independent randomness of training."})
    learning_rate: float = field(default=2e-4, metadata={"help": "Peak learning rate."})
    num_train_epochs: float = field(default=1.0, metadata={"help": "Epochs over the training split."})
    max_steps: int = field(default=-1, metadata={"help": "Stop after this many optimiser steps (overrides epochs)."})
    per_device_train_batch_size: int = field(default=1, metadata={"help": "Sequences per device per step."})
    gradient_accumulation_steps: int = field(default=4, metadata={"help": "Micro-batches per optimiser step."})
    warmup_ratio: float = field(default=0.05, metadata={"help": "Share of steps for learning-rate warm-up."})
    packing: bool = field(default=False, metadata={"help": "Pack several examples per sequence (padding-free)."})
    gradient_checkpointing: bool = field(default=True, metadata={"help": "Trade compute for memory on long sequences."})
    logging_steps: int = field(default=1, metadata={"help": "Log the loss every N steps."})
    save_steps: int = field(default=25, metadata={"help": "Checkpoint every N steps, for resuming."})
    save_total_limit: int = field(default=2, metadata={"help": "Checkpoints kept."})
    resume: bool = field(default=True, metadata={"help": "Resume from the newest checkpoint in output_dir."})
    merge: bool = field(default=True, metadata={"help": "Also write merged/: the base reloaded in 16 bits + adapter."})
    merge_dtype: str = field(default="bfloat16", metadata={"help": "bfloat16 or float16 for merged/."})


@dataclass
class EvalConfig:
    """`python -m trainer evaluate`."""

    model: list[str] = field(
        default_factory=lambda: [default_model()],
        metadata={"help": "Model(s) to score; give two (e.g. embedded and the shipped adapter) to compare side by "
                          "side. Default: the shipped adapter (models/jobx-smollm2-135m-lora)."},
    )
    data: str = field(default="examples/heldout/labelled.jsonl",
                      metadata={"help": "Labelled listings, as for training. Default: the held-out set, which no "
                                        "training config reads."})
    listings: Optional[str] = field(
        default=None,
        metadata={"help": "Listings file to join on job_id when data holds only {job_id, extraction}."},
    )
    split: str = field(default="all", metadata={"help": "all, train or eval (the training split by job_id hash)."})
    eval_fraction: float = field(default=0.2, metadata={"help": "Must match training to select the same split."})
    prompt_style: str = field(default="auto", metadata={
        "help": "full, compact, or auto: compact for a LoRA adapter, full for a base model (as the pipeline)."})
    max_new_tokens: Optional[int] = field(default=None, metadata={"help": "Default: the schema's token budget."})
    slots: int = field(default=16, metadata={"help": "Listings decoded at once, as the pipeline's --slots."})
    limit: Optional[int] = field(default=None, metadata={"help": "Score only the first N listings."})
    output_dir: str = field(default="runs/eval", metadata={"help": "Writes eval.json and eval.md here."})
    rescore: Optional[str] = field(default=None, metadata={
        "help": "An eval.json of an earlier run: score its saved outputs again with the current grounding, rules "
                "and taxonomy, without decoding (data, listings and models come from that file)."})
