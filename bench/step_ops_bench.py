"""The two costs of a decode step on one core, each against the alternatives tried for it, on SmolLM2-135M's
shapes at 16 and 64 rows. Only tensors, no model: every variant computes the same outputs, and the largest
difference from the decoder's own way is printed beside its time.

- attention over the KV cache, one layer, rows of uneven length (uniform 450-1,300 tokens, as in real runs):
  ours (one row at a time over its own tokens), a padded masked batch over the longest row, rows grouped by
  length, the scores as K @ q^T, `scaled_dot_product_attention` per row, a bfloat16 cache;
- the linear layers of one layer (q, k, v, o, gate, up, down): `nn.Linear` as the model runs them, oneDNN's
  prepacked weights (`torch.utils.mkldnn`), and q/k/v and gate/up fused into single GEMMs.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/step_ops_bench.py   # bench/results/step_ops.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
KV_HEADS, HEADS, HEAD_DIM = 3, 9, 64
LINEAR_SHAPES = [(576, 576), (192, 576), (192, 576), (576, 576), (1536, 576), (1536, 576), (576, 1536)]  # (out, in)


def best_ms(fn: Callable[[], Any], repeats: int = 30) -> float:
    """Mean of `repeats` calls after a warm-up, best of three rounds (the least disturbed)."""
    for _ in range(3):
        fn()
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeats):
            fn()
        rounds.append((time.perf_counter() - started) / repeats * 1e3)
    return round(min(rounds), 3)


def attention_variants(rows: int, seed: int = 0) -> dict[str, Callable[[], torch.Tensor]]:
    rng = random.Random(seed)
    lengths = [rng.randint(450, 1300) for _ in range(rows)]
    capacity = max(lengths) + 256
    keys = torch.randn(rows, KV_HEADS, capacity, HEAD_DIM)
    values = torch.randn_like(keys)
    query = torch.randn(rows, HEADS, 1, HEAD_DIM)
    scale = HEAD_DIM ** -0.5
    grouped_q = query.reshape(rows, KV_HEADS, HEADS // KV_HEADS, HEAD_DIM) * scale
    keys16, values16 = keys.to(torch.bfloat16), values.to(torch.bfloat16)

    def mask(lens: list[int], width: int) -> torch.Tensor:
        out = torch.zeros(len(lens), 1, 1, width)
        return out.masked_fill_((torch.arange(width)[None] >= torch.tensor(lens)[:, None])[:, None, None], float("-inf"))

    def ours() -> torch.Tensor:
        out = grouped_q.new_empty(grouped_q.shape)
        for r, n in enumerate(lengths):
            scores = torch.matmul(grouped_q[r], keys[r, :, :n].transpose(-1, -2))
            torch.matmul(scores.softmax(-1), values[r, :, :n], out=out[r])
        return out

    def padded() -> torch.Tensor:
        width = max(lengths)
        scores = torch.matmul(grouped_q, keys[:, :, :width].transpose(-1, -2)) + mask(lengths, width)
        return torch.matmul(scores.softmax(-1), values[:, :, :width])

    def grouped_by_length(size: int = 4) -> torch.Tensor:
        out = grouped_q.new_empty(grouped_q.shape)
        order = sorted(range(rows), key=lambda r: lengths[r])
        for start in range(0, rows, size):
            index = torch.tensor(order[start:start + size])
            lens = [lengths[r] for r in order[start:start + size]]
            width = max(lens)
            scores = torch.matmul(grouped_q[index], keys[index][:, :, :width].transpose(-1, -2)) + mask(lens, width)
            out[index] = torch.matmul(scores.softmax(-1), values[index][:, :, :width])
        return out

    def scores_as_k_q() -> torch.Tensor:
        out = grouped_q.new_empty(grouped_q.shape)
        for r, n in enumerate(lengths):
            scores = torch.matmul(keys[r, :, :n], grouped_q[r].transpose(-1, -2)).transpose(-1, -2)
            torch.matmul(scores.softmax(-1), values[r, :, :n], out=out[r])
        return out

    def sdpa_per_row() -> torch.Tensor:
        rows_out = [F.scaled_dot_product_attention(query[r:r + 1], keys[r:r + 1, :, :n], values[r:r + 1, :, :n],
                                                   scale=scale, enable_gqa=True) for r, n in enumerate(lengths)]
        return torch.cat(rows_out).reshape(grouped_q.shape)

    def bfloat16_cache() -> torch.Tensor:
        q16 = grouped_q.to(torch.bfloat16)
        out = torch.empty(grouped_q.shape)
        for r, n in enumerate(lengths):
            scores = torch.matmul(q16[r], keys16[r, :, :n].transpose(-1, -2)).float()
            out[r] = torch.matmul(scores.softmax(-1).to(torch.bfloat16), values16[r, :, :n]).float()
        return out

    return {"ours_row_by_row": ours, "padded_masked_batch": padded, "grouped_by_length_4": grouped_by_length,
            "scores_as_k_q": scores_as_k_q, "sdpa_per_row": sdpa_per_row, "bfloat16_cache": bfloat16_cache}


def linear_variants(rows: int) -> dict[str, Callable[[], list[torch.Tensor]]]:
    from torch.utils import mkldnn

    layers = [torch.nn.Linear(i, o, bias=False) for o, i in LINEAR_SHAPES]
    attention_in, o_in, mlp_in, down_in = (torch.randn(rows, n) for n in (576, 576, 576, 1536))
    inputs = [attention_in] * 3 + [o_in, mlp_in, mlp_in, down_in]  # q, k, v read one input; gate and up another
    packed = [mkldnn.MkldnnLinear(layer, torch.float32) for layer in layers]
    qkv = torch.cat([layers[0].weight, layers[1].weight, layers[2].weight])
    gate_up = torch.cat([layers[4].weight, layers[5].weight])

    def fused() -> list[torch.Tensor]:
        a = F.linear(inputs[0], qkv)
        b = F.linear(inputs[4], gate_up)
        return [*a.split([576, 192, 192], -1), F.linear(inputs[3], layers[3].weight), *b.split([1536, 1536], -1),
                F.linear(inputs[6], layers[6].weight)]

    return {"nn_linear": lambda: [layer(x) for layer, x in zip(layers, inputs)],
            "onednn_prepacked": lambda: [layer(x) for layer, x in zip(packed, inputs)],
            "fused_qkv_gate_up": fused}


def measure(variants: dict[str, Callable[[], Any]]) -> dict[str, dict[str, float]]:
    def flat(result: Any) -> torch.Tensor:
        return torch.cat([t.reshape(-1) for t in result]) if isinstance(result, list) else result.reshape(-1)

    reference = None  # the first variant's outputs (ours); every variant returns them in the same order
    report = {}
    for name, fn in variants.items():
        out = flat(fn())
        reference = out if reference is None else reference
        report[name] = {"ms": best_ms(fn), "max_abs_difference": (out - reference).abs().max().item()}
        print(name, report[name], flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="16,64")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "step_ops.json"))
    args = parser.parse_args()
    torch.manual_seed(0)
    report: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "torch": torch.__version__,
                              "torch_threads": torch.get_num_threads(), "cores": sorted(os.sched_getaffinity(0)),
                              "attention_one_layer": {}, "linear_one_layer": {}}
    with torch.inference_mode():
        for rows in (int(r) for r in args.rows.split(",")):
            print(f"attention, {rows} rows", flush=True)
            report["attention_one_layer"][str(rows)] = measure(attention_variants(rows))
            print(f"linear layers, {rows} rows", flush=True)
            report["linear_one_layer"][str(rows)] = measure(linear_variants(rows))
    Path(args.output).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
