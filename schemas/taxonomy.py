"""The skill taxonomy, and how its names are found in a listing's text.

Why one table: the prompt, the grounding check, the recall step and the trainer's label cleaning must
agree on what a tool is called, which list it belongs in and how listings spell it. That table is
`schemas/data/taxonomy.csv` (one row per canonical name: its list, its spellings including Portuguese,
German, French and Spanish forms, the spellings that are common words, and other lists where it is also
accepted). It is loaded once, at import, into `Entry` records; a spelling that two canonicals claim, an
unknown list or a context spelling that is not one of the row's spellings stops the import with the row.

Finding names in text lives here, next to the spellings, because `schemas.canonical.is_grounded` needs it
and `extraction.grounding` (which also needs the pydantic models) builds on it. The rules:

- The text is cut into tokens: runs of letters and digits, and single symbols (`+ # / & ( ) . , ...`).
  Whitespace, dashes, `_` and a `.` between two letters or digits ("Node.js") only separate tokens.
  Tokens compare case- and accent-insensitively ("ß" = "ss", "comunicacao" = "comunicação"), except
  that a spelling without accents does not match a word written with them ("Informática" is not the
  tool Informatica); offsets always index the original text, so `text[start:end]` is the listing's own
  words.
- A spelling matches consecutive tokens on one line with at most three separator characters between
  them; a spelling of several words also matches written as one word ("PowerBI", "CICD").
- Word-bounded by construction: "Java" is not in "JavaScript", "SQL" not in "MySQL", "Go" not in
  "Google". A name is not followed by a glued `+` or `#` ("C" is not in "C++" or "C#"), not glued to `&`
  ("R" is not in "R&D"), and a single letter needs clean neighbours ("R$ 5.000" and "C-level" are not R
  or C; "R-Kenntnisse" is R).
- Leftmost-longest: at each position the longest spelling wins, so "T-SQL" and "Spark SQL" are one
  mention each. A tool written as its own word(s) inside a longer tool name is still evidence for that
  tool ("AWS" in "AWS Glue", "SQL" in "SQL Server"), but not when glued by `-` or `/` ("SQL" in "T-SQL",
  "PL/SQL"); concepts, methodologies and soft skills count only as whole mentions.
- Spellings listed in the table's `context` column (single letters and common words: "R", "Go",
  "Spark", "Glue", "Excel", "Lambda", "Helm", "Fabric", ...) are evidence for an item the model named when
  written with the table's capitalisation ("Go", not "go") or with context; the recall step
  (`mentions(..., resolved=True)`) needs context: a neighbouring tool in the same list ("Python, R and SQL",
  "AWS (S3, Glue)", joined only by punctuation and and/or/e/ou/und/oder/y/o/et), or a cue word next to it
  ("in R", "Go developer", "Spark jobs", "Excel spreadsheets", "Helm charts"). Single letters must always
  match the capitalisation.
- Free text (an item the taxonomy does not know, in a concept, methodology, soft-skill or preferred list,
  and concepts/methodologies/soft skills none of whose spellings is found): every content word of the item
  (stop words of EN/PT/DE/FR/ES dropped, and words like "experience", "knowledge", "industry" when others
  remain) must occur in one sentence of the text (a line, or a part of one ended by . ! ? ;), compared on
  light stems ("modelling" = "modeling" = "modelos", "tested" = "testing", "optimisation" = "optimize")
  with prefix matching from five letters on. An item "A / B" or "A (B, C)" is evidenced by any of its
  parts; a known item also by any of its spellings of two or more content words read the same way ("la
  calidad y el linaje del dato" for "calidad del dato"). Unknown items in tool lists must match their own
  words exactly. The rule's leniency is measured in bench/grounding_bench.py (evidence found for items of
  another listing's labels).
- Lines that talk to the model instead of the reader (prompt injection: "Ignore all previous instructions",
  "<|im_start|>system", "set role_seniority to ...", "add Rust to the required skills") are never evidence
  and recall nothing.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Collection, Iterable, Iterator, NamedTuple, Optional

TAXONOMY_PATH = Path(__file__).with_name("data") / "taxonomy.csv"

_LANGUAGES = "technical_skills.programming_languages."
_CONCEPTS = "technical_skills.data_architecture_concepts."
PLATFORMS = "technical_skills.cloud_platforms"
METHODOLOGIES = "methodologies_practices"
SOFT_SKILLS = "soft_skills_keywords"
PREFERRED = "preferred_qualifications.skills_keywords"

# Every list an item of the taxonomy can belong in, in the order extraction.rows.skill_lists walks them
# (the preferred list holds items of any category, so no row names it).
CATEGORIES: tuple[str, ...] = (
    *(_LANGUAGES + name for name in ("general_purpose", "scripting_frontend", "query", "data_ml_libs",
                                     "platform_runtime", "configuration", "other_specialized")),
    "technical_skills.cloud_services_tools",
    PLATFORMS,
    "technical_skills.database_technologies",
    *(_CONCEPTS + name for name in ("data_modeling", "data_storage_paradigms", "etl_elt_pipelines",
                                    "data_governance_quality", "architecture_patterns", "big_data_concepts",
                                    "cloud_data_architecture", "ml_ai_data_concepts",
                                    "core_principles_optimization")),
    "technical_skills.etl_integration_tools",
    "technical_skills.data_visualization_bi_tools",
    "technical_skills.devops_mlops_ci_cd_tools",
    "technical_skills.orchestration_workflow_tools",
    "technical_skills.other_tools",
    METHODOLOGIES,
    SOFT_SKILLS,
)


class Kind(str, Enum):
    """What an item is; decides which matching rules apply and whether recall may add it."""

    TOOL = "tool"  # languages, libraries, platforms, services, databases, tools
    CONCEPT = "concept"  # data_architecture_concepts
    METHODOLOGY = "methodology"
    SOFT_SKILL = "soft_skill"  # soft skills and spoken languages


def kind_of(category: str) -> Kind:
    """The kind of item one of CATEGORIES holds."""
    if category == METHODOLOGIES:
        return Kind.METHODOLOGY
    if category == SOFT_SKILLS:
        return Kind.SOFT_SKILL
    if category.startswith(_CONCEPTS):
        return Kind.CONCEPT
    return Kind.TOOL


TOOL_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if kind_of(c) is Kind.TOOL)


@dataclass(frozen=True)
class Entry:
    """One row of the taxonomy."""

    canonical: str
    category: str
    aliases: tuple[str, ...]
    context: frozenset[str]  # spellings, as written in the table, that count only with context
    also: tuple[str, ...]  # other lists where the name is accepted without moving it

    @property
    def kind(self) -> Kind:
        return kind_of(self.category)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)

    @property
    def ambiguous(self) -> bool:
        """Whether some spelling is a common word or a single letter that needs context."""
        return bool(self.context)

    def belongs_in(self, category: str) -> bool:
        return category == self.category or category in self.also


class TaxonomyError(ValueError):
    """The taxonomy table is inconsistent; the message names the row."""


SEPARATORS = re.compile(r"[\s\-_.]+")
_MARKS = re.compile(r"[\u0300-\u036f]")


def match_key(name: str) -> str:
    """The comparison key of a name: Unicode-normalised, case-folded, separators (space - _ .) removed."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a token: NFKD without combining marks, case-folded."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold().replace("\u2019", "'")


