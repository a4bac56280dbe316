"""Benefits grounded like skills, on hand-written listings in the languages we read: evidence spans that name the
benefit, backfill from the benefits section only, unevidenced model benefits removed and counted, each benefit
in its own list; and the benefits table checked at load."""
from __future__ import annotations

import datetime as dt

import pytest

from extraction.benefits import (
    BENEFIT_LISTS,
    BENEFITS,
    FLEXIBILITY,
    LEARNING_PLATFORMS,
    OTHER_BENEFITS,
    benefit_evidence,
    found_benefits,
    ground_benefits,
)
from extraction.listings import normalise_listing
from extraction.postprocess import postprocess
from extraction.rows import RunInfo, benefit_rows
from schemas.models import JobExtraction
from schemas.taxonomy import TaxonomyError, load_taxonomy

RUN = RunInfo(model_version="m@1", prompt_version="p1", prompt_style="full", run_id="r1",
              extracted_at=dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.timezone.utc))

# (listing, the benefits the listing's benefits section names: {list: [(canonical, the listing's own words)]})
LISTINGS = {
    "en": ("""Data Engineer
About us
Harbourline insures 2 million households; our health insurance and pension products are sold online.
Requirements
- Python and SQL
What we offer
- Private medical insurance and an annual bonus
- 8% employer pension contribution
- Unlimited access to Pluralsight, flexible hours
""", {OTHER_BENEFITS: [("Private Medical Insurance", "Private medical insurance"), ("Annual Bonus", "annual bonus"),
                       ("Pension Contribution", "employer pension contribution")],
      LEARNING_PLATFORMS: [("Pluralsight", "Pluralsight")], FLEXIBILITY: [("Flexible Schedule", "flexible hours")]}),
    "pt": ("""Engenheiro(a) de Dados
Requisitos
- SQL e Python
Benefícios
- Plano de saúde e odontológico
- Vale-refeição e Gympass
- Assinatura da Alura e day off no aniversário
""", {OTHER_BENEFITS: [("Health Insurance", "Plano de saúde"), ("Dental Insurance", "odontológico"),
                       ("Meal Allowance", "Vale-refeição"), ("Gympass", "Gympass"),
                       ("Birthday Day Off", "day off no aniversário")],
      LEARNING_PLATFORMS: [("Alura", "Alura")]}),
    "de": ("""Data Engineer (m/w/d)
Dein Profil
- Erfahrung mit Python und Kafka
Wir bieten
- 30 Tage Urlaub, Gleitzeit und betriebliche Altersvorsorge
- JobRad, Deutschlandticket und Urlaubs- und Weihnachtsgeld
""", {OTHER_BENEFITS: [("Company Pension Plan", "betriebliche Altersvorsorge"), ("Job Bike", "JobRad"),
                       ("Public Transport Ticket", "Deutschlandticket"), ("Holiday Pay", "Urlaubs"),
                       ("Christmas Bonus", "Weihnachtsgeld")],
      FLEXIBILITY: [("Flexible Schedule", "Gleitzeit")]}),
    "es": ("""Ingeniero/a de Datos
Requisitos
- Experiencia con BigQuery y Airflow
Ofrecemos
- Seguro médico, retribución flexible y jornada intensiva en verano
- Ticket restaurante y acceso a Coursera
""", {OTHER_BENEFITS: [("Health Insurance", "Seguro médico"), ("Flexible Remuneration", "retribución flexible"),
                       ("Meal Vouchers", "Ticket restaurante")],
      LEARNING_PLATFORMS: [("Coursera", "Coursera")],
      FLEXIBILITY: [("Summer Intensive Schedule", "jornada intensiva en verano")]}),
    "fr": ("""Data Engineer H/F
Profil recherché
- Maîtrise de Python et SQL
Avantages
- Mutuelle prise en charge à 70 %, tickets restaurant, RTT
- Intéressement et télétravail
""", {OTHER_BENEFITS: [("Health Insurance", "Mutuelle"), ("Meal Vouchers", "tickets restaurant"),
                       ("RTT Days", "RTT"), ("Profit Sharing", "Intéressement")]}),
    "it": ("""Data Engineer
Requisiti
- Esperienza con Python e Spark
Cosa offriamo
- Buoni pasto, assicurazione sanitaria e orari flessibili
""", {OTHER_BENEFITS: [("Meal Vouchers", "Buoni pasto"), ("Health Insurance", "assicurazione sanitaria")],
      FLEXIBILITY: [("Flexible Schedule", "orari flessibili")]}),
    "nl": ("""Data Engineer
Wat vragen wij
- Ervaring met Python en dbt
Wat wij bieden
- Pensioenregeling, 8% vakantiegeld en een leaseauto
- Thuiswerkvergoeding en flexibele werktijden
""", {OTHER_BENEFITS: [("Pension Plan", "Pensioenregeling"), ("Holiday Allowance", "vakantiegeld"),
                       ("Company Car", "leaseauto"), ("Home Office Allowance", "Thuiswerkvergoeding")],
      FLEXIBILITY: [("Flexible Schedule", "flexibele werktijden")]}),
    "pl": ("""Data Engineer
Wymagania
- Python i SQL
Oferujemy
- Prywatna opieka medyczna, karta Multisport
- Ubezpieczenie na życie i elastyczne godziny pracy
""", {OTHER_BENEFITS: [("Private Medical Care", "Prywatna opieka medyczna"), ("Multisport Card", "karta Multisport"),
                       ("Life Insurance", "Ubezpieczenie na życie")],
      FLEXIBILITY: [("Flexible Schedule", "elastyczne godziny pracy")]}),
}


