"""Scalar fields the listing states outright, set by rule after the model, each from words of the listing.

A 135M model reads "Estágio em Dados" and still writes "Mid-Level" now and then, misses "30 Tage Urlaub" or
turns "Engenheiro(a) de Dados" into a "Data Analyst"; the listing says it, so a rule is both cheaper and
right. Every rule reads only the listing (its title, workplace and location columns, its text) and returns
the words it read as evidence (`Reading`). When the text states a value plainly, the rule's value wins over
the model's; when it says nothing, the model's value stands: no rule invents a value.

- role_title: the title's canonical role, else the model's title when the listing's title or first lines
  ground it, else the cleaned title (`extraction.roles`).
- role_seniority: a seniority word in the title wins (Intern/Estágio/Praktikum/Werkstudent -> Internship,
  Junior/Jr -> Junior, Pleno -> Mid-Level, Senior/Sr -> Senior, Lead -> Lead, Staff -> Staff, Principal ->
  Principal, Head of -> Manager, Director/VP -> Director, Chief/CTO -> Executive; the highest when there are
  several). Without one, the minimum years decide (0-1 Junior, 2-4 Mid-Level, 5+ Senior). "Manager" alone is
  left to the model: "Product Manager" is a role, not a rank.
- paid_time_off_days: a number with a day word and a time-off word in one clause ("25 dias úteis de férias",
  "30 Tage Urlaub", "25 jours de congés + RTT", "26 días laborables", "28 days holiday plus bank holidays",
  "26 dni urlopu", "25 vakantiedagen", "25 giorni di ferie"), the first such statement. The schema asks for the
  "number of paid time off days mentioned", so the number is taken as written, working days or calendar
  days alike; public holidays, sick, parental and other leave are not paid time off. Unlimited time off is
  no number: null, with "Unlimited PTO" among the benefits.
- remote_status: in the text, a hybrid setup ("hybrid", "2 days in the office", "modelo híbrido"), then
  remote work not open to everyone ("remote within the EU", "100% remoto desde Brasil", "Remote (Spain)",
  a time zone) or open to anyone ("fully remote", "remote-first", "work from anywhere"); then the workplace
  column (Remote, Hybrid, On-site), remote work being region-specific when the location column names a place;
  then office words ("on-site", "presencial"), which come after the column because they also name perks
  and visits ("on-site gym"). "No remote work" is office work whatever the column says.
- visa_sponsorship: a sentence about a visa or work permit that offers help (true) or refuses it (false:
  "we do not sponsor visas", "sem patrocínio de visto", "kein Visa-Sponsoring").
- experience_years_min/max: years with an experience word, in digits or words ("three to five years",
  "zwei bis vier Jahre", "cinco anos", "trois ans d'expérience"): the statement whose minimum the model gave,
  else the first.

Every change is counted by `apply_rules` ("ruled:<field>" in the run summary), so its effect is measured
(BENCHMARKS.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from extraction.listings import Listing
from extraction.roles import listing_title, names_a_manager, resolve_role_title, title_seniority
from schemas.fields import DAYS_OFF_MAX, LIST_MAX_ITEMS, YEARS_MAX
from schemas.models import JobExtraction, is_empty_extraction
from schemas.vocab import RemoteStatus, RoleSeniority, SpecificationLevel

UNLIMITED_PTO = "Unlimited PTO"
WORKING_WEEK = 5  # "5 days in the office" is no hybrid setup
VISA_WINDOW = 60  # characters either side of a visa word in which an offer or a refusal is read
OTHER_LEAVE_LOOKBACK = 20  # characters before a time-off statement that may say it is other leave
MIN_DAYS_OFF = 5  # fewer days are a trial day or an office day, not a year's paid time off


@dataclass(frozen=True)
class Reading:
    """A value the listing states, and the listing's words that state it."""

    value: Any
    evidence: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CLAUSE_END = re.compile(r"(?<=[.!?;])\s+(?=\W*[A-ZÀ-Ý0-9])|;")


def _clauses(text: str) -> list[str]:
    """Lines, cut at sentence ends and semicolons: a rule reads one statement at a time."""
    return [part.strip() for line in text.splitlines() for part in _CLAUSE_END.split(line) if part.strip()]