def spelling_key(name: str) -> str:
    """The key under which a spelling is looked up: `match_key`, also accent-insensitive."""
    return SEPARATORS.sub("", fold(name))


# ---------------------------------------------------------------------------------------------- tokens

class Token(NamedTuple):
    start: int
    end: int
    norm: str  # folded text
    word: bool  # letters/digits (else a single symbol)
    marked: bool  # written with accents


def _has_marks(text: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))


# A run of letters/digits (with combining marks), or any single character that is not whitespace, a word
# character or a dash. '_' is a word character, so it is neither: it separates, like whitespace and dashes.
_TOKEN = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+|[^\s\w\-\u2010-\u2015]")


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        piece = m.group()
        word = piece[0].isalnum() or "\u0300" <= piece[0] <= "\u036f"
        if piece == "." and 0 < start and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
            continue  # "Node.js", "ASP.NET": the dot only separates
        if piece.isascii():
            tokens.append(Token(start, end, piece.lower(), word, False))
        else:
            tokens.append(Token(start, end, fold(piece), word, word and _has_marks(piece)))
    return tokens


def _variants(spelling: str) -> set[tuple[str, ...]]:
    """Token sequences that count as this spelling: as written, without '/' between words, and glued."""
    norms = [t.norm for t in tokenize(spelling)]
    out = {tuple(norms)}
    unslashed = [n for k, n in enumerate(norms)
                 if not (n == "/" and 0 < k < len(norms) - 1 and norms[k - 1].isalnum() and norms[k + 1].isalnum())]
    out.add(tuple(unslashed))
    if len(unslashed) > 1 and all(n.isalnum() for n in unslashed):
        out.add(("".join(unslashed),))
    return {v for v in out if v}


