"""The teacher client against a real llama.cpp server (tests/support/llama_server.py): each fault injected
by tests/support/fault_proxy.py is answered by a retry; what the server rejects is not retried.
"""
from __future__ import annotations

import pytest

from extraction.prompt import PromptStyle, messages
from tests.support import llama_server
from tests.support.fault_proxy import FaultProxy
from tests.support.teacher import SHORT_LISTING, make_teacher
from trainer.label.teacher import TeacherFailure, TeacherFatal


@pytest.fixture(scope="module")
def server() -> llama_server.LlamaServer:
    return llama_server.shared()


@pytest.mark.slow
def test_each_fault_is_retried_until_the_real_server_answers(server):
    faults = {1: "429", 2: "500", 3: "hang", 4: "drop", 5: "not_json"}
    with FaultProxy(server.root_url, faults, retry_after=1.5) as proxy:
        teacher = make_teacher(proxy.url + "/v1", timeout=20)
        reply = teacher.complete(messages(SHORT_LISTING, PromptStyle.FULL))
    assert proxy.injected == ["429", "500", "hang", "drop", "not_json", None]
    assert reply.attempts == 6 and teacher.requests == 6
    assert dict(teacher.retries) == {"rate_limited": 1, "server_error": 1, "timeout": 1, "connection_error": 1,
                                     "bad_response": 1}
    assert reply.finish_reason == "length" and reply.output_tokens == 4 and reply.input_tokens > 3000
    assert proxy.arrivals[1] - proxy.arrivals[0] >= 1.5  # Retry-After honoured
    assert proxy.arrivals[3] - proxy.arrivals[2] >= 20  # the hanging request waited out the client timeout


@pytest.mark.slow
def test_a_request_the_server_rejects_is_not_retried(server):
    too_long = SHORT_LISTING + " Python and SQL." * 2000  # over the server's context: HTTP 400
    teacher = make_teacher(server.base_url)
    with pytest.raises(TeacherFailure) as caught:
        teacher.complete(messages(too_long, PromptStyle.FULL))
    assert caught.value.reason == "bad_request" and caught.value.attempts == 1
    assert caught.value.detail.startswith("HTTP 400: This model's maximum context length is")


@pytest.mark.slow
def test_a_wrong_url_stops_everything(server):
    teacher = make_teacher(server.root_url + "/no-such-api")
    with pytest.raises(TeacherFatal, match="HTTP 404"):
        teacher.complete(messages(SHORT_LISTING, PromptStyle.FULL))
