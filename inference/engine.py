"""What every engine shares: the `Generation` result, the `Engine` protocol the Beam handler and the trainer's
evaluation call, the end-of-turn ids and the decoding grammar."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from schemas.decoding import decoding_schema

# Sequences decoded at once on a CPU by the continuous decoder (BENCHMARKS.md has the measurements).
DEFAULT_SLOTS = 16


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str  # "stop" (end of turn) or "length" (max_new_tokens reached)
    prompt_tokens: int
    output_tokens: int


class Engine(Protocol):
    """A loaded model that decodes tokenized prompts under the extraction grammar, greedily."""

    def generate_ids(self, prompt_ids: list[list[int]], max_new_tokens: int) -> list[Generation]:
        """One result per prompt, in order."""
        ...


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