# ------------------------------------------------------------------------------------------ numbers in words

_NUMBER_WORDS: dict[str, int] = {}
for _value, _spellings in {
    1: "one a an um uma ein eine einem einen einer eins uno una un une een één jeden jednego",
    2: "two dois duas zwei dos deux due twee dwa dwóch dwoch dwie",
    3: "three três tres drei trois tre drie trzy trzech",
    4: "four quatro vier cuatro quatre quattro cztery czterech",
    5: "five cinco fünf funf cinq cinque vijf pięć piec pięciu pieciu",
    6: "six seis sechs sei zes sześć szesc sześciu szesciu",
    7: "seven sete sieben siete sept sette zeven siedem siedmiu",
    8: "eight oito acht ocho huit otto osiem ośmiu osmiu",
    9: "nine nove neun nueve neuf negen dziewięć dziewiec dziewięciu",
    10: "ten dez zehn diez dix dieci tien dziesięć dziesiec dziesięciu",
    12: "twelve doze zwölf zwolf doce douze dodici twaalf dwanaście",
    15: "fifteen quinze fünfzehn quince quindici vijftien piętnaście",
}.items():
    for _word in _spellings.split():
        _NUMBER_WORDS.setdefault(_word, _value)
_NUMBER_WORD = "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))


def _number(token: str) -> Optional[int]:
    token = token.lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS.get(token)


_NUMBER_TOKEN = re.compile(rf"(?<![\d.,])\d{{1,3}}(?![\d])|(?<!\w)(?:{_NUMBER_WORD})(?!\w)", re.IGNORECASE)


def written(number: Optional[int], text: str) -> bool:
    """Whether `text` writes the number at all, in digits or in words: a number the listing never writes is
    one the model made up, and a made-up number is worse in a dashboard than an empty cell."""
    return number is None or any(_number(m.group()) == number for m in _NUMBER_TOKEN.finditer(text))


# ----------------------------------------------------------------------------------------- paid days off

_DAY = r"(?:days?|day's|days'|dias?|tage?n?|arbeitstage?n?|werktage?n?|días?|jours?|giorni|dagen|dni|dnia)"
_LEAVE = (r"(?:(?<!bank )(?<!public )(?<!national )(?<!statutory )holidays?|vacations?|annual leave|paid leave|"
          r"leave|pto|paid time off|time off|days off|urlaubs?|jahresurlaubs?|urlaubsanspruch|f[ée]rias|"
          r"recesso|vacaciones|cong[ée]s?(?: pay[ée]s)?|ferie|vakantie|verlof|urlopu?|wypoczynkowego)")
_COMPOUND = (r"(?:urlaubstage?n?|ferientage?n?|vakantiedagen|verlofdagen|vacation days|holiday days|leave days|"
             r"days? off|(?:paid )?holidays)")
_WORD = r"[^\W\d]\w*"  # a word that is no number: one statement's number is never read past another's
_OTHER_LEAVE = _rx(r"(?<!\w)(?:sick|sickness|parental|maternity|paternity|bank|public|national|statutory|study|"
                   r"volunteer(?:ing)?|notice|probation|trial|krank\w*|eltern\w*|feiertag\w*|mutterschutz|"
                   r"licen[çc]a|maternidad|paternidad|maladie|maternit[ée]|paternit[ée]|malattia|maternit[àa]|"
                   r"ziekte|zwangerschap|chorobow\w*|macierzy\w*)(?!\w)")
_PER_PERIOD = _rx(r"(?<!\w)(?:per month|por m[êe]s|pro monat|par mois|al mese|per maand|miesi[ęe]cznie|a week|"
                  r"per week|por semana|pro woche|par semaine|a settimana)(?!\w)")
