"""Is this text a job listing at all? A cheap check before the model, and one after it.

Scrapers pick up blog posts, recipes, CVs and press releases. Sent to the
model, such a text comes back as a plausible `jobs` row with invented
seniority, locations and years, and pollutes every chart. Two checks keep
them out, both reported as the dead letter `not_a_job_listing`:

- before the model, `job_signals`: words that job listings use in the five
  languages we see (requirements, responsibilities, experience, apply, salary,
  role nouns, ...). A text with fewer than `MIN_SIGNALS` distinct signal
  families is not sent to the model. The rule is deliberately loose: a
  2-line "Hiring a Python developer, apply here" passes; its cost is measured
  in BENCHMARKS.md (false positives on real listings, catches on non-job texts).
- after the model, `is_empty_extraction`: the model was trained to leave every
  field empty for a text that is not a listing; an extraction with no role
  title, no skills and no responsibilities is not a row.
"""
from __future__ import annotations

import re

from schemas.flatten import skill_lists
from schemas.models import JobExtraction

MIN_SIGNALS = 2

# family -> word stems (matched case-insensitively at the start of a word)
SIGNAL_FAMILIES: dict[str, tuple[str, ...]] = {
    "requirements": ("requirement", "qualification", "must have", "nice to have", "requisito", "qualificaç",
                     "anforderung", "qualifikation", "voraussetzung", "exigence", "profil recherché", "prérequis",
                     "desejável", "diferencia", "wünschenswert", "deseable", "valorable"),
    "responsibilities": ("responsibilit", "you will", "you'll", "your role", "duties", "tasks", "responsabilidad",
                         "responsabilidade", "atividades", "atribuições", "funções", "aufgaben", "tätigkeit",
                         "missions", "vos missions", "funciones", "tareas", "o que vais fazer", "o que você vai"),
    "experience": ("experience", "years of", "experiência", "anos de", "erfahrung", "berufserfahrung",
                   "jahre", "experiencia", "años de", "expérience", "ans d'exp"),
    "knowledge": ("knowledge of", "proficien", "familiarity with", "hands-on", "conhecimento", "domínio",
                  "kenntnisse", "know-how", "conocimiento", "connaissance", "maîtrise", "skills", "competênc",
                  "habilidades", "fähigkeit", "compétence"),
    "apply": ("apply", "applicant", "candidate", "application", "candidat", "candidatura", "bewerb", "postula",
              "postúlate", "envie seu", "send your cv", "recruit", "recrut", "recrutamento", "reclutamiento"),
    "offer": ("we offer", "what we offer", "benefits", "salary", "compensation", "oferecemos", "benefícios",
              "salário", "remuneração", "wir bieten", "gehalt", "vergütung", "ofrecemos", "beneficios", "salario",
              "nous offrons", "avantages", "rémunération", "salaire", "paid time off", "pto", "vacation"),
    "position": ("position", "vacancy", "opening", "job", "role", "hiring", "we are looking", "we're looking",
                 "join our", "join us", "vaga", "oportunidade", "procuramos", "buscamos", "contratando",
                 "stelle", "stellenangebot", "wir suchen", "verstärkung", "puesto", "vacante", "oferta de empleo",
                 "poste", "nous recherchons", "rejoindre", "rejoins", "(m/w/d)", "(m/f/d)", "(w/m/d)", "(h/f)",
                 "full-time", "part-time", "full time", "part time", "tempo integral", "vollzeit", "teilzeit",
                 "tiempo completo", "temps plein", "cdi", "internship", "estágio", "praktikum", "werkstudent",
                 "prácticas", "stage", "trainee"),
    "work_model": ("remote", "hybrid", "on-site", "onsite", "office", "remoto", "híbrido", "presencial",
                   "homeoffice", "home office", "home-office", "vor ort", "télétravail", "hybride"),
    "role_noun": ("engineer", "developer", "analyst", "scientist", "architect", "consultant", "manager",
                  "specialist", "administrator", "intern", "designer", "technician", "engenheir", "desenvolvedor",
                  "analista", "cientista", "consultor", "gerente", "especialista", "estagiári", "entwickler",
                  "ingenieur", "berater", "leiter", "referent", "sachbearbeiter", "ingeniero", "desarrollador",
                  "ingénieur", "développeur", "chef de projet", "responsable", "nurse", "enfermeir", "accountant",
                  "contable", "vertrieb", "sales", "recruiter", "assistant", "operator", "driver", "coordinator"),
}

_PATTERNS = {
    family: re.compile("|".join(rf"(?<!\w){re.escape(stem)}" for stem in stems), re.IGNORECASE)
    for family, stems in SIGNAL_FAMILIES.items()
}


def job_signals(text: str) -> list[str]:
    """The signal families the text shows, in SIGNAL_FAMILIES order."""
    return [family for family, pattern in _PATTERNS.items() if pattern.search(text)]


def looks_like_job_listing(text: str) -> bool:
    """At least MIN_SIGNALS distinct families: loose on purpose (see the module docstring)."""
    return len(job_signals(text)) >= MIN_SIGNALS


def is_empty_extraction(extraction: JobExtraction) -> bool:
    """No role title, no skill of any kind and no responsibility: what the model gives a text that is no listing."""
    return (extraction.job_summary.role_title is None
            and not extraction.role_context.key_responsibilities
            and not any(names for _, _, names in skill_lists(extraction)))
