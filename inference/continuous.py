"""Continuous batching: the decode loop of the transformers engine.

Why not `model.generate`: a `generate` batch runs as long as its longest row
and finished rows keep computing, so on a CPU a batch of 16 mostly waits for
its slowest listing. Here, as in vLLM, a finished row leaves at once and a
queued prompt takes its slot. Choices are greedy under the same xgrammar
constraints; the tokens are the ones `generate` picks for each prompt alone,
up to floating-point rounding (a float64 test holds this exactly).

The KV cache is right-aligned: every row's tokens fill its last columns and
the columns before them are padding (masked). Masked keys add exactly zero to
attention and positions are passed explicitly, so how much padding a row has
does not change what the model computes; that is what lets rows join and leave
at any step.
"""
from __future__ import annotations

import inspect
import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import torch
from transformers.cache_utils import Cache, DynamicLayer

from inference.engine import Generation

LOG = logging.getLogger(__name__)


class _GrowingLayer(DynamicLayer):
    """A DynamicLayer whose keys and values are views on a buffer with spare room.

    DynamicLayer concatenates, copying the whole cache every step; here a step
    writes only its new column.
    """

    headroom = 128

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, *args: Any,
               **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.is_initialized:
            self.lazy_initialization(key_states, value_states)
            self.replace(key_states[..., :0, :], value_states[..., :0, :])
        length, new = self.keys.shape[-2], key_states.shape[-2]
        if length + new > self._key_buffer.shape[-2]:
            self.replace(self.keys, self.values, room=new)
        self._key_buffer[..., length:length + new, :] = key_states
        self._value_buffer[..., length:length + new, :] = value_states
        self.keys = self._key_buffer[..., :length + new, :]
        self.values = self._value_buffer[..., :length + new, :]
        return self.keys, self.values

    def replace(self, keys: torch.Tensor, values: torch.Tensor, room: int = 0) -> None:
        """New contents (after rows joined or left), copied into a fresh buffer."""
        batch, heads, length, dim = keys.shape
        capacity = length + room + self.headroom
        self._key_buffer = keys.new_empty((batch, heads, capacity, dim))
        self._value_buffer = values.new_empty((batch, heads, capacity, dim))
        self._key_buffer[..., :length, :] = keys
        self._value_buffer[..., :length, :] = values
        self.keys = self._key_buffer[..., :length, :]
        self.values = self._value_buffer[..., :length, :]


def _new_cache() -> Cache:
    return Cache(layer_class_to_replicate=_GrowingLayer)


@dataclass
class _Row:
    index: int
    matcher: Any  # xgrammar.GrammarMatcher, or None when unconstrained
    prompt_tokens: int
    position: int  # position id of the next token fed
    output: list[int] = field(default_factory=list)
    finish_reason: Optional[str] = None


