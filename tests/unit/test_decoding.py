"""The decoding schema: generated from the models, bounded, compiled by xgrammar, with a finite budget."""
from __future__ import annotations

import json

import pytest

from schemas.decoding import decoding_schema, dumps, longest_output, token_budget
from schemas.validation import canonical_json, parse_extraction


def _walk(node, path="$"):
    yield path, node
    for key in ("properties",):
        for name, child in node.get(key, {}).items():
            yield from _walk(child, f"{path}.{name}")
    if "items" in node:
        yield from _walk(node["items"], f"{path}[]")
    for i, option in enumerate(node.get("anyOf", [])):
        yield from _walk(option, f"{path}|{i}")


def test_every_string_list_and_integer_is_bounded():
    for path, node in _walk(decoding_schema()):
        kind = node.get("type")
        if kind == "string" and "enum" not in node:
            assert "maxLength" in node, path
        if kind == "array":
            assert "maxItems" in node, path
        if kind == "integer":
            assert "maximum" in node, path
        if kind == "object":
            assert node["additionalProperties"] is False and node["required"] == list(node["properties"]), path


def test_longest_output_is_a_valid_extraction():
    text = longest_output()
    extraction = parse_extraction(text, strict=True)  # raises ExtractionError on a missing key or a bad value
    assert extraction.job_summary.role_title  # filled, not emptied by validation
    # canonical values (trimmed, deduplicated) are never longer than what the decoder may write
    assert len(canonical_json(extraction)) <= len(text)


def test_budget_is_stated_for_the_embedded_tokenizer(tokenizer):
    budget = token_budget(tokenizer)
    assert 2000 < budget < 8192  # fits SmolLM2's context with a compact prompt
    assert budget == len(tokenizer(longest_output(), add_special_tokens=False)["input_ids"]) + 1


@pytest.fixture(scope="module")
def compiled(tokenizer):
    from inference.engine import compile_grammar

    return compile_grammar(tokenizer, len(tokenizer), [tokenizer.eos_token_id])


def _accepts(compiled, tokenizer, text: str) -> bool:
    import xgrammar as xgr

    matcher = xgr.GrammarMatcher(compiled)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return all(matcher.accept_token(i) for i in ids) and matcher.is_terminated()


def test_grammar_accepts_canonical_output_and_rejects_out_of_bounds(compiled, tokenizer, note_example):
    text = canonical_json(parse_extraction(note_example))
    assert _accepts(compiled, tokenizer, text)
    assert _accepts(compiled, tokenizer, longest_output())
    value = json.loads(text)
    value["job_summary"]["role_title"] = "x" * 81
    assert not _accepts(compiled, tokenizer, dumps(value))
    value = json.loads(text)
    value["required_qualifications"]["experience_years_min"] = 500
    assert not _accepts(compiled, tokenizer, dumps(value))
    assert not _accepts(compiled, tokenizer, json.dumps(json.loads(text), indent=2))  # no free whitespace
