"""The taxonomy table: complete, consistent, and loaded with loud errors."""
from __future__ import annotations

import pytest

from extraction.evidence import find_evidence
from schemas.canonical import canonical_name, category_of
from schemas.fields import NAME_MAX_CHARS
from schemas.models import JobExtraction, TechnicalSkills, skill_lists
from schemas.taxonomy import CATEGORIES, METHODOLOGIES, PREFERRED, TAXONOMY, Kind, TaxonomyError, load_taxonomy
from schemas.vocab import Methodology, allowed

# Every canonical name schemas.canonical had before the taxonomy: the same spelling must stay canonical.
EARLIER_CANONICALS = (
    'Python', 'Java', 'Scala', 'Go', 'C#', 'C++', 'R', 'Kotlin', 'Rust', 'Bash / Shell Scripting', 'PowerShell',
    'JavaScript', 'TypeScript', 'Angular', 'React', 'Node.js', 'SQL', 'T-SQL', 'PL/SQL', 'Spark SQL', 'DAX', 'MDX',
    'Power Query (M)', 'Pandas', 'NumPy', 'PySpark', 'Scikit-learn', 'PyTorch', 'TensorFlow', 'Keras', 'R Shiny',
    'Apache Spark', 'Apache Flink', 'Hugging Face Transformers', 'LangChain', '.NET Platform', 'YAML', 'JSON', 'AWS',
    'Azure', 'Google Cloud Platform', 'Snowflake', 'Databricks', 'S3', 'Lambda', 'EC2', 'EKS', 'Redshift', 'Athena',
    'Kinesis', 'SageMaker', 'BigQuery', 'Google Cloud Storage', 'Dataflow', 'Pub/Sub', 'Vertex AI', 'Cloud Functions',
    'GKE', 'AKS', 'App Services', 'Azure Monitor', 'Azure Functions', 'Azure Synapse Analytics',
    'Azure Data Lake Storage', 'Azure Event Hubs', 'Azure Machine Learning', 'Microsoft Fabric', 'PostgreSQL', 'MySQL',
    'Microsoft SQL Server', 'Oracle Database', 'MongoDB', 'Cassandra', 'Redis', 'Elasticsearch', 'DynamoDB',
    'Cosmos DB', 'SQLite', 'MariaDB', 'Neo4j', 'ClickHouse', 'Teradata', 'Relational Database Concepts',
    'NoSQL Concepts', 'Azure Data Factory', 'AWS Glue', 'dbt (Data Build Tool)', 'Informatica PowerCenter / IDMC',
    'Talend', 'Microsoft SSIS', 'Airbyte', 'Fivetran', 'Matillion', 'Apache Kafka', 'Apache NiFi', 'Tableau',
    'Microsoft Power BI', 'Looker / Looker Studio', 'QlikView / Qlik Sense', 'MicroStrategy', 'Apache Superset',
    'Metabase', 'Grafana', 'Kibana', 'Power Query (Excel/Power BI)', 'LookML', 'Microsoft Excel', 'Git', 'GitHub',
    'GitLab CI', 'Jenkins', 'Terraform', 'Ansible', 'Kubernetes', 'Docker', 'Helm', 'Azure DevOps', 'GitHub Actions',
    'MLflow', 'Kubeflow', 'Datadog', 'Prometheus', 'Boto3 (AWS SDK for Python)', 'ArgoCD', 'Apache Airflow', 'Prefect',
    'Dagster', 'Luigi', 'AWS Step Functions', 'Azure Logic Apps', 'Jupyter Notebooks/Lab', 'Alation (Data Catalog)',
    'Dataiku', 'VS Code', 'Weaviate (Vector DB)', 'Pinecone (Vector DB)', 'Minio', 'ActiveMQ', 'RabbitMQ', 'Jira',
    'Confluence',
)


def test_the_table_is_large_and_covers_every_kind():
    kinds = {kind: sum(e.kind is kind for e in TAXONOMY) for kind in Kind}
    assert len(TAXONOMY) >= 500
    assert kinds[Kind.TOOL] >= 500 and kinds[Kind.CONCEPT] >= 100 and kinds[Kind.SOFT_SKILL] >= 40


def test_categories_are_the_skill_lists_of_the_models():
    assert list(CATEGORIES) + [PREFERRED] == [path for path, _, _ in skill_lists(JobExtraction())]
    assert {e.category for e in TAXONOMY} == set(CATEGORIES)


