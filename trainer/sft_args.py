"""The SFTConfig our trainer runs with, in one place, so the GPU benchmark measures exactly it.

trl's SFTTrainer with a prompt/completion dataset and `completion_only_loss`
projects only the completion positions through the LM head, in tiles (trl's
fused LM head), instead of materialising (batch, sequence, vocabulary) logits.
Batches are grouped by length so padding stays small; `packing` turns on
padding-free packing, which needs a flash-attention kernel.
"""
from __future__ import annotations

from typing import Any

from trainer.config import RunConfig


def build_sft_config(run: RunConfig, output_dir: str, max_seq_length: int, cuda: bool, **overrides: Any) -> Any:
    import dataclasses

    from trl import SFTConfig

    settings = dict(
        output_dir=output_dir,
        max_length=max_seq_length,
        completion_only_loss=True,
        packing=run.packing,
        padding_free=run.packing,
        learning_rate=run.learning_rate,
        num_train_epochs=run.num_train_epochs,
        max_steps=run.max_steps,
        per_device_train_batch_size=run.per_device_train_batch_size,
        gradient_accumulation_steps=run.gradient_accumulation_steps,
        warmup_steps=run.warmup_ratio,
        gradient_checkpointing=run.gradient_checkpointing and cuda,
        logging_steps=run.logging_steps,
        save_steps=run.save_steps,
        save_total_limit=run.save_total_limit,
        seed=run.seed,
        bf16=cuda,
        report_to="none",
        eval_strategy="no",
        disable_tqdm=True,
    )
    fields = {f.name for f in dataclasses.fields(SFTConfig)}
    if not run.packing:  # transformers renamed group_by_length to train_sampling_strategy in 5.x
        if "train_sampling_strategy" in fields:
            settings["train_sampling_strategy"] = "group_by_length"
        elif "group_by_length" in fields:
            settings["group_by_length"] = True
    settings.update(overrides)
    return SFTConfig(**settings)
