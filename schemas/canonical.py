"""Canonical tool and skill names, their common spellings, and the grounding check.

Dashboards count skills by name, so "k8s", "Kubernetes" and "kubernetes " must
land on one row. Every name the design note lists under "Possible Values" is
canonical here; the aliases are the spellings seen in listings.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# canonical name -> other spellings. Matching ignores case, whitespace, '-', '_' and '.'.
CANONICAL_ALIASES: dict[str, tuple[str, ...]] = {
    # programming languages
    "Python": ("python3", "py"),
    "Java": (),
    "Scala": (),
    "Go": ("golang",),
    "C#": ("csharp", "c sharp"),
    "C++": ("cpp",),
    "R": ("r language",),
    "Kotlin": (),
    "Rust": (),
    "Bash / Shell Scripting": ("bash", "shell", "shell scripting", "shell script", "unix shell", "bash scripting"),
    "PowerShell": ("powershell scripting",),
    "JavaScript": ("js", "java script", "ecmascript"),
    "TypeScript": ("ts",),
    "Angular": ("angularjs",),
    "React": ("reactjs", "react js"),
    "Node.js": ("node", "nodejs"),
    "SQL": ("ansi sql",),
    "T-SQL": ("tsql", "transact-sql", "transact sql"),
    "PL/SQL": ("plsql", "pl sql"),
    "Spark SQL": ("sparksql",),
    "DAX": ("data analysis expressions",),
    "MDX": (),
    "Power Query (M)": ("m language", "power query m"),
    "Pandas": (),
    "NumPy": ("numpy",),
    "PySpark": ("py spark",),
    "Scikit-learn": ("sklearn", "scikit learn"),
    "PyTorch": ("torch",),
    "TensorFlow": ("tensor flow", "tf"),
    "Keras": (),
    "R Shiny": ("shiny",),
    "Apache Spark": ("spark",),
    "Apache Flink": ("flink",),
    "Hugging Face Transformers": ("huggingface", "hugging face", "transformers"),
    "LangChain": (),
    ".NET Platform": (".net", "dotnet", "dot net", ".net core", ".net framework"),
    "YAML": ("yml",),
    "JSON": (),
    # cloud platforms
    "AWS": ("amazon web services", "aws cloud"),
    "Azure": ("microsoft azure", "azure cloud"),
    "Google Cloud Platform": ("gcp", "google cloud"),
    "Snowflake": ("snowflake data cloud",),
    "Databricks": ("azure databricks", "databricks lakehouse"),
    # cloud services
    "S3": ("aws s3", "amazon s3", "amazon simple storage service"),
    "Lambda": ("aws lambda", "amazon lambda"),
    "EC2": ("aws ec2", "amazon ec2"),
    "EKS": ("aws eks", "amazon eks"),
    "Redshift": ("amazon redshift", "aws redshift"),
    "Athena": ("amazon athena", "aws athena"),
    "Kinesis": ("amazon kinesis", "aws kinesis"),
    "SageMaker": ("amazon sagemaker", "aws sagemaker"),
    "BigQuery": ("google bigquery", "big query", "bq"),
    "Google Cloud Storage": ("gcs", "cloud storage"),
    "Dataflow": ("google dataflow", "cloud dataflow", "gcp dataflow"),
    "Pub/Sub": ("pubsub", "google pub/sub", "cloud pub/sub"),
    "Vertex AI": ("google vertex ai",),
    "Cloud Functions": ("google cloud functions", "gcp cloud functions"),
    "GKE": ("google kubernetes engine",),
    "AKS": ("azure kubernetes service",),
    "App Services": ("azure app service", "azure app services", "app service"),
    "Azure Monitor": (),
    "Azure Functions": (),
    "Azure Synapse Analytics": ("azure synapse", "synapse", "synapse analytics"),
    "Azure Data Lake Storage": ("adls", "adls gen2", "azure data lake"),
    "Azure Event Hubs": ("event hubs", "eventhub"),
    "Azure Machine Learning": ("azure ml", "azureml"),
    "Microsoft Fabric": ("fabric", "ms fabric"),
    # databases
    "PostgreSQL": ("postgres", "postgre", "postgre sql", "psql"),
    "MySQL": ("my sql",),
    "Microsoft SQL Server": ("sql server", "ms sql server", "mssql", "ms sql", "sqlserver"),
    "Oracle Database": ("oracle", "oracle db"),
    "MongoDB": ("mongo", "mongo db"),
    "Cassandra": ("apache cassandra",),
    "Redis": (),
    "Elasticsearch": ("elastic search", "elastic"),
    "DynamoDB": ("amazon dynamodb", "aws dynamodb", "dynamo db"),
    "Cosmos DB": ("azure cosmos db", "cosmosdb"),
    "SQLite": (),
    "MariaDB": (),
    "Neo4j": (),
    "ClickHouse": (),
    "Teradata": (),
    "Relational Database Concepts": ("relational databases", "rdbms"),
    "NoSQL Concepts": ("nosql", "nosql databases"),
    # ETL / integration
    "Azure Data Factory": ("adf", "data factory"),
    "AWS Glue": ("glue",),
    "dbt (Data Build Tool)": ("dbt", "data build tool", "dbt core", "dbt cloud"),
    "Informatica PowerCenter / IDMC": ("informatica", "informatica powercenter", "powercenter", "idmc"),
    "Talend": (),
    "Microsoft SSIS": ("ssis", "sql server integration services"),
    "Airbyte": (),
    "Fivetran": (),
    "Matillion": (),
    "Apache Kafka": ("kafka", "confluent kafka"),
    "Apache NiFi": ("nifi",),
    # BI / visualisation
    "Tableau": (),
    "Microsoft Power BI": ("power bi", "powerbi", "ms power bi"),
    "Looker / Looker Studio": ("looker", "looker studio", "google data studio", "data studio"),
    "QlikView / Qlik Sense": ("qlik", "qlikview", "qlik sense", "qliksense"),
    "MicroStrategy": (),
    "Apache Superset": ("superset",),
    "Metabase": (),
    "Grafana": (),
    "Kibana": (),
    "Power Query (Excel/Power BI)": ("power query",),
    "LookML": (),
    "Microsoft Excel": ("excel", "ms excel"),
    # DevOps / MLOps / CI-CD
    "Git": (),
    "GitHub": (),
    "GitLab CI": ("gitlab", "gitlab ci/cd"),
    "Jenkins": (),
    "Terraform": (),
    "Ansible": (),
    "Kubernetes": ("k8s", "kube"),
    "Docker": ("docker containers",),
    "Helm": (),
    "Azure DevOps": ("ado", "azure devops pipelines", "vsts"),
    "GitHub Actions": ("gh actions",),
    "MLflow": ("ml flow",),
    "Kubeflow": (),
    "Datadog": ("data dog",),
    "Prometheus": (),
    "Boto3 (AWS SDK for Python)": ("boto3", "boto"),
    "ArgoCD": ("argo cd",),
    # orchestration
    "Apache Airflow": ("airflow", "cloud composer"),
    "Prefect": (),
    "Dagster": (),
    "Luigi": (),
    "AWS Step Functions": ("step functions",),
    "Azure Logic Apps": ("logic apps",),
    # other tools
    "Jupyter Notebooks/Lab": ("jupyter", "jupyter notebook", "jupyter notebooks", "jupyterlab", "jupyter lab"),
    "Alation (Data Catalog)": ("alation",),
    "Dataiku": (),
    "VS Code": ("vscode", "visual studio code"),
    "Weaviate (Vector DB)": ("weaviate",),
    "Pinecone (Vector DB)": ("pinecone",),
    "Minio": (),
    "ActiveMQ": ("apache activemq",),
    "RabbitMQ": (),
    "Jira": ("atlassian jira",),
    "Confluence": (),
}

_SEPARATORS = re.compile(r"[\s\-_.]+")


def match_key(name: str) -> str:
    """The comparison key: Unicode-normalised, case-folded, separators removed."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, aliases in CANONICAL_ALIASES.items():
        for spelling in (canonical, *aliases):
            key = match_key(spelling)
            if lookup.get(key, canonical) != canonical:
                raise ValueError(f"alias {spelling!r} maps to both {lookup[key]!r} and {canonical!r}")
            lookup[key] = canonical
    return lookup


