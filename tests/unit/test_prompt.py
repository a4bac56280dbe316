"""Prompt layout (the note's), the schema text, fitting long listings, and the CLI."""
from __future__ import annotations

import json
import re

import pytest

from extraction.listings import normalise_listing
from extraction.prompt import (
    CLOSING_INSTRUCTION,
    SYSTEM_PROMPT,
    UNTRUSTED_NOTE,
    PromptStyle,
    count_tokens,
    fit_prompt,
    render,
    schema_definition,
)
from schemas.__main__ import main
from tests.support.paths import EXAMPLES


def test_schema_text_keeps_the_notes_layout_and_is_complete(note_example):
    text = schema_definition()
    assert text.startswith('{\n  "_comment": "Schema for storing structured job description data.",')
    body = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    # every key of the example output is described
    def keys(node, prefix=""):
        for k, v in node.items():
            yield prefix + k
            if isinstance(v, dict):
                yield from keys(v, prefix + k + ".")
    described = set(keys(body))
    for key in keys(note_example):
        leaf = key.split(".")[-1]
        assert any(d.endswith(leaf) for d in described), key
    # the note's fragments survive verbatim, and the garbled stretch is rebuilt
    assert '"description": "Set to true if the company explicitly states they offer visa sponsorship for this ' \
           'role, false if they state they do not. Null if not mentioned."' in text
    assert '"Relational Database Concepts", "NoSQL Concepts", "Other"]' in text
    assert '// Possible Values: Standardized tool names like "Jupyter Notebooks/Lab", "Alation (Data Catalog)"' in text
    assert '"enum": ["Specific Location / Remote Status Identified", "Not Specified"]' in text


def test_full_prompt_follows_the_note(tokenizer):
    text = render(tokenizer, "About Vaibe", PromptStyle.FULL)
    assert text.startswith("<|im_start|>system\n" + SYSTEM_PROMPT + UNTRUSTED_NOTE
                           + "\n\n**JSON Schema Definition:**\n\n```json\n{")
    assert text.endswith("<|im_start|>user\nJob Description:\nAbout Vaibe" + CLOSING_INSTRUCTION
                         + "<|im_end|>\n<|im_start|>assistant\n")


def test_compact_prompt_has_no_schema_text(tokenizer):
    text = render(tokenizer, "About Vaibe", PromptStyle.COMPACT)
    assert "JSON Schema Definition" not in text and "Job Description:\nAbout Vaibe" in text
    assert count_tokens(tokenizer, text) < 160 < 3000 < count_tokens(tokenizer, render(tokenizer, "", "full"))


def test_long_listing_is_cut_but_instructions_are_kept(tokenizer):
    listing = "Python and SQL. " * 3000
    fitted = fit_prompt(tokenizer, listing, PromptStyle.COMPACT, 1000)
    assert fitted.listing_truncated and fitted.prompt_tokens <= 1000
    assert fitted.text.endswith(CLOSING_INSTRUCTION + "<|im_end|>\n<|im_start|>assistant\n")
    short = fit_prompt(tokenizer, "Python and SQL.", PromptStyle.COMPACT, 1000)
    assert not short.listing_truncated
    with pytest.raises(ValueError, match="compact"):
        fit_prompt(tokenizer, listing, PromptStyle.FULL, 1000)


def test_listing_text_strips_html():
    listing = normalise_listing({"job_id": "1", "job_title": "BI Analyst",
                                 "job_description": "<p>Dashboards in <strong>PowerBI</strong> &amp; SQL</p>"})
    assert listing.text() == "Title: BI Analyst\n\nDashboards in PowerBI & SQL"


def test_cli_prompt_counts_tokens(capsys):
    assert main(["prompt", "--style", "compact", str(EXAMPLES / "listings.jsonl")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("style=compact listings=28 prompt_tokens min=")
    assert len(out) == 29


def test_cli_json_schema(capsys):
    assert main(["json-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["required"][0] == "job_summary"


def test_cli_validate_names_lines_and_fields(tmp_path, capsys, note_example):
    bad = dict(note_example, job_summary=dict(note_example["job_summary"], role_seniority="Guru"))
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join([json.dumps(note_example), json.dumps({"job_id": "j2", "extraction": bad}),
                               "{oops"]) + "\n")
    assert main(["validate", str(path), "--output", str(tmp_path / "ok.jsonl")]) == 1
    captured = capsys.readouterr()
    assert "1 valid, 2 invalid" in captured.out
    assert f"{path}:2 (job_id j2): schema_violation: job_summary.role_seniority: 'Guru'" in captured.err
    assert f"{path}:3: invalid_json" in captured.err
    assert len((tmp_path / "ok.jsonl").read_text().splitlines()) == 1


def test_bundled_labels_are_valid_and_canonical(capsys):
    for name in ("gold.jsonl", "train_labelled.jsonl"):
        assert main(["validate", str(EXAMPLES / name)]) == 0, capsys.readouterr().err
