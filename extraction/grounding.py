"""Grounding an extraction in its listing: evidence for every skill, backfill of what the model left out.

A small model's skill lists are half invention and its tool lists mostly empty. This module fixes both
deterministically, with the taxonomy (`schemas.taxonomy`):

- `find_evidence(name, text)`: where the listing names an item, as character offsets into the text the
  model read (`text[start:end]` is the listing's own words). Matching rules: `schemas.taxonomy`'s docstring.
- `requirement_at(text, offset)`: "preferred" inside a preferred section or clause, else "required".
  A heading line with a marker ("Nice to have", "Preferred", "Bonus", "Plus", "Desejável", "Diferenciais",
  "Valorizamos", "Wünschenswert", "Von Vorteil", "Un plus", "Souhaité", "Deseable", "Valorable", ...) starts a
  preferred section that lasts until the next heading without one ("What we offer", "Requirements", ...).
  A heading is a line without a bullet of at most 8 words that ends with ":", or of at most 6 words with no
  final punctuation that is followed by a bullet or reads like a section name ("What we offer", "Dein Profil").
  A "Nice to have: X, Y" line is preferred as a whole. Inside other lines, a clause (ended by ; . ! ?) with a
  trailing marker ("X is a plus", "Kenntnisse in Y sind ein Plus", "Z é um diferencial", "von Vorteil") is
  preferred up to the marker (only the parenthesis for "(AWS preferred)", only the last part after a comma
  unless that part continues a list: "Kafka, Kinesis or Pulsar is a plus"), and a leading marker ("ideally",
  "idealerweise", "gerne auch", "de preferência", "preferably") makes the rest of its clause preferred.
- `scan(text)`: every taxonomy tool, language, platform, service and methodology the listing names,
  ambiguous names only with context, each with its category, first evidence and requirement (required if
  any mention is in a required part). Methodologies are backfilled because it is precise (bench: 52 of 52
  on the tuned labels, 12 of 12 held out; "DevOps" alone names a job, so it is only evidence); concepts
  (precision 0.5) and soft skills (0.8) are not: their spellings are common words.
- `ground(extraction, text)`: the one entry point for the pipeline, the trainer's label cleaning and the
  evaluation. For every item of the lists `extraction.rows.skill_lists` walks:
    * items with no evidence are removed (`keep_ungrounded=True` keeps them, flagged grounded=False);
      `removed` counts them by list either way; so are perks written into a skill list ("401(k) Match",
      "Dental Insurance", "Vale-refeição": `is_benefit`), which are never kept;
    * an item the taxonomy files under another list moves there (unless the table accepts it where it is,
      e.g. DAX under BI tools); an item whose every mention is in a preferred part moves to
      `preferred_qualifications.skills_keywords`, and a taxonomy item the model called preferred whose listing
      requires it moves to its own list; `moved` counts them by the list they left;
    * known items take their canonical name ("Comunicação" -> "Communication", "k8s" -> "Kubernetes");
    * with `backfill=True`, tools and methodologies that `scan` finds and no list holds are added to their list (or to the
      preferred list when only preferred parts name them), with source "taxonomy"; `recovered` counts them by
      the list they joined. A model item that `scan` also finds has source "both".
  An empty extraction (no role title, skill or responsibility: the model's verdict that the text is not a
  job listing, `extraction.screening`) backfills nothing.
  Lists keep their bounds (8 items, 4 for concept sub-lists, 10 preferred): model items are placed first, in
  the model's order, then recovered ones in text order; what does not fit, and an item already placed in
  another list, is not added and is counted in `dropped` by list. The result is validated again.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal, Optional

from extraction.evidence import Evidence, analyse, evidence_spans, find_evidence
from extraction.evidence import backfill as backfill_entries
from schemas.canonical import canonical_name, match_key
from schemas.fields import CONCEPT_LIST_MAX_ITEMS, LIST_MAX_ITEMS, PREFERRED_SKILLS_MAX_ITEMS
from schemas.models import JobExtraction, is_empty_extraction, skill_lists
from schemas.taxonomy import PREFERRED, TAXONOMY, Entry, Kind, spelling_key

__all__ = ["Evidence", "GroundingResult", "Mention", "SkillItem", "find_evidence", "ground", "requirement_at", "scan"]

Requirement = Literal["required", "preferred"]
Source = Literal["model", "taxonomy", "both"]

# ---------------------------------------------------------------------------------------------- sections

_PREFERRED_MARKERS = [
    # en
    r"nice[\s-]to[\s-]haves?", r"preferred", r"preferable", r"desirable", r"desired", r"good[\s-]to[\s-]have",
    r"bonus\s+points?", r"plus\s+points?", r"(?:is|are|would\s+be|will\s+be)\s+(?:a|an)\s+(?:strong\s+|big\s+|real\s+"
    r"|great\s+|huge\s+|definite\s+|additional\s+)?(?:plus|advantage|bonus|asset)", r"a\s+plus",
    r"an\s+(?:added\s+)?advantage", r"advantageous", r"even\s+better", r"stand\s+out", r"extra\s+credit",
    r"ideally", r"preferably", r"(?:is|are)\s+(?:highly\s+)?(?:welcome|appreciated|beneficial)", r"merit(?:orious)?",
    r"would\s+be\s+(?:great|nice|good|ideal|a\s+bonus)",
    # pt
    r"desej[aá]ve(?:l|is)", r"diferencia(?:l|is)", r"valorizamos", r"valorizad[oa]s?", r"mais[\s-]valias?",
    r"(?:é|e|será|sera|seria|são|sao)\s+(?:um|uma)\s+(?:grande\s+)?(?:plus|vantagem|b[oóô]nus)",
    r"de\s+prefer[eê]ncia", r"preferencialmente", r"idealmente",
    # de
    r"w[uü]nschenswert", r"von\s+vorteil", r"vorteilhaft", r"idealerweise", r"vorzugsweise", r"pluspunkte?",
    r"(?:ist|sind|w[aä]ren?)\s+(?:ein\s+)?(?:gro[sß]+es\s+)?plus", r"ein\s+plus", r"gerne\s+gesehen",
    r"w[aä]re\s+(?:sch[oö]n|toll|super)",
    # fr
    r"un\s+(?:vrai\s+|gros\s+)?(?:plus|atout)", r"souhait[ée]e?s?", r"appr[ée]ci[ée]e?s?", r"atouts?",
    r"id[ée]alement", r"de\s+pr[ée]f[ée]rence",
    # es
    r"deseables?", r"valorables?", r"valorad[oa]s?", r"se\s+valorar[aá]", r"valoraremos", r"preferiblemente", r"suma\s+puntos",
    r"(?:es|será|sera|sería|seria|son)\s+(?:un\s+)?(?:plus|ventaja)",
]
# Markers that open a clause ("ideally Y"): what follows them is preferred. The others close it ("X is a plus").
_LEADING = re.compile(r"\b(?:ideally|preferably|idealerweise|vorzugsweise|gerne\s+auch|de\s+prefer[eê]ncia|preferencialmente|"
                      r"idealmente|id[ée]alement|de\s+pr[ée]f[ée]rence|preferiblemente|even\s+better(?:\s+if)?|"
                      r"bonus\s+points?\s+(?:if|for)|(?:it\s+)?would\s+be\s+(?:great|nice|good|ideal|a\s+bonus)\s+if)\b",
                      re.IGNORECASE)
_MARKER = re.compile(r"(?<!\w)(?:" + "|".join(_PREFERRED_MARKERS) + r")(?!\w)", re.IGNORECASE)
# A heading that is only "Plus", "Bonus" or "Atouts" (a trailing colon aside).
_BARE_HEADING = re.compile(r"^(?:a\s+)?(?:plus|bonus|atouts?|extras?|optional|optionnel|opcional)$", re.IGNORECASE)
_SECTION_WORDS = re.compile(
    r"(?<!\w)(?:what\s+(?:we|you)|who\s+(?:we|you)|about\s+(?:us|you|the)|you\s+(?:will|have|bring|are)|we\s+offer|"
    r"your\s+(?:profile|role|tasks|mission|responsibilities)|the\s+(?:role|opportunity|team|job|position)|"
    r"offer|benefits?|perks|requirements|responsibilities|qualifications|duties|how\s+to\s+apply|details|"
    r"why\s+(?:join|us|this)|o\s+que|quem\s+(?:somos|procuramos)|sobre\s+(?:n[oó]s|a|o|ti)|oferecemos|benef[ií]cios|"
    r"requisitos|responsabilidades|perfil|atividades|fun[cç][oõ]es|o\s+desafio|a\s+tua|o\s+teu|"
    r"wir\s+bieten|was\s+wir|was\s+du|dein(?:e)?\s+\w+|ihr(?:e)?\s+(?:profil|aufgaben)|[uü]ber\s+uns|wer\s+wir|"
    r"aufgaben|anforderungen|qualifikationen|profil|nous\s+offrons|ce\s+que|votre\s+\w+|vos\s+missions|missions|"
    r"avantages|qui\s+sommes|lo\s+que|tu\s+perfil|ofrecemos|beneficios|funciones|qui[eé]nes\s+somos)(?!\w)",
    re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25e6\u2013\u2014\u2023\u25cb\u25cf]|\d{1,2}[.)])\s+")
_DECORATION = re.compile(r"^[\s#*_]+|[\s*_]+$")
_CLAUSE_END = re.compile(r"(?<=[;.!?])\s+")


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, start = [], 0
    for piece in text.split("\n"):
        out.append(_Line(start, start + len(piece), piece))
        start += len(piece) + 1
    return out


def _heading(line: _Line, next_line: Optional[_Line], names_tool: bool) -> Optional[str]:
    """'preferred' or 'other' for a heading line, None for content."""
    if _BULLET.match(line.text):
        return None
    core = _DECORATION.sub("", line.text)
    colon = core.endswith((":", "\uff1a"))
    core = core.rstrip(":\uff1a").strip()
    words = core.split()
    if not words or len(words) > 8 or core[-1] in ".!?;,":
        return None
    # a marker with a few heading words ("Preferred qualifications"), or anywhere in a short line that names no
    # tool and lists nothing ("Von Vorteil sind", "Será um diferencial"); "Kafka is a plus" is an item
    preferred = _preferred_heading(core) or (
        _MARKER.search(core) is not None and not names_tool and "," not in core and ";" not in core)
    looks_like = colon or (len(words) <= 6 and (
        preferred or (next_line is not None and _BULLET.match(next_line.text) is not None)
        or _SECTION_WORDS.search(core)))
    if not looks_like:
        return None
    return "preferred" if preferred else "other"


# Words a preferred heading may have around its marker: "Preferred qualifications", "Requisitos desejáveis".
_HEADING_NOUNS = (r"(?:skills?|qualifications?|requirements?|experience|knowledge|points?|extras?|conhecimentos?|"
                  r"requisitos?|compet[eê]ncias|habilidades|kenntnisse|anforderungen|qualifikationen|f[aä]higkeiten|"
                  r"comp[ée]tences|exigences|requisitos|conocimientos|it|if|you|also|have|also\s+have)")
_PREFERRED_HEADING = re.compile(
    rf"^(?:{_HEADING_NOUNS}\s+){{0,2}}\(?(?:{'|'.join(_PREFERRED_MARKERS)})\)?(?:\s+{_HEADING_NOUNS}){{0,3}}$",
    re.IGNORECASE)


def _preferred_heading(core: str) -> bool:
    """A heading that is a preferred marker with at most a few heading words around it ("Nice to have",
    "Preferred qualifications", "Requisitos desejáveis", "Bonus points", "Plus"), not a requirement line that
    ends in one ("Kafka is a plus")."""
    return bool(_PREFERRED_HEADING.match(core) or _BARE_HEADING.match(core))


def _key_value(line: _Line) -> Optional[tuple[str, int]]:
    """("Nice to have", offset after the colon) for a line "Nice to have: X, Y" (key of at most five words)."""
    text = _BULLET.sub("", line.text)
    key, colon, value = text.partition(":")
    if not colon or not value.strip() or not 0 < len(key.split()) <= 5:
        return None
    return _DECORATION.sub("", key), line.end - len(value)


class _Sections:
    """The listing cut into required and preferred parts (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.kinds: list[Requirement] = []
        lines = [line for line in _lines(text) if line.text.strip()]
        tools = sorted(h.start for h in analyse(text).mentions if h.entry.kind is Kind.TOOL)
        state: Requirement = "required"
        for n, line in enumerate(lines):
            k = bisect.bisect_left(tools, line.start)
            names_tool = k < len(tools) and tools[k] < line.end
            heading = _heading(line, lines[n + 1] if n + 1 < len(lines) else None, names_tool)
            if heading is not None:
                state = "preferred" if heading == "preferred" else "required"
                self._mark(line.start, line.end, state)
                continue
            key_value = _key_value(line)
            if key_value is not None and _preferred_heading(key_value[0]):
                self._mark(line.start, line.end, "preferred")
                continue
            if key_value is not None and _SECTION_WORDS.search(key_value[0]):
                state = "required"  # "Benefits: ...", "Requirements: ..." end a preferred section
            self._mark(line.start, line.end, state)
            if state == "required":
                self._inline(text, line)

    def _mark(self, start: int, end: int, kind: Requirement) -> None:
        self.starts.append(start)
        self.kinds.append(kind)
        self.starts.append(end)
        self.kinds.append("required")

    def _inline(self, text: str, line: _Line) -> None:
        clause_start = line.start
        bounds = [m.end() + line.start for m in _CLAUSE_END.finditer(line.text)] + [line.end + 1]
        for clause_end in bounds:
            clause = text[clause_start:min(clause_end, line.end)]
            leading = _LEADING.search(clause)
            markers = list(_MARKER.finditer(clause))
            if leading is not None:
                self._insert(clause_start + leading.start(), clause_start + len(clause))
            elif markers:
                self._insert(clause_start + _trailing_scope(clause[:markers[-1].start()]),
                             clause_start + markers[-1].end())
            clause_start = clause_end

    def _insert(self, start: int, end: int) -> None:
        # the line was just marked required: [line.start required, line.end required]; split it
        line_end = self.starts.pop()
        self.kinds.pop()
        self.starts += [start, end, line_end]
        self.kinds += ["preferred", "required", "required"]

    def at(self, offset: int) -> Requirement:
        k = bisect.bisect_right(self.starts, offset) - 1
        return self.kinds[k] if k >= 0 else "required"


_LIST_WORDS = re.compile(r"(?<!\w)(?:or|and|ou|e|oder|und|o|y|et|bzw)(?!\w)|/", re.IGNORECASE)


def _trailing_scope(head: str) -> int:
    """Where "X is a plus" starts in its clause, given the text before the marker.

    Inside a parenthesis, only that ("(AWS preferred)"); after a comma, only the last part ("Gute
    Englischkenntnisse, Deutsch ist ein Plus"), unless that part continues a list ("Kafka, Kinesis or
    Pulsar is a plus" covers all three).
    """
    opened = head.rfind("(")
    if opened > head.rfind(")") and head[opened + 1:].strip():
        return opened  # "(AWS preferred)"; but "Python (valorable)" is about Python
    depth, comma = 0, -1
    for k, char in enumerate(head):  # the last comma outside parentheses
        depth += (char == "(") - (char == ")")
        if char == "," and depth <= 0:
            comma = k
    if comma >= 0 and not _LIST_WORDS.search(head[comma + 1:]):
        return comma + 1
    return 0


@lru_cache(maxsize=16)
def _sections(text: str) -> _Sections:
    return _Sections(text)


def requirement_at(text: str, offset: int) -> Requirement:
    """Whether the listing asks for what it says at `offset` ("required") or only would like it ("preferred")."""
    return _sections(text).at(offset)


# ---------------------------------------------------------------------------------------------- backfill

@dataclass(frozen=True)
class Mention:
    """A taxonomy item the listing names: canonical name, its list, where, and whether it is required."""

    name: str
    category: str
    evidence: Evidence
    requirement: Requirement


def _decide(evidence: list[Evidence], text: str, claimed: Requirement = "required") -> tuple[Evidence, Requirement]:
    """The claimed requirement if some mention is in such a part (then the first such), else the other one.

    Backfill claims nothing, so a tool is required as soon as one mention is in a required part; an item the
    model filed as preferred stays preferred if the listing names it anywhere as preferred.
    """
    for ev in evidence:
        if requirement_at(text, ev.start) == claimed:
            return ev, claimed
    return evidence[0], "preferred" if claimed == "required" else "required"


_RECALLED = frozenset({Kind.TOOL, Kind.METHODOLOGY})


def scan(text: str) -> list[Mention]:
    """Every taxonomy tool, language, platform, service and methodology the listing names, in text order."""
    out = []
    for found in backfill_entries(text, _RECALLED):
        ev, requirement = _decide(list(found.evidence), text)
        out.append(Mention(found.entry.canonical, found.entry.category, ev, requirement))
    return out


# ---------------------------------------------------------------------------------------------- ground

@dataclass(frozen=True)
class SkillItem:
    """One skill of the grounded extraction, as a `job_skills` row needs it."""

    name: str
    category: str  # the list it sits in, as extraction.rows.skill_lists names it
    requirement: Requirement
    source: Source
    grounded: bool
    evidence: Optional[Evidence]


@dataclass(frozen=True)
class GroundingResult:
    """The cleaned extraction, its skills in list order, and what grounding changed, counted by list."""

    extraction: JobExtraction
    items: tuple[SkillItem, ...]
    removed: dict[str, int] = field(default_factory=dict)  # model items without evidence (removed or kept)
    recovered: dict[str, int] = field(default_factory=dict)  # taxonomy items added, by the list they joined
    moved: dict[str, int] = field(default_factory=dict)  # model items moved to another list, by the list left
    dropped: dict[str, int] = field(default_factory=dict)  # items not added: list full or already placed
    unevidenced: tuple[str, ...] = ()  # the model's names that the listing does not evidence, in list order


def _bound(category: str) -> int:
    if category == PREFERRED:
        return PREFERRED_SKILLS_MAX_ITEMS
    if category.startswith("technical_skills.data_architecture_concepts."):
        return CONCEPT_LIST_MAX_ITEMS
    return LIST_MAX_ITEMS


def _target(path: str, entry: Optional[Entry], requirement: Requirement) -> str:
    if requirement == "preferred":
        return PREFERRED
    if entry is not None and not entry.belongs_in(path):
        return entry.category  # includes a known item the model called preferred that the listing requires
    return path


def _count(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _set_list(data: dict[str, Any], path: str, values: list[str]) -> None:
    parts = (path if path.startswith("preferred_qualifications.") else "required_qualifications." + path).split(".")
    node = data
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = values


# perks a model sometimes writes into a skill list ("401(k) Match", "Medical, Dental & Vision"): never skills
_BENEFIT = re.compile(
    r"\b40[13]\s*\(?[kb]\)?|\brrsp\b|\bpension|\bretirement (?:plan|savings)|\bemployee assistance"
    r"|\b(?:dental|vision|medical|health|life|hospitali[sz]ation)\s+(?:insurance|plan|cover)"
    r"|\bmedical\b.{0,12}\bdental\b|\bdental\b.{0,12}\bvision\b"
    r"|\b(?:meal|food|lunch|grocery|travel|transport(?:ation)?|home[- ]office|wellness|education|mobility|gym)\s+"
    r"(?:allowance|vouchers?|card|budget|stipend|subsidy|benefit|membership)"
    r"|\b(?:unlimited )?(?:pto|paid time off|paid vacation|vacation days|days off|parental leave|maternity leave"
    r"|paternity leave|sabbatical)\b|\b(?:stock|share) options?\b|\brsus?\b|\bprofit[- ]sharing"
    r"|\b(?:annual|performance|christmas|discretionary|signing|sign-on|year-end) bonus|\bgympass|\bcompany car"
    r"|\brelocation (?:support|package|assistance)|\bvale[- ](?:refei|alimenta|transporte)|\bplano de sa[uú]de"
    r"|\bplano odontol|\bseguro de (?:vida|sa[uú]de)|\baux[ií]lio[- ]|\bbetriebliche altersvorsorge"
    r"|\bbetriebsrente|\bjobrad|\bjob-?ticket|\burlaubsgeld|\bweihnachtsgeld|\bseguro m[eé]dico|\bmutuelle"
    r"|\btickets? restaurant|\bcheques? (?:restaurante|comida)",
    re.IGNORECASE)


def is_benefit(name: str) -> bool:
    """Whether a skill-list item names a perk of the job, not a skill (the taxonomy's names never do)."""
    return TAXONOMY.entry(name) is None and _BENEFIT.search(name) is not None


def _item_key(name: str) -> str:
    entry = TAXONOMY.entry(name)
    return spelling_key(entry.canonical) if entry is not None else match_key(canonical_name(name))


def ground(
    extraction: JobExtraction, text: str, *, keep_ungrounded: bool = False, backfill: bool = True
) -> GroundingResult:
    """Ground every skill of `extraction` in `text` (the normalised listing the model read); see the docstring."""
    mentions = {m.name: m for m in scan(text)}
    lists: dict[str, list[str]] = {path: [] for path, _, _ in skill_lists(JobExtraction())}
    info: dict[tuple[str, str], SkillItem] = {}
    placed: set[str] = set()
    removed: dict[str, int] = {}
    recovered: dict[str, int] = {}
    moved: dict[str, int] = {}
    dropped: dict[str, int] = {}
    unevidenced: list[str] = []

    def place(category: str, item: SkillItem) -> bool:
        key = _item_key(item.name)
        if key in placed or len(lists[category]) >= _bound(category):
            _count(dropped, category)
            return False
        placed.add(key)
        lists[category].append(item.name)
        info[(category, match_key(item.name))] = item
        return True

    for path, model_requirement, names in skill_lists(extraction):
        for raw in names:
            entry = TAXONOMY.entry(raw)
            name = entry.canonical if entry is not None else canonical_name(raw)
            if is_benefit(raw):  # a perk, whatever the evidence: removed, never kept
                _count(removed, path)
                continue
            evidence = evidence_spans(raw, text, category=path)
            if not evidence:
                _count(removed, path)
                unevidenced.append(name)
                if keep_ungrounded:
                    target = _target(path, entry, model_requirement) if path != PREFERRED else PREFERRED
                    if target != path:
                        _count(moved, path)
                    place(target, SkillItem(name, target, model_requirement, "model", False, None))
                continue
            ev, requirement = _decide(evidence, text, model_requirement)
            if entry is None and path == PREFERRED:
                requirement = "preferred"  # no list to move an unknown item to
            target = _target(path, entry, requirement)
            if target != path:
                _count(moved, path)
            source: Source = "both" if entry is not None and entry.canonical in mentions else "model"
            place(target, SkillItem(name, target, "preferred" if target == PREFERRED else "required",
                                    source, True, ev))

    if backfill and not is_empty_extraction(extraction):  # an empty extraction is the model's "not a listing"
        for mention in mentions.values():
            if _item_key(mention.name) in placed:
                continue
            target = mention.category if mention.requirement == "required" else PREFERRED
            item = SkillItem(mention.name, target, mention.requirement, "taxonomy", True, mention.evidence)
            if place(target, item):
                _count(recovered, target)

    data = extraction.model_dump(mode="json")
    for path, values in lists.items():
        _set_list(data, path, values)
    cleaned = JobExtraction.model_validate(data)
    items = []
    for path, _, names in skill_lists(cleaned):
        for name in names:
            item = info[(path, match_key(name))]
            items.append(item if item.name == name else dataclasses.replace(item, name=name))
    return GroundingResult(cleaned, tuple(items), removed, recovered, moved, dropped, tuple(unevidenced))
