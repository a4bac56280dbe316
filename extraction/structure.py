"""A listing's structure, read once: sections, sentences and negations, for everything that reads a listing.

A recruiter reads a listing by its parts: what is required, what would be nice, what the job does, who the
company is, what it offers, how to apply and the legal small print. A tool named in the company blurb ("our
platform runs on Kafka"), in the benefits ("paid AWS certifications") or inside a negation ("No Java or Scala
experience is required") is not asked of the applicant. `analyse_structure(text)` labels every character of
the cleaned listing text (`extraction.listings.Listing.text`: the "Title: ..." header lines, then the
description with HTML already turned into lines) with a `Section`, and finds sentences and negation scopes.

Sections come from headings, key lines and inline markers, in every language we read (en, pt, de, es, fr,
it, nl, pl):
- The header lines ("Title:", "Company:", "Location:", "Workplace:") are HEADER.
- A heading is a line without a bullet of at most 8 words that ends with ":", or of at most 6 words with no
  final punctuation (a question mark aside: "Qui sommes-nous ?") that is followed by a bullet or opens with a
  section's name and little else ("What we offer", "Dein Profil"; not "Experience with Kafka is a must").
  Its words decide what it opens ("Requirements", "Nice to have", "What you'll do", "About us", "Benefits",
  "How to apply", "Equal opportunity", ...; an unknown heading opens OTHER); the section lasts until the next
  heading. A heading with a preferred marker ("Nice to have", "Desejável", "Wünschenswert", "Les plus",
  "Mile widziane", "Pluspunten", ...) opens NICE_TO_HAVE.
- A key line "Requirements: X, Y" or "Benefits: ..." is that section and opens it; "Nice to have: X, Y"
  is NICE_TO_HAVE as a whole line only.
- Inside REQUIREMENTS, RESPONSIBILITIES and OTHER, a clause (ended by ; . ! ?) with a trailing marker ("X is a
  plus", "Kenntnisse in Y sind ein Plus", "Z é um diferencial", "(nice to have)", "costituisce un plus") is
  NICE_TO_HAVE up to the marker (only the parenthesis for "(AWS preferred)", only the last part after a comma
  unless that part continues a list: "Kafka, Kinesis or Pulsar is a plus"), and a leading marker ("ideally",
  "idealerweise", "de preferência", "bij voorkeur", "preferibilmente") makes the rest of its clause
  NICE_TO_HAVE.
- Sentences in OTHER (listings without headings, paragraphs under an unknown heading) are labelled by their
  cues: "we are a company that...", "founded in", "our platform runs on" (COMPANY); "you will" (RESPONSIBILITIES);
  "you have/bring", "experience with" (REQUIREMENTS); "we offer" (BENEFITS); "send your CV" (APPLY); equal
  opportunity and privacy sentences (LEGAL, also inside BENEFITS and COMPANY sections).

A negation's scope is the part of a clause that it rules out, up to a contrast ("Python is not required, but
SQL is"): "No Java, Scala or data-engineering experience is required" (all of it), "Fluent English, German is
not required" (only "German is not required"; a list before the marker stays whole), "Não é necessário saber
Java" and "you won't touch it" (what follows, up to a comma that starts something else). A clause with a
preferred marker is not negated ("a plus but not mandatory" asks for it, as a preferred item).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Literal, Optional

from extraction.evidence import analyse
from schemas.taxonomy import Kind

__all__ = ["Requirement", "Section", "Structure", "analyse_structure", "requirement_at"]

Requirement = Literal["required", "preferred"]


class Section(str, Enum):
    """What a part of a listing is about."""

    REQUIREMENTS = "requirements"
    NICE_TO_HAVE = "nice_to_have"
    RESPONSIBILITIES = "responsibilities"
    COMPANY = "company"
    BENEFITS = "benefits"
    APPLY = "apply"
    LEGAL = "legal"
    HEADER = "header"
    OTHER = "other"


# ---------------------------------------------------------------------------------------------- preferred markers

_PREFERRED_MARKERS = [
    # en
    r"nice[\s-]to[\s-]haves?", r"preferred", r"preferable", r"desirable", r"desired", r"good[\s-]to[\s-]have",
    r"bonus\s+points?", r"plus\s+points?", r"(?:is|are|would\s+be|will\s+be)\s+(?:a|an)\s+(?:strong\s+|big\s+|real\s+"
    r"|great\s+|huge\s+|definite\s+|additional\s+)?(?:plus|advantage|bonus|asset)", r"a\s+plus",
    r"an\s+(?:added\s+)?advantage", r"advantageous", r"even\s+better", r"stand\s+out", r"extra\s+credit",
    r"ideally", r"preferably", r"(?:is|are)\s+(?:highly\s+)?(?:welcome|appreciated|beneficial)", r"merit(?:orious)?",
    r"would\s+be\s+(?:great|nice|good|ideal|a\s+bonus)", r"(?:is|are)\s+nice",
    # pt
    r"desej[aá]ve(?:l|is)", r"diferencia(?:l|is)", r"valorizamos", r"valorizad[oa]s?", r"mais[\s-]valias?",
    r"(?:é|e|será|sera|seria|são|sao)\s+(?:um|uma)\s+(?:grande\s+)?(?:plus|vantagem|b[oóô]nus)",
    r"de\s+prefer[eê]ncia", r"preferencialmente", r"idealmente",
    # de
    r"w[uü]nschenswert", r"von\s+vorteil", r"vorteilhaft", r"idealerweise", r"vorzugsweise", r"pluspunkte?",
    r"(?:ist|sind|w[aä]ren?)\s+(?:ein\s+)?(?:gro[sß]+es\s+)?plus", r"ein\s+plus", r"gerne\s+gesehen",
    r"w[aä]re\s+(?:sch[oö]n|toll|super)",
    # fr
    r"un\s+(?:vrai\s+|gros\s+|r[ée]el\s+)?(?:plus|atout)", r"souhait[ée]e?s?", r"appr[ée]ci[ée]e?s?", r"atouts?",
    r"id[ée]alement", r"de\s+pr[ée]f[ée]rence", r"les\s+plus",
    # es
    r"deseables?", r"valorables?", r"valorad[oa]s?", r"se\s+valorar[aá]n?", r"valoraremos", r"preferiblemente",
    r"suma\s+puntos", r"(?:es|será|sera|sería|seria|son)\s+(?:un\s+)?(?:plus|ventaja)",
    # it
    r"(?:costituisce|costituiscono|costituir[aà]|rappresenta|rappresenteranno|sar[aà]|sarebbe|[eè]|sono)\s+(?:un\s+)?"
    r"(?:plus|vantaggio|titolo\s+preferenziale)", r"titolo\s+preferenziale", r"gradit[oaie]",
    r"preferibil(?:e|i|mente)",
    r"apprezzat[oaie]", r"un\s+plus",
    # nl
    r"(?:is\s+)?een\s+(?:pr[eé]|pluspunt|plus|voordeel)", r"pluspunt(?:en)?", r"gewenst", r"wenselijk",
    r"strekt\s+tot\s+aanbeveling", r"bij\s+voorkeur", r"mooi\s+meegenomen",
    # pl
    r"mile\s+widzian[aey]", r"dobrze\s+widzian[aey]", r"(?:b[eę]dzie|jest|s[aą])\s+(?:dodatkowym\s+)?(?:atutem|plusem)",
    r"dodatkowym\s+atutem", r"atutem", r"po[zż][aą]dan[aey]", r"preferowan[aey]",
    # optional, in every language: asked for, not required
    r"optional", r"facultati(?:f|ve)s?", r"facoltativ[oaie]", r"opcional(?:es)?", r"optioneel", r"opcjonaln[aey]",
]
# Markers that open a clause ("ideally Y"): what follows them is preferred. The others close it ("X is a plus").
_LEADING = re.compile(
    r"\b(?:ideally|preferably|idealerweise|vorzugsweise|gerne\s+auch|de\s+prefer[eê]ncia|preferencialmente|"
    r"idealmente|id[ée]alement|de\s+pr[ée]f[ée]rence|preferiblemente|preferibilmente|bij\s+voorkeur|najlepiej|"
    r"even\s+better(?:\s+if)?|bonus\s+points?\s+(?:if|for)|(?:it\s+)?would\s+be\s+(?:great|nice|good|ideal|a\s+bonus)"
    r"\s+if)\b",
    re.IGNORECASE)
_MARKER = re.compile(r"(?<!\w)(?:" + "|".join(_PREFERRED_MARKERS) + r")(?!\w)", re.IGNORECASE)
# A heading that is only "Plus", "Bonus", "Atouts" or "Les plus" (a trailing colon aside).
_BARE_HEADING = re.compile(r"^(?:a\s+|les\s+|the\s+|some\s+)?(?:plus|bonus|atouts?|extras?|optional|optionnel|"
                           r"opcional|opzionale|optioneel|pre|pr[eé])$", re.IGNORECASE)
# Words a preferred heading may have around its marker: "Preferred qualifications", "Requisitos desejáveis".
_HEADING_NOUNS = (r"(?:skills?|qualifications?|requirements?|experience|knowledge|points?|extras?|conhecimentos?|"
                  r"requisitos?|compet[eê]ncias|habilidades|kenntnisse|anforderungen|qualifikationen|f[aä]higkeiten|"
                  r"comp[ée]tences|exigences|conocimientos|requisiti|competenze|conoscenze|vaardigheden|kennis|"
                  r"ervaring|eisen|umiej[eę]tno[sś]ci|wymagania|kwalifikacje|do[sś]wiadczenie|it|if|you|also|have|"
                  r"also\s+have|wat|is|are|ist|sind)")
_PREFERRED_HEADING = re.compile(
    rf"^(?:{_HEADING_NOUNS}\s+){{0,2}}\(?(?:{'|'.join(_PREFERRED_MARKERS)})\)?(?:\s+{_HEADING_NOUNS}){{0,3}}$",
    re.IGNORECASE)


def _preferred_heading(core: str) -> bool:
    """A heading that is a preferred marker with at most a few heading words around it ("Nice to have",
    "Preferred qualifications", "Requisitos desejáveis", "Bonus points", "Plus"), not a requirement line that
    ends in one ("Kafka is a plus")."""
    return bool(_PREFERRED_HEADING.match(core) or _BARE_HEADING.match(core))


# ---------------------------------------------------------------------------------------------- headings

def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE)


# The words of a heading, by the section it opens; the first that matches decides (legal before benefits before
# company, so "Diversity & inclusion" is legal and "About us" is company, "About you" requirements).
_HEADINGS: list[tuple[Section, re.Pattern[str]]] = [
    (Section.LEGAL, _words(
        r"equal\s+(?:employment\s+)?opportunit(?:y|ies)", r"eeo", r"diversity(?:\s+(?:&|and)\s+inclusion)?",
        r"inclusion", r"privacy", r"data\s+protection", r"gdpr", r"rgpd", r"lgpd", r"disclaimer", r"legal",
        r"accommodations?", r"datenschutz(?:hinweis(?:e)?)?", r"chancengleichheit", r"diversidade", r"inclus[ãa]o",
        r"privacidade", r"prote[cç][ãa]o\s+de\s+dados", r"diversidad", r"igualdad", r"privacidad",
        r"protecci[oó]n\s+de\s+datos", r"diversit[ée]", r"confidentialit[ée]", r"donn[ée]es\s+personnelles",
        r"diversit[aà]", r"pari\s+opportunit[aà]", r"dati\s+personali", r"diversiteit", r"gelijke\s+kansen",
        r"r[oó]wne\s+szanse", r"r[oó][zż]norodno[sś][cć]", r"klauzula", r"rodo")),
    (Section.APPLY, _words(
        r"how\s+to\s+apply", r"apply(?:\s+now)?", r"application(?:\s+process)?", r"interview\s+process",
        r"hiring\s+process", r"recruitment\s+process", r"next\s+steps", r"interested", r"ready\s+to\s+apply",
        r"como\s+(?:se\s+)?candidatar", r"candidatura", r"processo\s+(?:seletivo|de\s+recrutamento|de\s+sele[cç][ãa]o)",
        r"etapas", r"bewerbung(?:sprozess)?", r"so\s+bewirbst\s+du\s+dich", r"interessiert", r"kontakt",
        r"postuler", r"candidature", r"processus\s+de\s+recrutement", r"c[oó]mo\s+(?:aplicar|postular|inscribirse)",
        r"proceso\s+de\s+selecci[oó]n", r"come\s+candidarsi", r"candidatura", r"processo\s+di\s+selezione",
        r"solliciteren", r"sollicitatie(?:procedure)?", r"interesse", r"aplikuj", r"rekrutacja",
        r"proces\s+rekrutacji", r"jak\s+aplikowa[cć]")),
    (Section.BENEFITS, _words(
        r"what\s+we\s+offer", r"we\s+offer", r"what\s+you(?:'ll|\s+will)?\s+get", r"what'?s\s+in\s+it\s+for\s+you",
        r"benefits?", r"perks", r"compensation", r"salary", r"rewards?", r"why\s+(?:join|work\s+(?:with|for)|us)",
        r"our\s+offer", r"the\s+offer", r"offer", r"oferta", r"offre", r"angebot", r"offerta", r"(?:nasza\s+)?oferta",
        r"was\s+wir\s+bieten", r"das\s+bieten\s+wir", r"ce\s+que\s+l'on\s+offre",
        r"o\s+que\s+oferecemos", r"oferecemos", r"benef[ií]cios", r"regalias", r"remunera[cç][ãa]o",
        r"wir\s+bieten", r"was\s+wir\s+(?:dir|ihnen)\s+bieten", r"unser\s+angebot", r"benefits", r"verg[uü]tung",
        r"nous\s+offrons", r"ce\s+que\s+nous\s+(?:offrons|proposons)", r"avantages", r"r[ée]mun[ée]ration",
        r"ofrecemos", r"qu[eé]\s+ofrecemos", r"beneficios", r"offriamo", r"cosa\s+offriamo", r"benefit",
        r"wat\s+(?:wij|we)\s+(?:bieden|bieden\s+jou)", r"wij\s+bieden", r"arbeidsvoorwaarden", r"aanbod",
        r"oferujemy", r"co\s+oferujemy", r"benefity", r"korzy[sś]ci")),
    (Section.COMPANY, _words(
        r"about\s+(?:us|the\s+company|the\s+business|our\s+company|our\s+client|the\s+client)", r"who\s+we\s+are",
        r"our\s+(?:story|mission|company|culture|values)", r"company\s+(?:description|overview|profile)",
        r"the\s+company", r"our\s+client", r"sobre\s+(?:n[oó]s|a\s+empresa|o\s+cliente)", r"quem\s+somos",
        r"a\s+empresa", r"[uü]ber\s+uns", r"wer\s+wir\s+sind", r"das\s+unternehmen", r"unternehmen",
        r"qui\s+sommes[\s-]nous", r"[àa]\s+propos(?:\s+de\s+nous)?", r"l'entreprise", r"la\s+soci[ée]t[ée]",
        r"qui[eé]nes\s+somos", r"sobre\s+nosotros", r"la\s+empresa", r"chi\s+siamo", r"l'azienda", r"azienda",
        r"over\s+ons", r"wie\s+zijn\s+(?:wij|we)", r"het\s+bedrijf", r"o\s+nas", r"o\s+firmie", r"kim\s+jeste[sś]my")),
    (Section.RESPONSIBILITIES, _words(
        r"what\s+you(?:'ll|\s+will)\s+(?:do|be\s+doing|work\s+on|own|learn(?:\s+and\s+do)?)", r"you\s+will",
        r"in\s+this\s+role(?:\s+you\s+will)?", r"responsibilit(?:y|ies)", r"duties", r"tasks",
        r"your\s+(?:role|mission|"
        r"day[\s-]to[\s-]day|impact|tasks|responsibilities)", r"the\s+job", r"key\s+accountabilities", r"mission",
        r"o\s+que\s+(?:vais|voc[eê]\s+(?:vai|ir[aá]))\s+fazer", r"voc[eê]\s+vai", r"responsabilidades", r"atividades",
        r"atribui[cç][oõ]es", r"fun[cç][oõ]es", r"(?:o|os|seus|teus|teu|seu)?\s*desaf[ií]os?", r"el\s+reto",
        r"a\s+tua\s+miss[ãa]o",
        r"o\s+teu\s+papel", r"(?:deine|ihre|die)\s+(?:aufgaben|verantwortung|mission|rolle)", r"aufgaben",
        r"was\s+du\s+(?:tust|machst|bewegst)", r"(?:das|was)\s+(?:erwartet\s+dich|dich\s+erwartet)",
        r"deine\s+aufgaben", r"vos\s+missions", r"missions", r"votre\s+r[ôo]le", r"responsabilit[ée]s",
        r"le\s+poste", r"vos\s+responsabilit[ée]s", r"(?:tus\s+)?funciones", r"qu[eé]\s+har[aá]s", r"tu\s+rol",
        r"responsabilidades", r"mansioni", r"responsabilit[aà]", r"attivit[aà]", r"cosa\s+farai", r"il\s+ruolo",
        r"wat\s+ga\s+je\s+doen", r"(?:jouw|je)\s+(?:taken|rol|functie)", r"taken", r"verantwoordelijkheden",
        r"obowi[aą]zki", r"zakres\s+obowi[aą]zk[oó]w", r"czym\s+b[eę]dziesz\s+si[eę]\s+zajmowa[cć]",
        r"twoje\s+zadania", r"zadania")),
    (Section.REQUIREMENTS, _words(
        r"requirements?", r"required", r"qualifications?", r"what\s+(?:we(?:'re|\s+are)\s+looking\s+for|we\s+need|"
        r"you(?:'ll)?\s+(?:need|bring|have))", r"who\s+(?:we(?:'re|\s+are)\s+looking\s+for|you\s+are|can\s+apply)",
        r"about\s+you", r"you\s+(?:have|bring|are|should\s+have)", r"your\s+(?:profile|skills|experience|background)",
        r"profile?", r"skills", r"must[\s-]haves?", r"mandatory", r"eligibility", r"experience", r"competencies",
        r"o\s+que\s+(?:buscamos|procuramos|esperamos|precisas|precisamos)", r"requisitos?", r"perfil",
        r"qualifica[cç][oõ]es", r"compet[eê]ncias", r"quem\s+procuramos", r"o\s+teu\s+perfil",
        r"(?:dein|ihr)\s+profil", r"profil", r"anforderungen", r"qualifikationen", r"was\s+du\s+mitbringst",
        r"das\s+bringst\s+du\s+mit", r"du\s+bringst\s+mit", r"was\s+wir\s+erwarten", r"profil\s+recherch[ée]",
        r"votre\s+profil", r"comp[ée]tences", r"qualit[ée]s\s+requises", r"pr[ée]requis",
        r"(?:tu\s+)?perfil", r"requisitos", r"qu[eé]\s+buscamos", r"lo\s+que\s+buscamos", r"requisiti",
        r"il\s+tuo\s+profilo", r"profilo", r"cosa\s+cerchiamo", r"competenze", r"wie\s+(?:ben\s+jij|zoeken\s+we)",
        r"wat\s+(?:vragen|zoeken)\s+(?:wij|we)", r"functie-?eisen", r"profiel", r"jouw\s+profiel",
        r"wat\s+breng\s+je\s+mee",
        r"wymagania", r"nasze\s+oczekiwania", r"oczekujemy", r"tw[oó]j\s+profil", r"kogo\s+szukamy")),
]
# "About the role", "The team", "Sobre a vaga": headings of the job's description, neither company nor requirement.
_ROLE_HEADING = _words(r"about\s+the\s+(?:role|job|position|team|opportunity|programme|program)",
                       r"the\s+(?:role|opportunity|team|position)", r"sobre\s+a\s+(?:vaga|fun[cç][ãa]o|posi[cç][ãa]o)",
                       r"[uü]ber\s+die\s+(?:rolle|stelle|position)", r"[àa]\s+propos\s+du\s+poste",
                       r"sobre\s+el\s+(?:puesto|rol)", r"la\s+posizione", r"over\s+de\s+(?:functie|rol)",
                       r"o\s+stanowisku")
# "About Acme", "Sobre a Tucano", "Über Acme": a capitalised name after an about-word is the company's.
_ABOUT = re.compile(r"^(?:about|sobre(?:\s+(?:a|o|la|el))?|[uü]ber|[àa]\s+propos\s+(?:de\s+|d')|chi\s+[eè]|over)\s*",
                    re.IGNORECASE)


def _about_name(core: str) -> bool:
    m = _ABOUT.match(core)
    return m is not None and m.end() < len(core) and core[m.end()].isupper()


# Requirement headings with a company or apply word in them: "Who we are looking for", "Who can apply".
_ASKING_HEADING = _words(r"who\s+(?:we(?:'re|\s+are)\s+looking\s+for|can\s+apply|should\s+apply|you\s+are)",
                         r"about\s+you", r"what\s+you(?:'ll)?\s+(?:need|bring|have)", r"quem\s+(?:procuramos|buscamos)",
                         r"wen\s+wir\s+suchen", r"qui\s+(?:nous\s+recherchons|[eê]tes[\s-]vous)",
                         r"a\s+qui[eé]n\s+buscamos", r"chi\s+cerchiamo", r"wie\s+(?:zoeken\s+we|ben\s+jij)",
                         r"kogo\s+szukamy")


def _heading_section(core: str) -> Section:
    """The section a heading opens, from its words."""
    if _preferred_heading(core):
        return Section.NICE_TO_HAVE
    if _ROLE_HEADING.search(core):
        return Section.OTHER
    if _ASKING_HEADING.search(core):
        return Section.REQUIREMENTS
    for section, words in _HEADINGS:
        if words.search(core):
            return section
    if _about_name(core):
        return Section.COMPANY
    return Section.OTHER


def _is_section_name(core: str) -> bool:
    """Whether a short line opens with a section's name ("What we offer", "Key responsibilities", "Dein Profil");
    "Fluent English, German is not required" names none, though "required" is a heading word."""
    if "," in core or _NEGATIONS.search(core):
        return False
    words = core.split()
    limit = len(" ".join(words[:2]))  # the name starts within the first two words...
    return _about_name(core) or any(  # ...and leaves at most two words besides ("Experience with X" is content)
        m is not None and m.start() <= limit and len(core[:m.start()].split() + core[m.end():].split()) <= 2
        for m in (p.search(core) for p in (_ROLE_HEADING, _ASKING_HEADING, *(words for _, words in _HEADINGS))))


_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25e6\u2013\u2014\u2023\u25cb\u25cf]|\d{1,2}[.)])\s+")
_DECORATION = re.compile(r"^[\s#*_]+|[\s*_]+$")
_HEADER_LINE = re.compile(r"^(?:Title|Company|Location|Workplace): ")


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, start = [], 0
    for piece in text.split("\n"):
        out.append(_Line(start, start + len(piece), piece))
        start += len(piece) + 1
    return out


def _heading(line: _Line, next_line: Optional[_Line], names_tool: bool) -> Optional[Section]:
    """The section a heading line opens, or None for a line of content."""
    if _BULLET.match(line.text):
        return None
    core = _DECORATION.sub("", line.text)
    colon = core.endswith((":", "\uff1a"))
    core = core.rstrip(":\uff1a").strip()
    words = core.split()
    if not words or len(words) > 8 or core[-1] in ".!;," or ":" in core:
        return None  # "Experience: 3 to 6 years" is a key line
    if core[-1] == "?":  # "Qui sommes-nous ?", "Interested?": a section's name as a question
        core = core.rstrip("?").strip()
        return _heading_section(core) if core and _is_section_name(core) else None
    # a marker with a few heading words ("Preferred qualifications"), or anywhere in a short line that names no
    # tool and lists nothing ("Von Vorteil sind", "Será um diferencial"); "Kafka is a plus" is an item
    preferred = _preferred_heading(core) or (
        _MARKER.search(core) is not None and not names_tool and "," not in core and ";" not in core)
    looks_like = colon or (len(words) <= 6 and (
        preferred or (next_line is not None and _BULLET.match(next_line.text) is not None)
        or _is_section_name(core)))
    if not looks_like:
        return None
    return Section.NICE_TO_HAVE if preferred else _heading_section(core)


def _key_value(line: _Line) -> Optional[tuple[str, int]]:
    """("Nice to have", offset after the colon) for a line "Nice to have: X, Y" (key of at most five words)."""
    text = _BULLET.sub("", line.text)
    key, colon, value = text.partition(":")
    if not colon or not value.strip() or not 0 < len(key.split()) <= 5:
        return None
    return _DECORATION.sub("", key), line.end - len(value)


# ---------------------------------------------------------------------------------------------- sentence cues

# Sentences of a listing without headings (or under an unknown one), by what they say. Checked in this order.
_CUES: list[tuple[Section, re.Pattern[str]]] = [
    (Section.LEGAL, re.compile(
        r"\bequal[\s-]+(?:employment[\s-]+)?opportunit|\bwithout\s+regard\s+to\b|\bregardless\s+of\s+(?:race|gender|"
        r"age|sex|religion|background|disability|sexual)|\baffirmative\s+action\b|\breasonable\s+accommodation|"
        r"\bprotected\s+(?:veteran|characteristic|status)|\b(?:privacy\s+(?:notice|policy|statement)|"
        r"personal\s+data)\b|"
        r"\b(?:gdpr|rgpd|lgpd|eeo)\b|\bchancengleichheit|\bunabh[äa]ngig\s+von\s+(?:geschlecht|herkunft|alter)|"
        r"\bdatenschutz|\bigualdad\s+de\s+oportunidades|\bdatos\s+personales|\bdados\s+pessoais|"
        r"\bigualdade\s+de\s+oportunidades|\bindependentemente\s+de\s+(?:g[eê]nero|ra[cç]a|idade|orienta)|"
        r"\b[ée]galit[ée]\s+des\s+chances|\bdonn[ée]es\s+personnelles|\bsans\s+distinction\b|"
        r"\bpari\s+opportunit[aà]|\bdati\s+personali|\bgelijke\s+kansen|\bpersoonsgegevens|"
        r"\br[oó]wnych\s+szans|\bdanych\s+osobowych|\brodo\b", re.IGNORECASE)),
    (Section.APPLY, re.compile(
        r"\b(?:apply\s+(?:now|today|here|via|through|at|online|by|on)|to\s+apply\b|send\s+(?:us\s+)?(?:your|a)\s+"
        r"(?:cv|resume|résumé|application)|submit\s+(?:your\s+)?(?:cv|resume|application))|"
        r"\b(?:envie|envia|mande)\s+(?:o\s+)?(?:seu|teu)\s+(?:cv|curr[ií]culo)|\bcandidat[ae]-se\b|"
        r"\bbewirb\s+dich|\bbewerben\s+sie\s+sich|\bsende\s+(?:uns\s+)?deine\s+(?:bewerbung|unterlagen)|"
        r"\benvoyez\s+(?:votre|nous\s+votre)\s+(?:cv|candidature)|\bpostulez\b|"
        r"\b(?:env[ií]a(?:nos)?|manda)\s+tu\s+(?:cv|curr[ií]culum)|\bpostula\b|\binscr[ií]bete\b|"
        r"\binvia(?:ci)?\s+il\s+tuo\s+(?:cv|curriculum)|\bcandidati\b|\bsolliciteer\b|\bstuur\s+(?:je|jouw)\s+(?:cv|"
        r"sollicitatie)|\baplikuj\b|\bwy[sś]lij\s+(?:swoje\s+)?cv", re.IGNORECASE)),
    (Section.BENEFITS, re.compile(
        r"\bwe\s+offer\b|\bwe(?:'ll|\s+will)\s+(?:give|offer|provide|pay)\b|\byou(?:'ll|\s+will)\s+(?:get|receive|"
        r"enjoy)\b|\bbenefits?\s+include|\b\d+\s+(?:days?\s+(?:of\s+)?(?:paid\s+)?(?:holiday|vacation|annual\s+leave|"
        r"pto)|dias\s+(?:[uú]teis\s+)?de\s+f[ée]rias|tage\s+urlaub|jours\s+de\s+(?:cong[ée]s|vacances)|"
        r"d[ií]as\s+de\s+vacaciones|giorni\s+di\s+ferie|vakantiedagen|dni\s+urlopu)|\boferecemos\b|\bwir\s+bieten\b|"
        r"\bnous\s+(?:offrons|proposons)\b|\bofrecemos\b|\boffriamo\b|\bwij\s+bieden\b|\boferujemy\b",
        re.IGNORECASE)),
    (Section.COMPANY, re.compile(
        r"^\W*(?:we\s+are|we're)\s+(?:a|an|the|one\s+of)\b|\bwe\s+are\s+(?:a|an)\s+(?:\w+\s+){0,4}(?:company|"
        r"startup|scale-?up|firm|group|team|business|bank|insurer|retailer|provider|leader|agency|consultancy)\b|"
        r"\b(?:is|are)\s+(?:a|an|the)\s+(?:leading|global|fast[\s-]growing|growing|award[\s-]winning|"
        r"international|european|independent|family[\s-]owned|well[\s-]funded|venture[\s-]backed)\b|"
        r"\bfounded\s+in\b|\bheadquartered\s+in\b|\bour\s+(?:mission|customers|clients|founders|investors)\b|"
        r"\bour\s+(?:platform|product|infrastructure|system|systems|backend|estate)\s+(?:runs|is\s+built|relies|"
        r"uses)\b|"
        r"\bsomos\s+(?:uma?|a|o|l[ií]der)\b|\bfundad[ao]\s+em\b|\bwir\s+sind\s+(?:ein|eine|der|die|das)\b|"
        r"\bgegr[uü]ndet\b|\bnous\s+sommes\s+(?:un|une|le|la|l')|\bfond[ée]e?\s+en\b|\bsomos\s+(?:una?|la|el)\b|"
        r"\bfundad[ao]\s+en\b|\bsiamo\s+(?:un|una|la|il|l')|\bfondat[ao]\s+nel\b|\bwij\s+zijn\s+(?:een|de|het)\b|"
        r"\bopgericht\s+in\b|\bjeste[sś]my\s+(?:firm|sp[oó]łk|lider|zesp|global|mi[eę]dzynarod)",
        re.IGNORECASE)),
    (Section.RESPONSIBILITIES, re.compile(
        r"\byou(?:'ll|\s+will)\b|\byour\s+(?:role|job|mission|responsibilities)\s+(?:is|will|includes?)\b|"
        r"\bin\s+this\s+role\b|\bvoc[eê]\s+(?:vai|ir[aá])\b|\b(?:ir[aá]s|vais)\b|\bdu\s+wirst\b|"
        r"\b(?:sie\s+werden|deine\s+aufgabe)\b|\bvous\s+(?:serez|allez|aurez\s+pour\s+mission)\b|"
        r"\b(?:ser[aá]s|vas\s+a|te\s+encargar[aá]s)\b|\b(?:sarai|ti\s+occuperai|avrai\s+il\s+compito)\b|"
        r"\bje\s+(?:gaat|zult|bent\s+verantwoordelijk)\b|\bb[eę]dziesz\b", re.IGNORECASE)),
    (Section.REQUIREMENTS, re.compile(
        r"\byou\s+(?:have|bring|need|must|should|know|are\s+(?:a|an|fluent|comfortable|confident|experienced|"
        r"familiar|proficient|able))\b|\b(?:we(?:'re|\s+are)\s+)?looking\s+for\b|\bexperience\s+(?:with|in|of)\b|"
        r"\bknowledge\s+of\b|\bproficien|\bmust[\s-]have\b|\b(?:is|are)\s+(?:a\s+must|required|essential)\b|"
        r"\brequire[sd]?\b|\bvoc[eê]\s+(?:tem|possui|domina)\b|\bprocuramos\b|\bexperi[eê]ncia\s+(?:com|em|de)\b|"
        r"\bconhecimentos?\s+(?:de|em)\b|\bdu\s+(?:hast|bringst|kennst|verf[uü]gst)\b|\berfahrung\s+(?:mit|in)\b|"
        r"\bkenntnisse\b|\bwir\s+suchen\b|\bvous\s+(?:avez|ma[iî]trisez|poss[ée]dez)\b|\bexp[ée]rience\s+(?:en|avec|de|"
        r"dans)\b|\bma[iî]trise\b|\bnous\s+recherchons\b|\b(?:tienes|buscamos|dominas)\b|\bexperiencia\s+(?:con|en|"
        r"de)\b|\bconocimientos?\b|\b(?:hai|possiedi|cerchiamo)\b|\besperienza\s+(?:con|in|di|nel)\b|\bconoscenza\b|"
        r"\bje\s+(?:hebt|beschikt|bent)\b|\bervaring\s+met\b|\bkennis\s+van\b|\bwij\s+zoeken\b|"
        r"\b(?:masz|posiadasz|znasz)\b|\bdo[sś]wiadczenie\s+(?:w|z)\b|\bznajomo[sś][cć]\b|\bszukamy\b",
        re.IGNORECASE)),
]


# ---------------------------------------------------------------------------------------------- negations

# Markers that rule out what they are said of. Most close their clause part ("German is not required") or, at
# its start, open it ("Não é necessário saber Java"); `_FORWARD` ones always open it ("you won't touch X");
# `_SANDWICH` ones enclose it ("No Java or Scala experience is required").
_NEGATIONS = re.compile(r"(?<!\w)(?:" + "|".join([
    # en
    r"(?:is|are)\s+not\s+(?:(?:strictly|absolutely)\s+)?(?:required|needed|necessary|mandatory|essential|expected|"
    r"a\s+(?:must|requirement|prerequisite|pre-requisite))",
    r"not\s+(?:(?:strictly|absolutely)\s+)?(?:required|needed|necessary|mandatory|a\s+must|a\s+requirement|"
    r"a\s+prerequisite|a\s+pre-requisite)", r"isn'?t\s+(?:required|needed|necessary|a\s+must)",
    r"aren'?t\s+(?:required|needed|necessary)",
    # de
    r"(?:ist|sind|wird|werden)?\s*nicht\s+(?:zwingend\s+)?(?:erforderlich|notwendig|n[öo]tig|vorausgesetzt|"
    r"verpflichtend|gefordert|voraussetzung|pflicht|relevant|notwendigerweise)",
    r"(?:ist|sind)?\s*keine?\s+(?:voraussetzung|muss|pflicht|bedingung|anforderung|muss-kriterium|must-have)",
    r"brauchst\s+du\s+nicht", r"musst\s+du\s+nicht\s+(?:k[öo]nnen|beherrschen|kennen|mitbringen)",
    # pt
    r"n[ãa]o\s+(?:(?:é|e|s[ãa]o|ser[áa]|[ée]\s+(?:um|uma))\s+)?(?:necess[áa]ri[oa]s?|obrigat[óo]ri[oa]s?|exigid[oa]s?|"
    r"requisitos?|pr[ée]-?requisitos?|imprescind[íi]ve(?:l|is)|essencia(?:l|is)|requerid[oa]s?)",
    r"n[ãa]o\s+(?:[ée]\s+)?preciso", r"dispens[áa]ve(?:l|is)",
    # es
    r"no\s+(?:(?:es|son|ser[áa]|se)\s+)?(?:necesari[oa]s?|imprescindibles?|obligatori[oa]s?|requisitos?|"
    r"indispensables?|"
    r"requerid[oa]s?|exigid[oa]s?|requiere(?:n)?|necesita(?:n)?|exige(?:n)?)", r"no\s+hace\s+falta",
    # fr
    r"(?:n'est|ne\s+sont|n'[ée]tant)\s+pas\s+(?:(?:strictement|absolument)\s+)?(?:requis|n[ée]cessaires?|"
    r"obligatoires?|exig[ée]e?s?|indispensables?|un\s+pr[ée]requis|une\s+obligation)",
    r"pas\s+(?:requis|n[ée]cessaires?|obligatoires?|exig[ée]e?s?|indispensables?)e?s?", r"non\s+(?:requis|obligatoire|"
    r"exig[ée])e?s?",
    # it
    r"non\s+(?:(?:[eè]|sono|sar[aà])\s+)?(?:richiest[oaie]|necessari[oaie]|obbligatori[oaie]|indispensabil[ei]|"
    r"vincolant[ei]|un\s+requisito)",
    # nl
    r"(?:is|zijn)?\s*niet\s+(?:vereist|nodig|noodzakelijk|verplicht|essentieel)", r"(?:is|zijn)?\s*geen\s+(?:vereiste|"
    r"must|verplichting|voorwaarde|eis)", r"hoef\s+je\s+niet", r"hoeft\s+niet",
    # pl
    r"nie\s+(?:jest|s[aą]|b[eę]dzie)\s+(?:wymagan[aey]|konieczn[aey]|niezb[eę]dn[aey]|obowi[aą]zkow[aey]|"
    r"potrzebn[aey])",
    r"niewymagan[aey]", r"nieobowi[aą]zkow[aey]",
]) + r")(?!\w)", re.IGNORECASE)
_FORWARD = re.compile(r"(?<!\w)(?:" + "|".join([
    r"no\s+(?:need|requirement)\s+(?:for|to)", r"(?:you\s+)?do(?:n'?t|\s+not)\s+need",
    r"(?:we\s+)?do(?:n'?t|\s+not)\s+expect", r"musst\s+(?:du\s+)?keine?n?",
    r"(?:you\s+)?(?:won'?t|will\s+not|never)\s+(?:need\s+to\s+)?(?:touch|use|work\s+(?:with|on|in)|need|"
    r"be\s+(?:using|working\s+(?:with|on|in)|writing|touching))", r"not\s+expected\s+to",
    r"without\s+(?:any\s+)?(?:need\s+for|prior\s+(?:experience|knowledge)\s+(?:of|in|with))",
    r"(?:du\s+)?brauchst\s+(?:du\s+)?keine?", r"keine?\s+(?:vorkenntnisse|kenntnisse|erfahrung)\s+(?:in|mit)",
    r"sem\s+necessidade\s+de", r"n[ãa]o\s+(?:precisa|precisas|exigimos|requeremos)",
    r"sin\s+necesidad\s+de", r"no\s+(?:necesitas|exigimos|requerimos)", r"pas\s+besoin",
    r"vous\s+n'aurez\s+pas\s+[àa]", r"non\s+(?:serve|servono|[eè]\s+richiesta\s+(?:la\s+)?conoscenza\s+di)",
    r"je\s+hoeft\s+(?:geen|niet)", r"geen\s+(?:kennis|ervaring)\s+(?:van|met|in)\s+(?:\S+\s+)?nodig",
    r"nie\s+wymagamy", r"nie\s+musisz\s+(?:zna[cć]|mie[cć])",
]) + r")(?!\w)", re.IGNORECASE)
_SANDWICH = re.compile(
    r"(?<![\w-])(no|keine?|aucune?|nessun[oa]?|geen|[żz]adn[aey]|zero)\s+[^.;!?\n]{0,120}?(?<!\w)(?:(?:is|are)\s+)?"
    r"(?:required|needed|necessary|expected|erforderlich|notwendig|n[öo]tig|vorausgesetzt|requise?s?|"
    r"n[ée]cessaires?|exig[ée]e?s?|richiest[oaie]|necessari[oaie]|vereist|nodig|wymagan[aey])(?!\w)", re.IGNORECASE)
# Words that end a clause part: what follows "but" is said of something else.
_CONTRAST = re.compile(r"(?:,\s*|\s+)(?:but|however|though|whereas|while|aber|jedoch|sondern|mas|por[ée]m|pero|"
                       r"sino|mais|cependant|ma|per[oò]|invece|maar|echter|ale|jednak|lecz)(?!\w)", re.IGNORECASE)
_LIST_WORDS = re.compile(r"(?<!\w)(?:or|and|ou|e|oder|und|o|y|et|bzw|of|en|lub|i|oraz|nor|ni)(?!\w)|/",
                         re.IGNORECASE)


def _trailing_scope(head: str) -> int:
    """Where "X is a plus" (or "X is not required") starts in its clause, given the text before the marker.

    Inside a parenthesis, only that ("(AWS preferred)"); after a comma, only the last part ("Gute
    Englischkenntnisse, Deutsch ist ein Plus"), unless that part continues a list ("Kafka, Kinesis or
    Pulsar is a plus" covers all three).
    """
    opened = head.rfind("(")
    if opened > head.rfind(")") and head[opened + 1:].strip():
        return opened  # "(AWS preferred)"; but "Python (valorable)" is about Python
    depth, comma = 0, -1
    for k, char in enumerate(head):  # the last comma outside parentheses
        depth += (char == "(") - (char == ")")
        if char == "," and depth <= 0:
            comma = k
    if comma >= 0 and not _LIST_WORDS.search(head[comma + 1:]):
        return comma + 1
    return 0


def _leading_scope(tail: str) -> int:
    """Where "you won't use X" (or "Não é necessário saber X") ends in its clause, given the text after the marker:
    up to a comma that starts something else ("You don't need Python for this role, SQL is enough"), not one
    that continues a list ("You won't use Java, Scala or Go")."""
    depth, start = 0, 0
    for k, char in enumerate(tail + ","):
        depth += (char == "(") - (char == ")")
        if char != "," or depth > 0:
            continue
        if start and not (_LIST_WORDS.search(tail[start:k]) or len(tail[start:k].split()) <= 2):
            return start - 1
        start = k + 1
    return len(tail)


# ---------------------------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[;])\s+")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|z\.b|u\.a|etc|ca|bzw|inkl|incl|vs|approx|p\.ex|ex|no|nr|dr|mr|mrs|ms|"
                           r"sr|sra|jr|st|min|max|d\.h|s\.a|ltd|inc|co|corp)|\b\w)\.$", re.IGNORECASE)


def _clauses(text: str, start: int, end: int, *, semicolons: bool) -> list[tuple[int, int]]:
    """Sentences (or clauses, with semicolons) of text[start:end], one line, abbreviations kept whole."""
    out, begin = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if not semicolons and text[m.start() - 1] == ";":
            continue
        if text[m.start() - 1] == "." and _ABBREVIATION.search(text, max(begin, m.start() - 8), m.start()):
            continue
        if text[begin:m.start()].strip():
            out.append((begin, m.start()))
        begin = m.end()
    if text[begin:end].strip():
        out.append((begin, end))
    return out


# ---------------------------------------------------------------------------------------------- the structure

class Structure:
    """One listing's sections, sentences and negation scopes (see the module docstring).

    `sections` are (start, end, Section) spans in text order that cover every line of the text; `sentences`
    are (start, end) spans of the non-empty sentences; `negations` the (start, end) scopes of negations."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded = text.replace("\u2019", "'")  # "won’t" as "won't": the same offsets, one apostrophe
        self._starts: list[int] = []
        self._kinds: list[Section] = []
        self.sentences: list[tuple[int, int]] = []
        self.negations: list[tuple[int, int]] = []
        self._build()
        self._sentence_starts = [s for s, _ in self.sentences]
        self.sections = self._spans()

    # -- public questions

    def section_at(self, offset: int) -> Section:
        """The section the character at `offset` belongs to."""
        k = bisect.bisect_right(self._starts, offset) - 1
        return self._kinds[k] if k >= 0 else Section.OTHER

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence holding `offset`; the empty span (offset, offset) between sentences."""
        k = bisect.bisect_right(self._sentence_starts, offset) - 1
        if k >= 0 and self.sentences[k][0] <= offset < self.sentences[k][1]:
            return self.sentences[k]
        return offset, offset

    def negated(self, start: int, end: int) -> bool:
        """Whether text[start:end] lies inside a negation's scope ("Python is not required")."""
        return any(a <= start and end <= b for a, b in self.negations)

    def requirement_at(self, offset: int) -> Requirement:
        """"preferred" in a nice-to-have part, else "required"."""
        return "preferred" if self.section_at(offset) is Section.NICE_TO_HAVE else "required"

    # -- building

    def _mark(self, start: int, end: int, section: Section) -> None:
        """Label text[start:end] (later marks win over earlier ones where they overlap)."""
        if start >= end:
            return
        k = bisect.bisect_right(self._starts, end) - 1
        after = self._kinds[k] if k >= 0 else Section.OTHER
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_right(self._starts, end)
        self._starts[lo:hi] = [start, end]
        self._kinds[lo:hi] = [section, after]

    def _build(self) -> None:
        text = self._folded
        lines = _lines(text)
        tools = sorted(h.start for h in analyse(self.text).mentions if h.entry.kind is Kind.TOOL)
        n = 0
        while n < len(lines) and _HEADER_LINE.match(lines[n].text):
            self._mark(lines[n].start, lines[n].end + 1, Section.HEADER)
            n += 1
        content = [line for line in lines[n:] if line.text.strip()]
        state = Section.OTHER
        for k, line in enumerate(content):
            start = line.start
            # the line and the newline (or blank lines) after it, so every offset has a section
            end = content[k + 1].start if k + 1 < len(content) else len(text)
            t = bisect.bisect_left(tools, line.start)
            names_tool = t < len(tools) and tools[t] < line.end
            heading = _heading(line, content[k + 1] if k + 1 < len(content) else None, names_tool)
            if k == 0 and start > 0:
                start = lines[n].start if n < len(lines) else start
            if heading is not None:
                state = heading
                self._mark(start, end, state)
                continue
            key_value = _key_value(line)
            section = state
            if key_value is not None:
                key = key_value[0]
                if _preferred_heading(key):
                    section = Section.NICE_TO_HAVE  # "Nice to have: X, Y": that line only
                elif _is_section_name(key) and not _BULLET.match(line.text):
                    state = section = _heading_section(key)  # "Requirements: ...", "Benefits: ..."
            self._mark(start, end, section)
            self._line(line, section)

    def _line(self, line: _Line, section: Section) -> None:
        """Sentences, negations, sentence cues and inline preferred markers of one line of content."""
        text = self._folded
        sentences = _clauses(text, line.start, line.end, semicolons=False)
        self.sentences += sentences
        for begin, end in sentences:
            if section is Section.OTHER or (section in (Section.BENEFITS, Section.COMPANY)):
                cue = self._cue(text[begin:end], section)
                if cue is not None:
                    self._mark(begin, end, cue)
        for begin, end in _clauses(text, line.start, line.end, semicolons=True):
            preferred = self._inline(begin, end) if self.section_at(begin) in (
                Section.REQUIREMENTS, Section.RESPONSIBILITIES, Section.OTHER) else _MARKER.search(text, begin, end)
            if not preferred:
                self._negations(begin, end)

    @staticmethod
    def _cue(sentence: str, section: Section) -> Optional[Section]:
        for cue, pattern in _CUES:
            if section is not Section.OTHER and cue is not Section.LEGAL:
                break  # in benefits and company sections, only the legal small print stands apart
            if pattern.search(sentence):
                return cue
        return None

    def _inline(self, begin: int, end: int) -> bool:
        """Mark the preferred part of one clause; whether it has one."""
        clause = self._folded[begin:end]
        leading = _LEADING.search(clause)
        markers = list(_MARKER.finditer(clause))
        if leading is None and markers and not _BULLET.sub("", clause[:markers[0].start()]).strip():
            leading = markers[0]  # a marker that opens the clause: "Se valorará experiencia con X", "Mile widziane"
        if leading is not None:
            self._mark(begin + leading.start(), end, Section.NICE_TO_HAVE)
        elif markers:
            self._mark(begin + _trailing_scope(clause[:markers[-1].start()]), begin + markers[-1].end(),
                       Section.NICE_TO_HAVE)
        return leading is not None or bool(markers)

    def _negations(self, begin: int, end: int) -> None:
        """The negation scopes of one clause: a part of it up to a contrast ("..., but ...")."""
        text = self._folded
        parts, part_start = [], begin
        for m in _CONTRAST.finditer(text, begin, end):
            parts.append((part_start, m.start()))
            part_start = m.end()
        parts.append((part_start, end))
        for a, b in parts:
            for m in _SANDWICH.finditer(text, a, b):
                head = _BULLET.sub("", text[a:m.start()]).rstrip()
                if m.group(1).casefold() in ("no", "zero") and head and head[-1] not in ":,(-\u2013":
                    continue  # "no" inside a sentence ("we have no legacy, so Python is required") rules nothing out
                self.negations.append((m.start(), b))
            for m in _FORWARD.finditer(text, a, b):
                self.negations.append((m.start(), m.end() + _leading_scope(text[m.end():b])))
            for m in _NEGATIONS.finditer(text, a, b):
                head = text[a:m.start()]
                tail = any(c.isalnum() for c in text[m.end():b])
                if not any(c.isalnum() for c in _BULLET.sub("", head)) or (head.rstrip().endswith(":") and tail):
                    # "Não é necessário saber Java", "Not required: Java"
                    self.negations.append((m.start(), m.end() + _leading_scope(text[m.end():b])))
                else:
                    self.negations.append((a + _trailing_scope(head), m.end()))

    def _spans(self) -> list[tuple[int, int, Section]]:
        out: list[tuple[int, int, Section]] = []
        bounds = self._starts + [len(self.text)]
        for k, section in enumerate(self._kinds):
            start, end = bounds[k], min(bounds[k + 1], len(self.text))
            if start >= end:
                continue
            if out and out[-1][2] is section and out[-1][1] == start:
                out[-1] = (out[-1][0], end, section)
            else:
                out.append((start, end, section))
        return out


@lru_cache(maxsize=16)
def analyse_structure(text: str) -> Structure:
    """The structure of one listing text, cached: grounding, rules and benefits ask it many questions."""
    return Structure(text)


def requirement_at(text: str, offset: int) -> Requirement:
    """Whether the listing asks for what it says at `offset` ("required") or only would like it ("preferred")."""
    return analyse_structure(text).requirement_at(offset)
