"""The skill taxonomy, and how its names are found in a listing's text.

Why one table: the prompt, the grounding check, the recall step and the trainer's label cleaning must
agree on what a tool is called, which list it belongs in and how listings spell it. That table is
`schemas/data/taxonomy.csv` (one row per canonical name: its list, its spellings including Portuguese,
German, French and Spanish forms, the spellings that are common words, and other lists where it is also
accepted). It is loaded once, at import, into `Entry` records; a spelling that two canonicals claim, an
unknown list or a context spelling that is not one of the row's spellings stops the import with the row.

Finding names in text lives here, next to the spellings, because `schemas.canonical.is_grounded` needs it
and `schemas.grounding` (which also needs the pydantic models) builds on it. The rules:

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

import bisect
import csv
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional

TAXONOMY_PATH = Path(__file__).with_name("data") / "taxonomy.csv"

_LANGUAGES = "technical_skills.programming_languages."
_CONCEPTS = "technical_skills.data_architecture_concepts."
PLATFORMS = "technical_skills.cloud_platforms"
METHODOLOGIES = "methodologies_practices"
SOFT_SKILLS = "soft_skills_keywords"
PREFERRED = "preferred_qualifications.skills_keywords"

# Every list an item of the taxonomy can belong in, in the order schemas.flatten.skill_lists walks them
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


_SEPARATORS = re.compile(r"[\s\-_.]+")
_MARKS = re.compile(r"[\u0300-\u036f]")


def match_key(name: str) -> str:
    """The comparison key of a name: Unicode-normalised, case-folded, separators (space - _ .) removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a token: NFKD without combining marks, case-folded."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold().replace("\u2019", "'")


def spelling_key(name: str) -> str:
    """The key under which a spelling is looked up: `match_key`, also accent-insensitive."""
    return _SEPARATORS.sub("", fold(name))


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

    def in_category(self, category: str) -> list[Entry]:
        """The entries filed under one list, in table order (e.g. for a prompt's list of canonical names)."""
        return [e for e in self.entries if e.category == category]

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
                if _tight(tokens, i, j, text) and _bounded(tokens, i, j, text):
                    out.append(Hit(i, j, tokens[i].start, tokens[j - 1].end, pattern))
        return out


def _tight(tokens: list[Token], i: int, j: int, text: str) -> bool:
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


def _bounded(tokens: list[Token], i: int, j: int, text: str) -> bool:
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


def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    """Read and check the table; any inconsistency raises TaxonomyError naming the file and line."""
    entries = []
    for number, row in _read_rows(path):
        where = f"{path}:{number}"
        if None in row or any(value is None for value in row.values()):
            raise TaxonomyError(f"{where}: expected 5 columns")
        canonical = " ".join(row["canonical"].split())
        if not canonical:
            raise TaxonomyError(f"{where}: empty canonical name")
        categories = (row["category"].strip(), *_split(row["also"]))
        for category in categories:
            if category not in CATEGORIES:
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
        entries.append(Entry(canonical, categories[0], aliases, context, categories[1:]))
    return Taxonomy(entries)


TAXONOMY = load_taxonomy()


# ---------------------------------------------------------------------------------------------- text analysis

_SENTENCE_END = {".", "!", "?", ";"}
_BULLET_END = re.compile(r"(?:^|(?<=\n))[ \t]*[-*\u2022]$")
_GLUE_WORDS = {"and", "or", "e", "ou", "und", "oder", "y", "o", "et", "sowie", "bzw", "plus", "as", "well", "nor",
               "ni", "u"}
_GLUE_SYMBOLS = set(",;/&+()[]:|·•*")
_CUE_BEFORE = {"in", "em", "com", "with", "using", "mit", "en", "con", "avec", "via", "of", "de", "do", "da", "no", "na",
               "im", "am", "dans", "del", "el", "linguagem", "language", "lenguaje", "langage", "sprache",
               "programmiersprache", "programming", "especially", "particularly", "insbesondere", "besonders",
               "especialmente", "principalmente", "notamment", "including", "incl", "inkl", "like", "como"}