_NUM = r"(?<![\d.,])(\d{1,3})(?:[.,]5)?(?![\d.,]?\d)"
_DAYS_OFF_PATTERNS = [
    # "25 days (paid) holiday", "25 dias úteis de férias", "30 Tage Urlaub", "26 dni urlopu", "25 jours de congés"
    _rx(rf"{_NUM}\s*(?:\+\s*)?(?:{_WORD}\s+){{0,2}}?{_DAY}\b(?:\W+{_WORD}){{0,4}}?\W+{_LEAVE}(?!\w)"),
    # "30 Urlaubstage", "25 vakantiedagen", "25 vacation days"
    _rx(rf"{_NUM}\s*(?:{_WORD}\s+){{0,2}}?{_COMPOUND}(?!\w)"),
    # "25 CP + 10 RTT" (congés payés)
    re.compile(rf"{_NUM}\s*(?:jours\s+de\s+)?CP(?!\w)"),
    # "Urlaub: 30 Tage", "holiday allowance of 25 days", "férias de 30 dias", "annual leave - 25 days"
    _rx(rf"(?<!\w){_LEAVE}(?!\w)(?:\W+{_WORD}){{0,4}}?\W+{_NUM}\s*(?:{_WORD}\s+){{0,1}}?{_DAY}(?!\w)"),
]
_UNLIMITED = _rx(
    r"unlimited\s+(?:paid\s+)?(?:pto|holidays?|vacations?|time off|leave|annual leave|days off)|"
    r"(?:pto|holidays?|vacation|annual leave|time off)\W+unlimited|unbegrenzte[rn]?\s+(?:urlaub|urlaubstage)|"
    r"urlaub\s+ohne\s+(?:feste\s+)?(?:begrenzung|limit)|f[ée]rias\s+ilimitadas|vacaciones\s+ilimitadas|"
    r"cong[ée]s\s+illimit[ée]s|ferie\s+illimitate|onbeperkte?\s+(?:vakantie|verlof)\w*|"
    r"nielimitowan\w+\s+urlop\w*")


def read_days_off(text: str) -> Optional[Reading]:
    """The paid days off the listing states (value None: unlimited), or None when it states none."""
    for clause in _clauses(text):
        unlimited = _UNLIMITED.search(clause)
        if unlimited:
            return Reading(None, unlimited.group(0))
        for pattern in _DAYS_OFF_PATTERNS:
            for match in pattern.finditer(clause):
                days = int(match.group(1))
                before = re.split(r"[,;(]", clause[max(0, match.start() - OTHER_LEAVE_LOOKBACK):match.start()])[-1]
                other = _OTHER_LEAVE.search(before + match.group(0))  # "Sick leave: 10 days"
                if MIN_DAYS_OFF <= days <= DAYS_OFF_MAX and not other and not _PER_PERIOD.search(match.group(0)):
                    return Reading(days, match.group(0))
    return None


# ----------------------------------------------------------------------------------------- remote status

_HYBRID = _rx(
    r"(?<![\w-])(?:hybrid|h[íi]brid[oa]|hybride[ns]?|ibrid[oa]|hybrydow\w*)(?![\w-])"
    r"(?!\s+(?:cloud|multi|infra\w*|architectur\w*|environment|solution|app|mobile|data|database|nuvem|nube|"
    r"nuage|integration|work\s?load|it|systems?|approach|search|retrieval|recommend\w*|vehicles?|cars?|engines?|"
    r"transactional|tables?|deployments?|on-?prem\w*|networks?|storage|environments?|platforms?|methods?|"
    r"algorithms?|analytics|ai|ml)\b)")
_WEEK = (r"(?:\s*(?:a|per|por|pro|par|alla|in de|w|na|each|every)\s+(?:week|semana|woche|semaine|settimana|"
         r"tygodniu|tydzie[ńn]))?")
_PLACE_WORD = (r"(?:office|offices|escrit[óo]rio|b[üu]ro|oficina|oficinas|bureau|bureaux|site|ufficio|sede|kantoor|"
               r"biurze|biura|hub|campus)")
_HOME_WORD = (r"(?:home|casa|homeoffice|home[- ]office|remote|remotely|remoto|remota|t[ée]l[ée]travail|teletrabajo|"
              r"smart working|thuis|thuiswerken|domu|zdalnie|pracy zdalnej|mobil|mobiles arbeiten|mobile work)")
