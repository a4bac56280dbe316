"""Is this text a job listing at all? A cheap check before the model, and one after it.

Scrapers pick up blog posts, recipes, CVs and press releases. Sent to the
model, such a text comes back as a plausible `jobs` row with invented
seniority, locations and years, and pollutes every chart. Two checks keep
them out, both reported as the dead letter `not_a_job_listing`:

- before the model, `not_a_listing_reason`, in two steps. First `job_signals`:
  words that job listings use (requirements, responsibilities, experience,
  apply, salary, role nouns, shifts and hours, ...) in en, pt, de, es, fr, it, nl
  and pl, including the words of informal posts for everyday jobs ("Precisa-se de
  empregada de mesa", "Zatrudnię kierowcę", "Cleaner wanted, call Sue"), and a
  phone number, an e-mail address or a pay ("30 zł/h") as ways to apply and to
  offer; a text with fewer than `MIN_SIGNALS` distinct families and no phrase
  addressing an applicant ("we're hiring", "(m/w/d)", a pay rate) is no listing
  (a recipe, a poem), unless it is mostly in another script than Latin (Chinese, Arabic,
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

# family -> word stems (matched case-insensitively at the start of a word; a stem ending in "$" only as a whole
# word, for short words that start longer ones: "bel" is not "belangrijk")
SIGNAL_FAMILIES: dict[str, tuple[str, ...]] = {
    "requirements": ("requirement", "qualification", "must have", "nice to have", "requisito", "qualificaç",
                     "anforderung", "qualifikation", "voraussetzung", "exigence", "profil recherché", "prérequis",
                     "desejável", "diferencia", "wünschenswert", "deseable", "valorable", "requisiti", "vereisten",
                     "wymagania", "wymagane", "functie-eisen", "wat vragen wij", "wat wij vragen", "je hebt",
                     "cosa cerchiamo", "oczekujemy", "czego oczekujemy"),
    "responsibilities": ("responsibilit", "you will", "you'll", "your role", "duties", "tasks", "responsabilidad",
                         "responsabilidade", "atividades", "atribuições", "funções", "aufgaben", "tätigkeit",
                         "missions", "vos missions", "funciones", "tareas", "o que vais fazer", "o que você vai",
                         "mansioni", "responsabilità", "di cosa ti occuperai", "verantwoordelijkheden",
                         "wat ga je doen", "obowiązki", "zakres obowiązków", "je bouwt", "je werkt", "ti occuperai",
                         "te encargarás", "tu construiras", "będziesz", "twoje zadania"),
    "experience": ("experience", "years of", "experiência", "anos de", "erfahrung", "berufserfahrung", "jahre",
                   "experiencia", "años de", "expérience", "ans d'exp", "esperienza", "anni di", "ervaring",
                   "jaar ", "doświadczeni", "lat doświadczenia"),
    "knowledge": ("knowledge of", "proficien", "familiarity with", "hands-on", "conhecimento", "domínio",
                  "kenntnisse", "know-how", "conocimiento", "connaissance", "maîtrise", "skills", "competênc",
                  "habilidades", "fähigkeit", "compétence", "conoscenza", "competenze", "kennis van",
                  "vaardigheden", "znajomość", "umiejętności"),
    "apply": ("apply", "applicant", "candidate", "application", "candidat", "candidatura", "bewerb", "postula",
              "postúlate", "envie seu", "send your cv", "recruit", "recrut", "recrutamento", "reclutamiento",
              "candidati", "invia il tuo cv", "solliciteer", "sollicitatie", "aplikuj", "rekrutacj",
              "rekrutujemy", "reageer", "stuur je cv", "stuur me je cv", "mandami il curriculum",
              "il tuo curriculum", "selezioniamo", "wyślij cv", "wyślij swoje cv", "wyślij mi", "send me your cv",
              "envie-me", "escríbeme", "contactez-moi", "bei interesse", "if you're interested", "interested?",
              # informal posts: call, text, message me
              "call$", "message me", "dm me", "dm$", "whatsapp", "text me", "ligue", "liga para", "mande mensagem",
              "mandem mensagem", "envie mensagem", "anrufen", "ruf an", "melde dich", "meldet euch", "melden sie sich",
              "llamar al", "llama al", "llámanos", "escribidme", "escríbenos", "por privado", "appelez", "appeler",
              "contactez", "en mp", "chiamare", "chiamaci", "chiama", "scrivetemi", "scrivici", "in privato",
              "bel$", "bellen", "stuur een bericht", "stuur even", "berichtje", "dzwoń", "zadzwoń", "pisz$",
              "napisz", "na priv", "kontakt:"),
    "offer": ("we offer", "what we offer", "benefits", "salary", "compensation", "oferecemos", "benefícios",
              "salário", "remuneração", "wir bieten", "gehalt", "vergütung", "ofrecemos", "beneficios", "salario",
              "nous offrons", "avantages", "rémunération", "salaire", "paid time off", "pto", "vacation",
              "offriamo", "retribuzione", "stipendio", "wij bieden", "salaris", "oferujemy", "wynagrodzeni",
              # pay in informal posts
              "per hour", "an hour", "/hr", "/h ", "cash in hand", "pagamos", "à hora", "por hora", "pro stunde",
              "die stunde", "se paga", "pagamos", "à l'heure", "payé", "rémunéré", "all'ora", "paga oraria",
              "retribuito", "per uur", "euro per uur", "uurloon", "za godzinę", "płacę", "płacimy", "stawka"),
    "position": ("position", "vacancy", "opening", "job", "role", "hiring", "we are looking", "we're looking",
                 "join our", "join us", "vaga", "oportunidade", "procuramos", "buscamos", "contratando", "stelle",
                 "stellenangebot", "wir suchen", "verstärkung", "puesto", "vacante", "oferta de empleo", "poste",
                 "nous recherchons", "rejoindre", "rejoins", "(m/w/d)", "(m/f/d)", "(w/m/d)", "(h/f)", "full-time",
                 "part-time", "full time", "part time", "tempo integral", "vollzeit", "teilzeit", "tiempo completo",
                 "temps plein", "cdi", "internship", "estágio", "praktikum", "werkstudent", "prácticas", "stage",
                 "trainee", "cerchiamo", "posizione", "offerta di lavoro", "wij zoeken", "we zoeken", "vacature",
                 "functie", "poszukujemy", "szukamy", "oferta pracy", "stanowisko", "tempo pieno", "voltijd",
                 "pełny etat", "gezocht", "op zoek naar", "uur per week", "vast contract", "opdrachtgever",
                 "stiamo cercando", "ricerchiamo", "tempo indeterminato", "tempo determinato", "per conto di",
                 "zatrudnimy", "zatrudni", "umowa o pracę", "umowę o pracę", "umowa b2b", "dla naszego klienta",
                 "my client", "our client", "wir stellen ein", "im auftrag", "festanstellung", "estou a recrutar",
                 "para um cliente", "para un cliente", "contrato indefinido", "on recrute", "notre cabinet",
                 # informal posts: wanted, needed, looking for
                 "wanted", "needed", "need a ", "need an ", "looking for", "procuro", "procura-se", "precisa-se",
                 "precisamos", "suche ", "suchen ", "gesucht", "necesito", "necesitamos", "se necesita", "busco",
                 "je cherche", "on cherche", "recherche ", "nous cherchons", "cerco ", "cercasi", "cerchiamo",
                 "zoek ", "zoeken", "wie komt", "szukam", "zatrudnię", "przyjmę", "przyjmiemy"),
    "work_model": ("remote", "hybrid", "on-site", "onsite", "office", "remoto", "híbrido", "presencial",
                   "homeoffice", "home office", "home-office", "vor ort", "télétravail", "hybride", "da remoto",
                   "smart working", "ibrido", "thuiswerken", "op afstand", "zdaln", "hybrydow", "hybride",
                   "stacjonarn", "in sede", "op kantoor"),
    "role_noun": ("engineer", "developer", "analyst", "scientist", "architect", "consultant", "manager",
                  "specialist", "administrator", "intern", "designer", "technician", "engenheir", "desenvolvedor",
                  "analista", "cientista", "consultor", "gerente", "especialista", "estagiári", "entwickler",
                  "ingenieur", "berater", "leiter", "referent", "sachbearbeiter", "ingeniero", "desarrollador",
                  "ingénieur", "développeur", "chef de projet", "responsable", "nurse", "enfermeir", "accountant",
                  "contable", "vertrieb", "sales", "recruiter", "assistant", "operator", "driver", "coordinator",
                  "ingegnere", "sviluppatore", "ontwikkelaar", "programista", "inżynier", "analityk", "analist",
                  "medewerker", "adviseur", "beheerder", "verpleegkundige", "tecnico", "impiegat", "addett",
                  "responsabile", "consulente", "specjalista", "kierownik", "konsultant", "księgow", "pracownik",
                  "kierowca", "magazynier", "sprzedawc",
                  # everyday jobs
                  "waiter", "waitress", "cleaner", "courier", "line cook", "sous chef", "kitchen porter", "barista",
                  "cashier", "shop assistant", "sales assistant", "warehouse", "picker", "packer", "electrician",
                  "plumber", "mechanic", "carer", "care assistant", "babysitter", "nanny", "receptionist",
                  "security guard", "labourer", "hairdresser", "bartender", "empregado de mesa", "empregada de mesa",
                  "empregada doméstica", "garçom", "garçonete",
                  "motorista", "cozinheir", "ajudante", "auxiliar", "operador", "repositor", "rececionista",
                  "recepcionista", "eletricista", "canalizador", "pedreiro", "cuidador", "babá", "vendedor",
                  "kellner", "servicekraft", "reinigungskraft", "fahrer", "köchin", "verkäufer", "aushilfe",
                  "lagerist", "lagerarbeiter", "kommissionierer", "elektriker", "pflegekraft", "pfleger", "erzieher",
                  "mechaniker", "kassierer", "friseur", "camarer", "limpiador", "repartidor", "conductor", "chofer",
                  "cocinero", "ayudante", "dependient", "cajer", "mozo de", "electricista", "fontanero", "niñera",
                  "serveur", "serveuse", "agent d'entretien", "chauffeur", "livreur", "cuisinier", "commis",
                  "vendeur", "vendeuse", "caissi", "magasinier", "préparateur", "électricien", "plombier",
                  "aide-soignant",
                  "infirmi", "nounou", "réceptionniste", "manutentionnaire", "camerier", "autista", "cuoco",
                  "commess", "cassier", "magazzinier", "elettricista", "idraulico", "badante", "infermier",
                  "operaio", "muratore", "schoonmaker", "bezorger", "verkoper", "kassamedewerker", "monteur",
                  "elektricien", "loodgieter", "verzorgende", "oppas", "bediening", "kelner", "kucharz", "kasjer",
                  "elektryk", "hydraulik", "opiekun", "pielęgniar", "niania", "recepcjonist", "sprzątacz",
                  "mechanik", "ekspedient", "kurier"),
    # when and how much: shifts, hours, weekends (short posts for everyday jobs name them before anything else)
    "schedule": ("shift", "night shift", "hrs a week", "hours a week", "hours per week", "weekends", "mornings",
                 "evenings", "turno", "turnos", "fim de semana", "fins de semana", "horas semanais", "horas por semana",
                 "schicht", "wochenende", "stunden pro woche", "stunden/woche", "std./woche", "minijob", "vormittags",
                 "nachmittags", "abends", "fin de semana", "fines de semana", "horas semanales", "jornada",
                 "horaires", "week-end", "heures par semaine", "h/semaine", "de nuit", "temps partiel",
                 "mi-temps", "fine settimana", "orario", "ore settimanali", "ore a settimana", "part time",
                 "dienst$", "diensten$", "uur per week", "weekend", "avonddienst", "ochtenddienst", "zmian",
                 "na zmiany", "weekendy", "godzin tygodniowo", "etat", "pół etatu"),
}

_PATTERNS = {
    family: re.compile("|".join(rf"(?<!\w){re.escape(stem[:-1])}(?!\w)" if stem.endswith("$")
                                else rf"(?<!\w){re.escape(stem)}" for stem in stems), re.IGNORECASE)
    for family, stems in SIGNAL_FAMILIES.items()
}


# how a short post says "apply" and "we pay" without words: a phone number or an e-mail address to reach the
# poster, a pay ("30 zł/h", "R$ 2.500 por mês", "14,50 € brutto", "45k") -- a bare price is no pay
_PHONE = re.compile(r"(?<![\w.+])\+?\d[\d ().-]{7,}\d(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PAY = re.compile(
    r"\d[\d.,]*\s?(?:k\s?)?(?:[€£$]|zł|pln|eur|euro|euros|chf|reais|usd)?\s?(?:/\s?|per |an |a |por |pro |par |"
    r"all'|za |die |à l')(?:h|hr|hour|hora|std|stunde|heure|ora|uur|godzin[ęe]|month|mês|mes|monat|mois|mese|maand|"
    r"miesi[ąa]c|year|ano|año|jahr|an|anno|jaar|rok)(?!\w)|"
    r"\d[\d.,]*\s?(?:[€£$]|zł|pln|eur|euro|euros|chf|reais)\s?(?:brutto|netto|gross|bruto|brut|lordo)(?!\w)|"
    r"(?<![\w.,])\d{2,3}\s?(?:-\s?\d{2,3}\s?)?k(?:\s?[€£$]|\s?eur)?(?!\w)", re.IGNORECASE)


def _has_phone(text: str) -> bool:
    """A phone number: nine to fifteen digits in one run of digits, spaces, dots, dashes and brackets."""
    return any(9 <= sum(ch.isdigit() for ch in m.group(0)) <= 15 for m in _PHONE.finditer(text))


def job_signals(text: str) -> list[str]:
    """The signal families the text shows, in SIGNAL_FAMILIES order; a phone number or e-mail address counts
    as "apply", a pay as "offer"."""
    found = {family for family, pattern in _PATTERNS.items() if pattern.search(text)}
    if _has_phone(text) or _EMAIL.search(text):
        found.add("apply")
    if _PAY.search(text):
        found.add("offer")
    return [family for family in SIGNAL_FAMILIES if family in found]


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