def test_every_possible_value_of_the_note_is_in_the_taxonomy_and_accepted_in_its_list():
    for name, field in TechnicalSkills.model_fields.items():
        for value in (field.json_schema_extra or {}).get("possible_values", []):
            if value == "Other":
                continue
            entry = TAXONOMY.entry(value)
            assert entry is not None and entry.canonical == value, value
            assert entry.belongs_in(f"technical_skills.{name}"), (value, entry.category)
    # the examples in the descriptions of the programming-language lists, too
    for value, path in [("Scala", "general_purpose"), ("Bash / Shell Scripting", "scripting_frontend"),
                        ("Power Query (M)", "query"), ("R Shiny", "data_ml_libs"),
                        (".NET Platform", "platform_runtime"), ("YAML", "configuration")]:
        assert category_of(value) == f"technical_skills.programming_languages.{path}"


def test_every_earlier_canonical_name_keeps_its_spelling():
    for name in EARLIER_CANONICALS:
        assert canonical_name(name) == name


def test_methodologies_are_exactly_the_vocabulary():
    assert sorted(e.canonical for e in TAXONOMY if e.category == METHODOLOGIES) == sorted(allowed(Methodology))


def test_canonical_names_fit_the_schema_and_are_found_in_their_own_words():
    for entry in TAXONOMY:
        assert len(entry.canonical) <= NAME_MAX_CHARS, entry.canonical
        assert find_evidence(entry.canonical, f"We use {entry.canonical} daily.") is not None, entry.canonical


@pytest.mark.parametrize("spelling, canonical", [
    ("comunicacao", "Communication"), ("Comunicação", "Communication"), ("Kommunikationsstärke", "Communication"),
    ("inglês", "English"), ("Englisch", "English"), ("anglais", "English"), ("inglés", "English"),
    ("alemão", "German"), ("Deutsch", "German"), ("Teamfähigkeit", "Teamwork"),
    ("modelagem dimensional", "Dimensional Modeling"), ("star schema", "Dimensional Modeling"),
    ("Kimball", "Dimensional Modeling"), ("DWH", "Data Warehousing (DWH)"), ("metodologias ágeis", "Agile Principles"),
    ("CI/CD", "CI/CD Practices"), ("TDD", "Test-Driven Development (TDD)"), ("k8s", "Kubernetes"),
])
def test_spellings_in_several_languages_map_to_english_canonicals(spelling, canonical):
    assert canonical_name(spelling) == canonical


def test_ambiguous_short_names_need_context():
    for name in ("R", "Go", "C", "Apache Spark", "AWS Glue", "Microsoft Excel", "Lambda", "Microsoft Fabric", "DAX"):
        assert TAXONOMY.entry(name).ambiguous, name
    for name in ("Snowflake", "PostgreSQL", "Terraform", "Databricks"):
        assert not TAXONOMY.entry(name).ambiguous, name


HEADER = "canonical,category,aliases,context,also\n"


@pytest.mark.parametrize("rows, message", [
    ("Foo,technical_skills.other_tools,bar,,\nBaz,technical_skills.other_tools,BAR,,\n",
     "spelling 'BAR' maps to both 'Foo' and 'Baz'"),
    ("Power BI,technical_skills.other_tools,,,\nPowerBI,technical_skills.other_tools,,,\n",
     "maps to both 'Power BI' and 'PowerBI'"),
    ("Foo,technical_skills.nowhere,,,\n", "unknown category 'technical_skills.nowhere' for 'Foo'"),
    ("Foo,technical_skills.other_tools,,,technical_skills.nowhere\n", "unknown category"),
    ("Foo,technical_skills.other_tools,bar,Baz,\n", "context spelling 'Baz' is not a spelling of 'Foo'"),
    ("Foo,technical_skills.other_tools\n", "expected 5 columns"),
])
def test_an_inconsistent_table_fails_loudly_naming_the_row(tmp_path, rows, message):
    path = tmp_path / "taxonomy.csv"
    path.write_text(HEADER + "# a comment line\n" + rows, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_taxonomy(path)
    assert str(path) in str(info.value) or "maps to both" in str(info.value)


def test_a_wrong_header_fails_loudly(tmp_path):
    path = tmp_path / "taxonomy.csv"
    path.write_text("name,category\nFoo,technical_skills.other_tools\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="header must be canonical,category,aliases,context,also"):
        load_taxonomy(path)
