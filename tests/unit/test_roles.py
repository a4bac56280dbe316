"""Role titles from the listing's own title: canonical roles in every language we read, cleaned titles for
roles the vocabulary does not know, and a model's title kept only when the listing grounds it."""
from __future__ import annotations

import pytest

from extraction.roles import (
    ROLES,
    canonical_role,
    clean_title,
    is_grounded_title,
    listing_title,
    resolve_role_title,
    title_seniority,
)
from schemas.vocab import RoleSeniority as S


@pytest.mark.parametrize("title, role", [
    # en
    ("Senior Data Engineer (m/w/d)", "Data Engineer"), ("Staff Analytics Engineer", "Analytics Engineer"),
    ("Data Scientist, Pricing", "Data Scientist"), ("Machine Learning Engineer – LLM Applications",
                                                    "Machine Learning Engineer"),
    ("Lead MLOps Engineer", "MLOps Engineer"), ("LLM Engineer", "AI Engineer"), ("GenAI Engineer", "AI Engineer"),
    ("Junior Data Analyst", "Data Analyst"), ("Business Intelligence Analyst", "BI Analyst"),
    ("Power BI Developer", "BI Developer"), ("Database Administrator (SQL Server)", "Database Administrator"),
    ("DBA Oracle", "Database Administrator"), ("Principal Data Architect", "Data Architect"),
    ("Data Platform Engineer", "Data Platform Engineer"), ("Data Steward", "Data Steward"),
    ("Data Governance Manager", "Data Governance Manager"), ("Data Product Manager", "Data Product Manager"),
    ("Quantitative Analyst", "Quantitative Analyst"), ("Software Engineer", "Software Engineer"),
    ("DevOps Engineer (AWS)", "DevOps Engineer"), ("R-104233 Senior Data Engineer [JR-2231]", "Data Engineer"),
    ("Payments squad - Senior Data Engineer", "Data Engineer"),
    # pt
    ("Engenheiro(a) de Dados Pleno", "Data Engineer"), ("Pessoa Engenheira de Dados Sênior", "Data Engineer"),
    ("Estágio em Análise de Dados - Supply Chain", "Data Analyst"), ("Cientista de Dados Sênior", "Data Scientist"),
    ("Analista de BI Jr.", "BI Analyst"), ("Analista DevOps Pleno", "DevOps Engineer"),
    ("Arquiteto(a) de Dados", "Data Architect"), ("Administrador de Banco de Dados", "Database Administrator"),
    # de
    ("Dateningenieur (w/m/d)", "Data Engineer"), ("Werkstudent (m/w/d) Data Engineering", "Data Engineer"),
    ("Datenbankadministrator:in PostgreSQL", "Database Administrator"),
    ("Praktikum im Bereich Machine Learning (m/w/d)", "Machine Learning Engineer"),
    ("Senior Backend-Entwickler:in (Kotlin)", "Backend Developer"), ("BI-Entwickler (m/w/d)", "BI Developer"),
    # es
    ("Ingeniero/a de Datos Senior", "Data Engineer"), ("Científico/a de Datos", "Data Scientist"),
    ("Becario/a de Análisis de Datos", "Data Analyst"),
    ("Administrador/a de Bases de Datos", "Database Administrator"),
    # fr
    ("Data Engineer confirmé(e) H/F", "Data Engineer"), ("Stage – Data Analyst (6 mois) H/F", "Data Analyst"),
    ("Ingénieur(e) DevOps Cloud Azure", "DevOps Engineer"), ("Ingénieur de données (F/H)", "Data Engineer"),
    ("Architecte Data H/F", "Data Architect"),
    # it
    ("Ingegnere dei dati (m/f)", "Data Engineer"), ("Analista dati junior", "Data Analyst"),
    ("Sviluppatore Backend", "Backend Developer"),
    # nl
    ("Data Engineer (m/v/x)", "Data Engineer"), ("Medior Data Analist", "Data Analyst"),
    ("Databasebeheerder", "Database Administrator"),
    # pl
    ("Inżynier danych", "Data Engineer"), ("Starszy Analityk Danych", "Data Analyst"),
    ("Administrator baz danych (k/m)", "Database Administrator"),
])
def test_titles_in_every_language_name_their_canonical_role(title, role):
    assert role in ROLES
    assert canonical_role(title) == role


@pytest.mark.parametrize("title", [
    "Data Engineering Manager", "Head of Data Platform (m/w/d)", "Gerente de Engenharia de Dados",
    "Director of Analytics", "Teamleiter Business Intelligence (m/w/d)", "Technical Recruiter - Data Engineering",
    "Sales Representative – Data Analytics", "Payroll Specialist", "Auxiliar de Logística", None, "",
])
def test_managers_and_other_jobs_have_no_canonical_role(title):
    assert canonical_role(title) is None


