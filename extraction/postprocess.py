"""The one pass from a model's (or a teacher's) extraction to the rows' extraction: scalar rules from the
listing itself, then grounding of every benefit and every skill in the listing text, then backfill of the tools and
benefits the model missed.

The pipeline, `trainer evaluate`, `trainer label` and the training loader all call `postprocess`, so a label,
a score and a table row are cleaned by exactly the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from extraction.benefits import BenefitGrounding, ground_benefits
from extraction.grounding import GroundingResult, ground
from extraction.listings import Listing
from extraction.rules import apply_rules
from schemas.models import JobExtraction


@dataclass(frozen=True)
class Postprocessed:
    """The final extraction, its grounded skill items, the names of the scalar fields the rules set, and what
    benefit grounding changed."""

    grounding: GroundingResult
    ruled: tuple[str, ...]
    benefits: BenefitGrounding

    @property
    def extraction(self) -> JobExtraction:
        return self.grounding.extraction

    def counts(self) -> Iterator[tuple[str, int]]:
        """("removed:<list>" | "removed_reason:<reason>" | "recovered:<list>" | "ruled:<field>", n) for the run
        summary; benefit lists count under their own paths ("removed:benefits.other_benefits_keywords"); the
        skills' removals also by reason ("removed_reason:negated", `extraction.grounding.REMOVAL_REASONS`)."""
        for kind, counts in (("removed", self.grounding.removed), ("removed_reason", self.grounding.removed_by_reason),
                             ("recovered", self.grounding.recovered),
                             ("removed", self.benefits.removed), ("recovered", self.benefits.recovered),
                             ("ruled", dict.fromkeys(self.ruled, 1))):
            for key, n in counts.items():
                yield f"{kind}:{key}", n


def postprocess(extraction: JobExtraction, listing: Listing, *, rules: bool = True, backfill: bool = True,
                keep_ungrounded: bool = False) -> Postprocessed:
    """Rules (`extraction.rules`), then benefits (`extraction.benefits`) and skills (`extraction.grounding`)
    grounded, with or without backfill.

    Labels are cleaned with `rules=False, backfill=False`: a label keeps only the teacher's own items, in the
    lists the taxonomies file them under, so the student never learns to invent a skill or a benefit.
    """
    ruled: list[str] = []
    if rules:
        extraction, ruled = apply_rules(extraction, listing)
    text = listing.text()
    benefits = ground_benefits(extraction, text, keep_ungrounded=keep_ungrounded, backfill=backfill)
    grounding = ground(benefits.extraction, text, keep_ungrounded=keep_ungrounded, backfill=backfill)
    return Postprocessed(grounding, tuple(ruled), benefits)
