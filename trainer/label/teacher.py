"""The teacher: any OpenAI-compatible chat endpoint, called politely and never trusted blindly.

One `Teacher` is shared by the labelling threads. Every HTTP attempt first
takes a slot from a shared `RateLimiter` (requests start at least 60/rpm
seconds apart, retries included), so a requests-per-minute quota holds however
many threads wait. Transient failures (429, 5xx, timeouts, dropped
connections, a body that is not a chat completion) are retried with
exponential backoff and jitter; a Retry-After header is honoured and also
holds back the other threads, because a 429 is about the account, not the
request. What cannot succeed by retrying raises `TeacherFailure` (the listing
stays to be labelled on the next run) or `TeacherFatal` (wrong key, model or
URL: the run stops at once). The openai client's own retries are off, so
every attempt is counted and rate-limited here.
"""
from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Optional

from schemas.decoding import decoding_schema

LOG = logging.getLogger(__name__)


class ResponseFormat(str, Enum):
    """How the server is asked for structured output; labels are validated whichever is used."""

    JSON_SCHEMA = "json_schema"  # OpenAI's form: OpenAI, Gemini, vLLM, Ollama, llama.cpp's llama-server
    JSON_OBJECT_SCHEMA = "json_object_schema"  # {"type": "json_object", "schema": ...}: llama-cpp-python's server
    JSON_OBJECT = "json_object"  # JSON mode without a schema
    NONE = "none"  # plain text; the prompt's schema text is all the model gets


def response_format_body(mode: ResponseFormat) -> Optional[dict[str, Any]]:
    """The request's `response_format` for `mode`, with the project's bounded decoding schema."""
    mode = ResponseFormat(mode)
    if mode is ResponseFormat.JSON_SCHEMA:
        return {"type": "json_schema",
                "json_schema": {"name": "job_extraction", "strict": True, "schema": decoding_schema()}}
    if mode is ResponseFormat.JSON_OBJECT_SCHEMA:
        return {"type": "json_object", "schema": decoding_schema()}
    if mode is ResponseFormat.JSON_OBJECT:
        return {"type": "json_object"}
    return None


@dataclass(frozen=True)
class TeacherPreset:
    """A named endpoint, so a documented setup is one flag. Prices are USD per 1M tokens as of a date."""

    base_url: str
    model: str
    api_key_env: Optional[str]
    response_format: ResponseFormat
    price_input_per_million: Optional[float] = None
    price_output_per_million: Optional[float] = None
    prices_as_of: Optional[str] = None


PRESETS: dict[str, TeacherPreset] = {
    # The design note's teacher. Prices: Google's Gemini API paid tier for gemini-2.0-flash (text input,
    # output), as published when the model became generally available on 2025-02-05; check them before a
    # large run, and override price_*_per_million when they change.
    "gemini": TeacherPreset(
        base_url="https://generativelanguage.googleapis.com/v1beta/openai/",
        model="gemini-2.0-flash",
        api_key_env="GEMINI_API_KEY",
        response_format=ResponseFormat.JSON_SCHEMA,
        price_input_per_million=0.10,
        price_output_per_million=0.40,
        prices_as_of="2025-02-05",
    ),
}


@dataclass(frozen=True)
class TeacherReply:
    """One completed chat call: the text and what the server said about it."""

    text: Optional[str]
    finish_reason: Optional[str]
    refusal: Optional[str]
    input_tokens: int
    output_tokens: int
    attempts: int


class TeacherFailure(Exception):
    """The call did not succeed within the retry policy; `reason` is one of the retry reasons or bad_request."""

    def __init__(self, reason: str, detail: str, attempts: int):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.attempts = attempts


class TeacherFatal(Exception):
    """No request can succeed with this configuration (credentials, model name, URL): stop the run."""


class Stopped(Exception):
    """The run is stopping; a waiting call gives up instead of retrying."""


class RateLimiter:
    """Starts at most `requests_per_minute` requests a minute, evenly spaced, across all threads."""

    def __init__(self, requests_per_minute: float, clock: Callable[[], float] = time.monotonic):
        if requests_per_minute <= 0:
            raise ValueError(f"requests_per_minute must be positive, got {requests_per_minute}")
        self.interval = 60.0 / requests_per_minute
        self._clock = clock
        self._next = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Book the next free slot; returns how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
            return slot - now

    def hold(self, seconds: float) -> None:
        """Start no request for `seconds` from now (a server's Retry-After)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 6
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 300.0

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Exponential backoff with "equal jitter": half the step fixed, half random, so threads spread out."""
        step = min(self.backoff_max, self.backoff_base * 2 ** retry)
        return step / 2 + rng.uniform(0, step / 2)


