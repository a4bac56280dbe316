"""Strict validation of teacher labels: a label that lacks a section or key is rejected, never filled in."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from schemas.validation import ExtractionError, missing_keys, parse_extraction
from tests.support.paths import EXAMPLES, ROOT, read_jsonl


def gold_label() -> dict:
    return read_jsonl(EXAMPLES / "gold.jsonl")[0]["extraction"]


def test_every_bundled_label_is_complete():
    for path in ("gold.jsonl", "train_labelled.jsonl"):
        for row in read_jsonl(EXAMPLES / path):
            assert missing_keys(row["extraction"]) == [], row["job_id"]
            parse_extraction(row["extraction"], strict=True)


def test_strict_names_every_missing_section_and_nested_key():
    label = gold_label()
    del label["benefits"]
    del label["required_qualifications"]["technical_skills"]["programming_languages"]["query"]
    del label["job_summary"]["visa_sponsorship"]
    parse_extraction(label)  # the lenient default fills them in
    with pytest.raises(ExtractionError) as caught:
        parse_extraction(label, strict=True)
    assert caught.value.reason == "schema_violation"
    assert caught.value.errors == [
        "job_summary.visa_sponsorship: required key is missing (strict mode)",
        "required_qualifications.technical_skills.programming_languages.query: required key is missing (strict mode)",
        "benefits: required key is missing (strict mode)",
    ]


def test_strict_reports_missing_keys_together_with_other_violations():
    label = gold_label()
    del label["role_context"]
    label["job_summary"]["role_seniority"] = "Wizard"
    with pytest.raises(ExtractionError) as caught:
        parse_extraction(json.dumps(label), strict=True)
    assert caught.value.errors[0] == "role_context: required key is missing (strict mode)"
    assert any(e.startswith("job_summary.role_seniority: 'Wizard' is not an allowed") for e in caught.value.errors)


def test_null_values_are_present_keys():
    label = gold_label()
    label["benefits"]["learning_platforms"] = None  # the note's teacher writes null for an empty list
    assert parse_extraction(label, strict=True).benefits.learning_platforms == []


def test_cli_validate_strict(tmp_path):
    label = gold_label()
    complete = {"job_id": "a", "extraction": label}
    partial = {"job_id": "b", "extraction": {k: v for k, v in label.items() if k != "benefits"}}
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (complete, partial)) + "\n")

    def validate(*flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "schemas", "validate", str(path), *flags], cwd=ROOT,
                              capture_output=True, text=True)

    lenient = validate()
    assert lenient.returncode == 0 and "2 valid, 0 invalid" in lenient.stdout
    strict = validate("--strict")
    assert strict.returncode == 1 and "1 valid, 1 invalid" in strict.stdout
    assert f"{path}:2 (job_id b): schema_violation: benefits: required key is missing (strict mode)" in strict.stderr
