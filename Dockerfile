# Dataflow custom container for GPU workers: CUDA runtime, Beam's boot from the matching SDK image,
# vLLM 0.33 and this project. Build and push:
#   docker build -t REGION-docker.pkg.dev/PROJECT/REPO/jobx-worker:TAG .
#   docker push REGION-docker.pkg.dev/PROJECT/REPO/jobx-worker:TAG
ARG BEAM_VERSION=2.77.0
ARG PYTHON_VERSION=3.12

FROM apache/beam_python${PYTHON_VERSION}_sdk:${BEAM_VERSION} AS beam

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG BEAM_VERSION
ARG PYTHON_VERSION

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    JOBX_CACHE=/var/cache/jobx \
    HF_HUB_DISABLE_TELEMETRY=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends python${PYTHON_VERSION} python${PYTHON_VERSION}-venv \
       python${PYTHON_VERSION}-dev build-essential git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && python${PYTHON_VERSION} -m venv $VIRTUAL_ENV \
    && pip install --upgrade pip setuptools wheel

# Beam's worker boot program and SDK harness launcher, from the SDK image of the same Beam version.
COPY --from=beam /opt/apache/beam /opt/apache/beam

WORKDIR /opt/jobx
COPY setup.py README.md ./
COPY schemas ./schemas
COPY extraction ./extraction
COPY inference ./inference
COPY beam_pipeline ./beam_pipeline
COPY trainer ./trainer
# vLLM brings its own CUDA torch; apache-beam is pinned to BEAM_VERSION by setup.py. The last check builds
# what inference/vllm_engine.py hands vLLM (the names it imports and the grammar), so an API change
# fails the build, not the first batch on a worker.
RUN pip install "apache-beam[gcp]==${BEAM_VERSION}" ".[vllm]" \
    && pip check \
    && python -c "import apache_beam, vllm, beam_pipeline.handler; print(apache_beam.__version__, vllm.__version__)" \
    && python -c "from vllm import LLM, SamplingParams; from vllm.inputs import TokensPrompt; \
from vllm.sampling_params import StructuredOutputsParams; from inference.vllm_engine import grammar_ebnf; \
StructuredOutputsParams(grammar=grammar_ebnf())"

ENTRYPOINT ["/opt/apache/beam/boot"]