_LOOKUP = _build_lookup()


def clean_text(value: str) -> str:
    """Collapse runs of whitespace and strip the ends."""
    return " ".join(value.split())


def canonical_name(name: str) -> str:
    """The canonical spelling of a tool or skill; unknown names are only cleaned."""
    cleaned = clean_text(name)
    return _LOOKUP.get(match_key(cleaned), cleaned)


def dedupe(values: Iterable[str], canonicalise: bool = True) -> list[str]:
    """Clean (and canonicalise) each value, drop empties and case-insensitive repeats, keep first order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        value = canonical_name(raw) if canonicalise else clean_text(raw)
        key = match_key(value)
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


_LOWER_WORDS = {"de", "da", "do", "das", "dos", "e", "am", "an", "der", "die", "im", "on", "upon", "and", "of"}
_ACRONYMS = {"US", "USA", "UK", "EU", "UAE", "EMEA", "APAC", "LATAM", "DACH", "NYC", "CEE", "MENA"}


def title_case_location(name: str) -> str:
    """Title Case a place name, keeping known acronyms (UK, EMEA) and inner particles (Rio de Janeiro)."""
    words = clean_text(name).split(" ")
    out = []
    for i, word in enumerate(words):
        if word.upper() in _ACRONYMS and (word.isupper() or len(words) == 1):
            out.append(word.upper())
        elif i > 0 and word.casefold() in _LOWER_WORDS:
            out.append(word.casefold())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)


def normalise_locations(values: Iterable[str]) -> list[str]:
    """Title Cased, deduplicated and sorted alphabetically, as the design note asks."""
    unique = dedupe((title_case_location(v) for v in values), canonicalise=False)
    return sorted(unique, key=lambda v: unicodedata.normalize("NFKD", v).casefold())


def surface_forms(name: str) -> set[str]:
    """Every spelling that counts as a mention of `name` in a listing."""
    canonical = canonical_name(name)
    forms = {canonical, *CANONICAL_ALIASES.get(canonical, ())}
    # "Looker / Looker Studio", "dbt (Data Build Tool)": each part is a mention too ("PL/SQL" is not split).
    for form in list(forms):
        for part in re.split(r"\s+/\s+|\s*\(|\)", form):
            part = part.strip()
            if len(part) >= 2 and part.casefold() not in {"lab", "vector db", "data catalog", "m"}:
                forms.add(part)
    return {f for f in forms if f}


def _normalise_for_search(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_grounded(name: str, listing_text: str) -> bool:
    """Whether the tool, or one of its spellings, occurs as a whole word in the listing."""
    haystack = _normalise_for_search(listing_text)
    for form in surface_forms(name):
        needle = re.escape(_normalise_for_search(form))
        # separators inside a name may be written as space, '-', '.' or nothing ("Power BI", "PowerBI")
        needle = re.sub(r"(\\ |\\-|\\\.|_)+", r"[\\s\\-_.]*", needle)
        if re.search(rf"(?<!\w){needle}(?![\w+#])", haystack):
            return True
    return False