_DAYS_SPLIT = _rx(
    rf"(?<!\w)(\d|{_NUMBER_WORD})\s*(?:-\s*\d\s*)?(?:days?|dias?|tage?n?|d[íi]as|jours?|giorni|dagen|dni|x){_WEEK}\s+"
    rf"(?:(?:in|at|from|no|na|em|im|vor|en|au|sur|op|w|z|de|di|da|of|working|work|werken|trabalho|pracy)\s+)*"
    rf"(?:(?:the|our|o|a|la|el|le|l'|het|nosso|nossa|unserem|unser|notre|nostro|ons|nasze\w*)\s+)?"
    rf"(?:[\w-]+\s+)?(?:({_PLACE_WORD})|{_HOME_WORD})(?!\w)|"
    rf"(?:up to|bis zu|at[ée]|hasta|jusqu'[àa]|fino al?|tot|do)?\s*[1-9]\d?\s*%\s*{_HOME_WORD}(?!\w)")
_NO_REMOTE = _rx(
    r"(?:no|not|without)\s+(?:a\s+)?(?:remote|home[- ]?office|work from home)(?!\w)|"
    r"(?:sem|n[ãa]o\s+\w+\s+)(?:trabalho\s+)?(?:remoto|home office)|kein(?:e|en)?\s+(?:home[- ]?office|remote)|"
    r"sin\s+(?:teletrabajo|trabajo remoto)|pas\s+de\s+t[ée]l[ée]travail|non\s+(?:\w+\s+)?(?:da remoto|smart working)|"
    r"geen\s+(?:thuiswerk\w*|remote)|bez\s+(?:pracy\s+)?zdaln\w*")
_OFFICE = _rx(
    r"(?<![\w-])(?:on-?site|on site|office[- ]based|in[- ]office|100\s?%\s+(?:on-?site|in office|presencial|"
    r"pr[ée]sentiel|in sede)|presencial|pr[äa]senz(?:arbeit|pflicht)?|vor ort im b[üu]ro|sur site|"
    r"en pr[ée]sentiel|in sede|in presenza|op kantoor|op locatie|stacjonarn\w*)(?![\w-])"
    # an amenity or an occasion on site is no work model: "on-site gym", "entrevista presencial"
    r"(?!\s+(?:gym|parking|canteen|cafeteria|restaurant|caf[ée]|childcare|nursery|fitness|kitchen|barista|"
    r"health\w*|doctor|medical|massage|events?|visits?|interviews?|training|meetings?|days?|perks?)\b)")
_OCCASION = _rx(r"(?:interview|entrevista|entretien|colloquio|gesprek|rozmow\w*|vorstellungsgespr[äa]ch|"
                r"onboarding|training|formation|forma[çc][ãa]o|formaci[óo]n|schulung|visits?|visitas?)\w*\W+$")
_REMOTE = (r"(?:remote(?:ly)?|remoto|remota|home[- ]?office|work from home|t[ée]l[ée]travail|teletrabajo|da remoto|"
           r"smart working|op afstand|thuiswerk\w*|zdaln\w*|mobiles arbeiten|full[- ]remote)")
_FULLY = _rx(
    r"(?:fully|100\s?%|completely|entirely|totalmente|integralmente|completamente|vollst[äa]ndig|komplett|"
    r"ganz|full|volledig|w pe[łl]ni|ca[łl]kowicie)\s*(?:-\s*)?" + _REMOTE + r"|remote[- ]first|remote[- ]only|"
    r"work from anywhere|anywhere in the world|remote (?:role|position|job)|"
    r"posi[çc][ãa]o remota|vaga remota|puesto remoto|poste en t[ée]l[ée]travail|praca zdalna|volledig remote")
_ANYWHERE = _rx(r"anywhere in the world|from anywhere|work from anywhere|any country|any time ?zone|worldwide|"
                r"de qualquer lugar do mundo|desde cualquier lugar del mundo|n'importe o[ùu] dans le monde|"
                r"ovunque nel mondo|overal ter wereld|z dowolnego miejsca na [śs]wiecie|weltweit")
