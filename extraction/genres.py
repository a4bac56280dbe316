"""What kind of text is this, if not a job listing? Markers of the genres scrapers pick up by mistake.

Job boards and company sites also serve CVs and "open to work" profiles, press
releases and news, blog posts, event announcements, course pages and salary
reports. They use job words (experience, skills, engineer, hiring), so the
job-word check in `job_signal` lets them through, and the model then writes a
plausible `jobs` row for them. What gives them away is their genre: a CV speaks
in the first person to nobody and lists dated stints; a press release has a
dateline, "announced today" and a media contact; an event has a date, an agenda
and a registration link. A job listing, whatever else it holds, addresses a
reader who might take one opening: "you will", "we offer", "apply", "(m/w/d)".

This module only finds markers; `screening.not_a_listing_reason` weighs them
against the opening markers. Every pattern is matched case-insensitively at word
starts, in the eight languages we read (en, pt, de, es, fr, it, nl, pl). Pronouns
are read per language: Dutch "je" is the reader ("je bouwt"), French "je" the
writer ("je suis"), so a Dutch listing never reads as a CV in the first person.
"""
from __future__ import annotations

import re
from typing import Iterable

# genre -> phrases that text of that genre uses and job listings seldom do
GENRE_PHRASES: dict[str, tuple[str, ...]] = {
    "cv": (
        "open to work", "open for work", "opentowork", "looking for my next", "seeking my next",
        "references available", "date of birth", "place of birth", "nationality:", "marital status",
        "geburtsdatum", "familienstand", "staatsangehörigkeit", "auf der suche nach einer neuen herausforderung",
        "data de nascimento", "estado civil", "em busca de novas", "à procura de novas", "aberto a oportunidades",
        "aberta a oportunidades", "fecha de nacimiento", "employment history", "work history", "professional summary",
        "career objective", "personal details", "persönliche daten", "dados pessoais", "datos personales",
        "informations personnelles", "dati personali", "persoonlijke gegevens", "dane osobowe",
        "op zoek naar een nieuwe uitdaging", "szukam nowego wyzwania", "alla ricerca di nuove opportunità",
    ),
    "press": (
        "press release", "for immediate release", "today announced", "announced today", "(nasdaq:", "(nyse:",
        "media contact", "press contact", "investor relations", "forward-looking statement",
        "forward-looking statements", "said in a statement",
        "spokesperson", "reporter", "pressemitteilung", "pressekontakt", "gab heute bekannt", "teilte mit",
        "comunicado de imprensa", "assessoria de imprensa", "nota de prensa", "comunicado de prensa",
        "communiqué de presse", "contact presse", "a annoncé", "comunicato stampa", "ufficio stampa",
        "ha annunciato oggi", "ha annunciato", "persbericht", "perscontact", "maakte vandaag bekend",
        "informacja prasowa", "komunikat prasowy", "ogłosiła dziś", "ogłosił dziś",
    ),
    "article": (
        "posted by", "written by", "min read", "minute read", "minutes read", "in this post", "in this article",
        "read more", "subscribe", "leave a comment", "share this", "newsletter", "neste artigo", "neste post",
        "leia mais", "in diesem artikel", "in diesem beitrag", "weiterlesen", "en este artículo", "leer más",
        "dans cet article", "lire la suite", "how to get", "how to become", "how to land", "how to write",
        "how i ", "what i learned", "here's how", "here’s how", "tips for", "dicas para", "tipps für",
        "consejos para", "conseils pour", "passo a passo", "schritt für schritt", "paso a paso",
        "in questo articolo", "leggi anche", "in dit artikel", "lees meer", "w tym artykule", "czytaj więcej",
    ),
    "event": (
        "meetup", "webinar", "rsvp", "register now", "register here", "doors open", "livestream", "career fair",
        "job fair", "hackathon", "palestrantes", "inscreva-se", "evento gratuito", "feira de emprego", "anmeldung",
        "vorträge", "jobmesse", "karrieremesse", "ponentes", "inscríbete", "inscripción gratuita",
        "feria de empleo", "intervenants", "inscrivez-vous", "salon de l'emploi", "exhibitors", "free entry",
        "entrada gratuita", "eintritt frei", "entrée libre", "aussteller", "expositores", "exposants",
        "iscriviti", "ingresso gratuito", "relatori", "meld je aan", "gratis toegang", "sprekers",
        "zarejestruj się", "wstęp wolny", "prelegenci",
    ),
    "course": (
        "tuition fee", "syllabus", "course fee", "bootcamp", "alumni", "certificate of completion", "learners",
        "mensalidade", "grade curricular", "studiengebühr", "lehrplan", "plan de estudios", "apprenants",
        "frais de scolarité", "programme de formation", "enrol now", "enroll now", "enrol today", "enroll today",
        "next intake", "next cohort", "ects", "lato sensu", "pós-graduação", "umschulung", "bildungsgutschein",
        "titre professionnel", "rncp", "ratings)", "what you'll learn", "what you will learn",
        "o que você vai aprender", "was du lernst", "lo que aprenderás", "ce que vous apprendrez",
    ),
    "report": (
        "respondents", "median salary", "median", "percentile", "year over year", "year-over-year",
        "pesquisa salarial", "entrevistados", "mediana", "umfrage", "befragte", "gehaltsreport", "encuestados",
        "répondants", "étude de rémunération", "market update", "hiring market", "labour market", "labor market",
        "mercado de trabalho", "arbeitsmarkt", "mercado laboral", "marché du travail", "salary guide",
        "salary survey", "gehaltsstudie", "guia salarial", "guía salarial",
        # labour statistics name jobs and pay as listings do, but as rates and changes
        "unemployment rate", "employment rate", "taxa de desemprego", "taxa de emprego", "população empregada",
        "período homólogo", "arbeitslosenquote", "erwerbstätigenquote", "vorjahresvergleich", "tasa de paro",
        "tasa de desempleo", "tasa de empleo", "interanual", "taux de chômage", "taux d'emploi",
        "glissement annuel", "tasso di disoccupazione", "tasso di occupazione", "su base annua",
        "werkloosheid", "werkgelegenheid", "stopa bezrobocia", "wskaźnik zatrudnienia", "quarter-on-quarter",
        "year-on-year",
    ),
    "careers": (
        "open positions", "open roles", "current openings", "see all jobs", "view all jobs", "all open positions",
        "vagas abertas", "todas as vagas", "offene stellen", "alle stellen", "alle jobs", "vacantes abiertas",
        "nuestras ofertas", "nos offres", "toutes nos offres", "posizioni aperte", "tutte le offerte",
        "alle vacatures", "openstaande vacatures", "wszystkie oferty", "otwarte rekrutacje",
    ),
    "review": (
        "current employee", "former employee", "advice to management", "pros", "cons", "ex-funcionário",
        "ehemaliger mitarbeiter", "ex-empleado", "ancien employé",
    ),
    "email": (
        "subject:", "asunto:", "assunto:", "betreff:", "objet :", "objet:", "kind regards", "best regards",
        "atenciosamente", "mit freundlichen grüßen", "saludos cordiales", "cordialement",
    ),
    "legal": (
        "terms of use", "terms of service", "privacy policy", "termos de uso", "política de privacidade",
        "nutzungsbedingungen", "datenschutzerklärung", "términos de uso", "política de privacidad",
        "conditions générales", "politique de confidentialité",
    ),
}
# news of a funding round: common in a listing's company paragraph, so all of it counts as one press marker
FUNDING_PHRASES: tuple[str, ...] = (
    "series a", "series b", "series c", "series d", "funding round", "raised $", "raises $", "raised €", "raises €",
    "rodada de investimento", "finanzierungsrunde", "ronda de financiación", "levée de fonds",
)

