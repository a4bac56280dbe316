"""Which engine to load, as a small picklable value: the Beam handler and the trainer's evaluation hold an
`EngineSpec` and call `load()` where the model should live (once per worker process)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from inference.engine import DEFAULT_SLOTS, Engine

ENGINES = ("transformers", "vllm")


@dataclass(frozen=True)
class EngineSpec:
    """`name` is "transformers" (our continuous decoder) or "vllm"; `vllm_options` are `VLLMSettings` fields."""

    name: str
    model: Optional[str]  # a model spec (None: the embedded model with the shipped adapter)
    slots: int = DEFAULT_SLOTS
    vllm_options: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise ValueError(f"--engine {self.name}: unknown engine (choose from {', '.join(ENGINES)})")

    @property
    def shares_model_across_processes(self) -> bool:
        """vLLM holds one copy per worker machine; our decoder is one model per single-threaded process."""
        return self.name == "vllm"

    def load(self) -> Engine:
        if self.name == "vllm":
            from inference.vllm_engine import VLLMEngine, VLLMSettings

            return VLLMEngine.load(self.model, VLLMSettings(**self.vllm_options))
        from inference.transformers_engine import TransformersEngine

        return TransformersEngine.load(self.model, slots=self.slots)
