"""The one pass from a model's (or a teacher's) extraction to the rows' extraction: scalar rules from the
listing itself, then grounding of every skill in the listing text, then backfill of tools the model missed.

The pipeline, `trainer evaluate`, `trainer label` and the training loader all call `postprocess`, so a label,
a score and a table row are cleaned by exactly the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from extraction.grounding import GroundingResult, ground
from extraction.listings import Listing
from extraction.rules import apply_rules
from schemas.models import JobExtraction


@dataclass(frozen=True)
class Postprocessed:
    """The final extraction, its grounded skill items, and the names of the scalar fields the rules set."""

    grounding: GroundingResult
    ruled: tuple[str, ...]

    @property
    def extraction(self) -> JobExtraction:
        return self.grounding.extraction

    def counts(self) -> Iterator[tuple[str, int]]:
        """("removed:<list>" | "removed_reason:<reason>" | "recovered:<list>" | "ruled:<field>", n) for the run
        summary; the skills' removals also by reason ("removed_reason:negated",
        `extraction.grounding.REMOVAL_REASONS`)."""
        for kind, counts in (("removed", self.grounding.removed), ("removed_reason", self.grounding.removed_by_reason),
                             ("recovered", self.grounding.recovered),
                             ("ruled", dict.fromkeys(self.ruled, 1))):
            for key, n in counts.items():
                yield f"{kind}:{key}", n


def postprocess(extraction: JobExtraction, listing: Listing, *, rules: bool = True, backfill: bool = True,
                keep_ungrounded: bool = False) -> Postprocessed:
    """Rules (`extraction.rules`), then grounding (`extraction.grounding`) with or without backfill.

    Labels are cleaned with `rules=False, backfill=False`: a label keeps only the teacher's own items, in the
    lists the taxonomy files them under, so the student never learns to invent a skill.
    """
    ruled: list[str] = []
    if rules:
        extraction, ruled = apply_rules(extraction, listing)
    grounding = ground(extraction, listing.text(), keep_ungrounded=keep_ungrounded, backfill=backfill)
    return Postprocessed(grounding, tuple(ruled))
