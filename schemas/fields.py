"""Reusable field types of the extraction: bounded strings and lists with their input normalisation.

The bounds live here, once: the pydantic models enforce them on every stored
object, and the decoding schema (generated from the models) hands the same
bounds to the grammar, so a stored object can always be produced by the
constrained decoder and vice versa.
"""
from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Callable, Optional

from pydantic import BeforeValidator, Field, StringConstraints, ValidationInfo

from schemas.canonical import clean_text, dedupe, match_key, normalise_locations

# Bounds (characters / items). Changing one changes the decoding schema and its token budget.
NAME_MAX_CHARS = 40
TEXT_MAX_CHARS = 200
TITLE_MAX_CHARS = 80
RESPONSIBILITY_MAX_CHARS = 160
LIST_MAX_ITEMS = 8
CONCEPT_LIST_MAX_ITEMS = 4
PREFERRED_SKILLS_MAX_ITEMS = 10
YEARS_MAX = 50
DAYS_OFF_MAX = 366

# Spellings of "nothing stated" that the teacher and the design note's example use for free text.
_EMPTY_TEXT = {"", "notspecified", "n/a", "na", "none", "null", "unknown", "notmentioned"}


def _text(value: Any) -> Any:
    if isinstance(value, str):
        cleaned = clean_text(value)
        return None if match_key(cleaned) in _EMPTY_TEXT else cleaned
    return value


def _zero_is_unknown(value: Any) -> Any:
    # The teacher wrote 0 for "not mentioned"; a real 0 cannot be told apart, so both become null.
    return None if value == 0 and not isinstance(value, bool) else value


def _list_input(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        raise ValueError("expected a list of strings, got a single string; wrap it in [ ]")
    return list(value)


def _names(value: Any) -> Any:
    items = _list_input(value)
    return dedupe(items) if all(isinstance(v, str) for v in items) else items


def _keywords(value: Any) -> Any:
    items = _list_input(value)
    return dedupe(items, canonicalise=False) if all(isinstance(v, str) for v in items) else items


def _locations(value: Any) -> Any:
    items = _list_input(value)
    return normalise_locations(items) if all(isinstance(v, str) for v in items) else items


Text = Annotated[Optional[Annotated[str, StringConstraints(max_length=TEXT_MAX_CHARS)]], BeforeValidator(_text)]
Title = Annotated[Optional[Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS)]], BeforeValidator(_text)]
Years = Annotated[Optional[Annotated[int, Field(ge=0, le=YEARS_MAX)]], BeforeValidator(_zero_is_unknown)]
DaysOff = Annotated[Optional[Annotated[int, Field(ge=0, le=DAYS_OFF_MAX)]], BeforeValidator(_zero_is_unknown)]

_Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX_CHARS)]
_Responsibility = Annotated[str, StringConstraints(min_length=1, max_length=RESPONSIBILITY_MAX_CHARS)]

NameList = Annotated[list[_Name], BeforeValidator(_names), Field(max_length=LIST_MAX_ITEMS)]
ConceptList = Annotated[list[_Name], BeforeValidator(_names), Field(max_length=CONCEPT_LIST_MAX_ITEMS)]
PreferredList = Annotated[list[_Name], BeforeValidator(_names), Field(max_length=PREFERRED_SKILLS_MAX_ITEMS)]
KeywordList = Annotated[list[_Name], BeforeValidator(_keywords), Field(max_length=LIST_MAX_ITEMS)]
LocationList = Annotated[list[_Name], BeforeValidator(_locations), Field(max_length=LIST_MAX_ITEMS)]
ResponsibilityList = Annotated[
    list[_Responsibility], BeforeValidator(_keywords), Field(max_length=LIST_MAX_ITEMS)
]


def vocabulary(enum: type[Enum], *, default: Optional[Enum]) -> Callable[[Any, ValidationInfo], Any]:
    """A before-validator that matches a vocabulary value case- and spacing-insensitively.

    `None` becomes `default` (the vocabulary's own "Not Specified" value); any
    other value outside the vocabulary is rejected with the allowed values.
    """
    by_key = {match_key(member.value): member for member in enum}

    def parse(value: Any, info: ValidationInfo) -> Any:
        if value is None and default is not None:
            return default
        if isinstance(value, enum):
            return value
        if isinstance(value, str) and match_key(value) in by_key:
            return by_key[match_key(value)]
        allowed = ", ".join(repr(m.value) for m in enum)
        raise ValueError(f"{value!r} is not an allowed {info.field_name}; use one of: {allowed}")

    return parse


def vocabulary_list(enum: type[Enum]) -> Callable[[Any, ValidationInfo], Any]:
    """Like `vocabulary`, for a list of values: each one must belong, repeats are dropped."""
    parse_one = vocabulary(enum, default=None)

    def parse(value: Any, info: ValidationInfo) -> list:
        members: list = []
        for item in _list_input(value):
            member = parse_one(item, info)
            if member not in members:
                members.append(member)
        return members

    return parse
