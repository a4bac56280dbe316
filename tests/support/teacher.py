"""A teacher client with fast retries, for the tests that send it faults."""
from __future__ import annotations

from tests.support import llama_server
from trainer.label.teacher import RateLimiter, ResponseFormat, RetryPolicy, Teacher

SHORT_LISTING = "Title: Data Engineer\n\nWe build pipelines with Python and SQL on AWS. Remote in Portugal."


def make_teacher(base_url: str, *, timeout: float = 60, max_retries: int = 6, fmt=ResponseFormat.JSON_OBJECT_SCHEMA,
                 rpm: float = 6000) -> Teacher:
    return Teacher(base_url, llama_server.MODEL_ALIAS, "no-key", response_format=fmt, max_tokens=4,
                   timeout=timeout, limiter=RateLimiter(rpm),
                   policy=RetryPolicy(max_retries=max_retries, backoff_base=0.05, backoff_max=0.2))
