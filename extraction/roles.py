"""Role titles from the listing's own title: seniority words, a canonical role, and whether a model's title
is the listing's.

A listing's title is usually clean ("Engenheiro(a) de Dados Pleno", "Senior Data Engineer (m/w/d)"), while a
135M model now and then writes a garbled one ("Langelist Engineer"), lifts a word from the body ("Network
Optimization Staff" for a Staff Data Engineer) or picks a neighbouring role ("Database Developer" for a DBA).
So the title decides when it can:

- `listing_title`: the title column, or the text's first line when the column is empty and that line is
  short enough to be a title ("Vaga: Engenheiro de Dados" becomes "Engenheiro de Dados").
- `title_seniority`: the highest seniority word in the title (the rule in `extraction.rules`).
- `canonical_role`: the role vocabulary of `schemas/data/roles.csv` (Data Engineer, Analytics Engineer, Data
  Scientist, Machine Learning Engineer, MLOps Engineer, AI Engineer, Data Analyst, BI Analyst, BI Developer,
  Database Administrator, ...) with its spellings in en, pt, de, es, fr, it, nl and pl, matched after gender
  markers, seniority words, requisition codes and punctuation are removed. A spelling that names the job wins
  over one that names its field ("Analista DevOps" is a DevOps Engineer only when nothing names a job); then
  the earliest. A manager's word outside the matched spelling ("Data Engineering Manager", "Head of Data
  Platform", "Gerente de Engenharia de Dados") makes the title a manager's, not the role's: no canonical role.
- `clean_title`: the title itself without gender markers, codes, bracketed notes, seniority words and
  whatever follows a dash, bar or comma (team names: "Data Scientist, Pricing"), for titles the vocabulary
  does not know.
- `is_grounded_title`: a model's title is the listing's when each of its words occurs in the listing and one
  of them in the title or the first lines, words of a role counting in any of our languages ("Data
  Engineering Manager" for "Gerente de Engenharia de Dados"), and when it names a manager exactly when the
  title does ("Data Analyst" is not the "Director of Analytics").
- `resolve_role_title`: the canonical role when the title names one; otherwise the model's title when it is
  grounded, else the cleaned title. A missing model title stays missing: it is the model's "not a listing".
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import schemas
from schemas.taxonomy import fold
from schemas.vocab import RoleSeniority

ROLES_PATH = Path(schemas.__file__).with_name("data") / "roles.csv"
TITLE_LINE_MAX_CHARS = 100  # a first line longer than this, or with more words, is a sentence, not a title
TITLE_MAX_WORDS = 12
_KEY = 3  # spellings are looked up by the first three letters of their first word
HEAD_LINES = 3  # lines of the description, after the title, in which a model's title may be grounded

# lowest to highest: with several markers in one title the highest wins ("Senior Staff Engineer" -> Staff)
_TITLE_MARKERS: list[tuple[RoleSeniority, str]] = [
    (RoleSeniority.INTERNSHIP, r"intern(ship)?|estági(o|ária|ário)|estagiári[oa]|praktikant(in)?|praktikum|"
                               r"werkstudent(in)?|stagiaire|stage|becari[oa]|prácticas|trainee|pasantía|"
                               r"stagista|stagiair|stażysta|staż|tirocinio|tirocinante"),
    (RoleSeniority.JUNIOR, r"junior|jr|júnior|graduate|entry[- ]level|młodszy"),
    (RoleSeniority.MID_LEVEL, r"pleno|mid[- ]level|intermediate|regular|medior"),
    (RoleSeniority.SENIOR, r"senior|sr|sênior|sénior|señor|starszy"),
    (RoleSeniority.LEAD, r"lead|tech lead|líder|lider|líder técnico|lider técnico"),
    (RoleSeniority.STAFF, r"staff"),
    (RoleSeniority.PRINCIPAL, r"principal"),
    (RoleSeniority.MANAGER, r"head of|head|gerente|teamleiter(in)?|abteilungsleiter(in)?"),
    (RoleSeniority.DIRECTOR, r"director|directora|diretor(a)?|directeur|directrice|vp|vice president"),
    (RoleSeniority.EXECUTIVE, r"chief|cto|cdo|cio|ceo|c-level"),
]
_SENIORITY = [(level, re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE))
              for level, words in _TITLE_MARKERS]
# the words a role title leaves out: seniority below management (a head, director or chief is the role)
_RANK_WORDS = re.compile(
    r"(?<![\w-])(?:" + "|".join(words for level, words in _TITLE_MARKERS
                                if level not in (RoleSeniority.MANAGER, RoleSeniority.DIRECTOR,
                                                 RoleSeniority.EXECUTIVE)) + r")\.?(?![\w-])", re.IGNORECASE)
_MANAGER = re.compile(r"(?<!\w)(manager|managerin|leiter|leiterin)(?!\w)", re.IGNORECASE)
# a manager's words in folded text: outside a role's spelling they make the title a manager's
_MANAGER_WORDS = frozenset({
    "manager", "managerin", "head", "director", "directora", "diretor", "diretora", "directeur", "directrice",
    "direttore", "direttrice", "dyrektor", "vp", "chief", "cto", "cdo", "cio", "ceo", "leiter", "leiterin",
    "teamleiter", "teamleiterin", "abteilungsleiter", "abteilungsleiterin", "gerente", "gestor", "gestora",
    "responsable", "responsabile", "jefe", "jefa", "kierownik", "hoofd", "officer", "coordinator",
    "coordenador", "coordenadora", "coordinador", "coordinadora", "koordynator"})

# gender markers: "(m/w/d)", "(H/F)", "(all genders)", "Engenheiro(a)", "Ingeniero/a", "Entwickler:in", "H/F"
_GENDER = re.compile(
    r"\(\s*(?:[mwfdhxvkae]\s*[/|,.]\s*)+[mwfdhxvkae]\s*\)|\(\s*(?:all genders|gn|w/m/d|d/m/w)\s*\)|"
    r"(?<=\w)\((?:a|o|e|as|os|es|in|innen|ne|ka)\)|(?<=\w)/(?:a|o|as|os|e|ra|ora|in)(?![\w])|"
    r"(?<=\w)[:*_](?:in|innen)(?!\w)|(?<![\w/])(?:[mwfdhxvk]\s*/\s*)+[mwfdhxvk](?![\w/])",
    re.IGNORECASE)
# requisition codes: "R-104233", "REQ #5521", "Job ID: 77812", "[JR-2231]", "#4412"
_CODE = re.compile(r"\[[^\]]*\d[^\]]*\]|(?<!\w)(?:req|ref|job id|jobid|id|jr|r)\s*[-#:]?\s*\d{3,}(?!\w)|"
                   r"#\s*\d+|(?<!\w)[A-Z]{1,4}-\d{3,}(?!\w)", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SEGMENT = re.compile(r"\s+[-–—|·•]\s+|\s*[|·•]\s*|,\s+|\s+[-–—]|[-–—]\s+")
_LABEL = re.compile(r"^\W*(?:job title|title|position|role|vaga|cargo|posição|stelle|stellenangebot|"
                    r"puesto|oferta|poste|offre|posizione|ruolo|functie|vacature|stanowisko|oferta pracy)\s*:\s*",
                    re.IGNORECASE)
_LEADING_FILLER = frozenset({"em", "de", "da", "do", "im", "in", "bereich", "en", "di", "del", "della", "the",
                             "a", "an", "of", "w", "z", "na", "pessoa", "als", "as", "for", "para", "pour",
                             "per", "voor", "-", "–"})
_STOP = frozenset({
    "of", "the", "and", "for", "in", "at", "a", "an", "to", "with", "de", "do", "da", "dos", "das", "e", "em",
    "no", "na", "und", "der", "die", "das", "des", "im", "fur", "mit", "y", "del", "la", "el", "los", "las",
    "en", "et", "du", "le", "les", "pour", "di", "della", "dei", "delle", "il", "lo", "per", "van", "het",
    "een", "voor", "met", "w", "z", "i", "oraz", "dla", "bereich", "pessoa", "m", "f", "h", "d", "x", "v",
    "k", "o", "as", "als"})

# English words of role titles with their stems in our other languages: a model's English title is grounded
# in a title written in another language through them.
_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "data": ("dado", "daten", "dato", "donnee", "dati", "gegeven", "danych", "dane"),
    "engineer": ("engenheir", "ingenieur", "ingenier", "ingegner", "inzynier", "ingenjor"),
    "engineering": ("engenharia", "ingenieria", "ingenierie", "ingegneria", "inzynieri", "technik"),
    "developer": ("desenvolvedor", "programador", "entwickler", "desarrollador", "developpeur", "sviluppator",
                  "ontwikkelaar", "programista"),
    "development": ("desenvolvimento", "entwicklung", "desarrollo", "developpement", "sviluppo",
                    "ontwikkeling", "rozwoj"),
    "analyst": ("analista", "analyste", "analist", "analityk"),
    "analytics": ("analise", "analisis", "analyse", "analisi", "analiz", "analityk", "analitica", "analytik"),
    "analysis": ("analise", "analisis", "analyse", "analisi", "analiz"),
    "scientist": ("cientista", "cientific", "wissenschaftler", "scientifique", "scienziat", "naukowiec"),
    "science": ("ciencia", "wissenschaft", "scienza", "nauk"),
    "architect": ("arquitet", "arquitect", "architekt", "architecte", "architett"),
    "architecture": ("arquitetura", "arquitectura", "architektur", "architettura"),
    "administrator": ("administrador", "administrateur", "amministrator", "beheerder", "administrator"),
    "database": ("banco", "datenbank", "base", "basi", "baz"),
    "manager": ("gerente", "gestor", "leiter", "responsable", "responsabile", "kierownik", "manager"),
    "head": ("leiter", "responsable", "responsabile", "jefe", "jefa", "chef", "hoofd", "kierownik", "lider",
             "diretor", "direktor"),
    "director": ("diretor", "direktor", "directeur", "directrice", "direttore", "dyrektor", "leiter"),
    "lead": ("lider", "leiter", "leitung", "responsable"),
    "consultant": ("consultor", "berater", "consultant", "consulente", "konsultant", "adviseur"),
    "nurse": ("enfermeir", "krankenpfleg", "pflegefach", "gesundheits", "enfermer", "infirmier", "infermier",
              "verpleeg", "pielegniar"),
    "accountant": ("contador", "contable", "buchhalter", "comptable", "contabile", "boekhoud", "ksiegow"),
    "sales": ("venda", "vendedor", "vertrieb", "venta", "commercial", "comercial", "vendit", "verkoop",
              "sprzedaz", "handlowiec"),
    "representative": ("representante", "mitarbeiter", "commercial", "comercial", "vertegenwoordiger",
                       "przedstawiciel", "rappresentante", "representant"),
    "assistant": ("assistente", "auxiliar", "assistent", "asistente", "assistant", "asystent", "medewerker"),
    "clerk": ("sachbearbeiter", "auxiliar", "administrativ", "impiegat", "employe", "medewerker", "referent"),
    "specialist": ("especialista", "spezialist", "specialiste", "specialista", "specjalista", "referent"),
    "intern": ("estagiari", "praktikant", "becari", "stagiaire", "stagista", "stagiair", "stazyst"),
    "logistics": ("logistica", "logistik", "logistique", "logistiek", "logistyk"),
    "recruiter": ("recrutador", "personalvermittler", "reclutador", "recruteur", "reclutator", "rekruter"),
    "business": ("negocio", "geschaft", "affaires", "business"),
    "intelligence": ("inteligencia", "intelligenz", "intelligence", "intelligenza"),
    "machine": ("maquina", "maschinell", "machine", "maszynow"),
    "learning": ("aprendizado", "aprendizaje", "lernen", "apprentissage", "apprendimento", "uczeni"),
    "software": ("software", "logiciel", "oprogramowani"),
    "platform": ("plataforma", "plattform", "plateforme", "piattaforma", "platforma"),
    "quality": ("qualidade", "qualitat", "calidad", "qualite", "qualita", "kwaliteit", "jakosc"),
    "order": ("auftrag", "pedido", "commande", "ordine", "bestelling", "zamowien"),
    "processing": ("abwicklung", "processamento", "procesamiento", "traitement", "elaborazion",
                   "verwerking", "przetwarzani"),
    "customer": ("cliente", "kunde", "client", "klant", "klient"),
    "support": ("suporte", "apoio", "support", "soporte", "supporto", "ondersteuning", "wsparci"),
    "teacher": ("professor", "lehrer", "profesor", "enseignant", "insegnante", "leraar", "nauczyciel"),
    "driver": ("motorista", "fahrer", "conductor", "chauffeur", "autista", "kierowca"),
    "waiter": ("garcom", "kellner", "camarero", "serveur", "cameriere", "ober", "kelner"),
    "warehouse": ("armazem", "lager", "almacen", "entrepot", "magazzin", "magazyn"),
    "governance": ("governanca", "gobierno", "gouvernance", "governance"),
    "product": ("produto", "produkt", "producto", "produit", "prodott"),
}


_PERSON_NOUNS = ("engineer", "developer", "analyst", "scientist", "architect", "administrator", "manager", "head",
                 "director", "lead", "consultant", "nurse", "accountant", "representative", "assistant", "clerk",
                 "specialist", "intern", "recruiter", "teacher", "driver", "waiter")
_JOB_NOUNS = frozenset({*_PERSON_NOUNS, "programmer", "designer", "technician", "officer", "coordinator", "owner",
                        "executive", "expert", "advisor", "adviser", "operator", "agent", "associate", "worker",
                        "mitarbeiter", "mitarbeiterin", "fachkraft", "experte", "expertin", "tecnica",
                        "technicien", "tecnico", "medewerker", "pracownik", "referent", "referentin"})
# words that may stand beside a field's name in a title of that field's job ("Analista DevOps")
_AREA_COMPANIONS = frozenset({
    "analyst", "analista", "analyste", "analist", "analityk", "engineer", "engenheiro", "engenheira", "ingenieur",
    "ingenieurin", "ingeniero", "ingeniera", "ingegnere", "inzynier", "specialist", "especialista", "spezialist",
    "spezialistin", "specialiste", "specialista", "specjalista", "expert", "experte", "expertin", "consultant",
    "consultor", "consultora", "berater", "beraterin", "developer", "entwickler", "entwicklerin", "desenvolvedor",
    "desenvolvedora", "desarrollador", "desarrolladora", "tech", "tecnico", "technical", "technischer", "bereich",
    "team", "area", "dzial", "dziale", "domaine", "dominio", "werkstudent", "praktikum", "estagio", "stage", "trainee"})


def _is_job_noun(word: str) -> bool:
    return word in _JOB_NOUNS or any(word.startswith(stem) for noun in _PERSON_NOUNS
                                     for stem in _EQUIVALENTS.get(noun, ()))


@dataclass(frozen=True)
class _Spelling:
    role: str
    is_role: bool  # names the job itself, not only its field
    words: tuple[str, ...]  # folded words; one ending in '*' matches any ending


def _words(text: str) -> list[str]:
    """Folded words of a title: accents and case gone, Polish ł as l, punctuation and dashes as spaces."""
    return re.findall(r"[^\W_]+\*?", fold(text).replace("ł", "l").replace("'", " "))


def _load(path: Path) -> list[_Spelling]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if line.strip() and not line.startswith("#")))
    spellings, seen = [], set()
    for row in rows:
        role, kind = row["role"].strip(), row["kind"].strip()
        if not role or kind not in ("role", "area"):
            raise ValueError(f"{path}: row {row} needs a role and a kind of 'role' or 'area'")
        for spelling in (role if kind == "role" else "", *row["spellings"].split("|")):
            words = tuple(_words(spelling))
            if words and words[0].endswith("*") and len(words[0]) <= _KEY:
                raise ValueError(f"{path}: {spelling!r} needs at least {_KEY} letters before its '*'")
            if words and (role, words) not in seen:
                seen.add((role, words))
                spellings.append(_Spelling(role, kind == "role", words))
    return spellings


SPELLINGS = _load(ROLES_PATH)
ROLES: tuple[str, ...] = tuple(dict.fromkeys(s.role for s in SPELLINGS))
_BY_KEY: dict[str, list[_Spelling]] = {}
for _spelling in SPELLINGS:
    _BY_KEY.setdefault(_spelling.words[0].rstrip("*")[:_KEY], []).append(_spelling)


def title_seniority(title: Optional[str]) -> Optional[RoleSeniority]:
    """The highest seniority word in a job title, or None."""
    if not title:
        return None
    found = [level for level, pattern in _SENIORITY if pattern.search(title)]
    return found[-1] if found else None


def names_a_manager(title: Optional[str]) -> bool:
    """A title with "Manager" or "Leiter": years say nothing about its rank."""
    return bool(title) and _MANAGER.search(title) is not None


def listing_title(title: Optional[str], description: str) -> Optional[str]:
    """The listing's title: the title column, or the description's first line when it is short enough."""
    if title and title.strip():
        return title.strip()
    for line in description.splitlines():
        line = _LABEL.sub("", line.strip(" \t#*•>-")).strip(" *#")
        if line:
            sentence = line.endswith((".", "!", "?")) or len(line.split()) > TITLE_MAX_WORDS
            return None if sentence or len(line) > TITLE_LINE_MAX_CHARS else line
    return None


def _unmarked(title: str) -> str:
    """The title without gender markers and requisition codes."""
    return " ".join(_CODE.sub(" ", _GENDER.sub("", title)).split())


def _without_rank(text: str) -> str:
    stripped = " ".join(_RANK_WORDS.sub(" ", text).split())
    return stripped if _words(stripped) else text


def _matches(pattern: tuple[str, ...], words: list[str], at: int) -> bool:
    if at + len(pattern) > len(words):
        return False
    return all(words[at + k].startswith(p[:-1]) if p.endswith("*") else words[at + k] == p
               for k, p in enumerate(pattern))


def _role_in(words: list[str], areas: bool) -> Optional[tuple[_Spelling, int]]:
    """The best spelling in the words and where it starts: a job over a field, then earliest, then longest.
    A field counts only when the words around it are fillers or a generic job noun ("Analista DevOps")."""
    best: Optional[tuple[tuple[int, int, int], _Spelling, int]] = None
    for at, word in enumerate(words):
        for spelling in _BY_KEY.get(word[:_KEY], ()):
            if (not spelling.is_role and not areas) or not _matches(spelling.words, words, at):
                continue
            if not spelling.is_role and not all(
                    w in _STOP or w in _AREA_COMPANIONS for w in words[:at] + words[at + len(spelling.words):]):
                continue
            key = (0 if spelling.is_role else 1, at, -len(spelling.words))
            if best is None or key < best[0]:
                best = (key, spelling, at)
    return (best[1], best[2]) if best else None


def _segments(title: str) -> list[list[str]]:
    """The title's parts (split at dashes, bars and commas) as folded words, without seniority words and
    bracketed notes; parts left empty are dropped ("Stage – Data Analyst (6 mois)" -> [["data", "analyst"]])."""
    parts = _SEGMENT.split(_BRACKETS.sub(" ", _unmarked(title)))
    words = [[w for w in _words(_RANK_WORDS.sub(" ", part))] for part in parts]
    return [part for part in words if any(w not in _STOP for w in part)]


def canonical_role(title: Optional[str]) -> Optional[str]:
    """The vocabulary's role the title names, or None (no known role, or a manager of one).

    The first part of the title decides; a later part only when the first names no job at all ("Payments
    squad - Data Engineer"), never a team or product after a job ("Recruiter - Data Engineering")."""
    if not title:
        return None
    segments = _segments(title)
    for index, words in enumerate(segments):
        found = _role_in(words, areas=index == 0)
        if found is not None:
            spelling, at = found
            outside = words[:at] + words[at + len(spelling.words):]
            return None if any(word in _MANAGER_WORDS for word in outside) else spelling.role
        if any(_is_job_noun(word) for word in words):
            return None
    return None


def clean_title(title: Optional[str]) -> Optional[str]:
    """The title as a role: no gender markers, codes, bracketed notes, seniority words or trailing team name."""
    if not title:
        return None
    text = _BRACKETS.sub(" ", _unmarked(title))
    segments = [s.strip(" -–—:/") for s in _SEGMENT.split(text)]
    for index, segment in enumerate(segments):
        words = _without_rank(segment).split()
        while words and fold(words[0]) in _LEADING_FILLER:
            words = words[1:]
        if not words or not _RANK_WORDS.sub("", " ".join(words)).strip():
            continue
        if len(words) == 1 and fold(words[0]) in _MANAGER_WORDS and index + 1 < len(segments):
            return f"{words[0]}, {segments[index + 1]}"  # "VP, Data & AI": the rank alone names no role
        return " ".join(words)
    return None


def _stem_match(word: str, candidates: Iterable[str]) -> bool:
    """The same word, or the same stem of five letters (logistics = logística, analytics = analytic)."""
    for candidate in candidates:
        if candidate == word or (len(word) >= 5 and len(candidate) >= 5 and candidate[:5] == word[:5]):
            return True
    return False


def _found(word: str, words: set[str]) -> bool:
    if _stem_match(word, words):
        return True
    return any(candidate.startswith(stem) for stem in _EQUIVALENTS.get(word, ()) for candidate in words)


def _managerial(words: list[str]) -> bool:
    return any(word in _MANAGER_WORDS for word in words)


def is_grounded_title(model_title: str, title: Optional[str], description: str) -> bool:
    """Whether each content word of the model's title occurs in the listing (a role's words in any of our
    languages) and one of them in the title or the description's first lines."""
    words = [w for w in _words(_without_rank(_unmarked(model_title))) if w not in _STOP]
    if not words or _managerial(words) != _managerial(_words(title or "")):
        return False  # a manager's title for a report's role, or the other way round ("Data Analyst" for a Director)
    lines = [line for line in description.splitlines() if line.strip()]
    head = set(_words(" ".join([title or "", *lines[:HEAD_LINES]])))
    everywhere = set(_words(description)) | head
    return all(_found(w, everywhere) for w in words) and any(_found(w, head) for w in words)


def resolve_role_title(model_title: Optional[str], title_column: Optional[str], description: str) -> Optional[str]:
    """The role title a row should carry: the title's canonical role, else the model's grounded title (without
    seniority words), else the cleaned title column. None when the model gave none (its "not a listing").

    Without a title column the description's first line stands in for the canonical role only: a first line
    may be any heading ("About us"), so it never replaces the model's title by itself."""
    if model_title is None:
        return None
    title = listing_title(title_column, description)
    role = canonical_role(title)
    if role is not None:
        return role
    if not (title_column and title_column.strip()) or is_grounded_title(model_title, title, description):
        return _without_rank(_unmarked(model_title)) or model_title
    return clean_title(title_column) or model_title