class ContinuousDecoder:
    """Greedy decoding of many prompts through `slots` rows that decode together."""

    def __init__(self, model: Any, tokenizer: Any, grammar: Any, stop_ids: list[int], *, slots: int = 16,
                 progress_seconds: float = 30.0):
        if slots < 1:
            raise ValueError("slots must be positive")
        layer_types = set(getattr(model.config.get_text_config(), "layer_types", None) or ["full_attention"])
        if layer_types != {"full_attention"}:
            raise ValueError(f"the transformers engine decodes full-attention models only; this one has "
                             f"{sorted(layer_types)} layers: use --engine vllm")
        self.model = model
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.stop_ids = set(stop_ids)
        self.slots = slots
        self.progress_seconds = progress_seconds
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.vocab_size = model.get_output_embeddings().weight.shape[0]
        # transformers renamed forward's `past_key_values` to `cache` (the old name warns, then goes away)
        self._cache_kwarg = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        self._masks = None
        if grammar is not None:
            import xgrammar as xgr

            # the per-row masks are the decoder's own CPU work, and on a GPU they cost far more than the
            # model step (an H100 at 128 rows: 51 ms per step without the grammar, 233 ms with a Python
            # loop over the rows): fill them in xgrammar's thread pool, half of this process's cores, and
            # no more threads than torch was given (one per process when every core runs its own decoder)
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
            self._masks = xgr.BatchGrammarMatcher(max_threads=max(1, min(cores // 2, torch.get_num_threads())))

    def run(self, prompts: list[list[int]], max_new_tokens: int,
            on_finished: Optional[Callable[[int], None]] = None) -> list[Generation]:
        """Decode every prompt (token ids, special tokens included); results keep the prompts' order.

        `on_finished(n)` is called whenever n more prompts are done (a progress bar's feed)."""
        empty = [i for i, prompt in enumerate(prompts) if not prompt]
        if empty:
            raise ValueError(f"prompts {empty} have no tokens: a prompt needs at least its chat template")
        queue = deque(enumerate(prompts))
        results: list[Optional[Generation]] = [None] * len(prompts)
        rows: list[_Row] = []
        cache, mask = _new_cache(), torch.zeros((0, 0), dtype=torch.long, device=self.model.device)
        started = last_log = time.time()
        with torch.inference_mode():
            while queue or rows:
                if queue and len(rows) < self.slots:
                    joining = [queue.popleft() for _ in range(min(self.slots - len(rows), len(queue)))]
                    mask = self._admit(rows, cache, mask, joining, max_new_tokens)
                else:
                    mask = self._step(rows, cache, mask, max_new_tokens)
                if any(row.finish_reason for row in rows):
                    for row in rows:
                        if row.finish_reason:
                            results[row.index] = self._result(row)
                    keep = [i for i, row in enumerate(rows) if not row.finish_reason]
                    if on_finished is not None:
                        on_finished(len(rows) - len(keep))
                    rows[:] = [rows[i] for i in keep]
                    mask = _keep_rows(cache, mask, keep)
                if time.time() - last_log > self.progress_seconds:
                    LOG.info("decoded %d/%d in %.0fs (%d running, %d queued)",
                             sum(r is not None for r in results), len(prompts),
                             time.time() - started, len(rows), len(queue))
                    last_log = time.time()
        missing = [i for i, result in enumerate(results) if result is None]
        if missing:
            raise RuntimeError(f"decoding ended without a result for prompts {missing}")
        return results  # type: ignore[return-value]

    def _admit(self, rows: list[_Row], cache: Cache, mask: torch.Tensor, joining: list[tuple[int, list[int]]],
               max_new_tokens: int) -> torch.Tensor:
        """Prefill the joining prompts together (left-padded), choose their first tokens, append them as rows."""
        import xgrammar as xgr

        width = max(len(prompt) for _, prompt in joining)
        device = self.model.device
        ids = torch.full((len(joining), width), self.pad_id, dtype=torch.long, device=device)
        new_mask = torch.zeros_like(ids)
        for i, (_, prompt) in enumerate(joining):
            ids[i, width - len(prompt):] = torch.tensor(prompt, device=device)
            new_mask[i, width - len(prompt):] = 1
        new_cache = _new_cache()
        logits = self._forward(ids, new_mask, (new_mask.cumsum(-1) - 1).clamp(min=0), new_cache)
        new_rows = [_Row(index, xgr.GrammarMatcher(self.grammar) if self.grammar is not None else None,
                         len(prompt), len(prompt)) for index, prompt in joining]
        self._choose(new_rows, logits, max_new_tokens)
        rows.extend(new_rows)
        if mask.shape[0] == 0:
            cache.layers = new_cache.layers
            return new_mask
        length = max(mask.shape[1], width)
        old_pad, new_pad = length - mask.shape[1], length - width
        for old, new in zip(cache.layers, new_cache.layers):
            old.replace(torch.cat([_pad_left(old.keys, old_pad), _pad_left(new.keys, new_pad)]),
                        torch.cat([_pad_left(old.values, old_pad), _pad_left(new.values, new_pad)]))
        return torch.cat([_pad_left(mask, old_pad), _pad_left(new_mask, new_pad)])

    def _step(self, rows: list[_Row], cache: Cache, mask: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """Feed every row its last token and choose the next."""
        device = self.model.device
        ids = torch.tensor([[row.output[-1]] for row in rows], device=device)
        positions = torch.tensor([[row.position] for row in rows], device=device)
        for row in rows:
            row.position += 1
        mask = torch.cat([mask, torch.ones((len(rows), 1), dtype=mask.dtype, device=device)], dim=1)
        self._choose(rows, self._forward(ids, mask, positions, cache), max_new_tokens)
        return mask

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor, positions: torch.Tensor, cache: Cache) -> torch.Tensor:
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                         logits_to_keep=1, **{self._cache_kwarg: cache})
        return out.logits[:, -1, :].float()

    def _choose(self, rows: list[_Row], logits: torch.Tensor, max_new_tokens: int) -> None:
        """The greedy token under each row's grammar; a stop token or the length limit ends the row."""
        if self._masks is not None:
            import xgrammar as xgr

            matchers = [row.matcher for row in rows]
            bitmask = xgr.allocate_token_bitmask(len(rows), self.vocab_size)
            self._masks.batch_fill_next_token_bitmask(matchers, bitmask)
            logits = logits.contiguous()
            xgr.apply_token_bitmask_inplace(logits, bitmask.to(logits.device), vocab_size=self.vocab_size)
            tokens = logits.argmax(dim=-1).tolist()
            accepted = xgr.BatchGrammarMatcher.batch_accept_token(matchers, tokens)
            if not all(accepted):
                raise RuntimeError(f"the grammar rejected its own choice, token {tokens[accepted.index(False)]}")
        else:
            tokens = logits.argmax(dim=-1).tolist()
        for row, token in zip(rows, tokens):
            if token in self.stop_ids:
                row.finish_reason = "stop"
            else:
                row.output.append(token)
                if len(row.output) >= max_new_tokens:
                    row.finish_reason = "length"

    def _result(self, row: _Row) -> Generation:
        return Generation(
            text=self.tokenizer.decode(row.output, skip_special_tokens=True),
            finish_reason=row.finish_reason or "length",
            prompt_tokens=row.prompt_tokens,
            output_tokens=len(row.output) + (1 if row.finish_reason == "stop" else 0),
        )


def _keep_rows(cache: Cache, mask: torch.Tensor, keep: list[int]) -> torch.Tensor:
    """Drop finished rows, and the leading columns that are now padding for every row left.

    A row's tokens always fill the last columns of the cache (a prompt joins
    left-padded and every step appends one column), so trimming is a slice.
    """
    mask = mask[keep]
    if not keep:
        cache.layers = []
        return mask
    start = mask.shape[1] - int(mask.sum(dim=1).max())
    rows = torch.tensor(keep, device=mask.device)
    for layer in cache.layers:
        layer.replace(layer.keys.index_select(0, rows)[..., start:, :],
                      layer.values.index_select(0, rows)[..., start:, :])
    return mask[:, start:]


def _pad_left(tensor: torch.Tensor, columns: int) -> torch.Tensor:
    """Zero columns before the sequence's start (dim 1 of a mask, dim 2 of a KV tensor)."""
    if columns == 0:
        return tensor
    dim = 1 if tensor.dim() == 2 else 2
    shape = list(tensor.shape)
    shape[dim] = columns
    return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)
