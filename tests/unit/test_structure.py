"""A listing's structure on hand-written listings: sections, sentences and negation scopes in every language."""
from __future__ import annotations

import pytest

from extraction.structure import Section, analyse_structure, requirement_at
from tests.support.scoped_listings import SCOPED, Scoped


def _section(text: str, words: str) -> Section:
    return analyse_structure(text).section_at(text.index(words))


@pytest.mark.parametrize("case", SCOPED, ids=lambda c: c.lang)
def test_sections_are_labelled_in_every_language(case: Scoped):
    text = case.text
    assert _section(text, "Title:") is Section.HEADER
    assert _section(text, case.company) is Section.COMPANY
    assert _section(text, case.duties) is Section.RESPONSIBILITIES
    assert _section(text, case.required) is Section.REQUIREMENTS
    assert _section(text, case.preferred) is Section.NICE_TO_HAVE
    assert _section(text, case.benefits) is Section.BENEFITS
    structure = analyse_structure(text)
    # the spans cover the text, in order, without gaps
    spans = structure.sections
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


@pytest.mark.parametrize("case", SCOPED, ids=lambda c: c.lang)
def test_a_negation_scopes_its_clause_in_every_language(case: Scoped):
    text, structure = case.text, analyse_structure(case.text)
    start = text.index(case.negation)
    assert structure.negated(start, start + len(case.negation))
    java = text.index("Java")
    assert structure.negated(java, java + 4)
    for words in (case.required, case.preferred, case.company):
        at = text.index(words)
        assert not structure.negated(at, at + len(words)), words


@pytest.mark.parametrize("sentence, negated, free", [
    ("Fluent English, German is not required", ["German"], ["English"]),
    ("Excellent English; Lithuanian or Russian is not required", ["Lithuanian", "Russian"], ["English"]),
    ("Python is not required, but SQL is essential", ["Python"], ["SQL"]),
    ("Kafka is a plus but not mandatory", [], ["Kafka"]),
    ("We have no legacy systems, so Python is required", [], ["Python"]),
    ("Our platform runs on Kafka and Cassandra; you won't touch it", ["touch"], ["Kafka"]),
    ("You won’t use Scala here", ["Scala"], []),
    ("No prior experience with Airflow needed", ["Airflow"], []),
    ("Experience with Kubernetes isn’t necessary", ["Kubernetes"], []),
    ("We don't expect you to know Rust", ["Rust"], []),
    ("You don't need Python for this role, SQL is enough", ["Python"], ["SQL"]),
    ("You won't use Java, Scala or Go here", ["Java", "Scala", "Go"], []),
    ("Não é necessário saber Java, Python é obrigatório", ["Java"], ["Python"]),
    ("Du musst kein Java können", ["Java"], []),
    ("Não exigimos conhecimento em Java", ["Java"], []),
    ("Pas besoin d'avoir fait du Java", ["Java"], []),
    ("Deutsch ist keine Voraussetzung, Englisch schon", ["Deutsch"], ["Englisch"]),
    ("Gute Englischkenntnisse, Deutsch ist kein Muss", ["Deutsch"], ["Englisch"]),
    ("Keine Java-Kenntnisse erforderlich", ["Java"], []),
    ("Não é necessário saber Java", ["Java"], []),
    ("Experiência com Scala não é obrigatória", ["Scala"], []),
    ("No es necesario saber Java", ["Java"], []),
    ("Experiencia con Go: no se requiere", ["Go"], []),
    ("Python pas requis", ["Python"], []),
    ("Esperienza con Scala non è necessaria", ["Scala"], []),
    ("Ervaring met Scala is geen vereiste", ["Scala"], []),
    ("Znajomość Scala nie jest wymagana", ["Scala"], []),
])
def test_negation_scopes(sentence, negated, free):
    structure = analyse_structure(sentence)
    for word in negated:
        at = sentence.index(word)
        assert structure.negated(at, at + len(word)), word
    for word in free:
        at = sentence.index(word)
        assert not structure.negated(at, at + len(word)), word


