"""Greedy, grammar-constrained generation with transformers (the CPU / DirectRunner engine).

The trainer's evaluation uses this too, so a model is scored exactly as the
pipeline will run it. Decoding itself is `inference.continuous`.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any, Callable, Optional

from inference.engine import DEFAULT_SLOTS, Generation, compile_grammar, stop_token_ids

LOG = logging.getLogger(__name__)


class TransformersEngine:
    """A loaded model, tokenizer and compiled grammar; `generate` decodes a list of prompts."""

    def __init__(self, model: Any, tokenizer: Any, *, slots: int = DEFAULT_SLOTS):
        from inference.continuous import ContinuousDecoder  # imports torch: keep it off the launcher's path

        self.model = model
        self.tokenizer = tokenizer
        self.stop_ids = stop_token_ids(model, tokenizer)
        vocab_size = model.get_output_embeddings().weight.shape[0]
        self.grammar = compile_grammar(tokenizer, vocab_size, self.stop_ids)
        # built once, so a model the decoder cannot run fails in load_model, not on every batch
        self.decoder = ContinuousDecoder(model, tokenizer, self.grammar, self.stop_ids, slots=slots)

    @classmethod
    def load(cls, model_spec: Optional[str], *, slots: int = DEFAULT_SLOTS) -> "TransformersEngine":
        from transformers.utils import logging as hf_logging

        from inference.model_source import load_causal_lm

        hf_logging.disable_progress_bar()
        with warnings.catch_warnings():
            # peft reads a transformers attribute that transformers has deprecated: nothing a user can change
            warnings.filterwarnings("ignore", message=r"`is_gradient_checkpointing` is deprecated",
                                    category=FutureWarning)
            model, tokenizer = load_causal_lm(model_spec)
        return cls(model, tokenizer, slots=slots)

    @property
    def threads(self) -> int:
        """The torch threads this process decodes with."""
        import torch

        return torch.get_num_threads()

    @property
    def context_length(self) -> int:
        return int(getattr(self.model.config, "max_position_embeddings", 4096))

    def generate(self, prompts: list[str], max_new_tokens: int,
                 on_finished: Optional[Callable[[int], None]] = None,
                 on_tokens: Optional[Callable[[int], None]] = None) -> list[Generation]:
        """One result per prompt text, in order; the decoder's `slots` of them decode at a time."""
        if not prompts:
            return []
        return self.generate_ids(self.tokenizer(prompts, add_special_tokens=False)["input_ids"], max_new_tokens,
                                 on_finished, on_tokens)

    def generate_ids(self, prompt_ids: list[list[int]], max_new_tokens: int,
                     on_finished: Optional[Callable[[int], None]] = None,
                     on_tokens: Optional[Callable[[int], None]] = None) -> list[Generation]:
        """One result per tokenized prompt, in order; `on_finished(n)` hears of every n prompts done and
        `on_tokens(n)` of the tokens chosen, about once a second."""
        return self.decoder.run(prompt_ids, max_new_tokens, on_finished, on_tokens) if prompt_ids else []