_PLACES = (
    r"EU|E\.U\.|UE|EMEA|LATAM|LatAm|APAC|DACH|Benelux|Nordics|Iberia|Europe|Europa|European Union|Americas|"
    r"North America|South America|Latin America|Am[ée]rica Latina|US|USA|U\.S\.|United States|Canada|UK|"
    r"United Kingdom|England|Ireland|Brazil|Brasil|Portugal|Spain|Espa[ñn]a|Espanha|Espagne|Germany|Deutschland|"
    r"Alemanha|Allemagne|Germania|Duitsland|Niemcy|Niemczech|Austria|[ÖO]sterreich|Switzerland|Schweiz|Suisse|"
    r"France|Fran[çc]a|Francia|Frankreich|Italy|Italia|It[áa]lia|Italien|Netherlands|Nederland|Holanda|"
    r"Pa[íi]ses Bajos|Pays-Bas|Niederlande|Poland|Polska|Polsce|Polonia|Pol[ôo]nia|Polen|Pologne|Mexico|M[ée]xico|"
    r"Argentina|Chile|Colombia|Col[ôo]mbia|Peru|India|Romania|Greece|Sweden|Denmark|Norway|Finland|Belgium|"
    r"Belgi[eë]|Belgique|Czech Republic|Hungary|Bulgaria|Croatia|Serbia|Ukraine|Turkey|Israel|Singapore|"
    r"Australia|New Zealand|South Africa|Nigeria|Kenya|Egypt|Philippines|Japan|CET|CEST|GMT|UTC|BST|EST|PST|"
    r"ET|PT|WET|EET|BRT")
_PLACE = re.compile(rf"(?<![\w.])(?:{_PLACES})(?![\w])")  # case-sensitive: "us" is no country
_ZONE = _rx(r"time ?zones?|fuso hor[áa]rio|zeitzonen?|zona horaria|fuseaux? horaires?|fuso orario|tijdzones?|"
            r"stref\w* czasow\w*|(?<!\w)(?:based|located|living|residing|resident) in|"
            r"(?<!\w)(?:within|from|across)\s+(?:the\s+)?(?-i:[A-Z])|(?<!\w)(?:desde|dentro d[eo]|em todo o|de todo o|"
            r"en toda|innerhalb|aus ganz|in ganz|deutschlandweit|bundesweit|depuis|partout en|dalla|da tutta|"
            r"in tutta|binnen|vanuit|z dowolnego miejsca w|na terenie)\s")
_REMOTE_WORD = _rx(rf"(?<![\w-]){_REMOTE}(?![\w])(?!\s+(?:teams?|colleagues|customers|clients|sites?|monitoring|"
                   r"sensing|access|control|support|servers?|devices?|desktops?|management|locations?|offices?|"
                   r"assets?|operations?|diagnostics?|interviews?|onboarding)\b)")
_NOT_A_PLACE = {"remote", "anywhere", "worldwide", "global", "remoto", "weltweit", "monde", "mundo"}
_WORKPLACE = {"remote": RemoteStatus.FULLY_REMOTE, "hybrid": RemoteStatus.HYBRID,
              "on-site": RemoteStatus.OFFICE, "onsite": RemoteStatus.OFFICE, "on site": RemoteStatus.OFFICE}


def _names_a_place(location: Optional[str]) -> bool:
    words = set(re.findall(r"\w+", (location or "").lower()))
    return bool(words) and not words <= _NOT_A_PLACE


def _remote_kind(clause: str, location: Optional[str]) -> RemoteStatus:
    """Remote work open to anyone, or only within a region (a place or a time zone named with it)."""
    if _ANYWHERE.search(clause):
        return RemoteStatus.FULLY_REMOTE
    if _PLACE.search(clause) or _ZONE.search(clause) or _names_a_place(location):
        return RemoteStatus.REMOTE_REGION
    return RemoteStatus.FULLY_REMOTE


