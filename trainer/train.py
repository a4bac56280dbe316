"""`python -m trainer train`: LoRA fine-tuning with trl's SFTTrainer, then a 16-bit merged model.

The script body only receives filled-in configuration (see trainer.config).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from extraction.listings import ColumnMap
from extraction.prompt import PROMPT_VERSION, PromptStyle
from extraction.readers import read_records
from inference.model_source import EMBEDDED, load_tokenizer, resolve_model
from trainer.backends import choose_backend, load_for_training
from trainer.config import DataConfig, ModelConfig, RunConfig
from trainer.data import format_examples, load_labelled, split
from trainer.sft_args import build_sft_config
from trainer.storage import is_gcs, local_dir_for, upload_dir

LOG = logging.getLogger(__name__)


def merge_adapter(base_spec: str, adapter_dir: Path, out_dir: Path, dtype_name: str = "bfloat16") -> Path:
    """Reload the base in 16 bits (never merge into 4-bit weights), apply the adapter, save safetensors."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    dtype = {"bfloat16": torch.bfloat16, "float16": torch.float16}[dtype_name]
    base = AutoModelForCausalLM.from_pretrained(resolve_model(base_spec), dtype=dtype)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(out_dir, safe_serialization=True)
    load_tokenizer(str(adapter_dir)).save_pretrained(out_dir)  # same tokenizer and chat template
    return out_dir


def _record_base(adapter_dir: Path, base_spec: str) -> None:
    """Name the base as the user gave it ('embedded', a hub id), not this machine's cache path."""
    config_path = adapter_dir / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = base_spec
    config_path.write_text(json.dumps(config, indent=2))


def train(data_cfg: DataConfig, model_cfg: ModelConfig, run_cfg: RunConfig) -> dict[str, Any]:
    import torch
    from datasets import Dataset
    from transformers import set_seed
    from transformers.trainer_utils import get_last_checkpoint
    from trl import SFTTrainer

    started = time.time()
    set_seed(run_cfg.seed)
    out = local_dir_for(run_cfg.output_dir)
    backend = choose_backend(model_cfg.backend)
    print(f"[trainer] backend: {backend} (cuda={torch.cuda.is_available()})", flush=True)

    base_spec = model_cfg.model or EMBEDDED
    model_path = resolve_model(base_spec)
    tokenizer = load_tokenizer(base_spec)
    columns = ColumnMap.from_pairs(data_cfg.columns)
    rows = read_records(data_cfg.data, data_cfg.data_query, columns=columns, project=data_cfg.project, flag="--data")
    examples, report = load_labelled(rows, columns, data_cfg.label_column, clean=True)
    train_set, eval_set = split(examples, data_cfg.eval_fraction)
    style = PromptStyle(data_cfg.prompt_style)
    pairs = format_examples(train_set, tokenizer, style, data_cfg.max_seq_length, data_cfg.truncate_listings, report)
    if not pairs:
        raise ValueError(f"no usable training examples in {data_cfg.data}; rejected: {report.rejected[:5]}")
    print(f"[trainer] {report.rows} rows, {report.loaded} valid, {len(pairs)} train examples, "
          f"{len(eval_set)} held out, {len(report.rejected)} left out; label items without evidence removed: "
          f"{sum(report.removed.values())}, moved to their taxonomy list: {sum(report.moved.values())}", flush=True)

    model, peft_config = load_for_training(backend, model_path, model_cfg, run_cfg, data_cfg.max_seq_length)
    cuda = torch.cuda.is_available()
    args = build_sft_config(run_cfg, str(out / "checkpoints"), data_cfg.max_seq_length, cuda)
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=Dataset.from_list([{"prompt": p["prompt"], "completion": p["completion"]} for p in pairs]),
        processing_class=tokenizer,
        peft_config=peft_config,
    )
    checkpoint = get_last_checkpoint(args.output_dir) if run_cfg.resume and Path(args.output_dir).is_dir() else None
    if checkpoint:
        print(f"[trainer] resuming from {checkpoint}", flush=True)
    result = trainer.train(resume_from_checkpoint=checkpoint)

    adapter_dir = out / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    _record_base(adapter_dir, base_spec)
    merged_dir = merge_adapter(base_spec, adapter_dir, out / "merged", run_cfg.merge_dtype) if run_cfg.merge else None

    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    summary = {
        "backend": backend,
        "base_model": base_spec,
        "prompt_style": style.value,
        "prompt_version": PROMPT_VERSION,
        "rows": report.rows,
        "valid_labels": report.loaded,
        "train_examples": len(pairs),
        "held_out_job_ids": sorted(e.listing.job_id for e in eval_set),
        "left_out": report.rejected,
        "label_items_removed": report.removed,
        "label_items_moved": report.moved,
        "steps": trainer.state.global_step,
        "losses": losses,
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 1),
        "wall_s": round(time.time() - started, 1),
        "adapter_dir": str(adapter_dir),
        "merged_dir": str(merged_dir) if merged_dir else None,
        "config": {"data": asdict(data_cfg), "model": asdict(model_cfg), "run": asdict(run_cfg)},
    }
    (out / "train_report.json").write_text(json.dumps(summary, indent=2))
    if is_gcs(run_cfg.output_dir):
        count = upload_dir(out, run_cfg.output_dir)
        print(f"[trainer] uploaded {count} files to {run_cfg.output_dir}", flush=True)
    print(f"[trainer] done: {summary['steps']} steps, loss {losses[0] if losses else '?'} -> "
          f"{losses[-1] if losses else '?'}; adapter {adapter_dir}; merged {merged_dir}", flush=True)
    return summary
