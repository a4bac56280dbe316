"""`--sample N`: a deterministic subset of listings spread across languages, seniority and title families.

A user with 100k listings labels 1k. The first 1k rows of a table are usually
one day's scrape of one search, and a uniform random draw mirrors the table's
skew (mostly English, mostly mid-level "Data Engineer"). The student learns
best from variety, so the listings are interleaved round-robin at three
levels: languages take turns, within a language the seniority levels take
turns, within a level the title families do. A language, level or family
that runs out drops out of the rotation. Orders are hashes of the ids and a
seed, so the same input and seed give the same N listings on every run and
machine, which is what makes a sampled run resumable.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from typing import Callable, Optional

from extraction.listings import Listing

# A few hundred characters decide the language; stopwords of the languages the listings come in.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in with for you our we are will is on as be your team".split()),
    "pt": frozenset("de e o a em para com os as do da dos das uma um que na no você nossa equipa equipe".split()),
    "de": frozenset("und der die das mit für wir sie ein eine zu in von den im ist auf unsere du bei".split()),
    "es": frozenset("de y el la en para con los las del una un que por nuestro equipo se".split()),
    "fr": frozenset("et le la les des de en pour avec une un du nous vous est dans sur".split()),
    "nl": frozenset("en de het van een voor met wij je jij ons onze is op te in".split()),
}
_LANGUAGE_SAMPLE_CHARS = 2000

# Title words that say the level, in the listings' languages; checked in this order.
_SENIORITY: tuple[tuple[str, frozenset[str]], ...] = (
    ("intern", frozenset("intern internship trainee estágio estagio estagiário estagiario praktikum praktikant "
                         "werkstudent apprentice stage stagiaire becario".split())),
    ("executive", frozenset("director vp vice chief cto cdo head diretor diretora leiter leiterin".split())),
    ("manager", frozenset("manager gerente coordenador coordenadora teamleiter".split())),
    ("lead", frozenset("lead principal staff".split())),
    ("senior", frozenset("senior sênior sénior sr experienced".split())),
    ("junior", frozenset("junior júnior jr graduate entry".split())),
)
# left out of a title family: level words and the little words between the ones that name the job
_FAMILY_NOISE_WORDS = frozenset().union(*(words for _, words in _SENIORITY)) | frozenset(
    "mid level pleno of and de da do das dos em e für und der die in".split())
_QUALIFIER = re.compile(r"\([^)]*\)|[–—|:;].*$|\s-\s.*$")  # "(m/w/d)", "– Pricing", " - Remote"


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text).casefold())


def language_of(text: str) -> str:
    """The language with the most stopwords in the text's start, or "other" when none stands out."""
    words = _words(text[:_LANGUAGE_SAMPLE_CHARS])
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 3 else "other"


def seniority_of(title: Optional[str]) -> str:
    """intern, junior, senior, lead, manager, executive or unstated, from the title's words."""
    words = set(_words(title or ""))
    for level, keys in _SENIORITY:
        if words & keys:
            return level
    return "unstated"


def title_family(title: Optional[str]) -> str:
    """The title without level words, gender markers and qualifiers.

    "Senior Data Scientist – Pricing" and "Data Scientist (m/w/d)" are both "data scientist".
    """
    core = _QUALIFIER.sub("", title or "")
    words = [w for w in _words(core) if w not in _FAMILY_NOISE_WORDS]
    return " ".join(words[:3]) or "(no title)"


def _order(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}\x00{key}".encode("utf-8")).hexdigest()


def _interleave(listings: list[Listing], levels: list[Callable[[Listing], str]], seed: int) -> list[Listing]:
    """All listings, ordered so that the groups of the first level take turns, recursively."""
    if not levels:
        return sorted(listings, key=lambda listing: _order(seed, listing.job_id))
    groups: dict[str, list[Listing]] = defaultdict(list)
    for listing in listings:
        groups[levels[0](listing)].append(listing)
    queues = [_interleave(groups[key], levels[1:], seed) for key in sorted(groups, key=lambda k: _order(seed, k))]
    return [queue[depth] for depth in range(max(map(len, queues), default=0)) for queue in queues
            if depth < len(queue)]


def sample_listings(listings: list[Listing], n: int, seed: int = 0) -> list[Listing]:
    """N listings, languages taking turns, then seniority levels, then title families; deterministic."""
    if n <= 0:
        raise ValueError(f"--sample must be positive, got {n}")
    levels = [lambda l: language_of(l.description), lambda l: seniority_of(l.title), lambda l: title_family(l.title)]
    return _interleave(listings, levels, seed)[:n]
