"""Canonical names, aliases, locations and the grounding check."""
from __future__ import annotations

import pytest

from extraction.evidence import is_grounded
from schemas.canonical import CANONICAL_ALIASES, canonical_name, category_of, dedupe, normalise_locations, surface_forms
from schemas.models import TechnicalSkills


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("k8s", "Kubernetes"),
        ("PowerBI", "Microsoft Power BI"),
        ("power  bi", "Microsoft Power BI"),
        ("Postgres", "PostgreSQL"),
        ("GCP", "Google Cloud Platform"),
        ("AWS S3", "S3"),
        ("MS SQL Server", "Microsoft SQL Server"),
        ("airflow", "Apache Airflow"),
        ("dbt", "dbt (Data Build Tool)"),
        ("sklearn", "Scikit-learn"),
        (" Node.JS ", "Node.js"),
        ("Some New Tool", "Some New Tool"),
    ],
)
def test_aliases(raw, canonical):
    assert canonical_name(raw) == canonical


def test_every_possible_value_of_the_note_is_canonical():
    for name, field in TechnicalSkills.model_fields.items():
        for value in (field.json_schema_extra or {}).get("possible_values", []):
            if value != "Other":
                assert canonical_name(value) == value, (name, value)
                assert value in CANONICAL_ALIASES, (name, value)


def test_dedupe_is_case_insensitive_and_keeps_first_order():
    assert dedupe(["k8s", "Docker", "kubernetes ", "Kubernetes", "docker", ""]) == ["Kubernetes", "Docker"]


def test_locations_are_title_cased_and_sorted():
    assert normalise_locations(["lisbon", "RIO DE JANEIRO", "são paulo", "uk", "Porto ", "Lisbon"]) == [
        "Lisbon", "Porto", "Rio de Janeiro", "São Paulo", "UK"]


@pytest.mark.parametrize(
    "tool, text, grounded",
    [
        ("Microsoft Power BI", "dashboards in PowerBI and Excel", True),
        ("Kubernetes", "we run k8s on bare metal", True),
        ("PostgreSQL", "Postgres 16", True),
        ("dbt (Data Build Tool)", "models in dbt Cloud", True),
        ("Looker / Looker Studio", "reports in Looker Studio", True),
        ("Java", "JavaScript and TypeScript", False),
        # "go" as a verb is not the language (was True before the taxonomy: "Go" needs its capitalisation or context)
        ("Go", "a good communicator who can go far", False),
        ("Go", "a good communicator", False),
        ("Go", "services written in Go", True),
        ("C#", "C# and .NET", True),
        ("C", "C# developer", False),
        ("PL/SQL", "SQL only", False),
        ("Apache Airflow", "Airflow DAGs", True),
        ("Git", "GitHub Actions workflows", False),
    ],
)
def test_grounding(tool, text, grounded):
    assert is_grounded(tool, text) is grounded


@pytest.mark.parametrize("name, category", [
    ("k8s", "technical_skills.devops_mlops_ci_cd_tools"),
    ("GCP", "technical_skills.cloud_platforms"),
    ("Postgres", "technical_skills.database_technologies"),
    ("T-SQL", "technical_skills.programming_languages.query"),
    ("star schema", "technical_skills.data_architecture_concepts.data_modeling"),
    ("metodologias ágeis", "methodologies_practices"),
    ("Kommunikation", "soft_skills_keywords"),
    ("Some New Tool", None),
])
def test_category_of(name, category):
    assert category_of(name) == category


def test_surface_forms_are_the_taxonomy_spellings():
    assert {"Kubernetes", "k8s"} <= surface_forms("kubernetes")
    assert surface_forms("Some New Tool") == {"Some New Tool"}


def test_power_query_alone_is_the_query_language():
    # a behaviour change with the taxonomy: plain "Power Query" meant the BI tool before; labels use the M language
    assert canonical_name("Power Query") == "Power Query (M)"
    assert canonical_name("Power Query (Excel/Power BI)") == "Power Query (Excel/Power BI)"
