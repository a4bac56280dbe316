"""The teacher client: rate limit, backoff, Retry-After, presets, and running out of retries.

The retry tests put tests/support/fault_proxy.py in front of an address that never answers, so no server is
needed; tests/integration/test_teacher_server.py runs the faults against a real llama.cpp server.
"""
from __future__ import annotations

import email.utils
import random
import time

import pytest

from extraction.prompt import PromptStyle, messages
from schemas.decoding import decoding_schema
from tests.support.fault_proxy import FaultProxy
from tests.support.teacher import SHORT_LISTING, make_teacher
from trainer.label.config import LabelConfig, teacher_settings
from trainer.label.teacher import (
    RateLimiter,
    ResponseFormat,
    RetryPolicy,
    TeacherFailure,
    response_format_body,
    retry_after_seconds,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_requests_and_holds_for_retry_after():
    clock = FakeClock()
    limiter = RateLimiter(120, clock=clock)  # one every 0.5 s
    assert [limiter.reserve() for _ in range(4)] == [0.0, 0.5, 1.0, 1.5]
    clock.now += 10  # idle: no burst is saved up
    assert limiter.reserve() == 0.0
    limiter.hold(3.0)
    assert limiter.reserve() == 3.0
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    rng = random.Random(0)
    for retry, (low, high) in enumerate([(0.5, 1), (1, 2), (2, 4), (4, 8), (4, 8)]):
        delays = [policy.backoff(retry, rng) for _ in range(50)]
        assert all(low <= d <= high for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_retry_after_forms():
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 27 <= retry_after_seconds({"retry-after": date}) <= 31
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_response_formats_carry_the_decoding_schema():
    body = response_format_body(ResponseFormat.JSON_SCHEMA)
    assert body["type"] == "json_schema" and body["json_schema"]["schema"] == decoding_schema()
    assert response_format_body(ResponseFormat.JSON_OBJECT_SCHEMA) == {"type": "json_object",
                                                                      "schema": decoding_schema()}
    assert response_format_body(ResponseFormat.NONE) is None


def test_gemini_preset_is_one_flag(monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(ValueError, match="export GEMINI_API_KEY="):
        teacher_settings(LabelConfig(preset="gemini"))
    monkeypatch.setenv("GEMINI_API_KEY", "k")
    settings = teacher_settings(LabelConfig(preset="gemini"))
    assert settings.base_url == "https://generativelanguage.googleapis.com/v1beta/openai/"
    assert (settings.model, settings.api_key, settings.response_format) == ("gemini-2.0-flash", "k",
                                                                          ResponseFormat.JSON_SCHEMA)
    assert (settings.price_input_per_million, settings.price_output_per_million) == (0.10, 0.40)
    assert settings.prices_as_of
    other = teacher_settings(LabelConfig(preset="gemini", model="gemini-2.5-pro"))
    assert other.price_input_per_million is None  # the preset's prices are its own model's
    with pytest.raises(ValueError, match="no teacher"):
        teacher_settings(LabelConfig())
    with pytest.raises(ValueError, match="unknown"):
        teacher_settings(LabelConfig(preset="nope"))


# ------------------------------------------------------------------------------------------ real server

def test_retries_run_out_into_a_failure_with_its_reason(tmp_path):
    # every request fails at the proxy, so the upstream is never reached
    with FaultProxy("http://127.0.0.1:9", always="500") as proxy:
        teacher = make_teacher(proxy.url + "/v1", max_retries=2)
        with pytest.raises(TeacherFailure) as caught:
            teacher.complete(messages(SHORT_LISTING, PromptStyle.FULL))
    assert (caught.value.reason, caught.value.attempts) == ("server_error", 3)
    assert "HTTP 500: internal error (injected)" in caught.value.detail
    assert len(proxy.arrivals) == 3


def test_a_long_retry_after_fails_at_once():
    with FaultProxy("http://127.0.0.1:9", always="429", retry_after=3600) as proxy:
        teacher = make_teacher(proxy.url + "/v1")
        with pytest.raises(TeacherFailure, match="over max_retry_after"):
            teacher.complete(messages(SHORT_LISTING, PromptStyle.FULL))
    assert len(proxy.arrivals) == 1
