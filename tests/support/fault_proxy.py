"""A small HTTP proxy that forwards to a real server and injects faults on chosen request numbers.

Tests put it between the labeller and the real llama.cpp server, so retries,
timeouts and resume run against real responses, and the faults are the ones a
hosted API really produces:

  "429"       429 Too Many Requests with `Retry-After: <retry_after>` and an OpenAI-style error body
  "500"       500 Internal Server Error with an error body
  "hang"      reads the request and never answers (until the proxy stops): the client's timeout fires
  "drop"      reads the request and closes the connection without a response
  "not_json"  200 OK with an HTML body, as a misbehaving gateway sends

It records the arrival time of every request (to check a rate limit) and
which fault each one got. Requests are numbered from 1 in arrival order;
`always` injects one fault into every request (for the failure budget).
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import urlsplit

FAULTS = ("429", "500", "hang", "drop", "not_json")
HANG_LIMIT_S = 60.0  # a hanging request is released after this, so no test can hang forever


class FaultProxy:
    def __init__(self, upstream: str, faults: Optional[dict[int, str]] = None, always: Optional[str] = None,
                 retry_after: float = 1.0):
        """`upstream` is the real server's base URL (http://host:port); `faults` maps request number → fault."""
        for fault in [*(faults or {}).values(), *([always] if always else [])]:
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; use one of {FAULTS}")
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.faults = dict(faults or {})
        self.always = always
        self.retry_after = retry_after
        self.arrivals: list[float] = []  # time.monotonic() of each request, in arrival order
        self.injected: list[Optional[str]] = []  # the fault each request got (None: forwarded)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> tuple[int, Optional[str]]:
        with self._lock:
            self.arrivals.append(time.monotonic())
            number = len(self.arrivals)
            fault = self.faults.get(number, self.always)
            self.injected.append(fault)
            return number, fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

            def _reply(self, status: int, body: bytes, content_type: str,
                       headers: Optional[dict[str, str]] = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _forward(self, method: str, body: Optional[bytes]) -> None:
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=600)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                    upstream.request(method, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                    self._reply(response.status, data, response.getheader("Content-Type", "application/json"))
                finally:
                    upstream.close()

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                _, fault = proxy._next()
                if fault is None:
                    self._forward(method, body)
                elif fault == "429":
                    self._reply(429, b'{"error": {"message": "Rate limit reached (injected)", "type": '
                                     b'"rate_limit_error"}}', "application/json",
                                {"Retry-After": f"{proxy.retry_after:g}"})
                elif fault == "500":
                    self._reply(500, b'{"error": {"message": "internal error (injected)"}}', "application/json")
                elif fault == "hang":
                    proxy._released.wait(HANG_LIMIT_S)
                    self.close_connection = True
                elif fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:  # not_json
                    self._reply(200, b"<html><body>502 Bad Gateway (injected)</body></html>", "text/html")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_GET(self) -> None:
                self._handle("GET")

        return Handler