def _listing_model(**benefits: list[str]) -> JobExtraction:
    """An extraction of a listing (it has a role title) with the given benefit lists, by short name."""
    data = {"job_summary": {"role_title": "Data Engineer"}, "benefits": {}, "location_and_work_model": {}}
    for key, values in benefits.items():
        section = "location_and_work_model" if key == "flexibility" else "benefits"
        data[section][key] = values
    return JobExtraction.model_validate(data)


def _lists(extraction: JobExtraction) -> dict[str, list[str]]:
    return {OTHER_BENEFITS: extraction.benefits.other_benefits_keywords,
            LEARNING_PLATFORMS: extraction.benefits.learning_platforms,
            FLEXIBILITY: extraction.location_and_work_model.flexibility}


@pytest.mark.parametrize("language", sorted(LISTINGS))
def test_benefits_section_is_backfilled_with_evidence_in_every_language(language):
    text, expected = LISTINGS[language]
    result = ground_benefits(_listing_model(), text)
    lists = _lists(result.extraction)
    for path in BENEFIT_LISTS:
        assert lists[path] == [name for name, _ in expected.get(path, [])], path
    rows = benefit_rows("j1", result.extraction, text, RUN)
    words = {name: own for pairs in expected.values() for name, own in pairs}
    assert [r["benefit"] for r in rows] == list(words)
    for row in rows:
        assert text[row["evidence_start"]:row["evidence_end"]] == row["evidence_text"] == words[row["benefit"]]
    assert result.recovered == {path: len(pairs) for path, pairs in expected.items()}


def test_a_benefit_named_only_outside_the_benefits_section_is_not_backfilled():
    text, _ = LISTINGS["en"]  # an insurer: "health insurance and pension products" in the company blurb
    names = [entry.canonical for entry, _ in found_benefits(text)]
    assert "Health Insurance" not in names and "Pension Plan" not in names
    blurb_only = "Data Analyst\nAbout us\nWe sell health insurance, dental plans and gym memberships.\n" \
                 "Requirements\n- SQL and Tableau\n"
    assert found_benefits(blurb_only) == []
    assert _lists(ground_benefits(_listing_model(), blurb_only).extraction)[OTHER_BENEFITS] == []


def test_a_model_benefit_without_evidence_is_removed_and_counted_in_the_run_summary():
    text, _ = LISTINGS["de"]
    listing = normalise_listing({"job_id": "d1", "job_description": text})
    model = _listing_model(other_benefits_keywords=["Company Car", "Job Bike", "Team Events"])
    done = postprocess(model, listing)
    others = done.extraction.benefits.other_benefits_keywords
    assert "Company Car" not in others and "Team Events" not in others and others[0] == "Job Bike"
    assert done.benefits.removed == {OTHER_BENEFITS: 2} and done.benefits.unevidenced == ("Company Car", "Team Events")
    counts = dict(done.counts())
    assert counts["removed:benefits.other_benefits_keywords"] == 2
    assert counts["recovered:benefits.other_benefits_keywords"] == 4  # the rest of "Wir bieten"
    assert counts["recovered:location_and_work_model.flexibility"] == 1


