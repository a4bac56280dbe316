"""The listings table users already have, and turning one of its rows into the text the model reads.

The default column names are those of the author's scraped LinkedIn table
(`job_id`, `job_title`, `company_name`, `location`, `workplace_type`,
`job_description`, partitioned by `ingestionDate`); `ColumnMap` renames them
for other layouts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, fields
from html.parser import HTMLParser
from typing import Any, Callable, Iterable, Optional, TypeVar

from extraction.errors import DeadLetter
from extraction.screening import not_a_listing_reason


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
_KEEP_CONTROLS = {"\n", "\r", "\t"}

MAX_HEADER_CHARS = 200  # title, company, location, workplace type: a header, never a second description
MAX_JOB_ID_CHARS = 256


def listing_text(
    description: str,
    title: Optional[str] = None,
    company: Optional[str] = None,
    location: Optional[str] = None,
    workplace_type: Optional[str] = None,
) -> str:
    """What the model reads: the listing's header fields, when present, above its description."""
    header = [
        f"{label}: {value.strip()}"
        for label, value in (("Title", title), ("Company", company), ("Location", location),
                             ("Workplace", workplace_type))
        if value and value.strip()
    ]
    return "\n".join(header + ([""] if header else []) + [description.strip()])


class ListingError(ValueError):
    """An input row that cannot become a listing; `reason` is the machine-readable dead-letter reason."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class EmptyDescription(ListingError):
    """The listing has no text left to extract from."""

    def __init__(self, message: str):
        super().__init__("empty_description", message)


def strip_invisible(text: str) -> str:
    """Remove zero-width, bidi and other format characters and control characters (keeping line breaks and tabs).

    They carry no meaning for extraction, hide text from people who review
    it, and would let an "empty" listing look non-empty.
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Zl", "Zp"):
            out.append("\n")
        elif category in ("Cf", "Cs", "Co") or (category == "Cc" and char not in _KEEP_CONTROLS):
            continue
        else:
            out.append(char)
    return "".join(out)


def clean_description(raw: str) -> str:
    """Strip HTML (keeping line structure and list bullets), unescape entities, drop invisible characters,
    collapse whitespace."""
    text = raw
    if _TAG.search(text):
        parser = _TextExtractor()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    text = strip_invisible(text)
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_header(raw: str) -> Optional[str]:
    """A header field (title, company, location) cleaned like the description, on one line, bounded."""
    text = " ".join(clean_description(raw).split())
    if len(text) > MAX_HEADER_CHARS:
        text = text[:MAX_HEADER_CHARS].rsplit(" ", 1)[0] or text[:MAX_HEADER_CHARS]
    return text or None


def content_job_id(description: str) -> str:
    """A stable id for a listing without one: a hash of its cleaned text."""
    return "sha1-" + hashlib.sha1(description.encode("utf-8")).hexdigest()[:16]


def as_text(value: Any, column: str) -> Optional[str]:
    """A text column's value as str: bytes are decoded as UTF-8; numbers, lists and objects are refused."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ListingError("invalid_encoding", f"column {column!r} holds bytes that are not UTF-8 (offset "
                               f"{exc.start})") from None
    raise ListingError("not_text", f"column {column!r} holds {type(value).__name__}, not text")


def job_id_of(value: Any, column: str) -> Optional[str]:
    """The job_id as text: strings and integers are ids (0 included); anything else is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, bytes)):
        raise ListingError("invalid_job_id", f"column {column!r} holds {type(value).__name__}, not an id")
    text = " ".join(strip_invisible(as_text(value, column) if not isinstance(value, int) else str(value)).split())
    if len(text) > MAX_JOB_ID_CHARS:
        raise ListingError("invalid_job_id", f"column {column!r} is {len(text)} characters long, over "
                           f"{MAX_JOB_ID_CHARS}")
    return text or None


_DATE_FORMATS = ("%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d-%m-%Y")


def parse_ingestion_date(value: Any) -> Optional[str]:
    """An ingestion date or time as 'YYYY-MM-DDTHH:MM:SS' (UTC), so that dates compare in time order.

    Accepts date and datetime objects, epoch seconds or milliseconds, ISO 8601
    text and common day-first forms (31.01.2026, 31/01/2026; 01/31/2026 when
    the day cannot come first). Anything else is None: the date is optional.
    """
    if value is None or isinstance(value, bool):
        return None
    moment: Optional[dt.datetime] = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            moment = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()[:40]
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATE_FORMATS:
                try:
                    moment = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat()


def recency_rank(listing: Listing) -> tuple:
    """Order for keeping one listing per job_id: the latest ingestion, then the longest text.

    Dates are parsed by `normalise_listing`, so comparing them as text is comparing them in time.
    """
    return listing.ingestion_date or "", len(listing.description), listing.description


T = TypeVar("T")


def keep_latest(items: Iterable[T], listing: Callable[[T], Listing] = lambda item: item) -> tuple[list[T], list[str]]:
    """One item per job_id, by the rule the pipeline, the labeller and the trainer share: the latest ingestion,
    then the longest text (`recency_rank`); on a tie the first one read.

    Returns the kept items in the order their job_id first appeared, and the job_id of each item left out.
    `listing` gives an item's Listing (the identity for a list of listings).
    """
    kept: dict[str, T] = {}
    duplicates: list[str] = []
    for item in items:
        job_id = listing(item).job_id
        if job_id not in kept:
            kept[job_id] = item
            continue
        duplicates.append(job_id)
        if recency_rank(listing(item)) > recency_rank(listing(kept[job_id])):
            kept[job_id] = item
    return list(kept.values()), duplicates


def _header(record: dict[str, Any], column: str) -> Optional[str]:
    value = as_text(record.get(column), column)
    return clean_header(value) if value is not None else None


def normalise_listing(record: dict[str, Any], columns: ColumnMap = ColumnMap()) -> Listing:
    """One input row as a `Listing`; raises ListingError (EmptyDescription when nothing readable remains)."""
    raw = as_text(record.get(columns.description), columns.description)
    description = clean_description(raw) if raw is not None else ""
    if not description:
        reason = "missing" if raw is None else "empty after removing HTML, invisible characters and whitespace"
        raise EmptyDescription(f"column {columns.description!r} is {reason}")
    job_id = job_id_of(record.get(columns.job_id), columns.job_id) or content_job_id(description)
    return Listing(
        job_id=job_id,
        description=description,
        title=_header(record, columns.title),
        company=_header(record, columns.company),
        location=_header(record, columns.location),
        workplace_type=_header(record, columns.workplace_type),
        ingestion_date=parse_ingestion_date(record.get(columns.ingestion_date)),
    )


def normalise_record(record: dict[str, Any], columns: ColumnMap, max_listing_chars: int,
                     listing_check: bool = True) -> Listing:
    """A Listing, or a DeadLetter: empty, absurdly long, wrongly typed or undecodable fields, or (with
    `listing_check`) a text that does not read like a job listing."""
    try:
        listing = normalise_listing(record, columns)
    except ListingError as exc:
        raise DeadLetter("normalise", exc.reason, str(exc)) from None
    if len(listing.description) > max_listing_chars:
        raise DeadLetter("normalise", "input_too_long",
                         f"{len(listing.description)} characters after cleaning, over --max-listing-chars "
                         f"{max_listing_chars}")
    not_a_listing = not_a_listing_reason(listing.description) if listing_check else None
    if not_a_listing:
        raise DeadLetter("normalise", "not_a_job_listing", not_a_listing)
    return listing
