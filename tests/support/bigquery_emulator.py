"""Start a real BigQuery emulator (bqemulator: REST + Storage gRPC over DuckDB) for the tests, offline.

bqemulator installs DuckDB's spatial extension at start, which needs the
internet; the PyPI package duckdb-extension-spatial ships the same file, so it
is placed where DuckDB looks for it, under a private HOME for the emulator.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import util
from pathlib import Path

import duckdb

from tests.support.processes import free_port, stop


@dataclass
class Emulator:
    project: str
    rest: str  # http://127.0.0.1:PORT
    grpc: str  # 127.0.0.1:PORT
    process: subprocess.Popen
    home: Path

    def stop(self) -> None:
        stop(self.process)
        shutil.rmtree(self.home, ignore_errors=True)


def _install_extensions(home: Path) -> None:
    version = "v" + duckdb.__version__
    target = home / ".duckdb" / "extensions" / version / "linux_amd64"
    target.mkdir(parents=True)
    for name in ("spatial", "avro"):
        spec = util.find_spec(f"duckdb_extension_{name}")
        if spec is None:
            raise RuntimeError(f"pip install duckdb-extension-{name}=={duckdb.__version__}")
        source = Path(list(spec.submodule_search_locations)[0]) / "extensions" / version / f"{name}.duckdb_extension"
        shutil.copy(source, target)


def start(project: str = "test-project", timeout: float = 60.0) -> Emulator:
    home = Path(tempfile.mkdtemp(prefix="bqemu-home-"))
    _install_extensions(home)
    rest_port, grpc_port = free_port(), free_port()
    log = open(home / "emulator.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "bqemulator"), "start", "--rest-port", str(rest_port), "--grpc-port",
         str(grpc_port), "--project", project, "--log-level", "warning"],
        env={**os.environ, "HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bqemulator exited: {(home / 'emulator.log').read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", rest_port), timeout=0.5), \
                    socket.create_connection(("127.0.0.1", grpc_port), timeout=0.5):
                return Emulator(project, f"http://127.0.0.1:{rest_port}", f"127.0.0.1:{grpc_port}", process, home)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"bqemulator did not open its ports in {timeout}s")
