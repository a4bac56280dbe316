"""Our continuous decoder against an earlier version of itself: same process, same model, same listings.

Each decoder is `inference/continuous.py` as a git revision has it (`rev:<commit>`) or as the working tree
has it (`tree`), optionally with attributes set after construction (`tree+padded_attention=1`). They run
in turn, round after round (A B A B ...), on the same prompt ids (the engine benchmark's listings, compact
prompt), so a busy machine slows each alike; every decoder's texts are compared with the first one's.
Pin it for a per-core figure:

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python bench/decoder_bench.py --listings 16 \
        --decoders rev:HEAD,tree --rounds 2 --output bench/results/decoder_rows.json
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import build_prompts, first_difference, load_listings, machine  # noqa: E402  (same folder)


def decoder_class(spec: str, tmp: Path) -> tuple[type, dict[str, Any], str]:
    """The ContinuousDecoder class a spec names, the attributes to set on it, and the commit it came from."""
    source, _, settings = spec.partition("+")
    attributes = {}
    for pair in filter(None, settings.split(",")):
        name, value = pair.split("=")
        attributes[name] = json.loads(value)
    if source == "tree":
        path, commit = ROOT / "inference" / "continuous.py", "working tree"
    else:
        rev = source.removeprefix("rev:")
        commit = subprocess.check_output(["git", "rev-parse", "--short", rev], cwd=ROOT, text=True).strip()
        path = tmp / f"continuous_{commit}.py"
        path.write_text(subprocess.check_output(["git", "show", f"{rev}:inference/continuous.py"], cwd=ROOT,
                                                text=True))
    name = f"continuous_{path.stem}_{len(spec)}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # dataclasses look their module up
    module_spec.loader.exec_module(module)
    return module.ContinuousDecoder, attributes, commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "jobx-smollm2-135m-lora"))
    parser.add_argument("--listings", type=int, default=16)
    parser.add_argument("--skip", type=int, default=0, help="Start after the first N listings.")
    parser.add_argument("--decoders", default="rev:HEAD,tree")
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=None, help="Cap every output (default: the budget).")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "decoder.json"))
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    import torch

    from inference.transformers_engine import TransformersEngine

    rows = load_listings(args.skip + args.listings)[args.skip:]
    prompts, budget = build_prompts(args.model, rows, 8192)
    max_new_tokens = args.max_new_tokens or budget
    engine = TransformersEngine.load(args.model, slots=args.slots)
    report: dict[str, Any] = {
        **machine(), "note": args.note, "listings": len(rows), "job_ids": [r["job_id"] for r in rows],
        "slots": args.slots, "max_new_tokens": max_new_tokens, "torch_threads": torch.get_num_threads(),
        "cores": sorted(os.sched_getaffinity(0)), "prompt_tokens_mean": round(sum(map(len, prompts)) / len(prompts)),
        "rounds": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        decoders = {}
        for spec in args.decoders.split(","):
            cls, attributes, commit = decoder_class(spec, Path(tmp))
            decoder = cls(engine.model, engine.tokenizer, engine.grammar, engine.stop_ids, slots=args.slots,
                          progress_seconds=1e9)
            for name, value in attributes.items():
                setattr(decoder, name, value)
            decoders[spec] = (decoder, commit)
        first = None
        for _ in range(args.rounds):
            results: dict[str, Any] = {}
            for spec, (decoder, commit) in decoders.items():
                started = time.perf_counter()
                generations = decoder.run(prompts, max_new_tokens)
                seconds = time.perf_counter() - started
                tokens = sum(g.output_tokens for g in generations)
                texts = [g.text for g in generations]
                first = first or texts
                results[spec] = {
                    "commit": commit, "seconds": round(seconds, 1), "output_tokens": tokens,
                    "tokens_per_second": round(tokens / seconds, 2),
                    "same_texts_as_first": sum(a == b for a, b in zip(first, texts)),
                    "different": [{"job_id": r["job_id"], "first_different_char": first_difference(a, b)}
                                  for r, a, b in zip(rows, first, texts) if a != b],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()],
                }
                print(json.dumps({spec: results[spec]}), flush=True)
            report["rounds"].append(results)
            output = Path(args.output)
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(report, indent=2))
    best = {spec: min(r[spec]["seconds"] for r in report["rounds"]) for spec in decoders}
    report["best_seconds"] = best
    base = next(iter(best))
    report["speedup_over_first"] = {spec: round(best[base] / s, 3) for spec, s in best.items()}
    Path(args.output).write_text(json.dumps(report, indent=2))
    print(json.dumps({k: report[k] for k in ("best_seconds", "speedup_over_first")}, indent=2))


if __name__ == "__main__":
    main()
