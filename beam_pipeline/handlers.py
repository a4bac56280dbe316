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

from beam_pipeline.generation import DEFAULT_SLOTS, Generation, Generator
from beam_pipeline.records import PromptRecord

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
        generations = model.generate([record.prompt for record in batch], self._max_new_tokens)
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




class VLLMExtractionHandler(ModelHandler[PromptRecord, PredictionResult, Any]):
    """In-process `vllm.LLM` for Dataflow GPU workers (targets vLLM 0.33).

    Chosen over Beam's VLLMChatModelHandler because the prompts are already
    rendered and fitted to the context by BuildPrompts (the same text the CPU
    engine and the trainer use), a whole batch goes to vLLM's continuous
    batching in one call, and `finish_reason` comes back per request, so output
    cut at `max_tokens` becomes a `truncated` dead letter. One copy of the model
    per worker: `share_model_across_processes`.
    """

    def __init__(self, model_spec: str, *, max_new_tokens: int, max_model_len: int, batch_size: int = 64,
                 gpu_memory_utilization: float = 0.90, model_version: str = ""):
        super().__init__()
        self._model_spec = model_spec
        self._max_new_tokens = max_new_tokens
        self._max_model_len = max_model_len
        self._batch_size = batch_size
        self._gpu_memory_utilization = gpu_memory_utilization
        self._model_version = model_version

    def load_model(self) -> Any:
        from vllm import LLM

        from schemas.model_source import resolve_model

        return LLM(model=resolve_model(self._model_spec), max_model_len=self._max_model_len,
                   gpu_memory_utilization=self._gpu_memory_utilization, enable_prefix_caching=True, seed=0)

    def run_inference(self, batch: Sequence[PromptRecord], model: Any,
                      inference_args: Optional[dict[str, Any]] = None) -> Iterable[PredictionResult]:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        from schemas.decoding import decoding_schema

        params = SamplingParams(
            temperature=0.0,
            max_tokens=self._max_new_tokens,
            structured_outputs=StructuredOutputsParams(json=decoding_schema(), disable_any_whitespace=True),
        )
        outputs = model.generate([record.prompt for record in batch], params, use_tqdm=False)
        results = []
        for record, output in zip(batch, outputs):
            completion = output.outputs[0]
            generation = Generation(
                text=completion.text,
                finish_reason="length" if completion.finish_reason == "length" else "stop",
                prompt_tokens=len(output.prompt_token_ids or []),
                output_tokens=len(completion.token_ids),
            )
            results.append(PredictionResult(record, generation, self._model_version))
        return results

    def batch_elements_kwargs(self) -> dict[str, Any]:
        return {"min_batch_size": 1, "max_batch_size": self._batch_size}

    def share_model_across_processes(self) -> bool:
        return True

    def get_metrics_namespace(self) -> str:
        return "jobx_vllm"