# Words that may follow an ambiguous name after a hyphen ("Spark-Jobs", "Excel-Kenntnisse").
_HYPHEN_WORDS = {"based", "kenntnisse", "erfahrung", "erfahrungen", "jobs", "job", "cluster", "clusters", "skills",
                 "code", "scripts", "skripte", "pipelines", "umfeld", "entwicklung", "entwickler", "programmierung",
                 "anwendungen", "dashboards", "reports", "berichte", "projekte", "development", "developer"}
# Characters that delimit one item of a list: a name alone between two of them is an item of its own.
_ITEM_START = "\n:;,(\u2022"
_ITEM_END = "\n;,.)"
_CUE_AFTER = {
    "language", "languages", "programming", "programmer", "programmers", "developer", "developers", "development",
    "engineer", "engineers", "code", "codebase", "scripts", "script", "scripting", "packages", "package",
    "libraries", "library", "ecosystem", "services", "jobs", "functions", "skills", "knowledge", "experience",
    "expertise", "proficiency", "kenntnisse", "programmierung", "entwicklung", "entwickler", "cluster", "clusters",
    "streaming", "dataframes", "charts", "chart", "spreadsheets", "sheets", "workbooks", "macros", "modules", "api",
    "apis", "sdk", "notebooks", "applications", "apps", "stack", "certification", "certified", "dashboards",
    "reports", "reporting", "pipelines", "workflows", "queries", "measures", "formulas", "catalog", "tables",
    "studio", "server", "workspace", "workspaces", "lakehouse", "warehouse", "deployments", "templates",
}


@dataclass(frozen=True)
class Evidence:
    """Where a listing names an item: `text[start:end]` of the text it was found in (the listing's own words)."""

    start: int
    end: int
    text: str


# Text that talks to the model instead of the reader (prompt injection) is never evidence and recalls nothing:
# a line with one of these markers, and everything between <|im_start|> and <|im_end|>.
_INJECTION = re.compile(
    r"<\|im_(?:start|end)\|>|\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier)\s+instructions?|"
    r"^\s*#+\s*(?:system|instructions?|assistant)\b|\b(?:debug|admin|developer|god)\s+mode\b|"
    r"\boverrides?\s+(?:the|your|all)\s+(?:listing|instructions?|extraction|rules)|"
    r"\b(?:role_title|role_seniority|company_type|remote_status|visa_sponsorship|programming_languages|"
    r"technical_skills|skills_keywords|soft_skills_keywords|required_qualifications)\b|"
    r"\b(?:add|list|include|insert|put)\b[^\n]{0,80}\b(?:to|in|into)\s+(?:the\s+|your\s+)?(?:required\s+|preferred\s+)?"
    r"(?:skills|programming\s+languages|json|extraction)\b",
    re.IGNORECASE | re.MULTILINE)
_SHOUTED_ROLE = re.compile(r"^\W*(?:SYSTEM|ASSISTANT|INSTRUCTIONS?)\s*:", re.MULTILINE)  # not "System: Linux"
_CHAT_BLOCK = re.compile(r"<\|im_start\|>(?:(?!<\|im_start\|>).)*?<\|im_end\|>", re.DOTALL)


def _injected(text: str) -> list[tuple[int, int]]:
    spans = [m.span() for m in _CHAT_BLOCK.finditer(text)]
    for m in [*_INJECTION.finditer(text), *_SHOUTED_ROLE.finditer(text)]:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        spans.append((start, len(text) if end < 0 else end))
    return sorted(spans)


