"""Scalar rules with evidence: each rule reads hand-written sentences in every language we read (en, pt, de, es,
fr, it, nl, pl); the rule's value wins when the text states it, the model's stands when the text is silent."""
from __future__ import annotations

import pytest

from extraction.listings import Listing
from extraction.rules import (
    UNLIMITED_PTO,
    apply_rules,
    read_days_off,
    read_remote_status,
    read_visa,
    read_years,
)
from schemas.validation import parse_extraction
from schemas.vocab import RemoteStatus as R
from schemas.vocab import RoleSeniority as S

# ------------------------------------------------------------------------------------------- days off


@pytest.mark.parametrize("sentence, days", [
    ("We offer 28 days holiday plus bank holidays.", 28),
    ("25 days of paid annual leave, rising with service.", 25),
    ("Holiday allowance of 26 days and your birthday off.", 26),
    ("Benefits: 30 days off, a learning budget.", 30),
    ("Oferecemos 25 dias úteis de férias e plano de saúde.", 25),
    ("Férias: 22 dias por ano.", 22),
    ("Wir bieten 30 Tage Urlaub und eine betriebliche Altersvorsorge.", 30),
    ("30 Urlaubstage, Jobrad und Homeoffice.", 30),
    ("Urlaub: 28 Tage im Jahr.", 28),
    ("26 días laborables de vacaciones.", 26),
    ("23 días de vacaciones y seguro médico.", 23),
    ("25 jours de congés + RTT.", 25),
    ("Avantages : 25 CP + 10 RTT, tickets restaurant.", 25),
    ("25 giorni di ferie e buoni pasto.", 25),
    ("Ferie: 26 giorni all'anno.", 26),
    ("25 vakantiedagen en een pensioenregeling.", 25),
    ("Je krijgt 27 verlofdagen.", 27),
    ("Sick leave: 10 days. Holiday: 25 days.", 25),
    ("26 dni urlopu i prywatna opieka medyczna.", 26),
])
def test_days_off_are_read_in_every_language(sentence, days):
    reading = read_days_off(sentence)
    assert reading is not None and reading.value == days and str(days) in reading.evidence


@pytest.mark.parametrize("sentence", [
    "Unlimited PTO and a new laptop.", "Unbegrenzter Urlaub nach Absprache.", "Férias ilimitadas.",
    "Vacaciones ilimitadas.", "Congés illimités.", "Ferie illimitate.", "Onbeperkte vakantiedagen.",
    "Nielimitowany urlop.",
])
def test_unlimited_time_off_is_no_number(sentence):
    reading = read_days_off(sentence)
    assert reading is not None and reading.value is None and reading.evidence


@pytest.mark.parametrize("sentence", [
    "8 bank holidays a year.", "20 days of sick leave.", "Notice period: 30 days.",
    "3 days a week in the office.", "We answer within 10 days.", "26 Wochen Elternzeit und 20 Tage Krankheit.",
    "Parental leave of 16 weeks.", "Probation: 90 days.", "Sick leave: 10 days.",
])
def test_other_days_are_not_paid_time_off(sentence):
    assert read_days_off(sentence) is None


# ------------------------------------------------------------------------------------------- remote status


