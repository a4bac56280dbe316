"""Finding the taxonomy's names, and free-text items, in a listing: evidence spans and backfill.

The matching rules are written out in `schemas.taxonomy`'s docstring (tokens, word bounds, leftmost-longest,
context spellings, free text on light stems, injected lines ignored); this module applies them to a text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Optional

from schemas.taxonomy import (
    PLATFORMS,
    SEPARATORS,
    TAXONOMY,
    TOOL_CATEGORIES,
    Entry,
    Hit,
    Kind,
    Taxonomy,
    bounded,
    fold,
    tight,
    tokenize,
)

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


# Text that talks to the model instead of the reader (prompt injection) is never evidence and backfills nothing:
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
        return SEPARATORS.sub("", self.text[hit.start:hit.end]) == SEPARATORS.sub("", written)

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

    def backfill_hits(self) -> list[Hit]:
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
        if stem.startswith(_EXACT):  # a tool's name: the word itself ("Looker" is not "looking")
            word = stem[len(_EXACT):]
            return [k for k in self._by_prefix.get(_stem(word)[:5], ()) if self.tokens[k].norm == word]
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
# Longest first. Romance and German endings too, so "organización", "optimizar", "monitorear", "Modellen" and
# "leadership" meet "organization", "optimize", "monitor", "model" and "leader" on the same stem.
_SUFFIXES = tuple(sorted((
    "isations", "izations", "isation", "ization", "ions", "ion", "ments", "ment", "ities", "ity",
    "izing", "ising", "ings", "ing", "ness", "ised", "ized", "ises", "izes", "ise", "ize", "ers", "er",
    "ies", "ied", "es", "ed", "ly", "al", "coes", "cao", "ungen", "ung", "s", "e", "o", "a",
    "ships", "ship", "izaciones", "izacion", "aciones", "acion", "ciones", "cion", "izar", "izado", "izada",
    "izzazione", "azioni", "azione", "zioni", "zione", "ierung", "ieren", "ear", "en"), key=len, reverse=True))
# Suffixes that make another word of a short stem ("looker" is not "looking", "tester" not "tests"), or that
# would cut one too short ("otimizar"): cut only when five letters remain ("developer" = "development").
_DERIVING = {"ers", "er", "ships", "ship", "izar", "izado", "izada", "ear", "en"}
# One family, spelled differently in our languages: certification, certified, certificação, Zertifizierung.
_FAMILIES = (("certif", "certif"), ("zertifi", "certif"), ("certyfik", "certif"))
_EXACT = "="  # marks an item's word that must be written as such (a tool's name), not as a stem
_PREFIX_EXTRA = 2  # letters a longer stem may add to a shorter one of the same word ("modell" = "model")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light, language-agnostic stem: up to two common suffixes cut, at least four letters kept."""
    for prefix, family in _FAMILIES:
        if word.startswith(prefix):
            return family
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= (5 if suffix in _DERIVING else 4):
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _same_stem(a: str, b: str) -> bool:
    """The same word family: equal stems, or one a longer spelling of the other ("modell", "model"), never
    another word that starts the same ("excel" is not "excellent", "power" not "powershell")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short) and len(long) - len(short) <= _PREFIX_EXTRA


_PARTS = re.compile(r"\s+/\s+|\s*[()]\s*|\s*,\s*")


def _alternatives(name: str) -> list[str]:
    """"A / B" and "A (B, C)" are evidenced by any part; the whole name is tried first."""
    parts = [name] + [p for p in _PARTS.split(name) if p and p != name]
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


# Words that say how much of a skill is wanted, not which: dropped when other words remain
# ("Telecom Industry Experience" is evidenced by "setor de telecomunicações"). A certification is not one of
# them: "Looker Certification" needs the certification, not only the tool.
_GENERIC = {"experience", "experienced", "knowledge", "background", "skills", "skill", "industry", "sector",
            "domain", "expertise", "familiarity", "understanding", "exposure", "proficiency", "basic", "advanced",
            "strong", "solid", "good", "specialization", "specialisation"}


def _is_tool_word(word: str) -> bool:
    entry = TAXONOMY.entry(word)
    return entry is not None and entry.kind is Kind.TOOL


def _content_stems(phrase: str) -> list[str]:
    """The words an item's evidence needs: stems, except a tool's name, which must be written as such."""
    words = [t.norm for t in tokenize(phrase) if t.word and t.norm not in _STOPWORDS]
    specific = [w for w in words if w not in _GENERIC]
    return [_EXACT + w if _is_tool_word(w) else _stem(w) for w in (specific or words)]


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
            if all(tokens[i + k].norm == wanted[k] for k in range(n)) and tight(tokens, i, i + n, analysis.text) \
                    and bounded(tokens, i, i + n, analysis.text):
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
    """One taxonomy entry found by backfill, with every place it is named."""

    entry: Entry
    evidence: tuple[Evidence, ...]


def backfill(text: str, kinds: frozenset[Kind] = frozenset({Kind.TOOL})) -> list[Found]:
    """Every entry of the given kinds that the text names as a mention of its own, ambiguous tool names only
    with context (other kinds never by an ambiguous spelling), in order of first mention."""
    analysis = analyse(text)
    found: dict[str, list[Evidence]] = {}
    entries: dict[str, Entry] = {}
    for hit in analysis.backfill_hits():
        if hit.entry.kind not in kinds or (hit.entry.kind is not Kind.TOOL and hit.pattern.needs_context):
            continue  # a methodology or skill spelled as a common word ("DevOps" is also a job) is only evidence
        if analysis.accepted(hit, resolved=True):
            entries.setdefault(hit.entry.canonical, hit.entry)
            found.setdefault(hit.entry.canonical, []).append(Evidence(hit.start, hit.end, text[hit.start:hit.end]))
    return [Found(entries[c], tuple(ev)) for c, ev in found.items()]


def is_grounded(name: str, listing_text: str) -> bool:
    """Whether the listing names the item: `find_evidence` finds a span for it."""
    return find_evidence(name, listing_text) is not None