def read_remote_status(text: str, workplace_type: Optional[str] = None,
                       location: Optional[str] = None) -> Optional[Reading]:
    """The work model the listing states, or None when it states none."""
    clauses = _clauses(text)
    for clause in clauses:
        match = _HYBRID.search(clause) or _DAYS_SPLIT.search(clause)
        if match:
            if match.re is _DAYS_SPLIT and match.group(2) and _number(match.group(1) or "") == WORKING_WEEK:
                return Reading(RemoteStatus.OFFICE, match.group(0))  # "5 days from office"
            return Reading(RemoteStatus.HYBRID, clause if len(clause) < 200 else match.group(0))
    for clause in clauses:
        match = _NO_REMOTE.search(clause)
        if match:
            return Reading(RemoteStatus.OFFICE, match.group(0))
    for clause in clauses:
        match = _FULLY.search(clause)
        if match:
            return Reading(_remote_kind(clause, location), clause if len(clause) < 200 else match.group(0))
    for clause in clauses:  # "Remote (Spain)", "remoto desde Brasil": remote work with a place
        match = _REMOTE_WORD.search(clause)
        if match and (_PLACE.search(clause[match.start():]) or _ZONE.search(clause)) and not _ANYWHERE.search(clause):
            return Reading(RemoteStatus.REMOTE_REGION, clause if len(clause) < 200 else match.group(0))
    status = _WORKPLACE.get(" ".join((workplace_type or "").lower().split()))
    if status is not None:  # the listing's own column before office words, which often name a perk or a visit
        if status is RemoteStatus.FULLY_REMOTE and _names_a_place(location):
            status = RemoteStatus.REMOTE_REGION
        return Reading(status, f"workplace: {workplace_type}")
    for clause in clauses:
        match = _OFFICE.search(clause)
        if match and not _REMOTE_WORD.search(clause) and not _OCCASION.search(clause[:match.start()][-30:]):
            return Reading(RemoteStatus.OFFICE, match.group(0))
    return None


# ------------------------------------------------------------------------------------------------- visa

_VISA = _rx(r"(?<!\w)(?:visas?|vistos?|visums?|visa-\w+|visados?|wiz[ay]?|work permits?|arbeitserlaubnis|"
            r"aufenthaltstitel|permiso de trabajo|autoriza[çc][ãa]o de trabalho|permis de travail|"
            r"permesso di (?:lavoro|soggiorno)|werkvergunning|pozwoleni\w+ na prac[ęe]|work pass(?:es)?|"
            r"employment pass(?:es)?|blue card|blaue karte|right to work|work authori[sz]ation|immigration|"
            r"(?<!certification )(?<!certificate )(?<!training )(?<!course )(?<!event )(?<!conference )"
            r"(?<!education )(?<!exam )(?<!learning )sponsorship|"
            r"visumsponsoring|visasponsoring|visumsunterst[üu]tzung|visaunterst[üu]tzung)(?!\w)")
_REFUSES = _rx(
    r"(?<!\w)(?:no|not|unable|cannot|can't|can not|don't|do not|does not|doesn't|won't|will not|without|"
    r"n[ãa]o|sem|nem|kein\w*|nicht|ohne|sin|ni|ne|pas|aucun\w*|non|nessun\w*|senza|geen|niet|zonder|nie|brak|"
    r"bez|must already|must have the right|must be eligible|must hold|already (?:have|hold))(?![\w-])")
_OFFERS = _rx(
    r"(?<!\w)(?:sponsor\w*|patroc[íi]n\w*|support\w*|assist\w*|help\w*|apoi\w*|ajud\w*|unterst[üu]tz\w*|"
    r"[üu]bernehmen|ayud\w*|apoy\w*|accompagn\w*|aide|prise en charge|supporto|aiut\w*|assistenza|hulp|"
    r"ondersteun\w*|wsparci\w*|pomoc\w*|pomagamy|available|dispon[íi]vel|disponible|disponibile|beschikbaar|"
    r"dost[ęe]pn\w*|offer\w*|provide\w*|oferec\w*|ofrec\w*|bieten|offr\w*|bied\w*|oferuj\w*|relocation)(?!\w)")


# Visa the card network: named beside another network, or followed by its card, payments or network
_CARD_NETWORKS = _rx(r"(?<!\w)(?:mastercard|amex|american express|maestro)(?!\w)")
_CARD_AFTER = _rx(r"\W*(?:cards?|payments?|network|issuers?|inc)(?!\w)")


