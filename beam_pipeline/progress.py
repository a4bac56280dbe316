"""What a local run shows while it decodes: a progress bar with rate and ETA, fed by every decoder process.

On the DirectRunner the decoders may run in Beam's worker processes, out of the launcher's sight. Each one
writes its count of finished listings, with its engine and thread count, to a small file of its own in a
folder the launcher names in `JOBX_PROGRESS_DIR`; the launcher sums the files a few times a second. The same
files tell the run summary how many decoders ran and with how many threads. Where the variable is unset
(Dataflow, tests that build their own pipeline) nothing is written.
"""
from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

from beam_pipeline.decoders import decoders_phrase

ENV = "JOBX_PROGRESS_DIR"
LOG = logging.getLogger(__name__)
_REPORTS: dict[tuple[int, str], "DecoderReport"] = {}
_REPORTS_LOCK = threading.Lock()


class DecoderReport:
    """One decoder process's running count, rewritten whole (a rename) so a reader never sees half a file."""

    def __init__(self, folder: Path, engine: str, threads: Optional[int]):
        self._path = folder / f"decoder-{os.getpid()}.json"
        self._lock = threading.Lock()
        self._state = {"pid": os.getpid(), "engine": engine, "threads": threads, "done": 0, "tokens": 0}
        self._write()

    def add(self, n: int) -> None:
        """n more listings decoded."""
        with self._lock:
            self._state["done"] += n
            self._write()

    def add_tokens(self, n: int) -> None:
        """n more output tokens chosen (the decoder calls this about once a second)."""
        with self._lock:
            self._state["tokens"] += n
            self._write()

    def _write(self) -> None:
        partial = self._path.with_suffix(".part")
        partial.write_text(json.dumps(self._state))
        os.replace(partial, self._path)


def decoder_report(engine: str, threads: Optional[int]) -> Optional[DecoderReport]:
    """This process's report for `engine` (one per process, however many handler copies ask), or None when
    the launcher asked for none."""
    folder = os.environ.get(ENV)
    if not folder or not Path(folder).is_dir():
        return None
    with _REPORTS_LOCK:
        key = (os.getpid(), folder)
        if key not in _REPORTS:
            _REPORTS[key] = DecoderReport(Path(folder), engine, threads)
        return _REPORTS[key]


def count_records(source: Optional[str], limit: Optional[int] = None,
                  max_bytes: int = 256 * 2**20) -> Optional[int]:
    """How many records a run will read, when that is cheap to know (local files up to `max_bytes`; parquet
    from its footer): the bar's total. None for BigQuery, remote or larger input (the bar then shows a rate)."""
    from extraction.readers import check_sources, input_format, iter_file_records

    if not source or "://" in source:
        return limit
    paths = check_sources(source)
    if sum(os.path.getsize(path) for path in paths) > max_bytes:
        return limit
    total = 0
    for path in paths:
        if input_format(path) == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        else:
            total += sum(1 for _ in iter_file_records(path))
    return min(total, limit) if limit else total


def read_reports(folder: Path) -> list[dict[str, Any]]:
    reports = []
    for path in sorted(folder.glob("decoder-*.json")):
        try:
            reports.append(json.loads(path.read_text()))
        except (OSError, ValueError):  # replaced between the listing and the read: the next poll sees it
            pass
    return reports


