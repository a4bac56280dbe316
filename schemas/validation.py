"""Turning raw model output or labels into validated extractions, with errors a person can act on."""
from __future__ import annotations

import json
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from schemas.decoding import dumps
from schemas.models import JobExtraction


class ExtractionError(ValueError):
    """A value that is not a valid extraction; `reason` is short and machine-readable, `errors` name fields."""

    def __init__(self, reason: str, errors: list[str]):
        super().__init__(f"{reason}: " + "; ".join(errors))
        self.reason = reason
        self.errors = errors


def format_errors(exc: ValidationError) -> list[str]:
    """One line per problem: the dotted field path, then what is wrong."""
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "(root)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling against the schema"
        elif err["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{path}: {message}")
    return lines


def missing_keys(value: dict[str, Any], model: type[BaseModel] = JobExtraction, prefix: str = "") -> list[str]:
    """Dotted paths of every section and key of the schema that `value` lacks, at every depth.

    The models fill absent keys with defaults, which is right for stored rows
    but wrong for a teacher's label: a label without `benefits` says nothing
    about benefits, and training on the filled-in defaults would teach the
    student that the listing offers none.
    """
    paths: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        if name not in value:
            paths.append(path)
            continue
        nested = field.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel) and isinstance(value[name], dict):
            paths += missing_keys(value[name], nested, path)
    return paths


def parse_extraction(value: Union[str, bytes, dict[str, Any]], strict: bool = False) -> JobExtraction:
    """Validate and normalise one extraction given as JSON text or a dict.

    Raises ExtractionError with reason `invalid_json` (not JSON), `not_an_object`
    or `schema_violation` (with one message per offending field). `strict`
    also rejects an object that lacks any section or key of the schema (each
    missing path is named) instead of filling it with its default.
    """
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ExtractionError("invalid_json", [f"(root): {exc.msg} at line {exc.lineno} column {exc.colno}"])
        except RecursionError:
            raise ExtractionError("invalid_json", ["(root): nested too deeply to parse"]) from None
    if not isinstance(value, dict):
        raise ExtractionError("not_an_object", [f"(root): expected a JSON object, got {type(value).__name__}"])
    missing = [f"{path}: required key is missing (strict mode)" for path in missing_keys(value)] if strict else []
    try:
        extraction = JobExtraction.model_validate(value)
    except ValidationError as exc:
        raise ExtractionError("schema_violation", missing + format_errors(exc)) from None
    if missing:
        raise ExtractionError("schema_violation", missing)
    return extraction


def canonical_json(extraction: JobExtraction) -> str:
    """The stored and trained-on form: every key, canonical values, the decoder's separators."""
    return dumps(extraction.model_dump(mode="json"))