class Analysis:
    """One text, tokenised once: every hit, the leftmost-longest mentions, sentences and stems."""

    def __init__(self, text: str, taxonomy: Taxonomy) -> None:
        self.text = text
        ignored = _injected(text)
        self.tokens = [t for t in tokenize(text) if not any(a <= t.start < b for a, b in ignored)]
        self.hits = taxonomy.hits(self.tokens, text)
        self.mentions: list[Hit] = []  # leftmost-longest, non-overlapping
        covered = 0
        for hit in self.hits:  # ordered by position, longest first at each position
            if hit.i >= covered:
                self.mentions.append(hit)
                covered = hit.j
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_ends = [m.end for m in self.mentions]
        self._mention_at = {}
        for hit in self.mentions:
            for k in range(hit.i, hit.j):
                self._mention_at[k] = hit
        self._by_entry: dict[str, list[Hit]] = {}
        for hit in self.hits:
            self._by_entry.setdefault(hit.entry.canonical, []).append(hit)
        self.sentence: list[int] = []
        sentence = 0
        for k, token in enumerate(self.tokens):
            if k and "\n" in text[self.tokens[k - 1].end:token.start]:
                sentence += 1
            self.sentence.append(sentence)
            if token.norm in _SENTENCE_END:
                sentence += 1
        self._stems: Optional[list[str]] = None  # built on the first free-text question
        self._by_prefix: dict[str, list[int]] = {}

    # -- taxonomy names

    def exact_case(self, hit: Hit) -> bool:
        written = hit.pattern.exact or hit.pattern.spelling
        return _SEPARATORS.sub("", self.text[hit.start:hit.end]) == _SEPARATORS.sub("", written)

    def _solid(self, hit: Hit) -> bool:
        return hit.entry.kind is Kind.TOOL and (not hit.pattern.needs_context or self.exact_case(hit))

    def _glue(self, start: int, end: int) -> bool:
        gap = self.text[start:end]
        if len(gap) > 30 or "\n" in gap:
            return False
        words = "".join(" " if c in _GLUE_SYMBOLS or c.isspace() or c == "-" else c for c in gap).split()
        return len(words) <= 2 and all(fold(w) in _GLUE_WORDS for w in words)

    def _word(self, k: int, towards: int) -> Optional[str]:
        """The word token next to token k (k-1 or k+1 given towards), if on the same line and close."""
        n = k + towards
        if not 0 <= n < len(self.tokens):
            return None
        a, b = (self.tokens[n], self.tokens[k]) if towards < 0 else (self.tokens[k], self.tokens[n])
        gap = self.text[a.end:b.start]
        if "\n" in gap or len(gap) > 2 or not self.tokens[n].word:
            return None
        return self.tokens[n].norm

    def has_context(self, hit: Hit) -> bool:
        """A neighbouring tool in the same list, or (capitalised as in the table) a cue word next to it."""
        k = bisect.bisect_right(self._mention_ends, hit.start) - 1  # the last mention ending before the hit
        before = self.mentions[k] if k >= 0 else None
        k = bisect.bisect_left(self._mention_starts, hit.end)  # the first mention starting after it
        after = self.mentions[k] if k < len(self.mentions) else None
        if before is not None and before.entry is not hit.entry and self._solid(before) \
                and self._glue(before.end, hit.start):
            return True
        if after is not None and after.entry is not hit.entry and self._solid(after) \
                and self._glue(hit.end, after.start):
            return True
        return self.exact_case(hit) and (self._word(hit.i, -1) in _CUE_BEFORE
                                         or self._word(hit.j - 1, +1) in _CUE_AFTER or self._alone(hit))

    def _alone(self, hit: Hit) -> bool:
        """The name is a list item of its own: "- Tableau", "(Backstage)", "Nice to have: Go, ...", "; Spark."."""
        window = max(0, hit.start - 40)
        before = self.text[window:hit.start].rstrip(" \t")
        if before.endswith(("-", "*", "\u2022")):
            before = _BULLET_END.sub("", before) if window == 0 or "\n" in before else before
        after = self.text[hit.end:hit.end + 2].lstrip(" \t")
        starts = before[-1] in _ITEM_START if before else window == 0
        return starts and (not after or after[0] in _ITEM_END)

    def accepted(self, hit: Hit, *, resolved: bool) -> bool:
        """Whether an ambiguous spelling counts here: with context, or (for a named item) its capitalisation."""
        if not hit.pattern.needs_context:
            return True
        if self.text[hit.end:hit.end + 1] in ("-", "\u2010", "\u2011") and hit.j < len(self.tokens) \
                and self.tokens[hit.j].norm not in _HYPHEN_WORDS:
            return False  # "Excel-like", "Go-to", "Go-getter"; but "Spark-Jobs", "R-Kenntnisse"
        single_letter = len(hit.pattern.tokens) == 1 and len(hit.pattern.tokens[0]) == 1
        exact = self.exact_case(hit)
        if single_letter and not exact:
            return False
        if not resolved and exact:
            return True
        return self.has_context(hit)

    def recall_hits(self) -> list[Hit]:
        """The mentions, plus cloud platforms named as their own word(s) inside a longer tool name ("Azure" in
        "Azure Synapse", "AWS" in "AWS Glue"): a listing naming a provider's service asks for the provider."""
        out = []
        for hit in self.hits:
            container = self._mention_at[hit.i]
            if container is hit or (hit.entry.category == PLATFORMS and self._inside(hit, container)):
                out.append(hit)
        return out

    def _inside(self, hit: Hit, container: Hit) -> bool:
        """A tool written as its own word(s) inside another tool's longer name (not glued by '-' or '/')."""
        return (hit.entry is not container.entry and hit.entry.kind is Kind.TOOL and container.entry.kind is Kind.TOOL
                and (hit.start == container.start or self.text[hit.start - 1].isspace())
                and (hit.end == container.end or self.text[hit.end].isspace()))

    def occurrences(self, entry: Entry) -> list[Hit]:
        """Where the listing names this entry, in text order, under the rules of the module docstring."""
        out = []
        last_end = -1
        for hit in self._by_entry.get(entry.canonical, ()):
            if hit.start < last_end:
                continue  # a shorter spelling of the same entry inside one already taken
            container = self._mention_at[hit.i]
            if container.entry is not entry and not self._inside(hit, container):
                continue
            if container.entry is entry and container.i < hit.i:
                continue  # inside a longer spelling of the same entry, which was (or will be) taken
            if self.accepted(hit, resolved=False):
                out.append(hit)
                last_end = hit.end
        return out

    # -- free text

    def free_text(self, phrases: list[list[str]]) -> list[tuple[int, int]]:
        """Spans (first to last matched word) of sentences holding every content word of some phrase."""
        spans = []
        for stems in phrases:
            per_word = [self._stem_positions(s) for s in stems]
            if not all(per_word):
                continue
            by_sentence: dict[int, list[list[int]]] = {}
            for w, positions in enumerate(per_word):
                for k in positions:
                    by_sentence.setdefault(self.sentence[k], [[] for _ in stems])[w].append(k)
            for found in by_sentence.values():
                if all(found):
                    first = min(min(f) for f in found)
                    last = max(min(f) for f in found)
                    spans.append((self.tokens[first].start, self.tokens[last].end))
        return sorted(set(spans))

    def _stem_positions(self, stem: str) -> list[int]:
        if self._stems is None:
            self._stems = [_stem(t.norm) if t.word else "" for t in self.tokens]
            for k, token_stem in enumerate(self._stems):
                if token_stem:
                    self._by_prefix.setdefault(token_stem[:5], []).append(k)
        return [k for k in self._by_prefix.get(stem[:5], ()) if _same_stem(stem, self._stems[k])]