def read_visa(text: str) -> Optional[Reading]:
    """True when the listing offers visa or work-permit help, False when it says it does not, else None.

    Read near the visa words only (a negation elsewhere in the sentence, or "non-EU", says nothing of it)."""
    for clause in _clauses(text):
        for visa in _VISA.finditer(clause):
            near = clause[max(0, visa.start() - VISA_WINDOW):visa.end() + VISA_WINDOW]
            if not _OFFERS.search(near) or _CARD_NETWORKS.search(near) or _CARD_AFTER.match(clause, visa.end()):
                continue
            return Reading(not _REFUSES.search(near), clause)
    return None


# ------------------------------------------------------------------------------------- years of experience

_YEAR = (r"(?:years?|yrs?|anos?|jahre?n?|jahr|a[ñn]os?|ans?|ann[ée]es?|anni|anno|jaar|jaren|lat|lata|roku|rok)")
_AMOUNT = rf"(\d{{1,2}}|{_NUMBER_WORD})"
_EXPERIENCE = _rx(r"(?<!\w)(?:experience|exp\.|experi[êe]ncia|experiencia|erfahrung|berufserfahrung|"
                  r"praxiserfahrung|exp[ée]rience|esperienza|ervaring|werkervaring|do[śs]wiadczeni\w*|"
                  r"working|worked|track record|in a similar role|in a similar position|in data|in software)(?!\w)")
_COMPANY = _rx(r"(?<!\w)(?:we have|we've|our company|founded|since|market|mercado|markt|march[ée]|mercato|"
               r"rynku|empresa com|unternehmen mit|entreprise|azienda|bedrijf|firma)(?!\w)")
_YEARS = _rx(
    rf"(?:(?P<upto>up to|até|bis zu|hasta|jusqu'[àa]|fino a|tot|do|maximal|max\.?|no more than|h[öo]chstens)\s+|"
    rf"(?P<least>at least|minimum(?: of)?|min\.?|a minimum of|pelo menos|no m[íi]nimo|m[íi]nimo de|mindestens|"
    rf"al menos|como m[íi]nimo|au moins|almeno|minimo|minimaal|ten minste|co najmniej|more than|over|mais de|"
    rf"m[áa]s de|plus de|[üu]ber|oltre|meer dan|ponad)\s+|(?:between|entre|zwischen|tra|tussen|od|de|da|von)\s+)?"
    rf"(?P<low>\d{{1,2}}|{_NUMBER_WORD})\s*(?:(?P<plus>\+)|"
    rf"\s*(?:-|–|—|to|a|e|y|et|bis|und|à|al|tot|en|do|and|or|ou|o|oder)\s*"
    rf"(?P<high>\d{{1,2}}|{_NUMBER_WORD})\s*\+?)?\s*{_YEAR}(?!\w)")
_YEAR_WORD = _rx(rf"(?<!\w){_YEAR}(?!\w)")
# what follows "5+ years" in a requirement that names no experience: "in analytics", "as a data engineer"
_YEARS_DOING = _rx(r"\s+(?:of|in|as|working|with|leading|managing|building|doing|im|in der|als|na|no|em|como|en|"
                   r"dans|comme|nel|nella|come|jako|w|bei|op)\s")
_APPLICANT = _rx(r"(?<!\w)(?:you|your|candidate|você|voc[êe]s|du|sie|tú|usted|vous|tu|jij|je|ty|pan|pani)(?!\w)")


def read_years(text: str) -> list[Reading]:
    """Every (min, max) of years of experience the listing states, in order.

    A number of years counts with an experience word in its statement, or as a bound ("5+ years", "at least
    three years") or with what was done in them ("3+ years as a data engineer"); never in a statement about
    the company ("over 20 years in the market")."""
    found = []
    for clause in _clauses(text):
        if _COMPANY.search(clause) and not _APPLICANT.search(clause):
            continue
        if not _YEAR_WORD.search(clause):
            continue
        experience = _EXPERIENCE.search(clause) is not None
        for match in _YEARS.finditer(clause):
            bound = match.group("plus") or match.group("least") or match.group("upto")
            if not (experience or bound or _YEARS_DOING.match(clause, match.end())):
                continue
            low = _number(match.group("low"))
            high = _number(match.group("high")) if match.group("high") else None
            if match.group("upto"):
                low, high = 0, low
            if low is None or (high is not None and not low < high <= YEARS_MAX) or low > YEARS_MAX:
                continue
            if low == 0 and high is None:
                continue
            found.append(Reading((low or None, high), match.group(0)))
    return found