@pytest.mark.parametrize("sentence, status", [
    ("This role is remote within the EU.", R.REMOTE_REGION),
    ("Fully remote, but you must be based in Germany.", R.REMOTE_REGION),
    ("Remote (Spain).", R.REMOTE_REGION),
    ("We work remotely across CET time zones.", R.REMOTE_REGION),
    ("100% remoto desde Brasil.", R.REMOTE_REGION),
    ("Vollständig remote innerhalb Deutschlands.", R.REMOTE_REGION),
    ("Trabajo 100% remoto desde España.", R.REMOTE_REGION),
    ("100% télétravail depuis la France.", R.REMOTE_REGION),
    ("Lavoro 100% da remoto da tutta Italia.", R.REMOTE_REGION),
    ("Volledig remote binnen Nederland.", R.REMOTE_REGION),
    ("Praca w pełni zdalna z dowolnego miejsca w Polsce.", R.REMOTE_REGION),
    ("We are remote-first: work from anywhere in the world.", R.FULLY_REMOTE),
    ("This is a fully remote position.", R.FULLY_REMOTE),
    ("Hybrid: 2 days a week in our Lisbon office.", R.HYBRID),
    ("Modelo híbrido, 3 dias por semana no escritório.", R.HYBRID),
    ("2 Tage Homeoffice pro Woche.", R.HYBRID),
    ("Bis zu 80 % Homeoffice innerhalb Deutschlands.", R.HYBRID),
    ("Modalidad híbrida en Madrid.", R.HYBRID),
    ("Télétravail hybride : 2 jours de télétravail par semaine.", R.HYBRID),
    ("Lavoro ibrido con 2 giorni di smart working.", R.HYBRID),
    ("Hybride werken: 2 dagen thuiswerken.", R.HYBRID),
    ("Praca hybrydowa, 2 dni pracy zdalnej w tygodniu.", R.HYBRID),
    ("On-site in Munich, 5 days from office.", R.OFFICE),
    ("Trabalho presencial em São Paulo.", R.OFFICE),
    ("No remote work is possible for this role.", R.OFFICE),
    ("Kein Homeoffice möglich.", R.OFFICE),
    ("Travail en présentiel à Lyon.", R.OFFICE),
    ("Lavoro in sede a Milano.", R.OFFICE),
    ("Je werkt op kantoor in Utrecht.", R.OFFICE),
    ("Praca stacjonarna w Krakowie.", R.OFFICE),
])
def test_remote_status_is_read_in_every_language(sentence, status):
    reading = read_remote_status(sentence)
    assert reading is not None and reading.value is status and reading.evidence


@pytest.mark.parametrize("sentence", [
    "You will run our hybrid cloud setup.", "Experience with hybrid search and retrieval for RAG.",
    "You'll work with remote teams in Brazil and Mexico.", "Free on-site gym and parking.",
    "Entrevista presencial na segunda fase.",
])
def test_words_of_work_models_in_other_senses_say_nothing(sentence):
    assert read_remote_status(sentence) is None


def test_office_words_come_after_the_workplace_column():
    assert read_remote_status("Free on-site gym. On-site canteen.", "Hybrid").value is R.HYBRID
    assert read_remote_status("This role is on-site in Porto.", None).value is R.OFFICE


def test_hybrid_cloud_is_no_work_model_and_the_workplace_column_speaks_when_the_text_is_silent():
    assert read_remote_status("You will run our hybrid cloud setup.") is None
    assert read_remote_status("Build pipelines.", "Hybrid").value is R.HYBRID
    assert read_remote_status("Build pipelines.", "On-site").value is R.OFFICE
    assert read_remote_status("Build pipelines.", "Remote", "Portugal").value is R.REMOTE_REGION
    assert read_remote_status("Build pipelines.", "Remote", "Remote").value is R.FULLY_REMOTE
    assert read_remote_status("Hybrid setup, 2 days in the office.", "Remote", "Portugal").value is R.HYBRID


# ------------------------------------------------------------------------------------------------- visa


@pytest.mark.parametrize("sentence, offered", [
    ("We do not sponsor visas.", False),
    ("Visa sponsorship available for the right candidate.", True),
    ("Unfortunately we are unable to offer visa sponsorship for this role.", False),
    ("You must have the right to work in the UK without visa sponsorship.", False),
    ("Relocation assistance available. Sponsorship is not available for this position.", False),
    ("We offer relocation support and visa sponsorship for non-EU candidates.", True),
    ("Não oferecemos patrocínio de visto.", False),
    ("Oferecemos apoio com o visto e a mudança.", True),
    ("Kein Visa-Sponsoring möglich.", False),
    ("Wir bieten Unterstützung beim Visum und beim Umzug.", True),
    ("No ofrecemos patrocinio de visado.", False),
    ("Ofrecemos ayuda con el visado.", True),
    ("Nous ne proposons pas de sponsoring de visa.", False),
    ("Nous offrons un accompagnement pour le visa.", True),
    ("Non offriamo sponsorizzazione del visto.", False),
    ("Offriamo supporto per il visto.", True),
    ("Wij bieden geen visumsponsoring.", False),
    ("Wij bieden hulp bij je visum.", True),
    ("Nie oferujemy sponsorowania wizy.", False),
    ("Oferujemy pomoc w uzyskaniu wizy.", True),
])
def test_visa_sponsorship_is_read_in_every_language(sentence, offered):
    reading = read_visa(sentence)
    assert reading is not None and reading.value is offered


