"""The listings table users already have, and turning one of its rows into the text the model reads.

The default column names are those of the author's scraped LinkedIn table
(`job_id`, `job_title`, `company_name`, `location`, `workplace_type`,
`job_description`, partitioned by `ingestionDate`); `ColumnMap` renames them
for other layouts.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, fields
from html.parser import HTMLParser
from typing import Any, Optional

from schemas.prompt import listing_text


@dataclass(frozen=True)
class ColumnMap:
    """Which input column holds what. Only `description` is needed; the rest may be missing."""

    job_id: str = "job_id"
    description: str = "job_description"
    title: str = "job_title"
    company: str = "company_name"
    location: str = "location"
    workplace_type: str = "workplace_type"
    ingestion_date: str = "ingestionDate"

    @classmethod
    def from_pairs(cls, pairs: list[str]) -> "ColumnMap":
        """Parse `field=column` overrides, e.g. `["description=body", "job_id=id"]`."""
        known = {f.name for f in fields(cls)}
        overrides = {}
        for pair in pairs:
            key, sep, column = pair.partition("=")
            if not sep or key not in known or not column:
                raise ValueError(f"column mapping {pair!r}: expected FIELD=COLUMN with FIELD one of {sorted(known)}")
            overrides[key] = column
        return cls(**overrides)


@dataclass(frozen=True)
class Listing:
    """One normalised listing: what the prompt is built from, plus the columns kept in `jobs`."""

    job_id: str
    description: str
    title: Optional[str] = None
    company: Optional[str] = None
    location: Optional[str] = None
    workplace_type: Optional[str] = None
    ingestion_date: Optional[str] = None

    def text(self) -> str:
        return listing_text(self.description, self.title, self.company, self.location, self.workplace_type)

    def listing_columns(self) -> dict[str, Optional[str]]:
        return {"job_title": self.title, "company_name": self.company, "location": self.location}


class _TextExtractor(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def clean_description(raw: str) -> str:
    """Strip HTML (keeping line structure and list bullets), unescape entities, collapse whitespace."""
    text = raw
    if _TAG.search(text):
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def content_job_id(description: str) -> str:
    """A stable id for a listing without one: a hash of its cleaned text."""
    return "sha1-" + hashlib.sha1(description.encode("utf-8")).hexdigest()[:16]


def _optional(record: dict[str, Any], column: str) -> Optional[str]:
    value = record.get(column)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class EmptyDescription(ValueError):
    """The listing has no text left to extract from."""


def normalise_listing(record: dict[str, Any], columns: ColumnMap = ColumnMap()) -> Listing:
    """One input row as a `Listing`; raises EmptyDescription when nothing readable remains."""
    raw = record.get(columns.description)
    description = clean_description(str(raw)) if raw is not None else ""
    if not description:
        reason = "missing" if raw is None else "empty after removing HTML and whitespace"
        raise EmptyDescription(f"column {columns.description!r} is {reason}")
    job_id = _optional(record, columns.job_id) or content_job_id(description)
    return Listing(
        job_id=job_id,
        description=description,
        title=_optional(record, columns.title),
        company=_optional(record, columns.company),
        location=_optional(record, columns.location),
        workplace_type=_optional(record, columns.workplace_type),
        ingestion_date=_optional(record, columns.ingestion_date),
    )
