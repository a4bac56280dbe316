"""Start a real OpenAI-compatible server (llama-cpp-python's) on 127.0.0.1 with a real model, for the tests.

The model it serves is the project's own: the embedded SmolLM2-135M with the
bundled LoRA adapter merged in, converted to GGUF with llama.cpp's
`convert_hf_to_gguf.py` and quantised to q8_0. The base model alone, under
the schema grammar, fills every list to its bound (about 5,400 tokens a
listing, minutes on a CPU); the fine-tuned one stops after about 900 tokens,
so a test can get real, complete labels. The conversion script ships in the
llama-cpp-python sdist (fetched once with pip from the package index) and the
GGUF is cached under JOBX_CACHE, so it is built once per machine.

One server per test process (`shared()`), stopped at exit: the full prompt's
~3,600-token instructions are the same for every listing, the server reuses
that prefix from one request to the next, and only the first request pays it.
It runs on one thread: two OpenMP threads stall when anything else runs.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from inference.model_source import cache_root
from tests.support.processes import free_port, stop

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "models" / "jobx-smollm2-135m-lora"
MODEL_ALIAS = "jobx-teacher"
CONTEXT = 6144  # the full prompt (~4,200 tokens) plus a whole label (~1,000)
WARM_UP_LISTING = "Title: Data Engineer\n\nPython and SQL."


@dataclass
class LlamaServer:
    base_url: str  # http://127.0.0.1:PORT/v1
    process: subprocess.Popen
    log: Path

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/v1")

    def stop(self) -> None:
        stop(self.process)


def _run(args: list[str], log: Path) -> None:
    with log.open("a") as out:
        result = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if result.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} ... failed; see {log}:\n{log.read_text()[-3000:]}")


def conversion_script(work: Path) -> Path:
    """llama.cpp's convert_hf_to_gguf.py (with its `conversion` and `gguf-py` folders) from the sdist."""
    import llama_cpp

    version = llama_cpp.__version__
    target = cache_root() / f"llama.cpp-convert-{version}"
    script = target / "convert_hf_to_gguf.py"
    if script.is_file():
        return script
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
          f"llama-cpp-python=={version}", "--dest", str(work)], work / "convert.log")
    (sdist,) = work.glob("llama_cpp_python-*.tar.gz")
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=cache_root()))
    prefix = f"{sdist.name.removesuffix('.tar.gz')}/vendor/llama.cpp/"
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            relative = member.name.removeprefix(prefix)
            if member.name.startswith(prefix) and member.isfile() and (
                    relative == "convert_hf_to_gguf.py" or relative.startswith(("conversion/", "gguf-py/"))):
                member.name = relative
                archive.extract(member, staging, filter="data")
    os.replace(staging, target)
    return script


def teacher_gguf() -> Path:
    """The merged, q8_0-quantised fine-tuned model as a GGUF file, built once and cached."""
    digest = hashlib.sha256((ADAPTER / "adapter_model.safetensors").read_bytes()).hexdigest()[:12]
    target = cache_root() / "models" / f"jobx-smollm2-135m-lora-merged-{digest}-q8_0.gguf"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="jobx-gguf-", dir=target.parent))  # beside it: os.replace stays atomic
    try:
        log = work / "convert.log"
        merged = work / "merged"
        _run([sys.executable, "-c", "import sys; from inference.model_source import load_causal_lm; "
              "m, t = load_causal_lm(sys.argv[1]); m.save_pretrained(sys.argv[2]); t.save_pretrained(sys.argv[2])",
              str(ADAPTER), str(merged)], log)
        f16 = work / "merged-f16.gguf"
        _run([sys.executable, str(conversion_script(work)), str(merged), "--outtype", "f16", "--outfile", str(f16)],
             log)
        quantised = work / "merged-q8_0.gguf"
        _run([sys.executable, "-c", "import ctypes, sys, llama_cpp; "
              "p = llama_cpp.llama_model_quantize_default_params(); p.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0; "
              "p.nthread = 1; "
              "sys.exit(llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), ctypes.byref(p)))",
              str(f16), str(quantised)], log)
        os.replace(quantised, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def start(model: Optional[Path] = None, timeout: float = 120.0) -> LlamaServer:
    """Start `python -m llama_cpp.server` on a free port and wait until it answers /v1/models."""
    model = model or teacher_gguf()
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="llama-server-")) / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_ALIAS,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT), "--n_threads", "1",
         "--n_threads_batch", "1", "--verbose", "false"],
        env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    server = LlamaServer(f"http://127.0.0.1:{port}/v1", process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"llama_cpp.server did not answer in {timeout}s: {log.read_text()[-3000:]}")


def warm_up(server: LlamaServer, timeout: float = 900.0) -> None:
    """Send one full prompt, so the shared instructions are in the server's cache before any timed request."""
    from extraction.prompt import PromptStyle, messages

    body = json.dumps({"model": MODEL_ALIAS, "messages": messages(WARM_UP_LISTING, PromptStyle.FULL),
                       "max_tokens": 1}).encode()
    request = urllib.request.Request(f"{server.base_url}/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        response.read()


_SHARED: Optional[LlamaServer] = None


def shared() -> LlamaServer:
    """One warmed-up server for the whole test process (its prompt cache is what keeps the tests short)."""
    global _SHARED
    if _SHARED is None or _SHARED.process.poll() is not None:
        _SHARED = start()
        atexit.register(_SHARED.stop)
        warm_up(_SHARED)
    return _SHARED
