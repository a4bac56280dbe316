"""Benefits grounded like skills: evidence for every benefit, backfill of benefits the model left out.

The benefits taxonomy (`schemas/data/benefits.csv`) is written and matched by the skill taxonomy's rules
(`schemas.taxonomy`: tokens, word bounds, leftmost-longest, spellings that need context); each row names the
list its benefit belongs in: `benefits.learning_platforms` (Udemy, Coursera, LinkedIn Learning, Alura, ...),
`benefits.other_benefits_keywords` (health insurance, pension, equity, meal vouchers, gym, parental leave, ...)
or `location_and_work_model.flexibility` (flexible hours). Canonical names are the labels' own, and spellings
that the labels tell apart stay apart ("Pension Contribution" is not "Pension Scheme").

`ground_benefits(extraction, text)`, called by `extraction.postprocess` before the skills are grounded, does for
the items of those three lists what `extraction.grounding.ground` does for skills:

- a known benefit is evidenced by any of its spellings; a benefit named only inside a longer benefit's name
  takes that name ("Udemy" written "Udemy Business", "Pension Plan" written "company pension plan"); a known
  benefit none of whose spellings occurs, and an unknown item, are evidenced by the free-text rule (every
  content word in one sentence, `extraction.evidence`);
- an item without evidence is removed and counted in `removed` by list (`keep_ungrounded=True` keeps it);
- a known item takes its canonical name and moves to its own list (a learning platform written among other
  benefits, flexible hours written as a benefit); `moved` counts them by the list they left;
- with `backfill=True`, benefits named in the listing's benefits section that no list holds are added to
  their list (`recovered`), model items first, then found ones in text order, up to the list's bound (what does
  not fit is counted in `dropped`). Benefits named elsewhere (a company blurb, a requirement) are not added:
  an insurer's "about us" names health insurance without offering it. An empty extraction (the model's "not
  a listing") backfills nothing.

`benefit_evidence(name, text, category)` is the span a `job_benefits` row carries: the first mention in the
benefits section, else the first anywhere, else None (a kept ungrounded item). The training description
(`benefits.training_development`, free text, not grounded) has a span only where the listing says it word for
word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from extraction.evidence import Analysis, Evidence, evidence_spans
from extraction.structure import Section, Structure, analyse_structure
from schemas.canonical import canonical_name, match_key
from schemas.fields import LIST_MAX_ITEMS
from schemas.models import JobExtraction, is_empty_extraction
from schemas.taxonomy import TAXONOMY_PATH, Entry, Hit, load_taxonomy, spelling_key

BENEFITS_PATH = TAXONOMY_PATH.with_name("benefits.csv")
LEARNING_PLATFORMS = "benefits.learning_platforms"
OTHER_BENEFITS = "benefits.other_benefits_keywords"
FLEXIBILITY = "location_and_work_model.flexibility"
TRAINING = "benefits.training_development"
BENEFIT_LISTS: tuple[str, ...] = (OTHER_BENEFITS, LEARNING_PLATFORMS, FLEXIBILITY)

BENEFITS = load_taxonomy(BENEFITS_PATH, BENEFIT_LISTS)

# ---------------------------------------------------------------------------------------------- evidence

@dataclass(frozen=True)
class _Listing:
    """One listing read for benefits: the analysis under the benefits taxonomy and the listing's structure."""

    analysis: Analysis
    structure: Structure

    def in_benefits(self, offset: int) -> bool:
        return self.structure.section_at(offset) is Section.BENEFITS

    def container(self, hit: Hit) -> Hit:
        """The leftmost-longest mention that holds the hit (the hit itself when it is one)."""
        for mention in self.analysis.mentions:
            if mention.i <= hit.i < mention.j:
                return mention
        return hit


@lru_cache(maxsize=16)
def _read(text: str) -> _Listing:
    return _Listing(Analysis(text, BENEFITS), analyse_structure(text))


def _evidence(hit: Hit, text: str) -> Evidence:
    return Evidence(hit.start, hit.end, text[hit.start:hit.end])


def _spans(name: str, text: str, category: str) -> tuple[Optional[Entry], list[Evidence]]:
    """The entry the item resolves to (a longer benefit's name it is written inside, if so) and its evidence."""
    listing = _read(text)
    entry = BENEFITS.entry(name)
    if entry is None:
        return None, evidence_spans(name, text, category)
    hits = listing.analysis.occurrences(entry)
    if not hits:
        return entry, evidence_spans(entry.canonical, text, category)
    containers = [listing.container(h) for h in hits]
    if all(c.entry is not entry for c in containers):
        return containers[0].entry, [_evidence(c, text) for c in containers]
    return entry, [_evidence(h, text) for h, c in zip(hits, containers) if c.entry is entry]