@lru_cache(maxsize=16)
def analyse(text: str) -> Analysis:
    """The analysis of one text, cached: grounding asks many questions of the same listing."""
    return Analysis(text, TAXONOMY)


# ---------------------------------------------------------------------------------------------- free text

_STOPWORDS = {
    # en
    "a", "an", "the", "and", "or", "of", "for", "in", "on", "with", "to", "by", "as", "at", "from", "into", "via",
    "using", "etc", "eg", "ie",
    # pt
    "e", "ou", "de", "da", "do", "das", "dos", "em", "com", "para", "o", "os", "as", "um", "uma", "no", "na", "nos",
    "nas", "por", "ao", "aos",
    # de
    "und", "oder", "der", "die", "das", "den", "dem", "des", "mit", "von", "fur", "im", "zu", "zur", "zum", "ein",
    "eine", "einer", "auf", "bei",
    # fr
    "et", "du", "la", "le", "les", "en", "pour", "avec", "une", "au", "aux",
    # es
    "y", "del", "el", "los", "las", "con", "por",
}
_SUFFIXES = ("isations", "izations", "isation", "ization", "ions", "ion", "ments", "ment", "ities", "ity",
             "izing", "ising", "ings", "ing", "ness", "ised", "ized", "ises", "izes", "ise", "ize", "ers", "er",
             "ies", "ied", "es", "ed", "ly", "al", "coes", "cao", "ungen", "ung", "s", "e", "o", "a")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light, language-agnostic stem: up to two common suffixes cut, at least four letters kept."""
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _same_stem(a: str, b: str) -> bool:
    if a == b:
        return True
    return min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a))


_PARTS = re.compile(r"\s+/\s+|\s*[()]\s*|\s*,\s*")


def _alternatives(name: str) -> list[str]:
    """"A / B" and "A (B, C)" are evidenced by any part; the whole name is tried first."""
    parts = [name] + [p for p in _PARTS.split(name) if p and p != name]
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


# Words that say how much of a skill is wanted, not which: dropped when other words remain
# ("Telecom Industry Experience" is evidenced by "setor de telecomunicações").
_GENERIC = {"experience", "experienced", "knowledge", "background", "skills", "skill", "industry", "sector",
            "domain", "expertise", "familiarity", "understanding", "exposure", "proficiency", "basic", "advanced",
            "strong", "solid", "good", "specialization", "specialisation", "certification", "certified"}


def _content_stems(phrase: str) -> list[str]:
    words = [t.norm for t in tokenize(phrase) if t.word and t.norm not in _STOPWORDS]
    specific = [w for w in words if w not in _GENERIC]
    return [_stem(w) for w in (specific or words)]


def _strict_hits(name: str, analysis: Analysis) -> list[tuple[int, int]]:
    """Spans where an unknown tool's own tokens (or one part's) occur in a row, word-bounded."""
    spans = []
    tokens = analysis.tokens
    for part in _alternatives(name):
        wanted = [t.norm for t in tokenize(part)]
        if not wanted or not any(c.isalnum() for c in "".join(wanted)):
            continue
        n = len(wanted)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k].norm == wanted[k] for k in range(n)) and _tight(tokens, i, i + n, analysis.text) \
                    and _bounded(tokens, i, i + n, analysis.text):
                spans.append((tokens[i].start, tokens[i + n - 1].end))
    return sorted(set(spans))


# ---------------------------------------------------------------------------------------------- evidence

def evidence_spans(name: str, text: str, category: Optional[str] = None) -> list[Evidence]:
    """Every place where `text` names the item, in text order (see the module docstring for the rules).

    `category` is the list the item sits in; it only matters for names the taxonomy does not know
    (a tool list asks for the name's own words in a row, other lists for the free-text rule).
    """
    analysis = analyse(text)
    entry = TAXONOMY.entry(name)
    spans: list[tuple[int, int]]
    if entry is not None:
        spans = [(h.start, h.end) for h in analysis.occurrences(entry)]
        if not spans and entry.kind is not Kind.TOOL:
            phrases = [_content_stems(p) for p in _alternatives(entry.canonical)]
            phrases += [stems for stems in map(_content_stems, entry.aliases) if len(stems) > 1]
            spans = analysis.free_text(phrases)
    elif category is None or category in TOOL_CATEGORIES:
        spans = _strict_hits(name, analysis)
    else:
        spans = analysis.free_text([s for s in (_content_stems(p) for p in _alternatives(name)) if s])
    return [Evidence(start, end, text[start:end]) for start, end in sorted(set(spans))]


def find_evidence(name: str, text: str, category: Optional[str] = None) -> Optional[Evidence]:
    """Where the listing first names the item, or None: character offsets into `text` itself."""
    spans = evidence_spans(name, text, category)
    return spans[0] if spans else None


class Found(NamedTuple):
    """One taxonomy entry found by recall, with every place it is named."""

    entry: Entry
    evidence: tuple[Evidence, ...]


def recall(text: str, kinds: frozenset[Kind] = frozenset({Kind.TOOL})) -> list[Found]:
    """Every entry of the given kinds that the text names as a mention of its own, ambiguous tool names only
    with context (other kinds never by an ambiguous spelling), in order of first mention."""
    analysis = analyse(text)
    found: dict[str, list[Evidence]] = {}
    entries: dict[str, Entry] = {}
    for hit in analysis.recall_hits():
        if hit.entry.kind not in kinds or (hit.entry.kind is not Kind.TOOL and hit.pattern.needs_context):
            continue  # a methodology or skill spelled as a common word ("DevOps" is also a job) is only evidence
        if analysis.accepted(hit, resolved=True):
            entries.setdefault(hit.entry.canonical, hit.entry)
            found.setdefault(hit.entry.canonical, []).append(Evidence(hit.start, hit.end, text[hit.start:hit.end]))
    return [Found(entries[c], tuple(ev)) for c, ev in found.items()]
