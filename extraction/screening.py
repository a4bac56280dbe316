"""Is this text a job listing at all? A cheap check before the model, and one after it.

Scrapers pick up blog posts, recipes, CVs and press releases. Sent to the
model, such a text comes back as a plausible `jobs` row with invented
seniority, locations and years, and pollutes every chart. Two checks keep
them out, both reported as the dead letter `not_a_job_listing`:

- before the model, `not_a_listing_reason`, in two steps. First `job_signals`:
  words that job listings use (requirements, responsibilities, experience,
  apply, salary, role nouns, ...) in en, pt, de, es, fr, it, nl and pl; a text with
  fewer than `MIN_SIGNALS` distinct families and no phrase addressing an
  applicant ("we're hiring", "(m/w/d)", a pay rate) is no listing (a recipe, a
  poem), unless it is mostly in another script than Latin (Chinese, Arabic,
  Cyrillic, ...), whose job words we do not know: such a text goes to the model.
  Then the genre: CVs, press releases, blog posts, events, course pages and
  salary reports use job words too, but show other genres' markers
  (`extraction.genres`). A text with such markers is no listing when nothing
  in it addresses an applicant ("you will", "we offer", "apply", "(m/w/d)"), or
  when its markers (at least `MIN_GENRE_MARKERS`, all genres together)
  outnumber the phrases that do. Both rules lean towards
  letting a text through: a 2-line "Hiring a Python developer, apply here"
  passes, and a real listing that opens with its company's funding news still
  addresses its applicant. Their cost is measured in BENCHMARKS.md
  (`bench/genre_bench.py`: real listings refused, non-listings caught).
- after the model, `is_empty_extraction`: the model was trained to leave every
  field empty for a text that is not a listing; an extraction with no role
  title, no skills and no responsibilities is not a row.
"""
from __future__ import annotations

import re
from typing import Optional

from extraction.genres import genre_markers, opening_markers

MIN_SIGNALS = 2
MIN_GENRE_MARKERS = 2
GENRE_NAMES = {"cv": "a CV or profile", "press": "a press release or news", "article": "an article or blog post",
               "event": "an event announcement", "course": "a course or programme page",
               "report": "a survey or market report", "careers": "a careers page with many openings",
               "review": "an employee review", "email": "an e-mail", "legal": "terms or a privacy policy"}

