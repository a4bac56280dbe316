"""Atomic folder outputs: a run writes beside its output and replaces it only once it has succeeded.

A failed, killed or over-budget run therefore never touches the previous
output. Layout for `--output out/demo` and run `R`:

    out/.demo.staging-R/   the run writes its tables and run_summary.json here
    out/.demo.previous-R/  the old tables, for the instant between the two renames of `publish`
    out/.demo.failed-R/    a run over its failure budget: its dead letters and summary, kept for inspection

Only the entries a run writes (the four table folders and run_summary.json)
are replaced; anything else a user keeps in the output folder stays. On a
local disk each replacement is a rename. On object stores (gs://) there is no
rename: the old files are deleted and the new ones copied only after the run
succeeded, so a failure still leaves the old output, but a reader may see the
swap in progress.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from apache_beam.io.filesystems import FileSystems

from schemas.tables import TABLE_NAMES

LOG = logging.getLogger(__name__)

SUMMARY_FILE = "run_summary.json"
ENTRIES = (*TABLE_NAMES, SUMMARY_FILE)


def is_remote(path: str) -> bool:
    return "://" in path


def sibling(output: str, kind: str, run_id: str) -> str:
    """The hidden folder beside `output` for this run's staging, previous or failed files."""
    if is_remote(output):
        return f"{output.rstrip('/')}.{kind}-{run_id}"
    path = Path(output)
    return str(path.parent / f".{path.name}.{kind}-{run_id}")


def publish(staging: str, output: str, run_id: str) -> None:
    """Replace the run's entries in `output` with those in `staging`, then remove `staging`."""
    if is_remote(output):
        _publish_remote(staging, output)
        return
    target, previous = Path(output), Path(sibling(output, "previous", run_id))
    target.mkdir(parents=True, exist_ok=True)
    previous.mkdir(parents=True, exist_ok=True)
    for name in ENTRIES:  # move the old entries aside first, so no old and new shards ever mix
        if (target / name).exists():
            (target / name).rename(previous / name)
    for name in ENTRIES:
        if (Path(staging) / name).exists():
            (Path(staging) / name).rename(target / name)
    shutil.rmtree(previous)
    shutil.rmtree(staging, ignore_errors=True)
    LOG.info("published %s", output)


def _publish_remote(staging: str, output: str) -> None:
    prefix = output.rstrip("/")
    old = [m.path for name in ENTRIES for r in FileSystems.match([f"{prefix}/{name}*", f"{prefix}/{name}/**"])
           for m in r.metadata_list]
    if old:
        FileSystems.delete(sorted(set(old)))
    new = sorted({m.path for r in FileSystems.match([f"{staging}/**"]) for m in r.metadata_list})
    FileSystems.rename(new, [prefix + path[len(staging):] for path in new])
    LOG.info("published %s", output)


def failed_path(staging: str, output: str, run_id: str) -> str:
    """Where `keep_failed` puts a failed run's staging folder."""
    # nothing to rename on an object store: the staging prefix is the record
    return staging if is_remote(output) else sibling(output, "failed", run_id)


def keep_failed(staging: str, output: str, run_id: str) -> str:
    """Move a failed run's staging folder to `.failed-<run_id>` beside the output; returns where it went."""
    failed = failed_path(staging, output, run_id)
    if failed != staging:
        Path(staging).rename(failed)
    return failed
