"""Is it a job listing? Texts of other genres that use job words, and real listings that look unusual.

Each case is a text written for this test (not from the benchmark's held-out
corpus) with the outcome the pre-model check must give it. A real listing
refused is the costly error, so half the cases are listings that must pass.
"""
from __future__ import annotations

import pytest

from extraction.genres import genre_markers, opening_markers
from extraction.screening import not_a_listing_reason

NOT_LISTINGS = {
    "a CV in the first person": (
        "Marta Oliveira - Data Analyst\nI am a data analyst with five years of experience in retail. In my last "
        "role I built the weekly sales dashboards in Power BI and I automated my team's reporting with Python. "
        "I'm looking for my next challenge in Porto or remote. My skills: SQL, Python, Power BI, Excel."),
    "a CV in telegraphic style": (
        "Jonas Weber\nBackend Engineer · Hamburg · jonas.weber@example.org\n\nProfil\nBackend-Entwickler mit "
        "Erfahrung in Java und Kotlin.\n\nBerufserfahrung\nSenior Engineer, Nordlicht Logistik (03/2021 - heute)\n"
        "- Microservices mit Spring Boot\nSoftware Engineer, Elbe Payments (2017 - 2021)\n- Zahlungs-APIs\n\n"
        "Ausbildung\nM.Sc. Informatik, TU Hamburg\n\nKenntnisse\nJava, Kotlin, PostgreSQL, Kafka, Kubernetes"),
    "a press release about a funding round": (
        "BERLIN, June 2, 2026 - Lumen Freight today announced a EUR 30 million Series B led by Northstar "
        "Ventures. The logistics software company will use the funds to hire 40 engineers and open positions in "
        "Berlin and Lisbon, many of them remote, according to CEO Anna Kraus. 'Our developers and data scientists are the heart of the "
        "product,' she said in a statement.\nAbout Lumen Freight\nLumen Freight builds route planning software.\n"
        "Media contact: press@lumenfreight.example"),
    "a meetup announcement": (
        "Lisbon Python Meetup #18 - Data engineering with Polars\nThursday, 12 March, 19:00. Doors open at "
        "18:30. Agenda: two talks by senior engineers from local companies, then pizza. Speakers: Rui Costa "
        "(data engineer) and Ana Lopes (analyst). RSVP on the meetup page; tickets are free."),
    "a bootcamp page": (
        "Data Analytics Bootcamp - 12 weeks, part-time\nLearn SQL, Python, Tableau and statistics with "
        "experienced instructors. Our graduates work as analysts at leading companies. Modules: SQL "
        "foundations, Python for analysis, dashboards, capstone project. Tuition: EUR 4,900. Enroll by 1 May "
        "for the next cohort."),
    "a blog post of career advice": (
        "How to get hired as a data engineer in 2026\nPosted by Priya N. · 6 min read\nHiring managers look for "
        "experience with SQL, Python and one cloud. In this post I share the tips that got me three offers: "
        "build a portfolio pipeline, learn dbt, practise system design. Leave a comment with your own tips and "
        "subscribe to the newsletter."),
    "a recipe": "Preheat the oven to 180 degrees. Mix flour, sugar and eggs, then bake for 25 minutes.",
    "a careers page with many openings": (
        "Careers at Nimbus Data. We are a team of 80 engineers and analysts in Porto and Berlin. Our values: "
        "ownership, kindness, curiosity. See all open positions below or join our talent pool."),
    "an employee review": (
        "Current Employee - Data Engineer in Berlin. Pros: great colleagues, modern stack (Spark, dbt). Cons: "
        "slow promotions, salary below market. Advice to management: listen to the engineers."),
}

LISTINGS = {
    "a recruiter's first-person post": (
        "I'm looking for a Senior Data Engineer to join my client's team in Munich (hybrid). You will build "
        "Spark pipelines on AWS and mentor two juniors. You have 5+ years of experience with Python and SQL. "
        "Salary up to EUR 85k. Send me your CV or apply via the link."),
    "a listing that opens with funding news": (
        "Fresh off our Series B led by Atlas Capital, Corvina is growing fast. We announced our expansion to "
        "Madrid in May.\nAbout the role: as a Data Analyst you will own our revenue reporting.\nRequirements: "
        "3 years of experience with SQL and Looker.\nWe offer: remote-first work, 30 days of holiday.\nApply "
        "now!"),
    "a two-line listing": "Hiring: Senior Java developer, Lisbon, hybrid. 5+ years of experience. DM me.",
    "a one-line post with a pay rate": "Kellner gesucht, Wochenende, 15 €/Std. + Trinkgeld. Anrufen: 0221 555 01.",
    "a recruiter's post about a funded start-up": (
        "I'm partnered with a Series B fintech in Lisbon that raised €40M this spring to find their next Lead "
        "Data Engineer. What you'd be doing: owning the lakehouse on Databricks. The package: €90k + equity."),
    "a consultancy's listing (no 'cons' inside 'consulting')": (
        "Consulting firm seeks a Data Consultant. You will advise clients on Power BI. Apply by e-mail."),
    "a trainee programme with a start date": (
        "Trainee Programm Data & Analytics (m/w/d) - Start: 1. Oktober 2026\nWas dich erwartet: 18 Monate, "
        "drei Stationen in unseren Teams in Köln und Berlin.\nDein Profil: abgeschlossenes Studium "
        "(Informatik, Mathematik oder ähnlich), erste Erfahrung mit Python und SQL.\nWir bieten: ein Gehalt "
        "von 52.000 EUR, Mentoring und Weiterbildung. Jetzt bewerben bis 31. Juli!"),
    "a listing with a skills section in CV style": (
        "Vaga: Engenheiro de Dados Pleno (remoto)\nResponsabilidades\n- Construir pipelines em Airflow\n"
        "Experiência\n- 3+ anos com Python e SQL\nFormação\n- Superior completo em TI\nOferecemos: vale "
        "refeição, plano de saúde. Candidate-se pelo link."),
    "a PhD position with a stipend": (
        "PhD position in machine learning for energy systems (4 years)\nThe group of Prof. Dubois at the "
        "University of Lyon offers a fully funded PhD position starting in October 2026. You will develop "
        "forecasting models for the power grid. Requirements: a master's degree in computer science or "
        "statistics, Python. Stipend: EUR 2,100 per month. Application deadline: 15 June 2026. To apply, send "
        "your CV and a motivation letter."),
}