# family -> word stems (matched case-insensitively at the start of a word)
SIGNAL_FAMILIES: dict[str, tuple[str, ...]] = {
    "requirements": ("requirement", "qualification", "must have", "nice to have", "requisito", "qualificaç",
                     "anforderung", "qualifikation", "voraussetzung", "exigence", "profil recherché", "prérequis",
                     "desejável", "diferencia", "wünschenswert", "deseable", "valorable", "requisiti", "vereisten",
                     "wymagania", "wymagane"),
    "responsibilities": ("responsibilit", "you will", "you'll", "your role", "duties", "tasks", "responsabilidad",
                         "responsabilidade", "atividades", "atribuições", "funções", "aufgaben", "tätigkeit",
                         "missions", "vos missions", "funciones", "tareas", "o que vais fazer", "o que você vai",
                         "mansioni", "responsabilità", "di cosa ti occuperai", "verantwoordelijkheden",
                         "wat ga je doen", "obowiązki", "zakres obowiązków"),
    "experience": ("experience", "years of", "experiência", "anos de", "erfahrung", "berufserfahrung", "jahre",
                   "experiencia", "años de", "expérience", "ans d'exp", "esperienza", "anni di", "ervaring",
                   "jaar ", "doświadczeni", "lat doświadczenia"),
    "knowledge": ("knowledge of", "proficien", "familiarity with", "hands-on", "conhecimento", "domínio",
                  "kenntnisse", "know-how", "conocimiento", "connaissance", "maîtrise", "skills", "competênc",
                  "habilidades", "fähigkeit", "compétence", "conoscenza", "competenze", "kennis van",
                  "vaardigheden", "znajomość", "umiejętności"),
    "apply": ("apply", "applicant", "candidate", "application", "candidat", "candidatura", "bewerb", "postula",
              "postúlate", "envie seu", "send your cv", "recruit", "recrut", "recrutamento", "reclutamiento",
              "candidati", "invia il tuo cv", "solliciteer", "sollicitatie", "aplikuj", "rekrutacj"),
    "offer": ("we offer", "what we offer", "benefits", "salary", "compensation", "oferecemos", "benefícios",
              "salário", "remuneração", "wir bieten", "gehalt", "vergütung", "ofrecemos", "beneficios", "salario",
              "nous offrons", "avantages", "rémunération", "salaire", "paid time off", "pto", "vacation",
              "offriamo", "retribuzione", "stipendio", "wij bieden", "salaris", "oferujemy", "wynagrodzeni"),
    "position": ("position", "vacancy", "opening", "job", "role", "hiring", "we are looking", "we're looking",
                 "join our", "join us", "vaga", "oportunidade", "procuramos", "buscamos", "contratando", "stelle",
                 "stellenangebot", "wir suchen", "verstärkung", "puesto", "vacante", "oferta de empleo", "poste",
                 "nous recherchons", "rejoindre", "rejoins", "(m/w/d)", "(m/f/d)", "(w/m/d)", "(h/f)", "full-time",
                 "part-time", "full time", "part time", "tempo integral", "vollzeit", "teilzeit", "tiempo completo",
                 "temps plein", "cdi", "internship", "estágio", "praktikum", "werkstudent", "prácticas", "stage",
                 "trainee", "cerchiamo", "posizione", "offerta di lavoro", "wij zoeken", "we zoeken", "vacature",
                 "functie", "poszukujemy", "szukamy", "oferta pracy", "stanowisko", "tempo pieno", "voltijd",
                 "pełny etat"),
    "work_model": ("remote", "hybrid", "on-site", "onsite", "office", "remoto", "híbrido", "presencial",
                   "homeoffice", "home office", "home-office", "vor ort", "télétravail", "hybride", "da remoto",
                   "smart working", "ibrido", "thuiswerken", "op afstand", "zdaln", "hybrydow"),
    "role_noun": ("engineer", "developer", "analyst", "scientist", "architect", "consultant", "manager",
                  "specialist", "administrator", "intern", "designer", "technician", "engenheir", "desenvolvedor",
                  "analista", "cientista", "consultor", "gerente", "especialista", "estagiári", "entwickler",
                  "ingenieur", "berater", "leiter", "referent", "sachbearbeiter", "ingeniero", "desarrollador",
                  "ingénieur", "développeur", "chef de projet", "responsable", "nurse", "enfermeir", "accountant",
                  "contable", "vertrieb", "sales", "recruiter", "assistant", "operator", "driver", "coordinator",
                  "ingegnere", "sviluppatore", "ontwikkelaar", "programista", "inżynier", "analityk"),
}

_PATTERNS = {
    family: re.compile("|".join(rf"(?<!\w){re.escape(stem)}" for stem in stems), re.IGNORECASE)
    for family, stems in SIGNAL_FAMILIES.items()
}


def job_signals(text: str) -> list[str]:
    """The signal families the text shows, in SIGNAL_FAMILIES order."""
    return [family for family, pattern in _PATTERNS.items() if pattern.search(text)]


def _mostly_latin(text: str) -> bool:
    """Whether most letters are Latin (Basic Latin to Latin Extended-B, and Latin Extended Additional)."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(ord(ch) < 0x250 or 0x1E00 <= ord(ch) < 0x1F00 for ch in letters)
    return latin * 2 > len(letters)


def not_a_listing_reason(text: str) -> Optional[str]:
    """Why the text is not a job listing (one line), or None when it may be one.

    Two ways out: too few job-word families and nothing addressing an
    applicant; or other genres' markers (see `extraction.genres`) with nothing
    addressing an applicant, or at least MIN_GENRE_MARKERS of them outnumbering
    the phrases that do.
    """
    signals = job_signals(text)
    openings = opening_markers(text)
    if len(signals) < MIN_SIGNALS and not openings:
        if not _mostly_latin(text):  # Chinese, Arabic, Cyrillic, ...: we know no job words there; the model judges
            return None
        return f"too few job-listing words to be a listing (signals found: {', '.join(signals) or 'none'})"
    genres = genre_markers(text)
    markers = sum(len(found) for found in genres.values())
    if markers == 0 or (openings and (markers < MIN_GENRE_MARKERS or markers <= len(openings))):
        return None
    genre = max(genres, key=lambda name: len(genres[name]))
    detail = "; ".join(marker for found in sorted(genres.values(), key=len, reverse=True) for marker in found)
    addressed = (f"only {len(openings)} phrase(s) address an applicant ({', '.join(openings[:4])})" if openings
                 else "nothing addresses an applicant")
    return f"reads like {GENRE_NAMES[genre]} ({detail}); {addressed}"