@pytest.mark.parametrize("sentence", [
    "Benefits: health insurance and certification sponsorship.", "You don't need a visa if you're an EU citizen.",
    "We build payment software for Visa and Mastercard issuers.",
    "We help merchants accept Visa, Mastercard and Apple Pay payments.",
])
def test_other_mentions_say_nothing_of_sponsorship(sentence):
    assert read_visa(sentence) is None


# ---------------------------------------------------------------------------------- years of experience


@pytest.mark.parametrize("sentence, years", [
    ("Three to five years of experience in data engineering.", (3, 5)),
    ("3+ years as a data engineer.", (3, None)),
    ("At least two years of professional Python development.", (2, None)),
    ("Up to 2 years of experience with SQL.", (None, 2)),
    ("Cinco anos de experiência com dados.", (5, None)),
    ("Entre 3 e 5 anos de experiência.", (3, 5)),
    ("Até 2 anos de experiência em BI.", (None, 2)),
    ("Zwei bis vier Jahre Berufserfahrung.", (2, 4)),
    ("Mindestens drei Jahre Erfahrung mit Spark.", (3, None)),
    ("Dos años de experiencia en análisis de datos.", (2, None)),
    ("De 3 a 5 años de experiencia.", (3, 5)),
    ("Trois ans d'expérience minimum.", (3, None)),
    ("Au moins 4 ans d'expérience en data.", (4, None)),
    ("Tre anni di esperienza in Python.", (3, None)),
    ("Almeno 5 anni di esperienza.", (5, None)),
    ("Drie jaar ervaring met SQL.", (3, None)),
    ("Minimaal 4 jaar werkervaring.", (4, None)),
    ("3 lata doświadczenia w Pythonie.", (3, None)),
    ("Co najmniej pięć lat doświadczenia.", (5, None)),
])
def test_years_are_read_in_digits_and_words(sentence, years):
    readings = read_years(sentence)
    assert readings and readings[0].value == years


@pytest.mark.parametrize("sentence", [
    "We have over 20 years of experience in the market.", "Founded 15 years ago in Porto.",
    "A 2-year fixed-term contract.",
])
def test_years_about_the_company_or_the_contract_are_not_experience(sentence):
    assert read_years(sentence) == []


# ------------------------------------------------------------------------------------------------ apply


def _listing(description: str, title: str | None = None, workplace: str | None = None,
             location: str | None = None) -> Listing:
    return Listing("t1", description, title=title, workplace_type=workplace, location=location)


def _extraction(**sections) -> object:
    data = {"job_summary": {"role_title": "Data Engineer"}}
    for key, value in sections.items():
        data.setdefault(key, {}).update(value)
    return parse_extraction(data)


def test_the_title_beats_the_model_then_years_decide_and_managers_keep_the_models_answer():
    mid = _extraction(job_summary={"role_seniority": "Mid-Level"}, required_qualifications={"experience_years_min": 6})
    six = "Pipelines in Spark; 6 people in the team."
    assert apply_rules(mid, _listing(six, "Estágio em Dados"))[0].job_summary.role_seniority is S.INTERNSHIP
    ruled, changed = apply_rules(mid, _listing(six, "Data Engineer"))
    assert ruled.job_summary.role_seniority is S.SENIOR and changed == ["role_seniority"]
    manager = _extraction(job_summary={"role_title": "Engineering Manager", "role_seniority": "Mid-Level"},
                          required_qualifications={"experience_years_min": 6})
    assert apply_rules(manager, _listing(six, "Engineering Manager"))[0].job_summary.role_seniority is S.MID_LEVEL
    unchanged, changed = apply_rules(_extraction(), _listing("Build pipelines.", "Data Engineer"))
    assert unchanged.job_summary.role_seniority is S.NOT_SPECIFIED and changed == []


def test_the_text_wins_over_the_model_when_it_states_a_value():
    model = _extraction(benefits={"paid_time_off_days": 20},
                        location_and_work_model={"remote_status": "Fully Remote"},
                        job_summary={"visa_sponsorship": True},
                        required_qualifications={"experience_years_min": 2})
    text = ("Hybrid: 3 days in our Berlin office.\nThree to five years of experience with Spark.\n"
            "30 Tage Urlaub.\nWe do not sponsor visas.")
    ruled, changed = apply_rules(model, _listing(text, "Data Engineer"))
    assert ruled.benefits.paid_time_off_days == 30
    assert ruled.location_and_work_model.remote_status is R.HYBRID
    assert ruled.job_summary.visa_sponsorship is False
    assert (ruled.required_qualifications.experience_years_min,
            ruled.required_qualifications.experience_years_max) == (3, 5)
    assert set(changed) == {"paid_time_off_days", "remote_status", "specification_level", "visa_sponsorship",
                            "experience_years_min", "experience_years_max", "role_seniority"}


