"""Where the test data lives, and the one JSONL reader the tests use to look at outputs."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
BUNDLED_ADAPTER = ROOT / "models" / "jobx-smollm2-135m-lora"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