def retry_after_seconds(headers: Any) -> Optional[float]:
    """Retry-After (seconds or an HTTP date) or retry-after-ms, as a delay in seconds; None when absent."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True)
class _Attempt:
    """Why one attempt failed and whether another may help."""

    reason: str
    detail: str
    retryable: bool
    retry_after: Optional[float] = None


def _status_detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message", message)
    text = message or getattr(exc, "message", None) or str(exc)
    return f"HTTP {exc.status_code}: {' '.join(str(text).split())[:300]}"


def classify(exc: BaseException) -> _Attempt:
    """Sort an exception from the openai client into a retry reason (or raise TeacherFatal)."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return _Attempt("timeout", "no response within the request timeout", True)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return _Attempt("connection_error", f"{type(cause).__name__}: {cause}"[:300], True)
    if isinstance(exc, openai.APIResponseValidationError):
        return _Attempt("bad_response", str(exc)[:300], True)
    if isinstance(exc, openai.APIStatusError):
        status, detail = exc.status_code, _status_detail(exc)
        after = retry_after_seconds(exc.response.headers)
        if status == 429:
            return _Attempt("rate_limited", detail, True, after)
        if status >= 500 or status in (408, 409):
            return _Attempt("server_error", detail, True, after)
        if status in (401, 403, 404):
            raise TeacherFatal(f"the teacher refused every request: {detail} (check the API key, model and "
                               "base_url)")
        return _Attempt("bad_request", detail, False)
    raise exc


def _reply(completion: Any, attempts: int) -> TeacherReply:
    """The parts of a chat completion we use; anything that is not one is a bad_response."""
    choices = getattr(completion, "choices", None)
    if not choices:
        shown = completion if isinstance(completion, str) else type(completion).__name__
        raise ValueError(f"not a chat completion: {str(shown)[:200]!r}")
    choice = choices[0]
    message = getattr(choice, "message", None)
    usage = getattr(completion, "usage", None)
    return TeacherReply(
        text=getattr(message, "content", None),
        finish_reason=getattr(choice, "finish_reason", None),
        refusal=getattr(message, "refusal", None),
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        attempts=attempts,
    )


class Teacher:
    """A chat model behind an OpenAI-compatible endpoint, shared by threads; counts every request it makes."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str,
        *,
        response_format: ResponseFormat = ResponseFormat.JSON_SCHEMA,
        temperature: float = 0.0,
        max_tokens: int = 8192,
        timeout: float = 120.0,
        limiter: RateLimiter,
        policy: RetryPolicy = RetryPolicy(),
        stop: Optional[threading.Event] = None,
        seed: int = 0,
    ):
        import openai

        self.model = model
        self.max_tokens = max_tokens
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=0)
        self._format = response_format_body(response_format)
        self._temperature = temperature
        self._limiter = limiter
        self._policy = policy
        self._stop = stop or threading.Event()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.requests = 0
        self.retries: Counter[str] = Counter()

    def _wait(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise Stopped()

    def complete(self, messages: list[dict[str, str]]) -> TeacherReply:
        """One chat completion, retried per the policy. Raises TeacherFailure, TeacherFatal or Stopped."""
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self._temperature,
                                "max_tokens": self.max_tokens}
        if self._format is not None:
            body["response_format"] = self._format
        retry = 0
        while True:
            self._wait(self._limiter.reserve())
            with self._lock:
                self.requests += 1
            try:
                return _reply(self._client.chat.completions.create(**body), retry + 1)
            except ValueError as exc:  # a body that is not JSON (JSONDecodeError) or not a chat completion
                attempt = _Attempt("bad_response", f"{type(exc).__name__}: {exc}"[:300], True)
            except Exception as exc:  # the openai client's errors; anything else is re-raised by classify
                attempt = classify(exc)
            if not attempt.retryable or retry >= self._policy.max_retries:
                raise TeacherFailure(attempt.reason, attempt.detail, retry + 1)
            if attempt.retry_after is not None and attempt.retry_after > self._policy.max_retry_after:
                raise TeacherFailure(attempt.reason, f"{attempt.detail}; Retry-After {attempt.retry_after:.0f}s "
                                     f"is over max_retry_after {self._policy.max_retry_after:.0f}s", retry + 1)
            delay = self._policy.backoff(retry, self._rng)
            if attempt.retry_after is not None:
                delay = max(delay, attempt.retry_after)
                self._limiter.hold(attempt.retry_after)
            with self._lock:
                self.retries[attempt.reason] += 1
            LOG.info("teacher: %s (%s); retry %d of %d in %.1fs", attempt.reason, attempt.detail, retry + 1,
                     self._policy.max_retries, delay)
            retry += 1
            self._wait(delay)
