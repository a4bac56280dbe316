#!/usr/bin/env bash
# Submit the extraction job to Dataflow with one NVIDIA L4 per worker and vLLM.
# Everything can be overridden through the environment; the launcher checks the options
# (and says what is missing) before it creates anything or submits.
set -euo pipefail
: "${PROJECT:?set PROJECT}"
: "${BUCKET:?set BUCKET (a gs:// bucket for temp, staging, the model and the run summary)}"
: "${IMAGE:?set IMAGE (the worker image built from the Dockerfile and pushed)}"
REGION="${REGION:-us-central1}"
MODEL="${MODEL:-$BUCKET/models/qwen3-1.7b-jobx/merged}"
INPUT="${INPUT:-bq://$PROJECT.linkedin.listings}"
OUTPUT="${OUTPUT:-bq://$PROJECT.job_insights}"
RUN_NAME="jobx-$(date -u +%Y%m%d-%H%M%S)"

exec python -m beam_pipeline \
  --input "$INPUT" \
  --output "$OUTPUT" \
  --summary "$BUCKET/runs/$RUN_NAME/run_summary.json" \
  --model "$MODEL" \
  --engine vllm \
  --prompt-style compact \
  --batch-size 64 \
  --max-model-len 8192 \
  --runner DataflowRunner \
  --project "$PROJECT" \
  --region "$REGION" \
  --job_name "$RUN_NAME" \
  --temp_location "$BUCKET/tmp" \
  --staging_location "$BUCKET/staging" \
  --sdk_container_image "$IMAGE" \
  --sdk_location container \
  --machine_type g2-standard-8 \
  --disk_size_gb 100 \
  --max_num_workers "${MAX_WORKERS:-4}" \
  --dataflow_service_options "worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver:5xx" \
  --experiments no_use_multiple_sdk_containers \
  --number_of_worker_harness_threads 1 \
  "$@"
