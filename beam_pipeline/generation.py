"""Batched, greedy, grammar-constrained generation with transformers (the CPU / DirectRunner engine).

The trainer's evaluation uses this too, so a model is scored exactly as the
pipeline will run it.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Optional

from schemas.decoding import decoding_schema

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str  # "stop" (end of turn) or "length" (max_new_tokens reached)
    prompt_tokens: int
    output_tokens: int


def stop_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """Every end-of-turn id the model may emit (Qwen3 has two), from its generation config and tokenizer."""
    ids = getattr(model.generation_config, "eos_token_id", None)
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


def compile_grammar(tokenizer: Any, vocab_size: int, stop_ids: list[int]) -> Any:
    """The decoding schema as an xgrammar grammar: no free whitespace, so outputs stay short and canonical."""
    import xgrammar as xgr

    info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size, stop_token_ids=stop_ids)
    return xgr.GrammarCompiler(info).compile_json_schema(json.dumps(decoding_schema()), any_whitespace=False)


class Generator:
    """A loaded model, tokenizer and compiled grammar; `generate` runs one batch."""

    def __init__(self, model: Any, tokenizer: Any, *, constrained: bool = True):
        self.model = model
        self.tokenizer = tokenizer
        self.tokenizer.padding_side = "left"  # decoder-only batches must end where generation starts
        self.stop_ids = stop_token_ids(model, tokenizer)
        vocab_size = model.get_output_embeddings().weight.shape[0]
        self.grammar = compile_grammar(tokenizer, vocab_size, self.stop_ids) if constrained else None

    @classmethod
    def load(cls, model_spec: Optional[str], *, constrained: bool = True) -> "Generator":
        from transformers.utils import logging as hf_logging

        from schemas.model_source import load_causal_lm

        hf_logging.disable_progress_bar()
        model, tokenizer = load_causal_lm(model_spec)
        return cls(model, tokenizer, constrained=constrained)

    @property
    def context_length(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 4096))

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[Generation]:
        import torch

        if not prompts:
            return []
        batch = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(
            self.model.device)
        processors = []
        if self.grammar is not None:
            import xgrammar as xgr

            processors.append(xgr.contrib.hf.LogitsProcessor(self.grammar))  # one per generate() call
        with torch.inference_mode():
            output = self.model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                logits_processor=processors,
                eos_token_id=self.stop_ids,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        width = batch["input_ids"].shape[1]
        results = []
        for row, mask in zip(output[:, width:].tolist(), batch["attention_mask"].cpu()):
            stop_at = next((i for i, token in enumerate(row) if token in self.stop_ids), None)
            tokens = row if stop_at is None else row[:stop_at]
            results.append(
                Generation(
                    text=self.tokenizer.decode(tokens, skip_special_tokens=True),
                    finish_reason="length" if stop_at is None else "stop",
                    prompt_tokens=int(mask.sum()),
                    output_tokens=len(tokens) + (0 if stop_at is None else 1),
                )
            )
        return results