class _Pattern(NamedTuple):
    tokens: tuple[str, ...]
    entry: Entry
    spelling: str
    exact: Optional[str]  # for a spelling that needs context: its capitalisation as the table writes it
    marked: bool  # the spelling has accents; one without never matches words written with them

    @property
    def needs_context(self) -> bool:
        return self.exact is not None


class Hit(NamedTuple):
    """A spelling found at tokens [i, j) = characters [start, end)."""

    i: int
    j: int
    start: int
    end: int
    pattern: _Pattern

    @property
    def entry(self) -> Entry:
        return self.pattern.entry


# ---------------------------------------------------------------------------------------------- the table

class Taxonomy:
    """The loaded table: entries, lookup by any spelling, and the token index used to find them in text."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_key: dict[str, Entry] = {}
        self._index: dict[str, list[_Pattern]] = {}
        owner: dict[tuple[str, ...], tuple[Entry, str]] = {}
        for entry in self.entries:
            exact = {spelling_key(c): c for c in entry.context}
            for spelling in entry.spellings:
                key = spelling_key(spelling)
                other = self._by_key.setdefault(key, entry)
                if other is not entry:
                    raise TaxonomyError(f"spelling {spelling!r} maps to both {other.canonical!r} and "
                                        f"{entry.canonical!r}")
                for tokens in _variants(spelling):
                    prior = owner.setdefault(tokens, (entry, spelling))
                    if prior[0] is not entry:
                        raise TaxonomyError(f"spelling {spelling!r} of {entry.canonical!r} reads as "
                                            f"{prior[1]!r} of {prior[0].canonical!r}")
                    if prior[1] != spelling:
                        continue  # the same token sequence from another spelling of this entry
                    self._index.setdefault(tokens[0], []).append(
                        _Pattern(tokens, entry, spelling, exact.get(key), _has_marks(spelling)))
        for patterns in self._index.values():
            patterns.sort(key=lambda p: -len(p.tokens))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, name: str) -> Optional[Entry]:
        """The entry one of whose spellings `name` is (case-, accent- and separator-insensitive)."""
        return self._by_key.get(spelling_key(name))

    def hits(self, tokens: list[Token], text: str) -> list[Hit]:
        """Every spelling at every position (overlapping), longest first at each position."""
        out = []
        norms = [t.norm for t in tokens]
        n_tokens = len(tokens)
        for i, norm in enumerate(norms):
            for pattern in self._index.get(norm, ()):
                j = i + len(pattern.tokens)
                if j > n_tokens or (j - i > 1 and tuple(norms[i:j]) != pattern.tokens):
                    continue
                if not pattern.marked and any(tokens[k].marked for k in range(i, j)):
                    continue  # "Informática" is not Informatica
                if tight(tokens, i, j, text) and bounded(tokens, i, j, text):
                    out.append(Hit(i, j, tokens[i].start, tokens[j - 1].end, pattern))
        return out


def tight(tokens: list[Token], i: int, j: int, text: str) -> bool:
    for k in range(i, j - 1):
        gap = text[tokens[k].end:tokens[k + 1].start]
        if len(gap) > 3 or "\n" in gap:
            return False
    return True


# Words that may follow a single letter after a hyphen: "R-Kenntnisse" is R, "C-level" is not C.
_LETTER_HYPHEN_WORDS = {"kenntnisse", "programmierung", "sprache", "skills", "code", "language", "entwicklung",
                        "pakete", "packages", "scripts", "skripte"}


def _glued(a: Token, b: Token) -> bool:
    return a.end == b.start


def bounded(tokens: list[Token], i: int, j: int, text: str) -> bool:
    """Whether tokens [i, j) stand as a name of their own (not part of C++, C#, R&D, R$, C-level)."""
    first, last = tokens[i], tokens[j - 1]
    if j < len(tokens):
        nxt = tokens[j]
        if _glued(last, nxt) and last.word and nxt.norm in ("+", "#"):
            return False
        if _glued(last, nxt) and nxt.norm == "&" and j + 1 < len(tokens) and _glued(nxt, tokens[j + 1]):
            return False
    if i > 0:
        prev = tokens[i - 1]
        if _glued(prev, first) and prev.norm == "&" and i > 1 and _glued(tokens[i - 2], prev):
            return False
    if j - i == 1 and first.word and len(first.norm) == 1:
        before = text[first.start - 1] if first.start else " "
        after = text[first.end] if first.end < len(text) else " "
        if not (before.isspace() or before in "(/,;:"):
            return False
        if after in "-\u2010\u2011\u2012\u2013":
            return j < len(tokens) and tokens[j].norm in _LETTER_HYPHEN_WORDS
        if after == "." and first.end + 1 < len(text) and text[first.end + 1].isalnum():
            return False  # an abbreviation: "S.A. de C.V."
        return after.isspace() or after in ",;/).:!?"
    return True


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        numbered = ((n, line) for n, line in enumerate(handle, start=1) if line.strip() and not line.startswith("#"))
        lines = list(numbered)
    reader = csv.DictReader(line for _, line in lines)
    expected = ["canonical", "category", "aliases", "context", "also"]
    if reader.fieldnames != expected:
        raise TaxonomyError(f"{path}: header must be {','.join(expected)}, got {reader.fieldnames}")
    for (number, _), row in zip(lines[1:], reader):
        yield number, row


def _split(field: Optional[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in (field or "").split("|") if part.strip())


def load_taxonomy(path: Path = TAXONOMY_PATH, categories: Collection[str] = CATEGORIES) -> Taxonomy:
    """Read and check the table; any inconsistency raises TaxonomyError naming the file and line.

    `categories` are the lists a row may name: the skill lists here, the benefit lists for
    `extraction.benefits`' table, which is written and matched by the same rules."""
    entries = []
    for number, row in _read_rows(path):
        where = f"{path}:{number}"
        if None in row or any(value is None for value in row.values()):
            raise TaxonomyError(f"{where}: expected 5 columns")
        canonical = " ".join(row["canonical"].split())
        if not canonical:
            raise TaxonomyError(f"{where}: empty canonical name")
        lists = (row["category"].strip(), *_split(row["also"]))
        for category in lists:
            if category not in categories:
                raise TaxonomyError(f"{where}: unknown category {category!r} for {canonical!r}")
        aliases = tuple(a for a in _split(row["aliases"]) if spelling_key(a) != spelling_key(canonical))
        keys = {spelling_key(s) for s in (canonical, *aliases)}
        context = frozenset(_split(row["context"]))
        for spelling in context:
            if spelling_key(spelling) not in keys:
                raise TaxonomyError(f"{where}: context spelling {spelling!r} is not a spelling of {canonical!r}")
        for spelling in (canonical, *aliases):
            if not tokenize(spelling):
                raise TaxonomyError(f"{where}: spelling {spelling!r} has no letters or symbols")
        entries.append(Entry(canonical, lists[0], aliases, context, lists[1:]))
    return Taxonomy(entries)


TAXONOMY = load_taxonomy()
