"""Dead letters: a record that cannot become rows, why, and its `extraction_errors` row."""
from __future__ import annotations

import ast
from typing import Any, Optional

from extraction.rows import RunInfo

EXCERPT_CHARS = 500
UNKNOWN_JOB_ID = "(unknown)"


class DeadLetter(Exception):
    """A record that cannot become rows; `reason` is the machine-readable cause stored in extraction_errors.

    Its fields are its args, so they survive Beam's `with_exception_handling`,
    which hands on only the exception's type and repr.
    """

    def __init__(self, stage: str, reason: str, detail: str, raw_output: Optional[str] = None,
                 input_excerpt: Optional[str] = None, job_id: Optional[str] = None):
        super().__init__(stage, reason, detail, raw_output, input_excerpt, job_id)

    @property
    def stage(self) -> str:
        return self.args[0]

    @property
    def reason(self) -> str:
        return self.args[1]

    @property
    def detail(self) -> str:
        return self.args[2]

    @property
    def raw_output(self) -> Optional[str]:
        """What the model wrote (for records that failed after inference)."""
        return self.args[3]

    @property
    def input_excerpt(self) -> Optional[str]:
        """The raw input as read (for records that never became a listing)."""
        return self.args[4]

    @property
    def job_id(self) -> Optional[str]:
        """The record's job_id when a reader could still make it out of a record it could not read whole."""
        return self.args[5]


def failure_letter(stage: str, failure: tuple) -> DeadLetter:
    """The DeadLetter behind a `with_exception_handling` failure (type, repr, traceback).

    Any other exception becomes an `unexpected_error` letter naming its type.
    """
    exc_type, exc_repr, _ = failure
    if isinstance(exc_type, type) and issubclass(exc_type, DeadLetter):
        return DeadLetter(*ast.literal_eval(exc_repr[len(exc_type.__name__):]))
    name = getattr(exc_type, "__name__", str(exc_type))
    return DeadLetter(stage, "unexpected_error", f"{name}: {exc_repr}")


def excerpt(value: Any) -> str:
    """The first characters of an input as readable text (bytes decoded, undecodable ones as \\xNN)."""
    if isinstance(value, bytes):
        text = value[:EXCERPT_CHARS * 4].decode("utf-8", errors="backslashreplace")
    else:
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
        **run.keys(UNKNOWN_JOB_ID if job_id is None or job_id == "" else str(job_id)),
        "stage": stage,
        "reason": reason,
        "detail": detail[:2000],
        "raw_output": raw_output,
        "input_excerpt": input_excerpt,
    }
