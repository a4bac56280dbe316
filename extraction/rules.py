"""Scalar fields the listing states outright, set by rule after the model (the labelling guide's own rules).

A 135M model reads "Estágio em Dados" and still writes "Mid-Level" now and then; the title says it, so a
rule is both cheaper and right. The rules only use what the listing itself shows and only where the
labelling guide (docs/labelling-guide.md) decides the field the same way:

- role_seniority: a seniority word in the listing's title wins (Intern/Estágio/Praktikum/Werkstudent ->
  Internship, Junior/Jr -> Junior, Pleno -> Mid-Level, Senior/Sr -> Senior, Lead -> Lead, Staff ->
  Staff, Principal -> Principal, Head of -> Manager, Director/VP -> Director, Chief/CTO -> Executive; the
  highest when there are several). Without one, the minimum years decide (0-1 Junior, 2-4 Mid-Level, 5+
  Senior). "Manager" alone is left to the model: "Product Manager" is a role, not a rank.
- remote_status: when the model found nothing, the listing's own workplace column (Remote, Hybrid, On-site).

Every change is counted by `apply_rules`, so its effect is measured (BENCHMARKS.md).
"""
from __future__ import annotations

import re
from typing import Optional

from schemas.models import JobExtraction
from schemas.vocab import RemoteStatus, RoleSeniority

# lowest to highest: with several markers in one title the highest wins ("Senior Staff Engineer" -> Staff)
_TITLE_MARKERS: list[tuple[RoleSeniority, str]] = [
    (RoleSeniority.INTERNSHIP, r"intern(ship)?|estági(o|ária|ário)|estagiári[oa]|praktikant(in)?|praktikum|"
                               r"werkstudent(in)?|stagiaire|stage|becari[oa]|prácticas|trainee|pasantía"),
    (RoleSeniority.JUNIOR, r"junior|jr|júnior|graduate|entry[- ]level"),
    (RoleSeniority.MID_LEVEL, r"pleno|mid[- ]level|intermediate"),
    (RoleSeniority.SENIOR, r"senior|sr|sênior|sénior|señor"),
    (RoleSeniority.LEAD, r"lead|tech lead|líder|lider"),
    (RoleSeniority.STAFF, r"staff"),
    (RoleSeniority.PRINCIPAL, r"principal"),
    (RoleSeniority.MANAGER, r"head of|head|gerente|teamleiter(in)?|abteilungsleiter(in)?"),
    (RoleSeniority.DIRECTOR, r"director|directora|diretor(a)?|directeur|directrice|vp|vice president"),
    (RoleSeniority.EXECUTIVE, r"chief|cto|cdo|cio|ceo|c-level"),
]
_PATTERNS = [(level, re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)) for level, words in _TITLE_MARKERS]
_MANAGER = re.compile(r"(?<!\w)(manager|managerin|leiter|leiterin)(?!\w)", re.IGNORECASE)
_WORKPLACE = {"remote": RemoteStatus.FULLY_REMOTE, "hybrid": RemoteStatus.HYBRID,
              "on-site": RemoteStatus.OFFICE, "onsite": RemoteStatus.OFFICE, "on site": RemoteStatus.OFFICE}


def title_seniority(title: Optional[str]) -> Optional[RoleSeniority]:
    """The highest seniority word in a job title, or None."""
    if not title:
        return None
    found = [level for level, pattern in _PATTERNS if pattern.search(title)]
    return found[-1] if found else None


def years_seniority(years_min: Optional[int]) -> Optional[RoleSeniority]:
    if years_min is None:
        return None
    return RoleSeniority.JUNIOR if years_min <= 1 else RoleSeniority.MID_LEVEL if years_min <= 4 \
        else RoleSeniority.SENIOR


def apply_rules(extraction: JobExtraction, title: Optional[str], workplace_type: Optional[str]
                ) -> tuple[JobExtraction, list[str]]:
    """The extraction with rule-decided scalars, and the names of the fields the rules changed."""
    changed: list[str] = []
    summary, where = extraction.job_summary, extraction.location_and_work_model
    seniority = title_seniority(title)
    if seniority is None and not names_a_manager(title):
        seniority = years_seniority(extraction.required_qualifications.experience_years_min)
    updates: dict = {}
    if seniority is not None and seniority != summary.role_seniority:
        updates["job_summary"] = summary.model_copy(update={"role_seniority": seniority})
        changed.append("role_seniority")
    workplace = _WORKPLACE.get(" ".join((workplace_type or "").lower().split()))
    if workplace is not None and where.remote_status is RemoteStatus.NOT_SPECIFIED:
        updates["location_and_work_model"] = where.model_copy(update={"remote_status": workplace})
        changed.append("remote_status")
    return (extraction.model_copy(update=updates) if updates else extraction), changed


def names_a_manager(title: Optional[str]) -> bool:
    """A title with "Manager" or "Leiter": years say nothing about its rank, so the model's answer stands."""
    return bool(title) and _MANAGER.search(title) is not None