# ------------------------------------------------------------------------------------------------ apply

def years_seniority(years_min: Optional[int]) -> Optional[RoleSeniority]:
    if years_min is None:
        return None
    return RoleSeniority.JUNIOR if years_min <= 1 else RoleSeniority.MID_LEVEL if years_min <= 4 \
        else RoleSeniority.SENIOR


def read_scalars(listing: Listing) -> dict[str, Reading]:
    """What the listing itself states of each scalar field the rules decide, by dotted field path."""
    text = listing.description
    title = listing_title(listing.title, text)
    readings: dict[str, Reading] = {}
    seniority = title_seniority(title)
    if seniority is not None:
        readings["job_summary.role_seniority"] = Reading(seniority, title)
    for path, reading in (("benefits.paid_time_off_days", read_days_off(text)),
                          ("location_and_work_model.remote_status",
                           read_remote_status(text, listing.workplace_type, listing.location)),
                          ("job_summary.visa_sponsorship", read_visa(text))):
        if reading is not None:
            readings[path] = reading
    return readings


def apply_rules(extraction: JobExtraction, listing: Listing) -> tuple[JobExtraction, list[str]]:
    """The extraction with the scalars the listing states, and the names of the fields the rules changed.

    An empty extraction is the model's "not a listing" and is left as it is."""
    if is_empty_extraction(extraction):
        return extraction, []
    updates: dict[str, dict[str, Any]] = {}
    changed: list[str] = []

    def put(section: str, field: str, value: Any) -> None:
        current = updates.get(section, {}).get(field, getattr(getattr(extraction, section), field))
        if current != value:
            updates.setdefault(section, {})[field] = value
            changed.append(field)

    def now(section: str, field: str) -> Any:
        return updates.get(section, {}).get(field, getattr(getattr(extraction, section), field))

    text = listing.description
    title = listing_title(listing.title, text)
    put("job_summary", "role_title", resolve_role_title(extraction.job_summary.role_title, listing.title, text))
    stated = read_years(text)
    if stated:
        model_min = extraction.required_qualifications.experience_years_min
        chosen = next((r for r in stated if r.value[0] == model_min), stated[0])
        put("required_qualifications", "experience_years_min", chosen.value[0])
        put("required_qualifications", "experience_years_max", chosen.value[1])
    else:  # the listing states no years: keep only numbers it writes
        for field in ("experience_years_min", "experience_years_max"):
            if not written(getattr(extraction.required_qualifications, field), text):
                put("required_qualifications", field, None)
    readings = read_scalars(listing)
    seniority = readings.get("job_summary.role_seniority")
    level = seniority.value if seniority else None
    if level is None and not names_a_manager(title):
        level = years_seniority(now("required_qualifications", "experience_years_min"))
    if level is not None:
        put("job_summary", "role_seniority", level)
    days = readings.get("benefits.paid_time_off_days")
    if days is None and not written(extraction.benefits.paid_time_off_days, text):
        put("benefits", "paid_time_off_days", None)
    if days is not None:
        put("benefits", "paid_time_off_days", days.value)
        keywords = extraction.benefits.other_benefits_keywords
        if days.value is None and UNLIMITED_PTO not in keywords and len(keywords) < LIST_MAX_ITEMS:
            put("benefits", "other_benefits_keywords", [*keywords, UNLIMITED_PTO])
    remote = readings.get("location_and_work_model.remote_status")
    if remote is not None:
        put("location_and_work_model", "remote_status", remote.value)
        put("location_and_work_model", "specification_level", SpecificationLevel.IDENTIFIED)
    visa = readings.get("job_summary.visa_sponsorship")
    if visa is not None:
        put("job_summary", "visa_sponsorship", visa.value)
    if not updates:
        return extraction, changed
    return extraction.model_copy(update={
        section: getattr(extraction, section).model_copy(update=fields) for section, fields in updates.items()
    }), changed