# phrases that address a reader who might take one opening (any job listing has some)
OPENING_PHRASES: tuple[str, ...] = (
    "you will", "you'll", "you would", "your role", "your profile", "your responsibilities", "what you'll do",
    "what you will do", "what we offer", "we offer", "we are looking for", "we're looking for",
    "i'm looking for", "i am looking for", "we are hiring", "we're hiring", "is hiring", "now hiring", "hiring:",
    "join our team", "join my team", "join the team", "apply", "to apply", "send your cv", "send your resume",
    "send us your", "dm me", "requirements", "responsibilities", "qualifications", "must have", "nice to have",
    "salary", "stipend", "application deadline", "closing date", "start date", "(m/w/d)", "(w/m/d)", "(m/f/d)",
    "(f/m/d)", "(h/f)", "(f/h)", "(m/f)", "(all genders)", "(m/v)", "(m/v/x)", "(v/m)", "(m/f/x)", "(h/m)",
    "(m/h)", "(k/m)", "(m/k)", "(f/h/x)", "vaga", "procuramos", "estamos contratando",
    "buscamos", "requisitos", "responsabilidades", "o que oferecemos", "oferecemos", "candidate-se",
    "envie seu currículo", "envie o seu", "você vai", "você irá", "seu perfil", "salário", "dein profil",
    "ihr profil", "deine aufgaben", "ihre aufgaben", "wir bieten", "wir suchen", "was dich erwartet",
    "was sie erwartet", "jetzt bewerben", "bewirb dich", "bewerben sie sich", "ihre bewerbung", "deine bewerbung",
    "gehalt", "ofrecemos", "postúlate", "postula", "tu perfil", "tus funciones", "qué ofrecemos", "salario",
    "nous recherchons", "vos missions", "votre profil", "postuler", "postulez", "nous offrons", "ce que nous offrons",
    "rémunération", "salaire", "you'd", "what you'd", "we need", "looking for a", "is looking for",
    "are looking for", "the package", "per hour", "an hour", "pro stunde", "por hora",
    "de l'heure", "brutto", "gesucht", "se busca", "precisa-se", "contratamos", "on recrute",
    # agencies and recruiters writing for a client
    "my client", "our client", "send me your cv", "wir stellen ein", "im auftrag unseres kunden",
    "im auftrag eines kunden", "bei interesse", "estou a recrutar", "estamos a recrutar", "envie-me",
    "para um cliente", "para un cliente", "escríbeme", "envíanos tu cv", "te encargarás", "contactez-moi",
    "notre cabinet", "pour le compte de", "tu construiras", "vous rejoindrez",
    # Italian
    "cerchiamo", "stiamo cercando", "ricerchiamo", "selezioniamo", "offriamo", "cosa offriamo", "candidati",
    "invia il tuo cv", "invia il tuo curriculum", "mandami il curriculum", "il tuo profilo", "ti occuperai",
    "per conto di", "requisiti", "responsabilità", "retribuzione",
    # Dutch
    "wij zoeken", "we zoeken", "gezocht", "wat wij bieden", "wat bieden wij", "wat ga je doen", "wie ben jij",
    "jouw profiel", "wat vragen wij", "functie-eisen", "solliciteer", "reageer", "stuur je cv", "stuur me je cv",
    "ben ik op zoek naar", "zijn wij op zoek naar", "zijn we op zoek naar", "voor mijn opdrachtgever",
    "onze opdrachtgever", "salaris",
    # Polish
    "poszukujemy", "szukamy", "zatrudnimy", "zatrudni", "oferujemy", "aplikuj", "wymagania", "obowiązki",
    "twoje zadania", "zakres obowiązków", "wyślij cv", "wyślij swoje cv", "wyślij mi", "rekrutujemy",
    "dla naszego klienta", "wynagrodzenie", "umowa o pracę", "umowę o pracę",
)

