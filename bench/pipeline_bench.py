"""Listings per minute and prompt tokens per listing, on this machine, for:
(a) the naive baseline: one listing at a time, full prompt, plain generate() without constraints,
    parse whatever comes out;
(b) the Beam pipeline (DirectRunner) with the full prompt;
(c) the Beam pipeline with the compact prompt.
All three use the same weights (default: the bundled adapter on the embedded model) and the same
listings, in one run, so the ratios compare like with like. Writes bench/results/pipeline.json.

    .venv/bin/python bench/pipeline_bench.py --listings 8
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

from beam_pipeline.generation import Generator
from beam_pipeline.launcher import run
from beam_pipeline.pipeline import resolve_token_limits
from schemas.listings import normalise_listing
from schemas.prompt import PromptStyle, count_tokens, fit_prompt
from schemas.validation import ExtractionError, parse_extraction

ROOT = Path(__file__).resolve().parent.parent


def naive(model: str, listings: list[dict]) -> dict:
    generator = Generator.load(model, constrained=False)
    limits = resolve_token_limits(generator.tokenizer, generator.context_length, PromptStyle.FULL, None)
    valid, tokens, outputs, started = 0, [], [], time.time()
    for row in listings:
        prompt = fit_prompt(generator.tokenizer, normalise_listing(row).text(), PromptStyle.FULL,
                            limits.max_prompt_tokens)
        tokens.append(prompt.prompt_tokens)
        [generation] = generator.generate([prompt.text], limits.max_new_tokens)
        outputs.append(generation.output_tokens)
        print(f"naive: {generation.output_tokens} tokens, {generation.finish_reason}, "
              f"{time.time() - started:.0f}s so far", flush=True)
        try:
            parse_extraction(generation.text)
            valid += 1
        except ExtractionError:
            pass
    seconds = time.time() - started
    return {"listings": len(listings), "seconds": round(seconds, 1),
            "listings_per_minute": round(len(listings) / seconds * 60, 3), "valid_rate": valid / len(listings),
            "prompt_tokens_mean": round(statistics.mean(tokens)), "output_tokens": outputs,
            "max_new_tokens": limits.max_new_tokens}


def pipeline(model: str, source: Path, style: PromptStyle, batch_size: int, listings: list[dict]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        summary = run(["--input", str(source), "--output", out, "--model", model, "--prompt-style", style.value,
                       "--batch-size", str(batch_size)])
    tokenizer = Generator.load(model).tokenizer
    tokens = [count_tokens(tokenizer, fit_prompt(tokenizer, normalise_listing(r).text(), style,
                                                 summary["max_prompt_tokens"]).text) for r in listings]
    return {"listings": summary["read"], "seconds": summary["wall_seconds"],
            "listings_per_minute": summary["listings_per_minute"],
            "valid_rate": summary["extracted"] / summary["read"], "dead_lettered_by": summary["dead_lettered_by"],
            "prompt_tokens_mean": round(statistics.mean(tokens))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--listings", type=int, default=8, help="How many sample listings (first by job_id).")
    parser.add_argument("--naive-listings", type=int, default=2,
                        help="How many of them the naive baseline runs: it takes one listing at a time, so its "
                             "listings/minute does not depend on the count, and each can take many minutes here.")
    parser.add_argument("--batch-size", type=int, default=8)
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
            "a_naive_full_unconstrained": naive(args.model, rows[: args.naive_listings]),
            "b_pipeline_full": pipeline(args.model, source, PromptStyle.FULL, args.batch_size, rows),
            "c_pipeline_compact": pipeline(args.model, source, PromptStyle.COMPACT, args.batch_size, rows),
        }
    base = results["a_naive_full_unconstrained"]["listings_per_minute"]
    for key in ("b_pipeline_full", "c_pipeline_compact"):
        results[key]["speedup_vs_naive"] = round(results[key]["listings_per_minute"] / base, 2)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
