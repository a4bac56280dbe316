"""The elements that travel between the pipeline's steps, and the dead-letter row."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Optional

from schemas.flatten import RunInfo
from schemas.listings import Listing

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class PromptRecord:
    """A listing ready for the model: its rendered prompt and whether the listing had to be cut."""

    listing: Listing
    prompt: str
    prompt_tokens: int
    listing_truncated: bool


class DeadLetter(Exception):
    """A record that cannot become rows; `reason` is the machine-readable cause stored in extraction_errors.

    Its fields are its args, so they survive Beam's `with_exception_handling`,
    which hands on only the exception's type and repr.
    """

    def __init__(self, stage: str, reason: str, detail: str, raw_output: Optional[str] = None):
        super().__init__(stage, reason, detail, raw_output)

    @property
    def stage(self) -> str:
        return self.args[0]

    @property
    def reason(self) -> str:
        return self.args[1]


def failure_fields(stage: str, failure: tuple) -> tuple[str, str, str, Optional[str]]:
    """(stage, reason, detail, raw_output) from a `with_exception_handling` failure (type, repr, traceback)."""
    exc_type, exc_repr, _ = failure
    if isinstance(exc_type, type) and issubclass(exc_type, DeadLetter):
        args = ast.literal_eval(exc_repr[len(exc_type.__name__):])
        return args[0], args[1], args[2], args[3]
    name = getattr(exc_type, "__name__", str(exc_type))
    return stage, "unexpected_error", f"{name}: {exc_repr}", None


def excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:EXCERPT_CHARS]


def error_row(
    run: RunInfo,
    job_id: Optional[str],
    stage: str,
    reason: str,
    detail: str,
    *,
    raw_output: Optional[str] = None,
    input_excerpt: Optional[str] = None,
) -> dict[str, Any]:
    """One `extraction_errors` row."""
    return {
        **run.keys(job_id or "(unknown)"),
        "stage": stage,
        "reason": reason,
        "detail": detail[:2000],
        "raw_output": raw_output,
        "input_excerpt": input_excerpt,
    }
