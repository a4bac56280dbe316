"""Field-by-field scores of predicted extractions against gold ones. Plain functions of plain data.

- valid_json_rate: share of outputs that parse and validate.
- scalar fields: exact-match accuracy (strings compared case- and spacing-insensitively).
- list fields: micro precision/recall/F1 per field over canonicalised names.
- grounding_rate: share of predicted tools (technical_skills) that occur in the listing text.
- mean_f1: the mean F1 over list fields that have any gold or predicted item.
- skills: micro precision/recall/F1 over every skill list at once (the lists `job_skills` is built from:
  technical skills, methodologies, soft skills, preferred skills), an item counting as right when its list
  and its canonical name both match; `skills_any_list` ignores the list (a right name in the wrong category
  still counts), and `tool_lists` is the same micro score over the technical-skill lists alone.
- scalar_core_accuracy: the mean accuracy over seniority, remote status, company type, visa, years and days
  off (the scalars a dashboard filters on).
An invalid output counts as an empty extraction: it scores on no field.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pydantic import BaseModel

from extraction.evidence import is_grounded
from schemas.canonical import match_key
from schemas.models import JobExtraction, iter_lists

CORE_SCALARS = (
    "job_summary.role_seniority",
    "location_and_work_model.remote_status",
    "company_information.company_type",
    "job_summary.visa_sponsorship",
    "required_qualifications.experience_years_min",
    "required_qualifications.experience_years_max",
    "benefits.paid_time_off_days",
)
SKILL_PREFIXES = ("required_qualifications.technical_skills.", "required_qualifications.methodologies_practices",
                  "required_qualifications.soft_skills_keywords", "preferred_qualifications.skills_keywords")
TOOL_PREFIX = SKILL_PREFIXES[0]

SCALAR_FIELDS = (
    "job_summary.role_title",
    "job_summary.role_seniority",
    "job_summary.visa_sponsorship",
    "company_information.company_type",
    "location_and_work_model.specification_level",
    "location_and_work_model.remote_status",
    "required_qualifications.experience_years_min",
    "required_qualifications.experience_years_max",
    "benefits.paid_time_off_days",
)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, Optional[float]]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        if precision is None or recall is None:
            f1 = None if self.tp + self.fp + self.fn == 0 else 0.0
        else:
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "support": self.tp + self.fn}


@dataclass
class Example:
    prediction: Optional[JobExtraction]  # None: the output was not a valid extraction
    gold: JobExtraction
    listing: str = ""


def _get(model: BaseModel, path: str) -> Any:
    value: Any = model
    for part in path.split("."):
        value = getattr(value, part)
    return getattr(value, "value", value)


def list_fields(model: BaseModel) -> dict[str, list[str]]:
    """Every list leaf by dotted path, values as plain strings."""
    return dict(iter_lists(model))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return match_key(a) == match_key(b)
    return a == b


def score(examples: list[Example]) -> dict[str, Any]:
    empty = JobExtraction()
    valid = sum(e.prediction is not None for e in examples)
    scalar = {path: sum(_same(_get(e.prediction or empty, path), _get(e.gold, path)) for e in examples)
              for path in SCALAR_FIELDS}
    counts: dict[str, Counts] = {}
    grounded = tools = 0
    for e in examples:
        predicted = list_fields(e.prediction or empty)
        gold = list_fields(e.gold)
        for path in gold:
            p = {match_key(v) for v in predicted[path]}
            g = {match_key(v) for v in gold[path]}
            c = counts.setdefault(path, Counts())
            c.tp += len(p & g)
            c.fp += len(p - g)
            c.fn += len(g - p)
            if path.startswith("required_qualifications.technical_skills.") and e.prediction is not None:
                tools += len(predicted[path])
                grounded += sum(is_grounded(v, e.listing) for v in predicted[path])
    n = len(examples)
    per_list = {path: c.scores() for path, c in counts.items()}
    f1s = [s["f1"] for s in per_list.values() if s["f1"] is not None]
    skills = _pooled(counts, SKILL_PREFIXES)
    return {
        "skills": skills.scores(),
        "skills_any_list": _any_list(examples, empty).scores(),
        "tool_lists": _pooled(counts, (TOOL_PREFIX,)).scores(),
        "scalar_core_accuracy": sum(scalar[p] for p in CORE_SCALARS) / (n * len(CORE_SCALARS)) if n else None,
        "examples": n,
        "valid_json_rate": valid / n if n else None,
        "scalar_accuracy": {path: hits / n for path, hits in scalar.items()} if n else {},
        "list_scores": per_list,
        "grounding_rate": grounded / tools if tools else None,
        "predicted_tools": tools,
        "mean_f1": sum(f1s) / len(f1s) if f1s else None,
    }


def _pooled(counts: dict[str, Counts], prefixes: tuple[str, ...]) -> Counts:
    """One micro count over the lists whose path starts with one of `prefixes`."""
    pooled = Counts()
    for path, c in counts.items():
        if path.startswith(prefixes):
            pooled.tp, pooled.fp, pooled.fn = pooled.tp + c.tp, pooled.fp + c.fp, pooled.fn + c.fn
    return pooled


def _any_list(examples: list[Example], empty: JobExtraction) -> Counts:
    """Skill names per listing, whatever list they are in."""
    pooled = Counts()
    for e in examples:
        names = [{match_key(v) for path, values in list_fields(x).items() if path.startswith(SKILL_PREFIXES)
                  for v in values} for x in (e.prediction or empty, e.gold)]
        pooled.tp += len(names[0] & names[1])
        pooled.fp += len(names[0] - names[1])
        pooled.fn += len(names[1] - names[0])
    return pooled
