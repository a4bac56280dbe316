"""The RunInference model handler: one handler, the engine (`inference.loading.EngineSpec`) its parameter.

As in `apache_beam.ml.inference`, `__init__` only stores settings (the handler is pickled to every
worker), `load_model` does the heavy work once per worker process, and batching is declared in
`batch_elements_kwargs`. Prompts arrive as token ids fitted to the context by BuildPrompts, so every
engine decodes exactly the tokens that were counted; `finish_reason` comes back per listing, so output
cut at `max_new_tokens` becomes a `truncated` dead letter downstream.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Iterable, Optional, Sequence

from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from beam_pipeline.config import DEFAULT_BATCH_SIZE
from beam_pipeline.progress import decoder_report
from extraction.prompt import PromptRecord
from inference.engine import Engine
from inference.loading import EngineSpec

LOG = logging.getLogger(__name__)


class ExtractionHandler(ModelHandler[PromptRecord, PredictionResult, Engine]):
    """Greedy, grammar-constrained decoding of fixed-size batches of prompts with the chosen engine.

    Batches are fixed-size: adaptive batching starts at 1 and spends most of a small run there, and
    vLLM wants hundreds of requests in flight on a GPU (`--batch-size 256` or more there). A batch
    queues for our decoder's slots (`inference.continuous`) or vLLM's scheduler.
    """

    def __init__(self, engine: EngineSpec, *, max_new_tokens: int, batch_size: int = DEFAULT_BATCH_SIZE,
                 model_version: str = ""):
        super().__init__()
        self.engine = engine
        self._max_new_tokens = max_new_tokens
        self._batch_size = batch_size
        self._model_version = model_version
        self._done = 0

    def load_model(self) -> Engine:
        started = time.time()
        engine = self.engine.load()
        LOG.info("loaded %s (%s engine) in %.1fs", self._model_version or self.engine.model, self.engine.name,
                 time.time() - started)
        decoder_report(self.engine.name, getattr(engine, "threads", None))  # this process counts as a decoder
        return engine

    def run_inference(self, batch: Sequence[PromptRecord], model: Engine,
                      inference_args: Optional[dict[str, Any]] = None) -> Iterable[PredictionResult]:
        started = time.time()
        ids = [record.prompt_ids for record in batch]
        report = decoder_report(self.engine.name, getattr(model, "threads", None))
        if report is not None and self.engine.name == "transformers":  # ours tells of listings and tokens
            generations = model.generate_ids(ids, self._max_new_tokens, on_finished=report.add,
                                             on_tokens=report.add_tokens)
        else:
            generations = model.generate_ids(ids, self._max_new_tokens)
            if report is not None:
                report.add_tokens(sum(g.output_tokens for g in generations))
                report.add(len(batch))
        self._done += len(batch)
        LOG.info("extracted a batch of %d in %.1fs (%d output tokens); %d so far in this worker", len(batch),
                 time.time() - started, sum(g.output_tokens for g in generations), self._done)
        return [PredictionResult(record, generation, self._model_version)
                for record, generation in zip(batch, generations)]

    def batch_elements_kwargs(self) -> dict[str, Any]:
        return {"min_batch_size": self._batch_size, "max_batch_size": self._batch_size}

    def share_model_across_processes(self) -> bool:
        return self.engine.shares_model_across_processes

    def get_metrics_namespace(self) -> str:
        return f"jobx_{self.engine.name}"
