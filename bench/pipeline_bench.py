"""Listings per minute and prompt tokens per listing, on this machine, for:
(a) the naive baseline: one listing at a time, full prompt, plain generate() without constraints,
    parse whatever comes out;
(b) the Beam pipeline (DirectRunner) with the full prompt;
(c) the Beam pipeline with the compact prompt.
All three use the same weights (default: the bundled adapter on the embedded model) and the same
listings, in one run, so the ratios compare like with like. Writes bench/results/pipeline.json.

    .venv/bin/python bench/pipeline_bench.py --listings 12
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from beam_pipeline.config import DEFAULT_BATCH_SIZE
from beam_pipeline.launcher import run
from extraction.listings import normalise_listing
from extraction.prompt import PromptStyle, count_tokens, fit_prompt
from inference.engine import DEFAULT_SLOTS, stop_token_ids
from inference.limits import resolve_token_limits
from inference.model_source import load_causal_lm, load_tokenizer
from schemas.validation import ExtractionError, parse_extraction

ROOT = Path(__file__).resolve().parent.parent


def plain_generate(model, tokenizer, prompt: str, max_new_tokens: int) -> tuple[str, int]:
    """The baseline's decoding: one prompt through `model.generate`, greedy, no grammar."""
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                             eos_token_id=stop_token_ids(model, tokenizer), pad_token_id=tokenizer.pad_token_id)
    tokens = out[0, inputs["input_ids"].shape[1]:].tolist()
    return tokenizer.decode(tokens, skip_special_tokens=True), len(tokens)


def naive(model_spec: str, listings: list[dict]) -> dict:
    model, tokenizer = load_causal_lm(model_spec)
    limits = resolve_token_limits(tokenizer, model.config.max_position_embeddings, PromptStyle.FULL, None)
    valid, tokens, outputs, started = 0, [], [], time.time()
    for row in listings:
        prompt = fit_prompt(tokenizer, normalise_listing(row).text(), PromptStyle.FULL, limits.max_prompt_tokens)
        tokens.append(prompt.prompt_tokens)
        text, output_tokens = plain_generate(model, tokenizer, prompt.text, limits.max_new_tokens)
        outputs.append(output_tokens)
        print(f"naive: {output_tokens} tokens, {time.time() - started:.0f}s so far", flush=True)
        try:
            parse_extraction(text)
            valid += 1
        except ExtractionError:
            pass
    seconds = time.time() - started
    return {"listings": len(listings), "seconds": round(seconds, 1),
            "listings_per_minute": round(len(listings) / seconds * 60, 3), "valid_rate": valid / len(listings),
            "prompt_tokens_mean": round(statistics.mean(tokens)), "output_tokens": outputs,
            "max_new_tokens": limits.max_new_tokens}


def pipeline(model: str, source: Path, style: PromptStyle, batch_size: int, slots: int,
             listings: list[dict]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        summary = run(["--input", str(source), "--output", out, "--model", model, "--prompt-style", style.value,
                       "--batch-size", str(batch_size), "--slots", str(slots)])
    tokenizer = load_tokenizer(model)
    tokens = [count_tokens(tokenizer, fit_prompt(tokenizer, normalise_listing(r).text(), style,
                                                 summary["max_prompt_tokens"]).text) for r in listings]
    return {"listings": summary["read"], "seconds": summary["wall_seconds"],
            "listings_per_minute": summary["listings_per_minute"],
            "valid_rate": summary["extracted"] / summary["read"], "dead_lettered_by": summary["dead_lettered_by"],
            "prompt_tokens_mean": round(statistics.mean(tokens))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--listings", type=int, default=12, help="How many sample listings (first by job_id).")
    parser.add_argument("--naive-listings", type=int, default=None,
                        help="Run the naive baseline on only the first N of them (default: all, so every mode "
                             "sees the same listings; a smaller N flatters the baseline when a later listing "
                             "makes it run to max_new_tokens).")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--slots", type=int, default=DEFAULT_SLOTS)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "pipeline.json"))
    args = parser.parse_args()
    rows = sorted((json.loads(l) for l in (ROOT / "examples" / "listings.jsonl").read_text().splitlines()),
                  key=lambda r: r["job_id"])[: args.listings]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "listings.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in rows))
        results = {
            "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, {platform.processor() or ''}",
            "model": args.model,
            "listings": len(rows),
            "batch_size": args.batch_size,
            "slots": args.slots,
        }
        modes = {  # the target comparison, (c) against (a), first; results are saved after each mode
            "a_naive_full_unconstrained": lambda: naive(args.model, rows[: args.naive_listings or len(rows)]),
            "c_pipeline_compact": lambda: pipeline(args.model, source, PromptStyle.COMPACT, args.batch_size,
                                                   args.slots, rows),
            "b_pipeline_full": lambda: pipeline(args.model, source, PromptStyle.FULL, args.batch_size, args.slots,
                                                rows),
        }
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        for key, measure in modes.items():
            results[key] = measure()
            if key != "a_naive_full_unconstrained":
                naive_rate = results["a_naive_full_unconstrained"]["listings_per_minute"]
                results[key]["speedup_vs_naive"] = round(results[key]["listings_per_minute"] / naive_rate, 2)
            output.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