def test_the_model_stands_when_the_text_is_silent():
    model = _extraction(benefits={"paid_time_off_days": 25}, job_summary={"visa_sponsorship": True},
                        location_and_work_model={"remote_status": "Remote (Region Specific)"},
                        required_qualifications={"experience_years_min": 4})
    text = "You will build pipelines in Spark (4+ in the team).\nHolidays: 25, plus your birthday."
    ruled, changed = apply_rules(model, _listing(text, "Data Engineer"))
    assert changed == ["role_seniority"]  # from the model's 4 years: Mid-Level
    assert ruled.benefits.paid_time_off_days == 25 and ruled.job_summary.visa_sponsorship is True
    assert ruled.location_and_work_model.remote_status is R.REMOTE_REGION


@pytest.mark.parametrize("text", [
    "You will build pipelines in Spark.",
    "Du baust Pipelines mit Spark und Kafka.",
    "Vais construir pipelines em Spark.",
])
def test_numbers_the_listing_never_writes_are_dropped(text):
    model = _extraction(benefits={"paid_time_off_days": 19},
                        required_qualifications={"experience_years_min": 16, "experience_years_max": 20})
    ruled, changed = apply_rules(model, _listing(text, "Data Engineer"))
    assert ruled.benefits.paid_time_off_days is None
    assert ruled.required_qualifications.experience_years_min is None
    assert ruled.required_qualifications.experience_years_max is None
    assert {"paid_time_off_days", "experience_years_min", "experience_years_max"} <= set(changed)
    kept, _ = apply_rules(model, _listing(text + " We are 16 people, 19 of them in Lisbon.",
                                          "Data Engineer"))
    assert kept.required_qualifications.experience_years_min == 16 and kept.benefits.paid_time_off_days == 19


def test_the_years_the_model_chose_stand_when_the_text_states_them():
    model = _extraction(required_qualifications={"experience_years_min": 2})
    text = "5+ years of experience with Python.\n2+ years of experience with Spark."
    assert apply_rules(model, _listing(text, "Data Engineer"))[0].required_qualifications.experience_years_min == 2
    model = _extraction(required_qualifications={"experience_years_min": 7})
    assert apply_rules(model, _listing(text, "Data Engineer"))[0].required_qualifications.experience_years_min == 5


def test_unlimited_time_off_is_null_and_a_benefit():
    model = _extraction(benefits={"paid_time_off_days": 25})
    ruled, changed = apply_rules(model, _listing("Unlimited PTO and a MacBook.", "Data Engineer"))
    assert ruled.benefits.paid_time_off_days is None
    assert UNLIMITED_PTO in ruled.benefits.other_benefits_keywords
    assert {"paid_time_off_days", "other_benefits_keywords"} <= set(changed)


def test_the_workplace_column_and_the_location_decide_when_the_text_is_silent():
    unknown = _extraction()
    hybrid = apply_rules(unknown, _listing("Build pipelines.", "Data Engineer", "Hybrid"))[0]
    assert hybrid.location_and_work_model.remote_status is R.HYBRID
    assert hybrid.location_and_work_model.specification_level.value.startswith("Specific")
    region = apply_rules(unknown, _listing("Build pipelines.", "Data Engineer", "Remote", "Brazil"))[0]
    assert region.location_and_work_model.remote_status is R.REMOTE_REGION


def test_the_role_title_comes_from_the_title_and_an_empty_extraction_is_left_alone():
    model = _extraction(job_summary={"role_title": "Data Analyst"}, role_context={"key_responsibilities": ["x"]})
    ruled, changed = apply_rules(model, _listing("Seguradora procura engenheiro de dados.", "Engenheiro(a) de Dados"))
    assert ruled.job_summary.role_title == "Data Engineer" and "role_title" in changed
    empty = parse_extraction({})
    assert apply_rules(empty, _listing("30 Tage Urlaub.", "Senior Data Engineer", "Hybrid")) == (empty, [])
