"""Pydantic models of one extraction: the design note's example output, key for key.

Each model is one section of the note's schema. Descriptions are the note's
own (the garbled stretch is rebuilt from `schema-notes.md`), because the
"full" prompt renders its schema text from these models. `possible_values`
carries the note's `// Possible Values:` comments.
"""
from __future__ import annotations

from typing import Annotated, Iterator, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from schemas.fields import (
    LIST_MAX_ITEMS,
    ConceptList,
    DaysOff,
    KeywordList,
    LocationList,
    NameList,
    PreferredList,
    ResponsibilityList,
    Text,
    Title,
    Years,
    vocabulary,
    vocabulary_list,
)
from schemas.vocab import CompanyType, Methodology, RemoteStatus, RoleSeniority, SpecificationLevel, allowed


def _one_of(enum) -> str:
    return "Use one of: [" + ", ".join(repr(v) for v in allowed(enum)) + "]."


def _possible(*values: str, etc: bool = True) -> dict:
    return {"possible_values": list(values), "possible_values_etc": etc}


class Section(BaseModel):
    """Common settings: unknown keys are errors, so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=False)


class JobSummary(Section):
    role_title: Title = Field(
        None,
        description="Standardized primary role title inferred from the description (e.g., 'Data Engineer', "
        "'Data Scientist', 'Cloud Engineer', 'BI Developer'). Use the most specific fitting category.",
    )
    role_objective: Text = Field(
        None,
        description="A concise summary or direct quote of the primary goal or objective of the role as stated "
        "in the description.",
    )
    role_seniority: Annotated[
        RoleSeniority, BeforeValidator(vocabulary(RoleSeniority, default=RoleSeniority.NOT_SPECIFIED))
    ] = Field(
        RoleSeniority.NOT_SPECIFIED,
        description="Inferred or stated seniority level. " + _one_of(RoleSeniority),
    )
    visa_sponsorship: Optional[bool] = Field(
        None,
        description="Set to true if the company explicitly states they offer visa sponsorship for this role, "
        "false if they state they do not. Null if not mentioned.",
    )


class CompanyInformation(Section):
    company_type: Annotated[
        CompanyType, BeforeValidator(vocabulary(CompanyType, default=CompanyType.NOT_SPECIFIED))
    ] = Field(
        CompanyType.NOT_SPECIFIED,
        description="Categorize the company based on its primary business model or industry. "
        + _one_of(CompanyType),
    )
    company_values_keywords: KeywordList = Field(
        default_factory=list,
        description="List keywords or short phrases representing explicitly stated company values or culture "
        "aspects (e.g., 'Inovação', 'Collaboration', 'Transparency', 'Work-life balance').",
    )


class LocationAndWorkModel(Section):
    specification_level: Annotated[
        SpecificationLevel,
        BeforeValidator(vocabulary(SpecificationLevel, default=SpecificationLevel.NOT_SPECIFIED)),
    ] = Field(
        SpecificationLevel.NOT_SPECIFIED,
        description="Indicates if specific location, remote status, or 'Global' was identified.",
        json_schema_extra={"render_enum": True},
    )
    remote_status: Annotated[
        RemoteStatus, BeforeValidator(vocabulary(RemoteStatus, default=RemoteStatus.NOT_SPECIFIED))
    ] = Field(
        RemoteStatus.NOT_SPECIFIED,
        description="Identify the primary work model. " + _one_of(RemoteStatus),
    )
    flexibility: KeywordList = Field(
        default_factory=list,
        description="List specific flexibility options mentioned, e.g., ['Flexible Schedule'].",
    )
    locations: LocationList = Field(
        default_factory=list,
        description="List standardized, Title Cased locations (Cities, Countries, Regions, 'Global') mentioned. "
        "Sort alphabetically.",
    )


class ProgrammingLanguages(Section):
    general_purpose: NameList = Field(
        default_factory=list,
        description="List standardized general-purpose languages (e.g., Python, Java, Scala, Go, C#, R).",
    )
    scripting_frontend: NameList = Field(
        default_factory=list,
        description="List standardized scripting or frontend languages/frameworks (e.g., Bash / Shell Scripting, "
        "JavaScript, TypeScript, Angular).",
    )
    query: NameList = Field(
        default_factory=list,
        description="List standardized query languages (e.g., SQL, T-SQL, PL/SQL, Spark SQL, DAX, MDX, "
        "Power Query (M)).",
    )
    data_ml_libs: NameList = Field(
        default_factory=list,
        description="List standardized data/ML specific libraries/frameworks (e.g., Pandas, PySpark, "
        "Scikit-learn, PyTorch, TensorFlow, R Shiny). Note: Base frameworks like Spark/Flink go here too.",
    )
    platform_runtime: NameList = Field(
        default_factory=list, description="List specific platforms/runtimes like '.NET Platform'."
    )
    configuration: NameList = Field(
        default_factory=list, description="List configuration languages like 'YAML'."
    )
    other_specialized: NameList = Field(
        default_factory=list,
        description="List other specialized languages not fitting neatly into the categories above.",
    )


class DataArchitectureConcepts(Section):
    data_modeling: ConceptList = Field(default_factory=list, description="Data modeling techniques.")
    data_storage_paradigms: ConceptList = Field(default_factory=list, description="Data storage concepts/systems.")
    etl_elt_pipelines: ConceptList = Field(
        default_factory=list, description="Data movement/transformation concepts."
    )
    data_governance_quality: ConceptList = Field(
        default_factory=list, description="Data governance/quality concepts."
    )
    architecture_patterns: ConceptList = Field(default_factory=list, description="Data architecture patterns.")
    big_data_concepts: ConceptList = Field(default_factory=list, description="Big Data specific concepts.")
    cloud_data_architecture: ConceptList = Field(
        default_factory=list, description="Cloud-specific data architecture concepts."
    )
    ml_ai_data_concepts: ConceptList = Field(default_factory=list, description="ML/AI infrastructure/data concepts.")
    core_principles_optimization: ConceptList = Field(
        default_factory=list, description="Core design/optimization principles."
    )


class TechnicalSkills(Section):
    programming_languages: ProgrammingLanguages = Field(
        default_factory=ProgrammingLanguages,
        description="Categorized required programming, scripting and query languages.",
    )
    cloud_services_tools: NameList = Field(
        default_factory=list,
        description="List specific cloud services or tools required (e.g., S3, ADF, Glue, Lambda, GCS, BigQuery).",
    )
    cloud_platforms: NameList = Field(
        default_factory=list,
        description="List major cloud providers or core data platforms required (e.g., AWS, Azure, GCP, "
        "Snowflake, Databricks).",
        json_schema_extra=_possible("AWS", "Azure", "Google Cloud Platform", "Snowflake", "Databricks"),
    )
    database_technologies: NameList = Field(
        default_factory=list,
        description="List specific database technologies or general database concepts required.",
        json_schema_extra=_possible(
            "PostgreSQL", "MySQL", "Microsoft SQL Server", "Oracle Database", "MongoDB", "Cassandra", "Redis",
            "Elasticsearch", "DynamoDB", "Cosmos DB", "Relational Database Concepts", "NoSQL Concepts", "Other",
            etc=False,
        ),
    )
    data_architecture_concepts: DataArchitectureConcepts = Field(
        default_factory=DataArchitectureConcepts,
        description="Categorized required knowledge of data architecture concepts.",
        json_schema_extra={
            "possible_values_note": "Possible Values within sub-arrays: Standardized concepts like "
            '"Dimensional Modeling", "Data Lake Architecture", "ETL Design & Development", '
            '"Data Quality Management", "Medallion Architecture", etc.'
        },
    )
    etl_integration_tools: NameList = Field(
        default_factory=list,
        description="List specific ETL, ELT, or Data Integration tools required.",
        json_schema_extra=_possible(
            "Azure Data Factory", "AWS Glue", "dbt (Data Build Tool)", "Informatica PowerCenter / IDMC", "Talend",
            "Microsoft SSIS", "Airbyte", "Fivetran", "Matillion",
        ),
    )
    data_visualization_bi_tools: NameList = Field(
        default_factory=list,
        description="List specific Business Intelligence or Data Visualization tools required.",
        json_schema_extra=_possible(
            "Tableau", "Microsoft Power BI", "Looker / Looker Studio", "QlikView / Qlik Sense", "MicroStrategy",
            "Apache Superset", "Metabase", "Grafana", "Kibana", "Power Query (Excel/Power BI)", "DAX", "LookML",
        ),
    )
    devops_mlops_ci_cd_tools: NameList = Field(
        default_factory=list,
        description="List specific DevOps, MLOps, CI/CD, IaC, or Monitoring tools required.",
        json_schema_extra=_possible(
            "Git", "Jenkins", "Terraform", "Kubernetes", "Docker", "Azure DevOps", "GitHub Actions", "MLflow",
            "Kubeflow", "Datadog", "Prometheus", "Boto3 (AWS SDK for Python)",
        ),
    )
    orchestration_workflow_tools: NameList = Field(
        default_factory=list,
        description="List specific workflow orchestration tools required.",
        json_schema_extra=_possible(
            "Apache Airflow", "Prefect", "Dagster", "Luigi", "AWS Step Functions", "Azure Logic Apps"
        ),
    )
    other_tools: NameList = Field(
        default_factory=list,
        description="List other relevant tools not fitting neatly into the above categories (e.g., IDEs, "
        "Data Catalogs, Vector DBs).",
        json_schema_extra=_possible(
            "Jupyter Notebooks/Lab", "Alation (Data Catalog)", "Dataiku", "VS Code", "Weaviate (Vector DB)",
            "Pinecone (Vector DB)", "Minio", "ActiveMQ", "RabbitMQ",
        ),
    )


class RequiredQualifications(Section):
    experience_years_min: Years = Field(
        None,
        description="Minimum years of experience required (e.g., from '1-6 years' extract 1, from '3+ years' "
        "extract 3).",
    )
    experience_years_max: Years = Field(
        None,
        description="Maximum years of experience specified (e.g., from '1-6 years' extract 6). Null if only "
        "minimum or range isn't specified.",
    )
    experience_description: Text = Field(
        None,
        description="The raw text describing the experience requirement (e.g., '1 e 6 anos em projetos de Data', "
        "'3+ years of hands-on experience').",
    )
    education_requirements: Text = Field(
        None,
        description="Required level of education or field of study (e.g., 'BSc Computer Science', "
        "'Licenciatura/ Mestrado nas áreas de Engenharia Informática...').",
    )
    technical_skills: TechnicalSkills = Field(default_factory=TechnicalSkills)
    methodologies_practices: Annotated[
        list[Methodology], BeforeValidator(vocabulary_list(Methodology)), Field(max_length=LIST_MAX_ITEMS)
    ] = Field(
        default_factory=list,
        description="List required development methodologies or practices.",
        json_schema_extra=_possible(*allowed(Methodology), etc=False),
    )
    soft_skills_keywords: KeywordList = Field(
        default_factory=list, description="List required soft skills or general keywords."
    )

    @model_validator(mode="after")
    def _years_in_order(self) -> "RequiredQualifications":
        low, high = self.experience_years_min, self.experience_years_max
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"experience_years_min ({low}) is greater than experience_years_max ({high}); "
                "swap them or set experience_years_max to null"
            )
        return self


class PreferredQualifications(Section):
    skills_keywords: PreferredList = Field(
        default_factory=list, description="List of preferred skills, tools, languages, or concepts."
    )
    other_notes: Text = Field(None, description="Any other text describing preferred qualifications.")


class RoleContext(Section):
    collaboration_with: KeywordList = Field(
        default_factory=list, description="List of teams or roles this position collaborates with."
    )
    team_structure: Text = Field(None, description="Description of the team structure or context.")
    project_scope: Text = Field(None, description="Description of the type or scope of projects involved.")
    key_responsibilities: ResponsibilityList = Field(
        default_factory=list, description="List of key tasks and responsibilities mentioned."
    )


class Benefits(Section):
    training_development: Text = Field(
        None, description="Description of training and development opportunities."
    )
    learning_platforms: KeywordList = Field(
        default_factory=list,
        description="List specific learning platforms mentioned by name (e.g., 'Udemy', 'LinkedIn Learning').",
    )
    paid_time_off_days: DaysOff = Field(None, description="Specific number of paid time off days mentioned.")
    other_benefits_keywords: KeywordList = Field(
        default_factory=list,
        description="List keywords for other benefits (e.g., 'Health Insurance', 'Meal Allowance', "
        "'Well-being Program').",
    )


SECTION_COMMENTS = {
    "preferred_qualifications": "Nice-to-have skills and qualifications.",
    "role_context": "Information about the role's interactions and scope.",
    "benefits": "Perks and benefits offered.",
}


class JobExtraction(Section):
    """Schema for storing structured job description data."""  # also the schema text's top "_comment"

    job_summary: JobSummary = Field(default_factory=JobSummary)
    company_information: CompanyInformation = Field(default_factory=CompanyInformation)
    location_and_work_model: LocationAndWorkModel = Field(default_factory=LocationAndWorkModel)
    required_qualifications: RequiredQualifications = Field(default_factory=RequiredQualifications)
    preferred_qualifications: PreferredQualifications = Field(default_factory=PreferredQualifications)
    role_context: RoleContext = Field(default_factory=RoleContext)
    benefits: Benefits = Field(default_factory=Benefits)


def iter_lists(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every list of strings in a model, with its dotted path, values as plain strings."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, BaseModel):
            yield from iter_lists(value, path)
        elif isinstance(value, list):
            yield path, [getattr(v, "value", v) for v in value]


def skill_lists(extraction: JobExtraction) -> Iterator[tuple[str, str, list[str]]]:
    """(category path, required|preferred, names) for every list that names skills."""
    required = extraction.required_qualifications
    for path, names in iter_lists(required.technical_skills, "technical_skills"):
        yield path, "required", names
    yield "methodologies_practices", "required", [m.value for m in required.methodologies_practices]
    yield "soft_skills_keywords", "required", list(required.soft_skills_keywords)
    yield "preferred_qualifications.skills_keywords", "preferred", list(
        extraction.preferred_qualifications.skills_keywords
    )


def is_empty_extraction(extraction: JobExtraction) -> bool:
    """No role title, no skill of any kind and no responsibility: what the model gives a text that is no listing."""
    return (extraction.job_summary.role_title is None
            and not extraction.role_context.key_responsibilities
            and not any(names for _, _, names in skill_lists(extraction)))
