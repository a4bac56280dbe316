"""`trainer label`'s parts that need no teacher: grounding a label, and the bundled configs."""
from __future__ import annotations

import json

from extraction.listings import Listing
from schemas.validation import parse_extraction
from tests.support.paths import FIXTURES, ROOT
from trainer.label.config import LabelConfig
from trainer.label.run import ground_label


def test_grounding_removes_the_design_notes_git():
    extraction = parse_extraction(json.loads((FIXTURES / "design_note_example.json").read_text()))
    cleaned, removed, _, names = ground_label(extraction, Listing("vaibe-1", (FIXTURES / "design_note_listing.txt").read_text()))
    assert "Git" in names and removed["technical_skills.devops_mlops_ci_cd_tools"] >= 1
    assert "Git" not in cleaned.required_qualifications.technical_skills.devops_mlops_ci_cd_tools
    assert "GitHub Actions" in cleaned.required_qualifications.technical_skills.devops_mlops_ci_cd_tools


def test_the_bundled_configs_parse_with_the_cli_parser(monkeypatch):
    from trl import TrlParser

    from trainer.label.config import teacher_settings

    monkeypatch.setenv("GEMINI_API_KEY", "k")
    (gemini,) = TrlParser((LabelConfig,)).parse_args_and_config(
        ["--config", str(ROOT / "trainer/configs/label-gemini.yaml"), "--sample", "50"])
    assert gemini.sample == 50 and gemini.requests_per_minute == 15
    settings = teacher_settings(gemini)
    assert (settings.model, settings.price_input_per_million, settings.prices_as_of) == ("gemini-2.0-flash", 0.10,
                                                                                       "2025-02-05")
    (local,) = TrlParser((LabelConfig,)).parse_args_and_config(
        ["--config", str(ROOT / "trainer/configs/label-local.yaml")])
    assert teacher_settings(local).response_format.value == "json_object_schema"
