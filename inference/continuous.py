"""Continuous batching: the decode loop of the transformers engine.

Why not `model.generate`: a `generate` batch runs as long as its longest row
and finished rows keep computing, so on a CPU a batch of 16 mostly waits for
its slowest listing. Here, as in vLLM, a finished row leaves at once and a
queued prompt takes its slot. Choices are greedy under the same xgrammar
constraints; the tokens are the ones `generate` picks for each prompt alone,
up to floating-point rounding (a float64 test holds this exactly).

The KV cache is a buffer of `slots` rows per layer, and row i of a decode step
lives in slot i from column 0: its keys and values, and nothing else. So a
step's attention reads exactly each row's own tokens (no padding to the longest
row, no mask), a joining prompt is prefilled alone straight into a free slot,
and a leaving row costs one row's copy (the last row moves into its slot), not
a copy of the whole cache. Positions are passed explicitly, so where a row sits
does not change what the model computes.
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
from transformers import AttentionInterface
from transformers.cache_utils import Cache, DynamicLayer
from transformers.integrations.sdpa_attention import sdpa_attention_forward

from inference.engine import Generation

LOG = logging.getLogger(__name__)
_ATTENTION = "jobx_rows"  # our attention, selected only for the decoder's own forward calls


@dataclass
class _Step:
    """What a decode step's attention needs: how many rows, and each row's length once this step's token is in."""

    lengths: list[int]
    padded: bool  # one masked batch over the longest row (GPU) instead of one row at a time (CPU)
    _mask: Optional[torch.Tensor] = None

    def mask(self, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        """Additive (rows, 1, 1, longest) mask over the columns past each row's length; made once per step."""
        if self._mask is None:
            columns = torch.arange(max(self.lengths), device=device)
            lengths = torch.tensor(self.lengths, device=device)
            self._mask = torch.zeros((len(self.lengths), 1, 1, len(columns)), dtype=dtype, device=device)
            self._mask.masked_fill_((columns[None, :] >= lengths[:, None])[:, None, None, :], float("-inf"))
        return self._mask


class _SlotCache(Cache):
    """Per layer, keys and values of shape (slots, kv_heads, capacity, head_dim); slot i holds row i's tokens.

    `prefill_slot` set: the forward is one prompt, written to that slot, attending over itself (SDPA, causal).
    `step` set: the forward is one new token per row, written after each row's tokens; `_rows_attention` then
    reads each row's slot up to its length.
    """

    headroom = 256

    def __init__(self, layers: int, slots: int):
        super().__init__(layers=[DynamicLayer() for _ in range(layers)])  # placeholders: layer types for masks
        self.slots = slots
        self.keys: list[Optional[torch.Tensor]] = [None] * layers
        self.values: list[Optional[torch.Tensor]] = [None] * layers
        self.lengths = [0] * slots  # tokens held by each slot
        self.prefill_slot: Optional[int] = None
        self.step: Optional[_Step] = None
        self._slot_index: Optional[torch.Tensor] = None
        self._column_index: Optional[torch.Tensor] = None

    def update(self, key_states: torch.Tensor, value_states: torch.Tensor, layer_idx: int, *args: Any,
               **kwargs: Any) -> tuple[Any, Any]:
        keys, values = self._buffers(layer_idx, key_states)
        if self.prefill_slot is not None:
            n = key_states.shape[-2]
            keys[self.prefill_slot, :, :n] = key_states[0]
            values[self.prefill_slot, :, :n] = value_states[0]
            return key_states, value_states
        keys[self._slot_index, :, self._column_index] = key_states[:, :, 0]
        values[self._slot_index, :, self._column_index] = value_states[:, :, 0]
        return self.step, (keys, values)

    def _buffers(self, layer: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.keys[layer] is None:
            shape = (self.slots, like.shape[1], self.capacity_needed() + self.headroom, like.shape[3])
            self.keys[layer], self.values[layer] = like.new_zeros(shape), like.new_zeros(shape)
        return self.keys[layer], self.values[layer]

    def capacity_needed(self) -> int:
        return max(self.lengths)

    def reserve(self, columns: int) -> None:
        """Room for `columns` tokens in every slot, growing every layer's buffers by copying when short."""
        for layer, keys in enumerate(self.keys):
            if keys is not None and keys.shape[2] < columns:
                capacity = columns + self.headroom
                for buffers in (self.keys, self.values):
                    old = buffers[layer]
                    buffers[layer] = old.new_zeros((*old.shape[:2], capacity, old.shape[3]))
                    buffers[layer][:, :, :old.shape[2]] = old

    def begin_prefill(self, slot: int, tokens: int) -> None:
        self.reserve(tokens)
        self.lengths[slot] = tokens
        self.prefill_slot, self.step = slot, None

    def begin_step(self, rows: int, padded: bool, device: torch.device) -> None:
        """One new token for each of rows 0..rows-1, written at each row's current length."""
        columns = self.lengths[:rows]
        self.reserve(max(columns) + 1)
        self._slot_index = torch.arange(rows, device=device)
        self._column_index = torch.tensor(columns, device=device)
        for slot in range(rows):
            self.lengths[slot] += 1
        self.prefill_slot, self.step = None, _Step(self.lengths[:rows], padded)

    def move(self, source: int, target: int) -> None:
        """Row `source`'s tokens into slot `target` (a leaving row's), so rows stay in slots 0..n-1."""
        n = self.lengths[source]
        for keys, values in zip(self.keys, self.values):
            if keys is not None:
                keys[target, :, :n] = keys[source, :, :n]
                values[target, :, :n] = values[source, :, :n]
        self.lengths[target], self.lengths[source] = n, 0


def _rows_attention(module: Any, query: torch.Tensor, key: Any, value: Any, attention_mask: Optional[torch.Tensor],
                    scaling: Optional[float] = None, dropout: float = 0.0, **kwargs: Any) -> tuple[torch.Tensor, None]:
    """Decode-step attention over each row's own tokens; anything else (a prompt's prefill) is plain SDPA."""
    if not isinstance(key, _Step):
        return sdpa_attention_forward(module, query, key, value, attention_mask, scaling=scaling, dropout=dropout,
                                      **kwargs)
    step, (keys, values) = key, value
    rows, heads, _, dim = query.shape
    kv_heads = keys.shape[1]
    scale = dim ** -0.5 if scaling is None else scaling
    q = query.reshape(rows, kv_heads, heads // kv_heads, dim) * scale  # the query heads that share a kv head
    if step.padded:
        width = max(step.lengths)
        scores = torch.matmul(q, keys[:rows, :, :width].transpose(-1, -2)) + step.mask(q.device, q.dtype)
        out = torch.matmul(scores.softmax(-1), values[:rows, :, :width])
    else:
        out = q.new_empty(q.shape)
        for row, length in enumerate(step.lengths):
            scores = torch.matmul(q[row], keys[row, :, :length].transpose(-1, -2))
            torch.matmul(scores.softmax(-1), values[row, :, :length], out=out[row])
    return out.reshape(rows, 1, heads, dim), None



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
        text_config = model.config.get_text_config()
        layer_types = set(getattr(text_config, "layer_types", None) or ["full_attention"])
        if layer_types != {"full_attention"}:
            raise ValueError(f"the transformers engine decodes full-attention models only; this one has "
                             f"{sorted(layer_types)} layers: use --engine vllm")
        self.model = model
        self.tokenizer = tokenizer
        self.grammar = grammar
        self.stop_ids = set(stop_ids)
        self.slots = slots
        self.progress_seconds = progress_seconds
        self.layers = text_config.num_hidden_layers
        self.vocab_size = model.get_output_embeddings().weight.shape[0]
        # on a CPU one row at a time beats a padded batch (small matmuls, no padding read); on a GPU the batch
        self.padded_attention = model.device.type != "cpu"
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
            on_finished: Optional[Callable[[int], None]] = None,
            on_tokens: Optional[Callable[[int], None]] = None) -> list[Generation]:
        """Decode every prompt (token ids, special tokens included); results keep the prompts' order.

        A progress bar's feeds: `on_finished(n)` is called whenever n more prompts are done, and `on_tokens(n)`
        about once a second with the n tokens chosen since (a stop token included, as in `output_tokens`), so
        a run whose listings all finish together still shows that it moves."""
        empty = [i for i, prompt in enumerate(prompts) if not prompt]
        if empty:
            raise ValueError(f"prompts {empty} have no tokens: a prompt needs at least its chat template")
        queue = deque(enumerate(prompts))
        results: list[Optional[Generation]] = [None] * len(prompts)
        rows: list[_Row] = []  # rows[i] lives in slot i
        cache = _SlotCache(self.layers, self.slots)
        started = last_log = last_tokens = time.time()
        chosen = 0  # tokens chosen since on_tokens last heard
        with torch.inference_mode():
            while queue or rows:
                if queue and len(rows) < self.slots:
                    self._admit(rows, cache, *queue.popleft(), max_new_tokens)
                    chosen += 1
                else:
                    self._step(rows, cache, max_new_tokens)
                    chosen += len(rows)
                if on_tokens is not None and time.time() - last_tokens >= 1.0:
                    on_tokens(chosen)
                    chosen, last_tokens = 0, time.time()
                finished = [i for i, row in enumerate(rows) if row.finish_reason]
                for i in reversed(finished):  # the last row moves into each freed slot
                    results[rows[i].index] = self._result(rows[i])
                    last = len(rows) - 1
                    if i != last:
                        cache.move(last, i)
                        rows[i] = rows[last]
                    else:
                        cache.lengths[i] = 0
                    rows.pop()
                if finished and on_finished is not None:
                    on_finished(len(finished))
                if time.time() - last_log > self.progress_seconds:
                    LOG.info("decoded %d/%d in %.0fs (%d running, %d queued)",
                             sum(r is not None for r in results), len(prompts),
                             time.time() - started, len(rows), len(queue))
                    last_log = time.time()
        if on_tokens is not None and chosen:
            on_tokens(chosen)
        missing = [i for i, result in enumerate(results) if result is None]
        if missing:
            raise RuntimeError(f"decoding ended without a result for prompts {missing}")
        return results  # type: ignore[return-value]

    def _admit(self, rows: list[_Row], cache: _SlotCache, index: int, prompt: list[int], max_new_tokens: int) -> None:
        """Prefill one prompt into the next free slot, choose its first token, and add it as a row."""
        import xgrammar as xgr

        device = self.model.device
        cache.begin_prefill(len(rows), len(prompt))
        logits = self._forward(torch.tensor([prompt], device=device),
                               torch.arange(len(prompt), device=device)[None, :], cache)
        row = _Row(index, xgr.GrammarMatcher(self.grammar) if self.grammar is not None else None, len(prompt),
                   len(prompt))
        self._choose([row], logits, max_new_tokens)
        rows.append(row)

    def _step(self, rows: list[_Row], cache: _SlotCache, max_new_tokens: int) -> None:
        """Feed every row its last token and choose the next."""
        device = self.model.device
        ids = torch.tensor([[row.output[-1]] for row in rows], device=device)
        positions = torch.tensor([[row.position] for row in rows], device=device)
        for row in rows:
            row.position += 1
        cache.begin_step(len(rows), self.padded_attention, device)
        self._choose(rows, self._forward(ids, positions, cache), max_new_tokens)

    def _forward(self, ids: torch.Tensor, positions: torch.Tensor, cache: _SlotCache) -> torch.Tensor:
        config = self.model.config
        default = config._attn_implementation
        AttentionInterface.register(_ATTENTION, _rows_attention)  # this module's, should another be loaded too
        config._attn_implementation = _ATTENTION  # for these calls only: `generate` on this model is untouched
        try:
            out = self.model(input_ids=ids, position_ids=positions, use_cache=True, logits_to_keep=1,
                             **{self._cache_kwarg: cache})
        finally:
            config._attn_implementation = default
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
