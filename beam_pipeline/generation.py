"""Greedy, grammar-constrained generation with transformers (the CPU / DirectRunner engine).

The trainer's evaluation uses this too, so a model is scored exactly as the
pipeline will run it. Decoding itself is `beam_pipeline.continuous`.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Optional

from schemas.decoding import decoding_schema

LOG = logging.getLogger(__name__)

# Sequences decoded at once on a CPU: on 2 cores 16 rows decode about 5x faster
# per token than one (see BENCHMARKS.md); more rows mostly add KV-cache reads.
DEFAULT_SLOTS = 16


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
    """A loaded model, tokenizer and compiled grammar; `generate` decodes a list of prompts."""

    def __init__(self, model: Any, tokenizer: Any, *, slots: int = DEFAULT_SLOTS):
        from beam_pipeline.continuous import ContinuousDecoder  # imports torch: keep it off the launcher's path

        self.model = model
        self.tokenizer = tokenizer
        self.stop_ids = stop_token_ids(model, tokenizer)
        vocab_size = model.get_output_embeddings().weight.shape[0]
        self.grammar = compile_grammar(tokenizer, vocab_size, self.stop_ids)
        # built once, so a model the decoder cannot run fails in load_model, not on every batch
        self.decoder = ContinuousDecoder(model, tokenizer, self.grammar, self.stop_ids, slots=slots)

    @classmethod
    def load(cls, model_spec: Optional[str], *, slots: int = DEFAULT_SLOTS) -> "Generator":
        from transformers.utils import logging as hf_logging

        from schemas.model_source import load_causal_lm

        hf_logging.disable_progress_bar()
        model, tokenizer = load_causal_lm(model_spec)
        return cls(model, tokenizer, slots=slots)

    @property
    def context_length(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 4096))

    def generate(self, prompts: list[str], max_new_tokens: int) -> list[Generation]:
        """One result per prompt text, in order; the decoder's `slots` of them decode at a time."""
        if not prompts:
            return []
        return self.generate_ids(self.tokenizer(prompts, add_special_tokens=False)["input_ids"], max_new_tokens)

    def generate_ids(self, prompt_ids: list[list[int]], max_new_tokens: int) -> list[Generation]:
        """One result per tokenized prompt, in order."""
        return self.decoder.run(prompt_ids, max_new_tokens) if prompt_ids else []