@pytest.mark.parametrize("name", NOT_LISTINGS, ids=list(NOT_LISTINGS))
def test_texts_of_other_genres_are_not_listings(name):
    assert not_a_listing_reason(NOT_LISTINGS[name]) is not None


@pytest.mark.parametrize("name", LISTINGS, ids=list(LISTINGS))
def test_unusual_listings_pass(name):
    assert not_a_listing_reason(LISTINGS[name]) is None


def test_the_reason_names_the_genre_and_its_markers():
    reason = not_a_listing_reason(NOT_LISTINGS["a press release about a funding round"])
    assert reason.startswith("reads like a press release or news (") and "today announced" in reason
    assert "too few job-listing words" in not_a_listing_reason(NOT_LISTINGS["a recipe"])


def test_cv_structure_counts_as_markers():
    markers = genre_markers(NOT_LISTINGS["a CV in telegraphic style"])["cv"]
    assert any(m.startswith("CV sections (") for m in markers) and "2 date ranges" in markers
    assert any(m.startswith("first person to nobody") for m in genre_markers(NOT_LISTINGS["a CV in the first person"])["cv"])
    # a recruiter writes in the first person too, but to a reader
    assert "cv" not in genre_markers(LISTINGS["a recruiter's first-person post"])


def test_opening_markers_are_found_in_every_language():
    assert opening_markers("Wir bieten ein gutes Gehalt. Jetzt bewerben!") == ["gehalt", "jetzt bewerben", "wir bieten"]
    assert opening_markers("Vaga para analista. Candidate-se!") == ["candidate-se", "vaga"]
    assert opening_markers("Nous recherchons un data engineer. Postulez.") == ["nous recherchons", "postulez"]


OTHER_LANGUAGES = {
    "Italian": ("Cerchiamo un Data Engineer con almeno 3 anni di esperienza in Python e SQL. Requisiti: laurea in "
                "informatica. Offriamo contratto a tempo indeterminato e smart working. Invia il tuo CV."),
    "Dutch": ("Wij zoeken een ervaren Data Engineer. Je bouwt datapijplijnen in Python en SQL. Wat wij bieden: een "
              "goed salaris en thuiswerken. Solliciteer nu!"),
    "Polish": ("Poszukujemy Data Engineera. Wymagania: 3 lata doświadczenia w Python i SQL. Oferujemy umowę o pracę "
               "i pracę zdalną. Aplikuj teraz."),
    "Chinese": "招聘数据工程师。职责：使用Python和SQL构建数据管道。要求：3年以上相关工作经验。福利：五险一金，弹性工作。",
    "Japanese": "データエンジニア募集。業務内容：PythonとSQLでデータパイプラインを構築。応募資格：3年以上の経験。",
    "Arabic": "مطلوب مهندس بيانات. المتطلبات: خبرة 3 سنوات في بايثون و SQL. نقدم راتبًا تنافسيًا وعملًا عن بعد.",
}


@pytest.mark.parametrize("language", OTHER_LANGUAGES, ids=list(OTHER_LANGUAGES))
def test_listings_in_other_languages_reach_the_model(language):
    assert not_a_listing_reason(OTHER_LANGUAGES[language]) is None


def test_the_listing_check_can_be_turned_off():
    from beam_pipeline.transforms import normalise_record
    from extraction.errors import DeadLetter
    from extraction.listings import ColumnMap

    record = {"job_id": "t1", "job_description": "Sökes: dataingenjör med Python och SQL. Skicka din ansökan."}
    with pytest.raises(DeadLetter) as info:
        normalise_record(record, ColumnMap(), 60_000)
    assert info.value.reason == "not_a_job_listing"
    assert normalise_record(record, ColumnMap(), 60_000, listing_check=False).job_id == "t1"