# a pay rate: "£12.60/h", "14 €/Std.", "R$ 3.500/mês", "65k/year"
_PAY_RATE = re.compile(r"\d\s*(?:k|€|£|\$|eur|chf)?\s*/\s*(?:h|hr|hour|std|stunde|hora|mês|mes|month|monat|mois"
                       r"|year|jahr|ano|año|an)\b", re.IGNORECASE)
_DATE_RANGE = re.compile(
    r"(?<!\d)(?:(?:0?[1-9]|1[0-2])[/.])?(?:19|20)\d\d\s*(?:-|–|—|to|bis|até|a|à)\s*"
    r"(?:(?:(?:0?[1-9]|1[0-2])[/.])?(?:19|20)\d\d(?!\d)|present|now|today|current|heute|aktuell|atual|o momento|"
    r"hoje|presente|actualidad|actual|la fecha|aujourd'hui|ce jour|oggi|attuale|heden|nu|obecnie|teraz)",
    re.IGNORECASE)
# a CV's section headings, each on a line of its own: a CV has several, a listing seldom more than one
CV_HEADINGS: tuple[str, ...] = (
    "curriculum vitae", "cv", "résumé", "resume", "lebenslauf", "currículo", "currículum", "summary", "profile",
    "professional profile", "about me", "experience", "work experience", "professional experience", "employment",
    "education", "skills", "technical skills", "languages",
    "certifications", "projects", "interests", "hobbies", "references", "awards", "publications",
    "resumo", "sobre mim", "experiência", "experiência profissional", "formação", "formação acadêmica",
    "educação", "competências", "idiomas", "certificações", "projetos", "zusammenfassung", "über mich",
    "berufserfahrung", "berufliche erfahrung", "werdegang", "ausbildung", "studium", "kenntnisse", "sprachen",
    "zertifikate", "zertifizierungen", "projekte", "interessen", "resumen", "sobre mí", "experiencia",
    "experiencia laboral", "experiencia profesional", "educación", "formación", "certificaciones", "proyectos",
    "à propos de moi", "expérience", "expériences", "expérience professionnelle", "expériences professionnelles",
    "formation", "compétences", "langues", "projets", "centres d'intérêt",
    "profilo", "su di me", "esperienza professionale", "esperienze lavorative", "istruzione", "competenze",
    "lingue", "progetti", "profiel", "over mij", "werkervaring", "opleiding", "opleidingen", "vaardigheden",
    "talen", "projecten", "życiorys", "o mnie", "doświadczenie", "doświadczenie zawodowe", "wykształcenie",
    "umiejętności", "języki", "projekty", "zainteresowania",
)
_HEADING_LINE = re.compile(r"^[ \t#*•-]*(" + "|".join(re.escape(h) for h in CV_HEADINGS) + r")[ \t]*:?[ \t]*$",
                           re.IGNORECASE | re.MULTILINE)