def test_kept_ungrounded_benefits_have_rows_without_evidence():
    text, _ = LISTINGS["de"]
    result = ground_benefits(_listing_model(other_benefits_keywords=["Company Car"]), text, keep_ungrounded=True,
                             backfill=False)
    assert result.extraction.benefits.other_benefits_keywords == ["Company Car"]
    assert result.removed == {OTHER_BENEFITS: 1}
    [row] = benefit_rows("j1", result.extraction, text, RUN)
    assert (row["benefit"], row["evidence_start"], row["evidence_text"]) == ("Company Car", None, None)


def test_the_training_description_has_a_span_only_where_the_listing_says_it():
    text = "Data Engineer\nWhat we offer\n- A yearly  €1,000 learning budget\n"
    for description, expected in (("yearly €1,000 learning budget", "yearly  €1,000 learning budget"),
                                  ("Conference budget", None)):
        extraction = JobExtraction.model_validate({"benefits": {"training_development": description}})
        [row] = benefit_rows("j1", extraction, text, RUN)
        assert (row["kind"], row["evidence_text"]) == ("training_development", expected)
        if expected:
            assert text[row["evidence_start"]:row["evidence_end"]] == expected


def test_learning_platforms_and_flexibility_are_filed_in_their_own_lists():
    text, _ = LISTINGS["en"]
    model = _listing_model(other_benefits_keywords=["Pluralsight", "Flexible Hours", "Annual Bonus"])
    result = ground_benefits(model, text, backfill=False)
    lists = _lists(result.extraction)
    assert lists == {OTHER_BENEFITS: ["Annual Bonus"], LEARNING_PLATFORMS: ["Pluralsight"],
                     FLEXIBILITY: ["Flexible Schedule"]}
    assert result.moved == {OTHER_BENEFITS: 2} and result.removed == {}


def test_a_benefit_written_inside_a_longer_one_takes_its_name():
    text = "Data Engineer\nRequirements\n- SQL\nBenefits\n- Udemy Business licence, company pension plan\n"
    model = _listing_model(learning_platforms=["Udemy"], other_benefits_keywords=["Pension Plan"])
    result = ground_benefits(model, text, backfill=False)
    assert result.extraction.benefits.learning_platforms == ["Udemy Business"]
    assert result.extraction.benefits.other_benefits_keywords == ["Company Pension Plan"]
    evidence = benefit_evidence("Pension Plan", text, OTHER_BENEFITS)
    assert evidence is not None and evidence.text == "company pension plan"


def test_unknown_model_benefits_need_every_word_in_one_sentence():
    text = "Data Engineer\nWhat we offer\n- Quarterly team events in Lisbon\n- A yearly hackathon\n"
    model = _listing_model(other_benefits_keywords=["Team Events", "Free Parking", "Hackathon Prizes"])
    result = ground_benefits(model, text, backfill=False)
    assert result.extraction.benefits.other_benefits_keywords == ["Team Events"]
    assert result.removed == {OTHER_BENEFITS: 2}


def test_an_empty_extraction_backfills_no_benefits():
    text, _ = LISTINGS["pt"]
    assert _lists(ground_benefits(JobExtraction(), text).extraction) == {path: [] for path in BENEFIT_LISTS}


def test_ambiguous_spellings_need_context():
    text = "Data Engineer\nWhat we offer\n- Our vision: a greener grid\n- Medical, dental and vision insurance\n"
    assert [entry.canonical for entry, _ in found_benefits(text)] == [
        "Health Insurance", "Dental Insurance", "Vision Insurance"]


def test_the_table_is_checked_at_load(tmp_path):
    assert {entry.category for entry in BENEFITS} == set(BENEFIT_LISTS)
    header = "canonical,category,aliases,context,also\n"
    bad_list = tmp_path / "bad_list.csv"
    bad_list.write_text(header + "Gym,benefits.perks,,,\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"bad_list.csv:2: unknown category 'benefits.perks'"):
        load_taxonomy(bad_list, BENEFIT_LISTS)
    clash = tmp_path / "clash.csv"
    clash.write_text(header + f"Gympass,{OTHER_BENEFITS},wellhub,,\nWellhub,{OTHER_BENEFITS},,,\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="maps to both 'Gympass' and 'Wellhub'"):
        load_taxonomy(clash, BENEFIT_LISTS)
