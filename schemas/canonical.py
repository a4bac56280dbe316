"""Canonical tool and skill names, their common spellings, and the grounding check.

Dashboards count skills by name, so "k8s", "Kubernetes" and "kubernetes " must
land on one row. The names, their spellings and their lists come from the
taxonomy (`schemas.taxonomy`, one table in `schemas/data/taxonomy.csv`): every
name the design note lists under "Possible Values" is canonical there, and the
aliases are the spellings seen in listings, in English, Portuguese, German,
French and Spanish.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Optional

from schemas.taxonomy import TAXONOMY, match_key

__all__ = [
    "CANONICAL_ALIASES", "canonical_name", "category_of", "clean_text", "dedupe", "match_key",
    "normalise_locations", "surface_forms", "title_case_location",
]

# canonical name -> other spellings, for every row of the taxonomy (tools, concepts, methodologies, soft skills).
# Matching ignores case, accents, whitespace, '-', '_' and '.'.
CANONICAL_ALIASES: dict[str, tuple[str, ...]] = {entry.canonical: entry.aliases for entry in TAXONOMY}


def clean_text(value: str) -> str:
    """Collapse runs of whitespace and strip the ends."""
    return " ".join(value.split())


def canonical_name(name: str) -> str:
    """The canonical spelling of a tool or skill; unknown names are only cleaned."""
    cleaned = clean_text(name)
    entry = TAXONOMY.entry(cleaned)
    return entry.canonical if entry is not None else cleaned


def category_of(name: str) -> Optional[str]:
    """The list a name belongs in (e.g. "technical_skills.cloud_platforms"), or None if the taxonomy does not know it."""
    entry = TAXONOMY.entry(clean_text(name))
    return entry.category if entry is not None else None


def dedupe(values: Iterable[str], canonicalise: bool = True) -> list[str]:
    """Clean (and canonicalise) each value, drop empties and case-insensitive repeats, keep first order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        value = canonical_name(raw) if canonicalise else clean_text(raw)
        key = match_key(value)
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


_LOWER_WORDS = {"de", "da", "do", "das", "dos", "e", "am", "an", "der", "die", "im", "on", "upon", "and", "of"}
_ACRONYMS = {"US", "USA", "UK", "EU", "UAE", "EMEA", "APAC", "LATAM", "DACH", "NYC", "CEE", "MENA"}


def title_case_location(name: str) -> str:
    """Title Case a place name, keeping known acronyms (UK, EMEA) and inner particles (Rio de Janeiro)."""
    words = clean_text(name).split(" ")
    out = []
    for i, word in enumerate(words):
        if word.upper() in _ACRONYMS and (word.isupper() or len(words) == 1):
            out.append(word.upper())
        elif i > 0 and word.casefold() in _LOWER_WORDS:
            out.append(word.casefold())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


def normalise_locations(values: Iterable[str]) -> list[str]:
    """Title Cased, deduplicated and sorted alphabetically, as the design note asks."""
    unique = dedupe((title_case_location(v) for v in values), canonicalise=False)
    return sorted(unique, key=lambda v: unicodedata.normalize("NFKD", v).casefold())


def surface_forms(name: str) -> set[str]:
    """Every spelling of `name` that the taxonomy knows (just the cleaned name when it knows none)."""
    entry = TAXONOMY.entry(clean_text(name))
    return set(entry.spellings) if entry is not None else {clean_text(name)}