_FIRST_PERSON = re.compile(
    r"(?<![\w'])(?:I|I'm|I've|I'd|I'll)(?![\w'])|(?<!\w)[jJ]['’](?=\w)|(?<!\w)(?i:my|me|eu|meu|minha|meus|minhas|"
    r"ich|mein|meine|meinen|meiner|mir|mich|yo|mi|mis|mí|mon|mes|moi|io|mio|mia|miei|mie|ik|mijn|mij|mój|moja|"
    r"moje|mojego|mnie|jestem)(?!\w)")
_FRENCH_JE = re.compile(r"(?<!\w)je(?!\w)", re.IGNORECASE)
_ADDRESSEE = re.compile(
    r"(?<!\w)(?:you|your|you're|you'll|we|we're|our|us|você|vocês|seu|sua|seus|suas|nós|nosso|nossa|nossos|"
    r"nossas|du|dein|deine|dich|dir|wir|uns|unser|unsere|unseren|ihr|ihre|tú|tu|tus|usted|nosotros|nuestro|"
    r"nuestra|nuestros|nuestras|vous|votre|vos|nous|notre|nos|ti|tuo|tua|tuoi|tue|noi|nostro|nostra|nostri|"
    r"nostre|voi|vostro|vostra|jij|jou|jouw|wij|ons|onze|uw|ty|ciebie|cię|tobie|twój|twoja|twoje|twojego|"
    r"twoim|nas|nasz|nasza|nasze|naszego|naszym|naszej)(?!\w)",
    re.IGNORECASE)
# words far more common in Dutch than in French: they tell which "je" a text uses
_DUTCH_WORDS = re.compile(r"(?<!\w)(?:het|een|van|voor|naar|bij|zijn|jij|jouw|wij|onze|niet|ook|wat|hebt|bent|"
                          r"werkt|krijgt)(?!\w)", re.IGNORECASE)
_FRENCH_WORDS = re.compile(r"(?<!\w)(?:le|la|les|des|une|est|pour|avec|dans|sur|suis|et|du|au|aux|mon|mes)(?!\w)",
                           re.IGNORECASE)


def _first_and_addressed(text: str) -> tuple[int, int]:
    """How often the text speaks as its writer, and to its reader; "je" counts as the reader in Dutch."""
    first, addressed = _first_and_addressed(text)
    je = len(_FRENCH_JE.findall(text))
    if len(_DUTCH_WORDS.findall(text)) > len(_FRENCH_WORDS.findall(text)):
        return first, addressed + je
    return first + je, addressed


def _compile(phrases: Iterable[str]) -> re.Pattern[str]:
    """Whole phrases: "cons" never matches inside "consulting", nor "apply" inside "applying"."""
    return re.compile("|".join(rf"(?<!\w){re.escape(phrase)}" + (r"(?!\w)" if phrase[-1].isalnum() else "")
                               for phrase in phrases), re.IGNORECASE)


_GENRE_PATTERNS = {genre: _compile(phrases) for genre, phrases in GENRE_PHRASES.items()}
_FUNDING_PATTERN = _compile(FUNDING_PHRASES)
_OPENING_PATTERN = _compile(OPENING_PHRASES)


def _distinct(pattern: re.Pattern[str], text: str) -> list[str]:
    return sorted({match.group(0).lower().strip() for match in pattern.finditer(text)})


def genre_markers(text: str) -> dict[str, list[str]]:
    """Each genre's distinct markers in the text, with the CV's structural ones (dated stints, first person)."""
    found = {genre: _distinct(pattern, text) for genre, pattern in _GENRE_PATTERNS.items()}
    if _FUNDING_PATTERN.search(text):
        found["press"].append("funding news")
    stints = len(_DATE_RANGE.findall(text))
    if stints >= 2:
        found["cv"].append(f"{stints} date ranges")
    headings = sorted({match.group(1).lower() for match in _HEADING_LINE.finditer(text)})
    if len(headings) >= 3:
        found["cv"].append(f"CV sections ({', '.join(headings)})")
    first, addressed = len(_FIRST_PERSON.findall(text)), len(_ADDRESSEE.findall(text))
    if first >= 3 and addressed * 4 <= first:
        found["cv"].append(f"first person to nobody ({first} against {addressed})")
    return {genre: markers for genre, markers in found.items() if markers}


def opening_markers(text: str) -> list[str]:
    """Distinct phrases that address an applicant to an opening, and a pay rate if the text states one."""
    found = _distinct(_OPENING_PATTERN, text)
    return found + ["a pay rate"] if _PAY_RATE.search(text) else found
