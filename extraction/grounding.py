"""Grounding an extraction in its listing: evidence for every skill, backfill of what the model left out.

A small model's skill lists are half invention and its tool lists mostly empty. This module fixes both
deterministically, with the taxonomy (`schemas.taxonomy`) and the listing's structure (`extraction.structure`):

- `find_evidence(name, text)`: where the listing names an item, as character offsets into the text the
  model read (`text[start:end]` is the listing's own words). Matching rules: `schemas.taxonomy`'s docstring.
- Evidence of a requirement is a mention outside a negation's scope ("Python is not required", "No Java or
  Scala experience is required", "Deutsch ist keine Voraussetzung") and outside the company blurb, the
  benefits, the application notes and the legal small print ("our platform runs on Kafka", "paid AWS
  certifications"); `requirement_at(text, offset)` is "preferred" inside a nice-to-have section or clause.
- `scan(text)`: every taxonomy tool, language, platform, service and methodology the listing asks for,
  ambiguous names only with context, each with its category, first evidence and requirement (required if
  any mention is in a required part), from every part of the listing but the company blurb, benefits,
  application notes and legal text (`CONTEXT_SECTIONS`), and never from a negated mention. Reading only the
  requirement and nice-to-have sections lost more right tools than wrong ones (docs/benchmarks/grounding.md):
  listings name what the job uses in its duties and its description too. Methodologies are backfilled
  because it is precise; soft skills are not: their spellings are common words ("DevOps" alone names a job,
  so it is only evidence). Concepts are backfilled only from the requirements, nice-to-haves and duties
  (`CONCEPT_SECTIONS`) and only those whose phrases proved precise there on our labels (`BACKFILLED_CONCEPTS`,
  measured in docs/benchmarks/benefits-and-concepts.md); "real-time", "automation" or "statistics" name no concept
  the listing asks for often enough.
- `ground(extraction, text)`: the one entry point for the pipeline, the trainer's label cleaning and the
  evaluation. For every item of the lists `extraction.rows.skill_lists` walks:
    * items with no evidence of a requirement are removed (`keep_ungrounded=True` keeps them, flagged
      grounded=False); `removed` counts them by list either way and `removed_by_reason` by why: no mention
      at all ("unevidenced"), mentions only inside negations ("negated"), only in context ("context_only"),
      and perks written into a skill list ("401(k) Match", "Dental Insurance", "Vale-refeição":
      `is_benefit`, "perk"), which are never kept;
    * an item the taxonomy files under another list moves there (unless the table accepts it where it is,
      e.g. DAX under BI tools); an item whose every mention is in a preferred part moves to
      `preferred_qualifications.skills_keywords`, and a taxonomy item the model called preferred whose listing
      requires it moves to its own list; `moved` counts them by the list they left;
    * known items take their canonical name ("Comunicação" -> "Communication", "k8s" -> "Kubernetes");
    * with `backfill=True`, tools and methodologies that `scan` finds and no list holds are added to their list (or to the
      preferred list when only preferred parts name them), with source "taxonomy"; `recovered` counts them by
      the list they joined. A model item that `scan` also finds has source "both".
  Every item carries the section of its evidence. An empty extraction (no role title, skill or
  responsibility: the model's verdict that the text is not a job listing, `extraction.screening`) backfills
  nothing.
  Lists keep their bounds (8 items, 4 for concept sub-lists, 10 preferred): model items are placed first, in
  the model's order, then recovered ones in text order; what does not fit, and an item already placed in
  another list, is not added and is counted in `dropped` by list. The result is validated again.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from extraction.evidence import Evidence, evidence_spans, find_evidence
from extraction.evidence import backfill as backfill_entries
from extraction.structure import Requirement, Section, Structure, analyse_structure, requirement_at
from schemas.canonical import canonical_name, match_key
from schemas.fields import CONCEPT_LIST_MAX_ITEMS, LIST_MAX_ITEMS, PREFERRED_SKILLS_MAX_ITEMS
from schemas.models import JobExtraction, is_empty_extraction, skill_lists
from schemas.taxonomy import PREFERRED, TAXONOMY, Entry, Kind, spelling_key

__all__ = ["Evidence", "GroundingResult", "Mention", "SkillItem", "find_evidence", "ground", "requirement_at", "scan"]

Source = Literal["model", "taxonomy", "both"]

# ---------------------------------------------------------------------------------------------- backfill

# What a mention in these sections says of the company, the offer or the process, never of the applicant.
CONTEXT_SECTIONS = frozenset({Section.COMPANY, Section.BENEFITS, Section.APPLY, Section.LEGAL})


@dataclass(frozen=True)
class Mention:
    """A taxonomy item the listing names: canonical name, its list, where, and whether it is required."""

    name: str
    category: str
    evidence: Evidence
    requirement: Requirement


def _asks(structure: Structure, ev: Evidence) -> bool:
    """Whether a mention is evidence of a requirement: not negated, not in company, benefits, apply or legal text."""
    return not structure.negated(ev.start, ev.end) and structure.section_at(ev.start) not in CONTEXT_SECTIONS


def _decide(evidence: list[Evidence], text: str, claimed: Requirement = "required") -> tuple[Evidence, Requirement]:
    """The claimed requirement if some mention is in such a part (then the first such), else the other one.

    Backfill claims nothing, so a tool is required as soon as one mention is in a required part; an item the
    model filed as preferred stays preferred if the listing names it anywhere as preferred.
    """
    structure = analyse_structure(text)
    for ev in evidence:
        if structure.requirement_at(ev.start) == claimed:
            return ev, claimed
    return evidence[0], "preferred" if claimed == "required" else "required"


_RECALLED = frozenset({Kind.TOOL, Kind.METHODOLOGY, Kind.CONCEPT})
# The concepts whose taxonomy phrases, found in CONCEPT_SECTIONS, named a concept of the labels (precision of at
# least 0.8 over at least three labelled listings; docs/benchmarks/benefits-and-concepts.md, bench/benefits_bench.py).
# The others are evidence only.
BACKFILLED_CONCEPTS = frozenset({
    "Data Quality Management", "Data Warehousing (DWH)", "Dimensional Modeling", "Data Modeling", "Data Governance",
    "Lakehouse Architecture", "Batch Processing", "Cost Optimization", "Model Deployment / Serving",
    "Microservices Architecture", "Medallion Architecture", "Deep Learning", "Experiment Tracking",
    "Cloud Data Warehousing", "ETL Design & Development", "Feature Engineering", "GDPR Compliance", "Data Lineage",
    "Event-Driven Architecture", "Model Monitoring", "ELT Design & Development", "High Availability",
    "Natural Language Processing (NLP)", "Cloud Migration",
})
CONCEPT_SECTIONS = frozenset({Section.REQUIREMENTS, Section.NICE_TO_HAVE, Section.RESPONSIBILITIES})


def _backfills_entry(structure: Structure, entry: Entry, ev: Evidence) -> bool:
    if entry.kind is not Kind.CONCEPT:
        return _asks(structure, ev)
    return entry.canonical in BACKFILLED_CONCEPTS and _asks(structure, ev) \
        and structure.section_at(ev.start) in CONCEPT_SECTIONS


def scan(text: str) -> list[Mention]:
    """Every taxonomy tool, language, platform, service, methodology and precise concept the listing asks for,
    in text order."""
    structure = analyse_structure(text)
    out = []
    for found in backfill_entries(text, _RECALLED):
        evidence = [ev for ev in found.evidence if _backfills_entry(structure, found.entry, ev)]
        if evidence:
            ev, requirement = _decide(evidence, text)
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
    section: Optional[Section] = None  # the listing section of the evidence


# Why grounding removed a model item: no mention at all, mentions only inside negations, only in company,
# benefits, application or legal text, or a perk written into a skill list.
REMOVAL_REASONS = ("unevidenced", "negated", "context_only", "perk")


@dataclass(frozen=True)
class GroundingResult:
    """The cleaned extraction, its skills in list order, and what grounding changed, counted by list (and the
    removals also by reason, `REMOVAL_REASONS`)."""

    extraction: JobExtraction
    items: tuple[SkillItem, ...]
    removed: dict[str, int] = field(default_factory=dict)  # model items without evidence (removed or kept)
    removed_by_reason: dict[str, int] = field(default_factory=dict)  # the same items, by why
    recovered: dict[str, int] = field(default_factory=dict)  # taxonomy items added, by the list they joined
    moved: dict[str, int] = field(default_factory=dict)  # model items moved to another list, by the list left
    dropped: dict[str, int] = field(default_factory=dict)  # items not added: list full or already placed
    unevidenced: tuple[str, ...] = ()  # the model's names the listing does not ask for (any reason but perk), in order


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


def _why_not(evidence: list[Evidence], structure: Structure) -> str:
    """The removal reason of a model item none of whose mentions asks for it."""
    if not evidence:
        return "unevidenced"
    if all(structure.negated(ev.start, ev.end) for ev in evidence):
        return "negated"
    return "negated" if any(structure.negated(ev.start, ev.end) for ev in evidence
                            if structure.section_at(ev.start) not in CONTEXT_SECTIONS) else "context_only"


def ground(
    extraction: JobExtraction, text: str, *, keep_ungrounded: bool = False, backfill: bool = True
) -> GroundingResult:
    """Ground every skill of `extraction` in `text` (the normalised listing the model read); see the docstring."""
    structure = analyse_structure(text)
    mentions = {m.name: m for m in scan(text)}
    lists: dict[str, list[str]] = {path: [] for path, _, _ in skill_lists(JobExtraction())}
    info: dict[tuple[str, str], SkillItem] = {}
    placed: set[str] = set()
    removed: dict[str, int] = {}
    reasons: dict[str, int] = {}
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
                _count(reasons, "perk")
                continue
            mentioned = evidence_spans(raw, text, category=path)
            evidence = [ev for ev in mentioned if _asks(structure, ev)]
            if not evidence:
                _count(removed, path)
                _count(reasons, _why_not(mentioned, structure))
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
                                    source, True, ev, structure.section_at(ev.start)))

    if backfill and not is_empty_extraction(extraction):  # an empty extraction is the model's "not a listing"
        for mention in mentions.values():
            if _item_key(mention.name) in placed:
                continue
            target = mention.category if mention.requirement == "required" else PREFERRED
            item = SkillItem(mention.name, target, mention.requirement, "taxonomy", True, mention.evidence,
                             structure.section_at(mention.evidence.start))
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
    return GroundingResult(cleaned, tuple(items), removed, reasons, recovered, moved, dropped, tuple(unevidenced))
