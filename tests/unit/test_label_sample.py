"""--sample: deterministic, spread across languages, seniority levels and title families."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from extraction.listings import Listing, normalise_listing
from tests.support.paths import EXAMPLES
from trainer.label.sample import language_of, sample_listings, seniority_of, title_family

EN = "We are looking for a data engineer to join our team and you will work with the business on our platform."
PT = "Procuramos um engenheiro de dados para a nossa equipa, com experiência em pipelines e na cloud para o cliente."
DE = "Wir suchen für unser Team eine Person mit Erfahrung in der Entwicklung von Datenplattformen und mit SQL."


def examples() -> list[Listing]:
    return [normalise_listing(json.loads(line)) for line in (EXAMPLES / "listings.jsonl").read_text().splitlines()]


def test_language_seniority_and_title_family():
    assert (language_of(EN), language_of(PT), language_of(DE), language_of("SQL, Python")) == ("en", "pt", "de",
                                                                                               "other")
    assert [seniority_of(t) for t in ("Senior Data Engineer", "Analista de BI Sênior", "Estágio em Dados",
                                      "Junior DevOps Engineer (m/w/d)", "Staff MLOps Engineer", "VP, Data & AI",
                                      "Data Science Manager", "Data Analyst", None)] == [
        "senior", "senior", "intern", "junior", "lead", "executive", "manager", "unstated", "unstated"]
    assert title_family("Senior Data Scientist – Pricing") == title_family("Data Scientist (m/w/d)") == \
        "data scientist"
    assert title_family("Engenheiro(a) de Dados") == "engenheiro dados"


def test_the_sample_is_deterministic_and_independent_of_input_order():
    listings = examples()
    first = [l.job_id for l in sample_listings(listings, 10)]
    assert first == [l.job_id for l in sample_listings(listings, 10)]
    assert first == [l.job_id for l in sample_listings(list(reversed(listings)), 10)]
    assert set(first) != {l.job_id for l in sample_listings(listings, 10, seed=1)}
    assert len(sample_listings(listings, 1000)) == len(listings)
    with pytest.raises(ValueError):
        sample_listings(listings, 0)


def test_the_sample_spreads_over_languages_levels_and_titles():
    # 40 English mid-level data engineers and a few others: a head-of-table or random pick is all the former
    skewed = [Listing(f"en-{i}", f"{EN} Posting {i}.", "Data Engineer") for i in range(40)]
    skewed += [Listing("pt-1", PT, "Engenheiro de Dados Sénior"), Listing("de-1", DE, "Junior Data Scientist"),
               Listing("en-lead", EN + " Lead.", "Lead Data Engineer"),
               Listing("en-intern", EN + " Intern.", "Machine Learning Intern")]
    picked = sample_listings(skewed, 6)
    assert {l.job_id for l in picked} >= {"pt-1", "de-1", "en-lead", "en-intern"}
    languages = Counter(language_of(l.description) for l in picked)
    assert set(languages) == {"en", "pt", "de"}
    on_examples = sample_listings(examples(), 9)
    assert set(Counter(language_of(l.description) for l in on_examples)) == {"en", "pt", "de"}
    assert len({seniority_of(l.title) for l in on_examples}) >= 4