def describe_decoders(reports: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The run summary's `decoders`: how many processes decoded, with how many threads each."""
    if not reports:
        return None
    threads = sorted({r["threads"] for r in reports if r.get("threads") is not None})
    return {"processes": len(reports), "threads_each": threads[0] if len(threads) == 1 else (threads or None),
            "engine": reports[0]["engine"], "listings_each": [r["done"] for r in reports]}


class ProgressBar:
    """A tqdm bar over listings decoded, while the pipeline runs. Where stderr is not a terminal (a log
    file, CI) the bar is off and a log line says the same every `log_seconds`. Either way a log line says
    when each decoder process has loaded its model: Beam's worker processes log only warnings to the launcher.

    `total` is the number of records to read when it is known (a local file, --limit); listings that never
    reach the model (duplicates, dead letters before it) leave the bar short of it, and the run summary says
    where they went.
    """

    def __init__(self, total: Optional[int], poll_seconds: float = 0.5, log_seconds: float = 30.0):
        self.total = total
        self.poll_seconds = poll_seconds
        self.log_seconds = log_seconds
        self.reports: list[dict[str, Any]] = []
        self.done = 0
        self._folder: Optional[tempfile.TemporaryDirectory] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._previous_env: Optional[str] = None

    def __enter__(self) -> "ProgressBar":
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._folder = tempfile.TemporaryDirectory(prefix="jobx-progress-")
        self._previous_env = os.environ.get(ENV)
        os.environ[ENV] = self._folder.name  # Beam's worker processes inherit it
        self._bar = tqdm(total=self.total, unit="listing", desc="decoding", disable=None, dynamic_ncols=True,
                         smoothing=0.1)
        self._redirect = logging_redirect_tqdm()  # log lines print above the bar instead of through it
        self._redirect.__enter__()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._poll, name="progress", daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        shown, last_log = "", time.monotonic()
        while not self._stop.wait(self.poll_seconds):
            shown = self._refresh(shown)
            if self._bar.disable and time.monotonic() - last_log >= self.log_seconds:
                LOG.info("decoded %d%s listings in %.0fs (%s)", self.done, f"/{self.total}" if self.total else "",
                         time.monotonic() - self._started, shown or "no decoder loaded yet")
                last_log = time.monotonic()
        self._refresh(shown)

    def _refresh(self, shown: str) -> str:
        known = {r["pid"] for r in self.reports}
        self.reports = read_reports(Path(self._folder.name))
        for report in self.reports:
            if report["pid"] not in known:
                threads = report["threads"]
                LOG.info("decoder process %d loaded its model (%s engine, %s thread%s)", report["pid"],
                         report["engine"], "default" if threads is None else threads, "" if threads == 1 else "s")
        done = sum(r["done"] for r in self.reports)
        if done != self.done:  # a disabled bar counts nothing: the count is kept here
            self._bar.update(done - self.done)
            self.done = done
        decoders = describe_decoders(self.reports)
        label = ""
        if decoders:
            tokens = sum(r.get("tokens", 0) for r in self.reports)
            seconds = time.monotonic() - self._started
            label = (decoders_phrase(decoders["processes"], decoders["threads_each"], noun="decoder")
                     + (f", {tokens:,} tokens, {tokens / seconds:.0f} tok/s" if tokens and seconds > 0 else ""))
        if label != shown:
            self._bar.set_postfix_str(label)
        return label

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._redirect.__exit__(*exc)
        self._bar.close()
        if self._previous_env is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = self._previous_env
        self._folder.cleanup()

    @property
    def decoders(self) -> Optional[dict[str, Any]]:
        return describe_decoders(self.reports)


# ------------------------------------------------------------------------------------------------ quiet

# Warnings a person running the pipeline cannot act on, each matched whole:
_UNACTIONABLE = [
    # Beam's RunInference measures memory with a module it imports beside scipy; without scipy it warns on
    # every model load (resource is there; the import that failed was scipy's)
    r"Resource module is not available for current platform, memory usage cannot be fetched\.",
    # Beam's worker processes on the multi-process DirectRunner: no main session to load (we save none) and
    # two of the runner's own flags the worker does not know
    r"No semi_persistent_directory found: .*",
    r"Discarding unparseable args: \[(?:\\?'--(?:direct_runner_use_stacked_bundle|pipeline_type_check)\\?'(?:, )?)+\]",
]
_UNACTIONABLE_RE = re.compile("|".join(f"(?:{p})" for p in _UNACTIONABLE))


class _DropUnactionable(logging.Filter):
    """Drops the warnings above, logged directly or relayed from a worker process (inside the relayed text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _UNACTIONABLE_RE.search(record.getMessage())


def quiet_unactionable_warnings() -> None:
    """Install the filter on the loggers those warnings come through: the root logger (in-process runs) and
    the local job service that relays the worker processes' logs."""
    for name in ("", "apache_beam.runners.portability.local_job_service"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropUnactionable) for f in logger.filters):
            logger.addFilter(_DropUnactionable())
