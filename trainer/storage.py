"""gs:// outputs: train into a local folder, then upload it, since Trainer and save_pretrained write local files."""
from __future__ import annotations

import tempfile
from pathlib import Path


def is_gcs(path: str) -> bool:
    return path.startswith("gs://")


def local_dir_for(output: str) -> Path:
    """The folder to write into: `output` itself, or a scratch folder when it is on GCS."""
    if is_gcs(output):
        return Path(tempfile.mkdtemp(prefix="jobx-train-"))
    path = Path(output)
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_dir(local: Path, gs_uri: str) -> int:
    """Copy every file under `local` to `gs_uri` (needs Google Cloud credentials); returns the file count."""
    from google.cloud import storage

    bucket_name, _, prefix = gs_uri.removeprefix("gs://").partition("/")
    bucket = storage.Client().bucket(bucket_name)
    count = 0
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        name = "/".join(part for part in (prefix.rstrip("/"), path.relative_to(local).as_posix()) if part)
        bucket.blob(name).upload_from_filename(str(path))
        count += 1
    return count