@pytest.mark.parametrize("title, cleaned", [
    ("Sachbearbeiter (m/w/d) Auftragsabwicklung", "Sachbearbeiter Auftragsabwicklung"),
    ("Senior Payroll Specialist - Shared Services", "Payroll Specialist"),
    ("Consultor(a) SAP FI/CO Sênior", "Consultor SAP FI/CO"),
    ("Head of Data Platform (m/w/d)", "Head of Data Platform"),
    ("VP, Data & AI", "VP, Data & AI"), ("Stage – Chargé de recrutement H/F", "Chargé de recrutement"),
    ("Enfermeira(o) Assistencial - UTI Adulto", "Enfermeira Assistencial"),
])
def test_titles_the_vocabulary_does_not_know_are_cleaned(title, cleaned):
    assert clean_title(title) == cleaned


def test_the_listing_title_falls_back_to_a_short_first_line():
    assert listing_title(" Data Analyst ", "anything") == "Data Analyst"
    assert listing_title(None, "\n**Vaga: Engenheiro de Dados Pleno**\nSobre nós") == "Engenheiro de Dados Pleno"
    assert listing_title("", "We are a fast-growing company that builds logistics software for retailers.\n") is None


@pytest.mark.parametrize("title, level", [
    ("Estágio em Engenharia de Dados", S.INTERNSHIP), ("Werkstudent Data Analytics (m/w/d)", S.INTERNSHIP),
    ("Data Engineering Intern", S.INTERNSHIP), ("Stażysta w dziale analizy danych", S.INTERNSHIP),
    ("Jr. Backend Developer", S.JUNIOR), ("Analista de Dados Pleno", S.MID_LEVEL), ("Medior Data Analist", S.MID_LEVEL),
    ("Sênior Data Scientist", S.SENIOR), ("Starszy Analityk Danych", S.SENIOR), ("Senior Staff Engineer", S.STAFF),
    ("Principal ML Engineer", S.PRINCIPAL), ("Tech Lead, Payments", S.LEAD), ("Head of Data", S.MANAGER),
    ("VP of Engineering", S.DIRECTOR), ("Data Engineer", None), (None, None), ("Product Manager", None),
    ("Seniority-free Engineer", None),
])
def test_title_seniority_markers(title, level):
    assert title_seniority(title) == level


def test_seniority_stays_out_of_the_role():
    assert title_seniority("Senior Staff Engineer") is S.STAFF
    assert canonical_role("Senior Staff Data Engineer") == "Data Engineer"
    assert resolve_role_title("Senior Payroll Specialist", "Senior Payroll Specialist", "") == "Payroll Specialist"


TEXT = "Sachbearbeiter Auftragsabwicklung\nDu bearbeitest Aufträge unserer Kunden im Mittelstand."


def test_a_model_title_is_grounded_in_the_title_or_first_lines_in_any_language():
    assert is_grounded_title("Data Engineering Manager", "Gerente de Engenharia de Dados", "Sobre a vaga")
    assert is_grounded_title("Logistics Assistant", "Auxiliar de Logística", "Armazém em Braga.")
    assert is_grounded_title("Analytics Director", "Director of Analytics", "")
    assert not is_grounded_title("Langelist Engineer", "Prompt Engineer", "You will write prompts.")
    assert not is_grounded_title("Mittelstands Sales Representative", "Sachbearbeiter Auftragsabwicklung", TEXT)
    assert not is_grounded_title("Data Analyst", "Director of Analytics", "You will lead our analysts.")


@pytest.mark.parametrize("model, title, text, expected", [
    ("Langelist Engineer", "Senior LLM Engineer", "", "AI Engineer"),  # garbled
    ("Network Optimization Staff", "Staff Data Engineer", "Network optimization is our business.",
     "Data Engineer"),  # a word lifted from the body
    ("Database Developer", "Datenbankadministrator (m/w/d)", "", "Database Administrator"),  # a neighbouring role
    ("Data Analyst", "Engenheiro(a) de Dados", "Seguradora procura engenheiro de dados.", "Data Engineer"),
    ("Mittelstands Sales Representative", "Sachbearbeiter (m/w/d) Auftragsabwicklung", TEXT,
     "Sachbearbeiter Auftragsabwicklung"),  # no known role, the model's not grounded: the cleaned title
    ("Senior Logistics Assistant", "Auxiliar de Logística", "", "Logistics Assistant"),  # grounded: kept
    ("Data Analyst", "Director of Analytics", "", "Director of Analytics"),
    (None, "Senior Data Engineer", "", None),  # the model's "not a listing" stays
])
def test_resolve_prefers_the_titles_role_then_a_grounded_model_title(model, title, text, expected):
    assert resolve_role_title(model, title, text) == expected


def test_without_a_title_column_a_first_line_names_the_role_but_never_replaces_the_model():
    text = "Engenheiro(a) de Dados\nProcuramos alguém para construir pipelines."
    assert resolve_role_title("Data Analyst", None, text) == "Data Engineer"
    assert resolve_role_title("Account Manager", None, "About Quarrymint\nWe make sauces.") == "Account Manager"