@pytest.mark.parametrize("text, words", [
    ("Requirements\n- SQL\n- Looker is a plus but not mandatory\n", "Looker"),
    ("Requirements\n- SQL\n- dbt (nice to have)\n", "dbt"),
    ("Profil\n- SQL\nLes plus\n- Airflow\n", "Airflow"),
    ("Dein Profil\n- SQL\nWünschenswert\n- Airflow\n", "Airflow"),
    ("Requisitos\n- SQL\n- Airflow é um diferencial\n", "Airflow"),
    ("Requisitos\n- SQL\nDiferencial\n- Airflow\n", "Airflow"),
    ("Wymagania\n- SQL\nMile widziane\n- Airflow\n", "Airflow"),
    ("Wymagania\n- SQL\n- Mile widziana znajomość Airflow\n", "Airflow"),
    ("Wat vragen wij\n- SQL\nPluspunten\n- Airflow\n", "Airflow"),
    ("Wat vragen wij\n- SQL\n- Airflow is een pré\n", "Airflow"),
    ("Requisiti\n- SQL\n- La conoscenza di Airflow costituisce un plus\n", "Airflow"),
    ("Requisitos\n- SQL\n- Se valorará experiencia con Airflow\n", "Airflow"),
    ("Requisitos\n- SQL\n- Airflow (opcional)\n", "Airflow"),
    ("Requirements\n- SQL\n- Airflow is nice but not required\n", "Airflow"),
])
def test_inline_and_heading_markers_are_nice_to_have(text, words):
    assert requirement_at(text, text.index(words)) == "preferred"
    assert requirement_at(text, text.index("SQL")) == "required"


@pytest.mark.parametrize("heading, section", [
    ("Who can apply", Section.REQUIREMENTS),
    ("Who we are looking for", Section.REQUIREMENTS),
    ("Who we are", Section.COMPANY),
    ("About Harbourline", Section.COMPANY),
    ("About the role", Section.OTHER),
    ("Qui sommes-nous ?", Section.COMPANY),
    ("Interested?", Section.APPLY),
    ("How to apply", Section.APPLY),
    ("Equal opportunity", Section.LEGAL),
    ("Datenschutz", Section.LEGAL),
    ("Oferta", Section.BENEFITS),
    ("Desafio", Section.RESPONSIBILITIES),
    ("Obowiązki", Section.RESPONSIBILITIES),
    ("Wat wij bieden", Section.BENEFITS),
])
def test_headings_open_their_section(heading, section):
    text = f"{heading}\n- Python and SQL\n"
    assert _section(text, "Python") is section


def test_a_key_line_is_no_heading_and_a_nice_to_have_key_line_is_only_that_line():
    text = "Requirements\n- SQL\nExperience: 3 to 6 years\nNice to have: Kafka\nPython\n"
    assert _section(text, "Experience") is Section.REQUIREMENTS
    assert _section(text, "Kafka") is Section.NICE_TO_HAVE
    assert _section(text, "Python") is Section.REQUIREMENTS


@pytest.mark.parametrize("sentence, section", [
    ("Harbourline is a leading logistics company that ships across Europe.", Section.COMPANY),
    ("We are a fintech founded in 2015.", Section.COMPANY),
    ("Our platform runs on Kafka and Cassandra.", Section.COMPANY),
    ("Somos uma seguradora com 30 anos de história.", Section.COMPANY),
    ("Wir sind ein Familienunternehmen aus Köln.", Section.COMPANY),
    ("You will build dashboards in Tableau.", Section.RESPONSIBILITIES),
    ("Du wirst Pipelines mit Airflow bauen.", Section.RESPONSIBILITIES),
    ("You have strong SQL.", Section.REQUIREMENTS),
    ("Procuramos alguém com experiência em Python.", Section.REQUIREMENTS),
    ("Erfahrung mit Python setzen wir voraus.", Section.REQUIREMENTS),
    ("We offer a learning budget and 25 days of holiday.", Section.BENEFITS),
    ("Send your CV to jobs@example.com.", Section.APPLY),
    ("We are an equal opportunity employer.", Section.LEGAL),
    ("Python, SQL, AWS.", Section.OTHER),
])
def test_sentences_without_headings_are_read_by_their_cues(sentence, section):
    text = "Title: Data Engineer\nCompany: Acme\n\n" + sentence
    structure = analyse_structure(text)
    assert structure.section_at(text.index(sentence)) is section


def test_sentences_keep_abbreviations_whole():
    text = "Title: Data Engineer\n\nExperience with cloud, e.g. AWS or GCP. You will own the models. Salary: 60k"
    structure = analyse_structure(text)
    start, end = structure.sentence_at(text.index("AWS"))
    assert text[start:end] == "Experience with cloud, e.g. AWS or GCP."
    start, end = structure.sentence_at(text.index("own"))
    assert text[start:end] == "You will own the models."
    assert structure.sentence_at(text.index("\n\n") + 1) == (text.index("\n\n") + 1,) * 2  # between sentences


def test_legal_small_print_under_the_benefits_is_legal():
    text = "What we offer\n- Remote work\nWe are an equal opportunity employer and welcome every applicant.\n"
    assert _section(text, "Remote") is Section.BENEFITS
    assert _section(text, "equal") is Section.LEGAL
