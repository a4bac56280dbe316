"""How a model's context is split between the prompt and the output."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from extraction.prompt import PromptStyle, count_tokens, render
from schemas.decoding import token_budget
from schemas.models import JobExtraction
from schemas.validation import canonical_json


@dataclass(frozen=True)
class TokenLimits:
    context_length: int
    instruction_tokens: int
    token_budget: int
    max_new_tokens: int
    max_prompt_tokens: int


MIN_LISTING_TOKENS = 512


def resolve_token_limits(tokenizer: Any, context_length: int, style: PromptStyle,
                         max_new_tokens: Optional[int]) -> TokenLimits:
    """Split the context between prompt and output; fail before the run when they cannot fit.

    By default the output gets the schema's whole token budget, unless that
    would leave less than MIN_LISTING_TOKENS for the listing; then the listing
    keeps those and the output gets the rest (rare longer outputs are then
    dead-lettered as `truncated`).
    """

    floor = count_tokens(tokenizer, canonical_json(JobExtraction()))
    if max_new_tokens is not None and max_new_tokens < floor:
        raise ValueError(f"--max-new-tokens {max_new_tokens} is too small: even an extraction with every field empty "
                         f"takes {floor} tokens with this model's tokenizer")
    instructions = count_tokens(tokenizer, render(tokenizer, "", style))
    budget = token_budget(tokenizer)
    if max_new_tokens is None:
        max_new_tokens = min(budget, context_length - instructions - MIN_LISTING_TOKENS)
    max_prompt = context_length - max_new_tokens
    if max_new_tokens < floor or max_prompt <= instructions:
        raise ValueError(
            f"the model's context ({context_length} tokens) cannot hold the {style.value} prompt's "
            f"{instructions} instruction tokens plus max_new_tokens={max_new_tokens}; use --prompt-style compact "
            "or a smaller --max-new-tokens"
        )
    return TokenLimits(context_length, instructions, budget, max_new_tokens, max_prompt)
