"""LoRA training throughput on one GPU: a naive peft loop against our trainer's configuration.

The Qwen3-1.7B architecture with random weights (it costs what the real model costs), bf16, sequences of
about 4k tokens (3,400-4,700, the last 800 the JSON completion), LoRA r=16 on every attention and MLP
projection. Same data, same GPU, same run:

- naive: the anchor's loop (shared/gpu-anchors): batches of 4 padded to their longest, gradient
  checkpointing, full logits and loss over every token, AdamW.
- ours: trl's SFTTrainer with `trainer.sft_args.build_sft_config` (completion-only loss through trl's fused
  LM head, length-grouped batches), tried at a few batch sizes with and without gradient checkpointing;
  the fastest one whose peak memory is no higher than naive's is reported.

Prints one JSON line per measurement and writes them to $OUT/gpu_train_bench.json (or --output).
`--tiny` runs a toy model on the CPU to check the script itself.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS: list[dict] = []


def log(**record) -> None:
    RESULTS.append(record)
    print(json.dumps(record), flush=True)


def make_model(tiny: bool, device: str):
    from transformers import Qwen3Config, Qwen3ForCausalLM

    if tiny:
        cfg = Qwen3Config(vocab_size=4096, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=8192)
    else:
        cfg = Qwen3Config(vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=28,
                          num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                          max_position_embeddings=40960, rope_theta=1e6, tie_word_embeddings=True,
                          rms_norm_eps=1e-6)
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen3ForCausalLM(cfg)
    return model.to(torch.bfloat16 if device == "cuda" else torch.float32)


def make_data(n: int, tiny: bool, seed: int = 0) -> list[dict]:
    gen = torch.Generator().manual_seed(seed)
    low, high, completion, vocab = (60, 90, 20, 4000) if tiny else (3400, 4700, 800, 150000)
    rows = []
    for _ in range(n):
        length = int(torch.randint(low, high, (1,), generator=gen))
        ids = torch.randint(10, vocab, (length,), generator=gen).tolist()
        rows.append({"input_ids": ids, "completion_mask": [0] * (length - completion) + [1] * completion})
    return rows


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def peak_gib(device: str) -> float:
    return round(torch.cuda.max_memory_allocated() / 2**30, 1) if device == "cuda" else 0.0


def reset(device: str) -> None:
    import gc

    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def naive(rows: list[dict], batch: int, steps: int, tiny: bool, device: str) -> dict:
    """The anchor's loop: padded batches, gradient checkpointing, loss over all tokens."""
    from peft import LoraConfig, get_peft_model

    reset(device)
    model = make_model(tiny, device)
    model.gradient_checkpointing_enable()
    model.enable_input_require_grads()
    model.config.use_cache = False
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=16, task_type="CAUSAL_LM", target_modules=[
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    seconds, tokens = 0.0, 0
    for step in range(steps + 1):
        chunk = rows[step * batch:(step + 1) * batch]
        width = max(len(r["input_ids"]) for r in chunk)
        ids = torch.zeros((batch, width), dtype=torch.long)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for i, r in enumerate(chunk):
            ids[i, :len(r["input_ids"])] = torch.tensor(r["input_ids"])
            mask[i, :len(r["input_ids"])] = 1
        labels = ids.masked_fill(mask == 0, -100)
        ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
        sync(device)
        started = time.perf_counter()
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync(device)
        if step:  # the first step warms up
            seconds += time.perf_counter() - started
            tokens += int(mask.sum())
    result = {"event": "naive", "batch": batch, "gradient_checkpointing": True, "steps": steps,
              "tok_per_s": round(tokens / seconds), "peak_gib": peak_gib(device)}
    del model, opt
    return result


def ours(rows: list[dict], batch: int, checkpointing: bool, steps: int, tiny: bool, device: str,
         tokenizer_dir: str) -> dict:
    """Our trainer's SFTConfig, timed step by step with a callback."""
    from datasets import Dataset
    from transformers import AutoTokenizer, TrainerCallback
    from trl import SFTTrainer

    from trainer.backends import lora_config
    from trainer.config import ModelConfig, RunConfig
    from trainer.sft_args import build_sft_config

    class Timer(TrainerCallback):
        def __init__(self):
            self.times: list[float] = []
            self.started = 0.0

        def on_step_begin(self, args, state, control, **kwargs):
            sync(device)
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            sync(device)
            self.times.append(time.perf_counter() - self.started)

    reset(device)
    run = RunConfig(per_device_train_batch_size=batch, gradient_accumulation_steps=1, max_steps=steps + 1,
                    gradient_checkpointing=checkpointing, save_steps=10**6, logging_steps=10**6,
                    learning_rate=1e-4, warmup_ratio=0.0)
    with tempfile.TemporaryDirectory() as out:
        args = build_sft_config(run, out, 5120, device == "cuda", include_num_input_tokens_seen="non_padding",
                                use_cpu=device != "cuda", dataloader_num_workers=0)
        timer = Timer()
        trainer = SFTTrainer(model=make_model(tiny, device), args=args, train_dataset=Dataset.from_list(rows),
                             processing_class=AutoTokenizer.from_pretrained(tokenizer_dir),
                             peft_config=lora_config(ModelConfig()), callbacks=[timer])
        trainer.train()
        tokens_total = int(trainer.state.num_input_tokens_seen)
    # tokens of the timed steps: the mean tokens per step times the timed steps (lengths are alike)
    timed = sum(timer.times[1:])
    tokens = tokens_total * (len(timer.times) - 1) / len(timer.times)
    result = {"event": "ours", "batch": batch, "gradient_checkpointing": checkpointing, "steps": steps,
              "tok_per_s": round(tokens / timed), "peak_gib": peak_gib(device)}
    del trainer
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="toy model on CPU: checks the script, not the GPU")
    parser.add_argument("--steps", type=int, default=4, help="timed steps per configuration (after 1 warm-up)")
    parser.add_argument("--tokenizer", required=True, help="a tokenizer folder (only its pad token is used)")
    parser.add_argument("--output", default=os.path.join(os.environ.get("OUT", "bench/results"),
                                                         "gpu_train_bench.json"))
    args = parser.parse_args()
    device = "cpu" if args.tiny else "cuda"
    if device == "cuda":
        log(event="env", gpu=torch.cuda.get_device_name(0), torch=torch.__version__)
    rows = make_data(96, args.tiny)
    base = naive(rows, 4, args.steps, args.tiny, device)
    log(**base)
    tried = []
    for batch, checkpointing in ((4, True), (8, True), (2, False), (4, False)):
        try:
            result = ours(rows, batch, checkpointing, args.steps, args.tiny, device, args.tokenizer)
        except torch.OutOfMemoryError:
            result = {"event": "ours", "batch": batch, "gradient_checkpointing": checkpointing, "oom": True}
        except Exception as exc:  # a missing or mismatched package on the GPU machine: keep the naive number
            result = {"event": "ours", "batch": batch, "gradient_checkpointing": checkpointing,
                      "error": repr(exc)[:500], "oom": True}
        log(**result)
        tried.append(result)
    fitting = [r for r in tried if not r.get("oom") and r["peak_gib"] <= base["peak_gib"]]
    best = max(fitting, key=lambda r: r["tok_per_s"]) if fitting else None
    log(event="summary", naive_tok_per_s=base["tok_per_s"], naive_peak_gib=base["peak_gib"],
        best=best, speedup=round(best["tok_per_s"] / base["tok_per_s"], 2) if best else None)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(RESULTS, indent=2))


if __name__ == "__main__":
    main()
