"""How our decoder uses a machine's cores: processes against threads, on the same listings, texts compared.

Two levels:

  engine    (default) the decoder alone. Each configuration PxT starts P worker processes with T torch
            threads each, every worker pinned to its own cores (`os.sched_setaffinity`), and gives worker i
            the listings i, i+P, ... (as Beam's DirectRunner partitions a stage's input); a worker loads
            the engine, decodes its share, and reports its texts and timings. Measured: wall time from the
            first spawn to the last result (model loads included), the decode span (first decode start to
            last decode end), output tokens per second over that span, the peak RSS of all workers.
  pipeline  `python -m beam_pipeline` itself on a file of the same listings (or `--input`, e.g. the demo's),
            once per configuration (its extra flags, e.g. `--direct_num_workers 1`, variables,
            `env:OMP_NUM_THREADS=1`, and the interpreter, `python:.venv-vllm/bin/python`); the jobs table
            is compared row for row, and the run summary says which engine and how many decoders ran.

Configurations run in turn, round after round (A B C A B C ...), so a busy shared machine slows each
alike; every configuration's texts (or rows) are compared with the first configuration's.

    .venv/bin/python bench/scaling_bench.py --listings 8 --configs 1x1,1x2,2x1 --rounds 2
    .venv/bin/python bench/scaling_bench.py --level pipeline --listings 8
    .venv/bin/python bench/scaling_bench.py --level pipeline --input examples/listings.jsonl \
        --pipeline-configs "one_thread=--direct_num_workers 1 env:OMP_NUM_THREADS=1;default=;\
vllm=python:.venv-vllm/bin/python --engine vllm"
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import build_prompts, load_listings, machine  # noqa: E402  (same folder)


# ------------------------------------------------------------------------------------------------ worker

def worker(args: argparse.Namespace) -> None:
    """One decoder process: load, decode its share of the prompts, write texts and times as JSON."""
    job = json.loads(Path(args.worker_in).read_text())
    started = time.time()
    import torch

    torch.set_num_threads(args.threads)
    from inference.transformers_engine import TransformersEngine

    engine = TransformersEngine.load(args.model, slots=args.slots)
    loaded = time.time()
    generations = engine.generate_ids(job["prompts"], job["max_new_tokens"])
    done = time.time()
    Path(args.worker_out).write_text(json.dumps({
        "indices": job["indices"], "started": started, "loaded": loaded, "done": done,
        "torch_threads": torch.get_num_threads(), "cores": sorted(os.sched_getaffinity(0)),
        "texts": [g.text for g in generations], "output_tokens": [g.output_tokens for g in generations],
        "finish_reasons": [g.finish_reason for g in generations],
    }))


# ------------------------------------------------------------------------------------------------ driver

def _rss(pids: list[int]) -> int:
    import psutil

    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            pass
    return total


def _watch_memory(pids: list[int], done: threading.Event, peak: list[int]) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], _rss(pids))
        done.wait(0.2)


def run_engine_config(processes: int, threads: int, prompts: list[list[int]], max_new_tokens: int,
                      args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """P workers of T threads, each pinned to its own T cores; texts in listing order and the timings."""
    cores = sorted(os.sched_getaffinity(0))
    if processes * threads > len(cores):
        raise SystemExit(f"{processes}x{threads} needs {processes * threads} cores; this process may use {cores}")
    workers, started = [], time.time()
    for i in range(processes):
        indices = list(range(i, len(prompts), processes))
        job, out = tmp / f"job-{i}.json", tmp / f"out-{i}-{time.time_ns()}.json"
        job.write_text(json.dumps({"indices": indices, "prompts": [prompts[j] for j in indices],
                                   "max_new_tokens": max_new_tokens}))
        own = cores[i * threads:(i + 1) * threads]
        env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
        command = [sys.executable, str(Path(__file__).resolve()), "--worker-in", str(job), "--worker-out", str(out),
                   "--threads", str(threads), "--model", args.model, "--slots", str(args.slots)]
        process = subprocess.Popen(command, cwd=ROOT, env=env,
                                   preexec_fn=lambda own=own: os.sched_setaffinity(0, own))
        workers.append((process, out))
    done, peak = threading.Event(), [0]
    watcher = threading.Thread(target=_watch_memory, args=([p.pid for p, _ in workers], done, peak), daemon=True)
    watcher.start()
    codes = [process.wait() for process, _ in workers]
    wall = time.time() - started
    done.set()
    watcher.join()
    if any(codes):
        raise SystemExit(f"a {processes}x{threads} worker failed (exit codes {codes})")
    parts = [json.loads(out.read_text()) for _, out in workers]
    texts: list[str] = [""] * len(prompts)
    tokens = [0] * len(prompts)
    for part in parts:
        for j, text, n in zip(part["indices"], part["texts"], part["output_tokens"]):
            texts[j], tokens[j] = text, n
    span = max(p["done"] for p in parts) - min(p["loaded"] for p in parts)
    return {
        "config": f"{processes}x{threads}", "processes": processes, "threads": threads,
        "wall_seconds": round(wall, 1), "decode_span_seconds": round(span, 1),
        "load_seconds": [round(p["loaded"] - p["started"], 1) for p in parts],
        "worker_decode_seconds": [round(p["done"] - p["loaded"], 1) for p in parts],
        "output_tokens": sum(tokens), "decode_tokens_per_second": round(sum(tokens) / span, 1),
        "listings_per_minute": round(len(prompts) / wall * 60, 2),
        "peak_rss_gib": round(peak[0] / 2**30, 2), "cores": [p["cores"] for p in parts],
        "load_average_after": [round(x, 2) for x in os.getloadavg()], "texts": texts,
    }


def run_pipeline_config(name: str, flags: str, source: Path, args: argparse.Namespace,
                        tmp: Path) -> dict[str, Any]:
    """`python -m beam_pipeline` on the listings file with these extra flags; its summary and jobs rows."""
    import pyarrow.parquet as pq

    out = tmp / f"out-{name}-{time.time_ns()}"
    words = shlex.split(flags)
    env = {**os.environ, **dict(w[4:].split("=", 1) for w in words if w.startswith("env:"))}
    python = next((w[7:] for w in words if w.startswith("python:")), sys.executable)
    command = [python, "-m", "beam_pipeline", "--input", str(source), "--output", str(out),
               "--model", args.model, *(w for w in words if not w.startswith(("env:", "python:")))]
    if args.max_new_tokens:
        command += ["--max-new-tokens", str(args.max_new_tokens)]
    started = time.time()
    log = tmp / f"{name}.log"
    with log.open("w") as handle:
        code = subprocess.call(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    wall = time.time() - started
    if code != 0:
        raise SystemExit(f"pipeline {name!r} failed (exit {code}); log: {log.read_text()[-3000:]}")
    summary = json.loads((out / "run_summary.json").read_text())
    varying = {"run_id", "extracted_at", "extraction_date"}
    jobs = pq.read_table(out / "jobs").to_pylist()
    rows = sorted((json.dumps({k: v for k, v in row.items() if k not in varying}, sort_keys=True, default=str)
                   for row in jobs))
    return {"config": name, "flags": flags, "wall_seconds": round(wall, 1),
            "summary_wall_seconds": summary.get("wall_seconds"), "engine": summary.get("engine"),
            "read": summary["read"],
            "extracted": summary["extracted"], "dead_lettered_by": summary["dead_lettered_by"],
            "decoders": summary.get("decoders"), "listings_per_minute": round(summary["read"] / wall * 60, 2),
            "load_average_after": [round(x, 2) for x in os.getloadavg()], "texts": rows}


def compare(results: dict[str, dict[str, Any]], first: str) -> dict[str, Any]:
    reference = results[first]["texts"]
    return {name: sum(a == b for a, b in zip(reference, r["texts"])) for name, r in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--level", choices=["engine", "pipeline"], default="engine")
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--listings", type=int, default=8, help="The first N listings of engine_bench's list.")
    parser.add_argument("--input", default=None, help="pipeline level: this listings file instead (all of it).")
    parser.add_argument("--configs", default="1x1,1x2,2x1", help="engine level: PROCESSESxTHREADS, comma-separated.")
    parser.add_argument("--pipeline-configs",
                        default="one_thread=--direct_num_workers 1 env:OMP_NUM_THREADS=1;"
                                "single=--direct_num_workers 1;default=",
                        help="pipeline level: NAME=EXTRA FLAGS, semicolon-separated; env:VAR=VALUE sets a variable.")
    parser.add_argument("--slots", type=int, default=16, help="engine level: rows per decoder.")
    parser.add_argument("--max-new-tokens", type=int, default=None,
                        help="Cap every output (default: the pipeline's budget); capped texts still compare.")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--output", default=None)
    parser.add_argument("--note", default="", help="What else ran on the machine, for the record.")
    parser.add_argument("--worker-in", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_in:
        worker(args)
        return

    rows = ([json.loads(line) for line in Path(args.input).read_text().splitlines() if line.strip()]
            if args.input else load_listings(args.listings))
    output = Path(args.output or ROOT / "bench" / "results" / f"scaling_{args.level}.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {**machine(), "note": args.note, "level": args.level, "listings": len(rows),
                              "job_ids": [r["job_id"] for r in rows], "usable_cores": len(os.sched_getaffinity(0)),
                              "niceness": os.nice(0), "rounds": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.level == "engine":
            prompts, budget = build_prompts(args.model, rows, 8192)
            max_new_tokens = args.max_new_tokens or budget
            report.update(max_new_tokens=max_new_tokens, slots=args.slots,
                          prompt_tokens_mean=round(sum(map(len, prompts)) / len(prompts)))
            configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]

            def measure(config: tuple[int, int]) -> dict[str, Any]:
                return run_engine_config(*config, prompts, max_new_tokens, args, tmp)
        else:
            source = tmp / "listings.jsonl"
            source.write_text("".join(json.dumps(r) + "\n" for r in rows))
            configs = [tuple(c.split("=", 1)) for c in args.pipeline_configs.split(";")]

            def measure(config: tuple[str, str]) -> dict[str, Any]:
                return run_pipeline_config(*config, source, args, tmp)
        for round_index in range(args.rounds):
            results: dict[str, dict[str, Any]] = {}
            for config in configs:
                result = measure(config)
                results[result["config"]] = result
                print(json.dumps({k: v for k, v in result.items() if k != "texts"}), flush=True)
            same = compare(results, next(iter(results)))
            report["rounds"].append({"same_texts_as_first": same,
                                     **{name: {k: v for k, v in r.items() if k != "texts"}
                                        for name, r in results.items()}})
            output.write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "job_ids"}, indent=2))


if __name__ == "__main__":
    main()
