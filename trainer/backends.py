"""Which training stack runs: unsloth (4-bit) or transformers + bitsandbytes QLoRA on CUDA, else plain peft LoRA.

Each loader returns the model and, for the peft-based stacks, the LoRA config
that trl's SFTTrainer applies; unsloth applies its own adapters.
"""
from __future__ import annotations

import importlib.util
from typing import Any, Optional

from trainer.config import ModelConfig, RunConfig

BACKENDS = ("unsloth", "bnb", "peft")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def choose_backend(requested: str) -> str:
    """Resolve `auto`, and refuse a backend that cannot run here with the reason."""
    import torch

    cuda = torch.cuda.is_available()
    if requested == "auto":
        if cuda and _installed("unsloth"):
            return "unsloth"
        if cuda and _installed("bitsandbytes"):
            return "bnb"
        return "peft"
    if requested not in BACKENDS:
        raise ValueError(f"backend {requested!r}: use one of auto, {', '.join(BACKENDS)}")
    if requested in ("unsloth", "bnb"):
        module = "unsloth" if requested == "unsloth" else "bitsandbytes"
        if not cuda:
            raise RuntimeError(f"backend {requested} needs a CUDA GPU; use --backend peft on this machine")
        if not _installed(module):
            raise RuntimeError(f"backend {requested} needs {module}: pip install -e '.[gpu]'")
    return requested


def lora_config(cfg: ModelConfig) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=list(cfg.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )


def load_for_training(backend: str, model_path: str, cfg: ModelConfig, run: RunConfig, max_seq_length: int
                      ) -> tuple[Any, Optional[Any]]:
    """(model, peft_config or None) for the chosen backend."""
    import torch

    if backend == "unsloth":
        from unsloth import FastLanguageModel

        model, _ = FastLanguageModel.from_pretrained(
            model_name=model_path, max_seq_length=max_seq_length, load_in_4bit=cfg.load_in_4bit, dtype=None
        )
        model = FastLanguageModel.get_peft_model(
            model,
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            target_modules=list(cfg.target_modules),
            use_gradient_checkpointing="unsloth" if run.gradient_checkpointing else False,
            random_state=run.seed,
        )
        return model, None

    from transformers import AutoModelForCausalLM

    if backend == "bnb":
        from peft import prepare_model_for_kbit_training
        from transformers import BitsAndBytesConfig

        quant = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        ) if cfg.load_in_4bit else None
        model = AutoModelForCausalLM.from_pretrained(model_path, quantization_config=quant, dtype=torch.bfloat16)
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=run.gradient_checkpointing)
        return model, lora_config(cfg)

    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=dtype)
    return model, lora_config(cfg)