def _first(evidence: list[Evidence], text: str) -> Evidence:
    listing = _read(text)
    return next((ev for ev in evidence if listing.in_benefits(ev.start)), evidence[0])


def _quoted(description: str, text: str) -> Optional[Evidence]:
    """Where the listing says the description word for word (case and spacing aside)."""
    words = description.split()
    match = re.search(r"\s+".join(map(re.escape, words)), text, re.IGNORECASE) if words else None
    return Evidence(match.start(), match.end(), match.group()) if match else None


def benefit_evidence(name: str, text: str, category: str) -> Optional[Evidence]:
    """Where the listing names the benefit: first in its benefits section, else first anywhere, else None."""
    if category == TRAINING:
        return _quoted(name, text)
    _, evidence = _spans(name, text, category)
    return _first(evidence, text) if evidence else None


# ---------------------------------------------------------------------------------------------- ground

@dataclass(frozen=True)
class BenefitGrounding:
    """The extraction with grounded benefit lists, and what grounding changed, counted by list."""

    extraction: JobExtraction
    removed: dict[str, int] = field(default_factory=dict)  # model items without evidence (removed or kept)
    recovered: dict[str, int] = field(default_factory=dict)  # benefits found in the benefits section, added
    moved: dict[str, int] = field(default_factory=dict)  # model items moved to their own list, by the list left
    dropped: dict[str, int] = field(default_factory=dict)  # not added: list full
    unevidenced: tuple[str, ...] = ()


def _get(data: dict[str, Any], path: str) -> list[str]:
    section, name = path.split(".")
    return list(data[section][name])


def _count(counter: dict[str, int], key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def found_benefits(text: str) -> list[tuple[Entry, Evidence]]:
    """Every benefit named in the listing's benefits section (ambiguous spellings only with context), in
    order of first mention there."""
    listing = _read(text)
    seen: dict[str, tuple[Entry, Evidence]] = {}
    for hit in listing.analysis.hits:
        entry = hit.entry
        if entry.canonical in seen or not listing.in_benefits(hit.start):
            continue
        for occurrence in listing.analysis.occurrences(entry):
            if listing.in_benefits(occurrence.start) and listing.analysis.accepted(occurrence, resolved=True) \
                    and listing.container(occurrence).entry is entry:
                seen[entry.canonical] = (entry, _evidence(occurrence, text))
                break
    return sorted(seen.values(), key=lambda pair: pair[1].start)


def ground_benefits(extraction: JobExtraction, text: str, *, keep_ungrounded: bool = False,
                    backfill: bool = True) -> BenefitGrounding:
    """Ground the benefit lists of `extraction` in `text` (the normalised listing); see the module docstring."""
    data = extraction.model_dump(mode="json")
    lists: dict[str, list[str]] = {path: [] for path in BENEFIT_LISTS}
    placed: set[str] = set()
    removed: dict[str, int] = {}
    recovered: dict[str, int] = {}
    moved: dict[str, int] = {}
    dropped: dict[str, int] = {}
    unevidenced: list[str] = []

    def place(path: str, name: str, key: str) -> bool:
        if key in placed:
            return False
        if len(lists[path]) >= LIST_MAX_ITEMS:
            _count(dropped, path)
            return False
        placed.add(key)
        lists[path].append(name)
        return True

    for path in BENEFIT_LISTS:
        for raw in _get(data, path):
            entry, evidence = _spans(raw, text, path)
            if not evidence:
                _count(removed, path)
                unevidenced.append(raw)
                if keep_ungrounded:
                    place(path, raw, match_key(canonical_name(raw)))
                continue
            if entry is None:
                place(path, raw, match_key(canonical_name(raw)))
                continue
            target = path if entry.belongs_in(path) else entry.category
            if target != path:
                _count(moved, path)
            place(target, entry.canonical, spelling_key(entry.canonical))

    if backfill and not is_empty_extraction(extraction):
        for entry, _ in found_benefits(text):
            if spelling_key(entry.canonical) not in placed and place(entry.category, entry.canonical,
                                                                     spelling_key(entry.canonical)):
                _count(recovered, entry.category)

    for path, values in lists.items():
        section, name = path.split(".")
        data[section][name] = values
    return BenefitGrounding(JobExtraction.model_validate(data), removed, recovered, moved, dropped,
                            tuple(unevidenced))
