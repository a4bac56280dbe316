"""The JSON Schema handed to the constrained decoder (xgrammar on CPU, vLLM structured outputs on GPU).

It is generated from the pydantic models, so the grammar and validation can
never disagree: every property is required and in model order, nothing extra
is allowed, and every string, list and integer is bounded. The bounds make the
longest admissible output finite; `token_budget` measures it.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from schemas.models import JobExtraction

# json.dumps' default separators: what xgrammar emits with any_whitespace=False and no indent,
# and what the design note's example output uses. Training targets are written the same way.
SEPARATORS = (", ", ": ")
_DROP = {"title", "description", "default", "possible_values", "possible_values_etc", "possible_values_note"}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        out = {k: _inline(v, defs) for k, v in node.items() if k not in _DROP and k != "$defs"}
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


@lru_cache(maxsize=1)
def _schema_text() -> str:
    raw = JobExtraction.model_json_schema()
    return json.dumps(_inline(raw, raw.get("$defs", {})))


def decoding_schema() -> dict[str, Any]:
    """A fresh copy of the bounded, self-contained decoding schema."""
    return json.loads(_schema_text())


def dumps(value: Any) -> str:
    """Serialise exactly as the constrained decoder writes: default separators, raw Unicode."""
    return json.dumps(value, ensure_ascii=False, separators=SEPARATORS)


# Filler for the longest output: job-ad text in Portuguese and German, whose accents cost more
# tokens than English, so the measured budget errs on the long side for real outputs.
_FILLER = (
    "Experiência comprovada em engenharia de dados, integração contínua e gestão de serviços na nuvem; "
    "Erfahrung mit Datenplattformen, Qualitätssicherung und Zusammenarbeit über Teamgrenzen hinweg. "
)


def _longest(node: dict[str, Any], counter: list[int]) -> Any:
    if "anyOf" in node:
        candidates = [_longest(option, counter) for option in node["anyOf"]]
        return max(candidates, key=lambda v: len(dumps(v)))
    if "enum" in node:
        return max(node["enum"], key=lambda v: len(dumps(v)))
    kind = node.get("type")
    if kind == "object":
        return {k: _longest(v, counter) for k, v in node["properties"].items()}
    if kind == "array":
        return [_longest(node["items"], counter) for _ in range(node["maxItems"])]
    if kind == "string":
        counter[0] += 1
        start = (counter[0] * 37) % len(_FILLER)
        text = (_FILLER * 3)[start : start + node["maxLength"]]
        return text
    if kind == "integer":
        return node["maximum"]
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise ValueError(f"unbounded or unknown schema node: {node}")


def longest_output() -> str:
    """The longest JSON the schema admits, filled with job-ad text (every list full, every string at its bound)."""
    return dumps(_longest(decoding_schema(), [0]))


def token_budget(tokenizer: Any) -> int:
    """Tokens of `longest_output()` plus the end-of-turn token: the default `max_new_tokens`.

    Greedy decoding writes text in the tokenizer's own segmentation, so real
    outputs end within this budget. A model that spelled text in unusually
    small pieces could exceed it; the pipeline then dead-letters the record as
    `truncated` instead of writing a partial row.
    """
    return len(tokenizer(longest_output(), add_special_tokens=False)["input_ids"]) + 1
