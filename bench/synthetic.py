"""Synthetic pipeline outputs at any scale, for the dashboard's benchmark and screenshots.

`.venv/bin/python bench/synthetic.py OUT --jobs 100000` writes the four tables with
the real Arrow schemas (`schemas.tables`) and a run_summary.json, in the
pipeline's folder layout. The distributions are made up but shaped like
listings: skill names are canonical names of the taxonomy (`schemas`), each
category's popularity falls off like a Zipf law in the order the design note
lists them, roles pull their own skills up, a few skills rise or fall over
the ingestion year, seniority sets the years of experience asked, and the
work model depends on the country. Each listing's text names its skills
(sometimes by an alias, e.g. "k8s") and the skill rows carry the evidence
offsets into that text, as the pipeline writes them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas.canonical import CANONICAL_ALIASES, canonical_name  # noqa: E402
from schemas.models import TechnicalSkills  # noqa: E402
from schemas.tables import TABLE_NAMES, arrow_schema  # noqa: E402
from schemas.vocab import Methodology, allowed  # noqa: E402

MODEL, OLD_MODEL = "qwen3-1.7b-jobx@7f3a9c2e", "smollm2-135m-jobx@1b2c3d4e"
START = dt.date(2025, 12, 1)
DAYS = 365
PARTS = 4

_POSSIBLE = {name: list((field.json_schema_extra or {}).get("possible_values", []))
             for name, field in TechnicalSkills.model_fields.items()}
PL = "technical_skills.programming_languages"
DA = "technical_skills.data_architecture_concepts"
# category path -> (names, most popular first; mean items per listing)
_CATEGORIES: dict[str, tuple[list[str], float]] = {
    f"{PL}.general_purpose": (["Python", "Java", "Scala", "R", "Go", "C#", "C++", "Kotlin", "Rust"], 1.2),
    f"{PL}.scripting_frontend": (["Bash / Shell Scripting", "JavaScript", "TypeScript", "PowerShell"], 0.3),
    f"{PL}.query": (["SQL", "Spark SQL", "T-SQL", "PL/SQL", "DAX"], 1.0),
    f"{PL}.data_ml_libs": (["Apache Spark", "Pandas", "PySpark", "NumPy", "Scikit-learn", "PyTorch", "TensorFlow",
                            "Apache Flink", "Hugging Face Transformers", "LangChain"], 1.0),
    "technical_skills.cloud_platforms": (_POSSIBLE["cloud_platforms"], 1.0),
    "technical_skills.cloud_services_tools": (
        ["S3", "BigQuery", "Redshift", "Lambda", "Azure Synapse Analytics", "Google Cloud Storage",
         "Azure Data Lake Storage", "Athena", "Dataflow", "Pub/Sub", "Kinesis", "Microsoft Fabric", "Vertex AI",
         "SageMaker", "EC2"], 0.8),
    "technical_skills.database_technologies": ([v for v in _POSSIBLE["database_technologies"] if v != "Other"], 0.8),
    "technical_skills.etl_integration_tools": (_POSSIBLE["etl_integration_tools"] + ["Apache Kafka"], 0.5),
    "technical_skills.data_visualization_bi_tools": (_POSSIBLE["data_visualization_bi_tools"], 0.6),
    "technical_skills.devops_mlops_ci_cd_tools": (_POSSIBLE["devops_mlops_ci_cd_tools"], 0.9),
    "technical_skills.orchestration_workflow_tools": (_POSSIBLE["orchestration_workflow_tools"], 0.4),
    "technical_skills.other_tools": (["Microsoft Excel", "Jira"] + _POSSIBLE["other_tools"], 0.4),
    f"{DA}.data_modeling": (["Dimensional Modeling", "Data Vault", "Star Schema"], 0.4),
    f"{DA}.data_storage_paradigms": (["Data Warehousing", "Data Lake Architecture", "Lakehouse"], 0.4),
    f"{DA}.etl_elt_pipelines": (["ETL Design & Development", "ELT", "Change Data Capture"], 0.4),
    f"{DA}.data_governance_quality": (["Data Quality Management", "Data Governance", "Data Lineage"], 0.3),
    f"{DA}.architecture_patterns": (["Medallion Architecture", "Data Mesh", "Streaming Architecture"], 0.2),
    "methodologies_practices": (allowed(Methodology), 0.8),
    "soft_skills_keywords": (["Communication", "Teamwork", "Problem Solving", "Ownership", "Stakeholder Management",
                              "English", "Analytical Thinking", "Curiosity", "Mentoring"], 1.4),
}
# the taxonomy's own spelling of every name, whatever the taxonomy calls it today (e.g. "Data Warehousing (DWH)")
CATEGORIES = {path: (list(dict.fromkeys(canonical_name(n) for n in names)), mean)
              for path, (names, mean) in _CATEGORIES.items()}
PREFERRED_MEAN = 1.0  # preferred skills per listing, drawn from the technical categories
_ROLES: dict[str, tuple[float, tuple[str, ...]]] = {  # share of listings, skills the role pulls up
    "Data Engineer": (0.28, ("Python", "SQL", "Apache Spark", "Apache Airflow", "dbt (Data Build Tool)", "AWS",
                             "Apache Kafka", "Databricks", "Snowflake", "Docker", "Terraform", "Scala", "Git")),
    "Data Analyst": (0.18, ("SQL", "Microsoft Power BI", "Tableau", "Microsoft Excel", "Python", "DAX",
                            "Looker / Looker Studio", "Communication", "Stakeholder Management")),
    "Data Scientist": (0.12, ("Python", "Pandas", "Scikit-learn", "R", "SQL", "PyTorch", "TensorFlow", "NumPy",
                              "A/B Testing", "Jupyter Notebooks/Lab")),
    "Machine Learning Engineer": (0.08, ("Python", "PyTorch", "MLflow", "Kubernetes", "Docker", "TensorFlow",
                                         "Hugging Face Transformers", "Vertex AI", "SageMaker", "LangChain")),
    "Analytics Engineer": (0.07, ("SQL", "dbt (Data Build Tool)", "Snowflake", "BigQuery", "Looker / Looker Studio",
                                  "Git", "Dimensional Modeling", "Fivetran", "Airbyte")),
    "BI Developer": (0.07, ("Microsoft Power BI", "DAX", "T-SQL", "Microsoft SQL Server", "Microsoft SSIS",
                            "Tableau", "QlikView / Qlik Sense", "Star Schema")),
    "Data Architect": (0.05, ("Data Mesh", "Medallion Architecture", "Azure", "Databricks", "Data Governance",
                              "Data Vault", "Lakehouse", "Snowflake")),
    "Cloud Data Engineer": (0.06, ("Azure", "Azure Data Factory", "Databricks", "Azure Synapse Analytics",
                                   "Microsoft Fabric", "Google Cloud Platform", "BigQuery", "Dataflow", "Terraform")),
    "DevOps Engineer": (0.05, ("Kubernetes", "Docker", "Terraform", "Jenkins", "GitHub Actions", "Prometheus",
                               "Bash / Shell Scripting", "CI/CD Practices", "Go")),
    "Software Engineer (Data)": (0.04, ("Java", "Scala", "Kotlin", "Go", "PostgreSQL", "Apache Kafka", "Docker",
                                        "Test-Driven Development (TDD)")),
}
ROLES = {role: (share, tuple(canonical_name(n) for n in pulled)) for role, (share, pulled) in _ROLES.items()}
ROLE_PULL = 6.0  # how much more likely a role's own skills are
_RISING = {"Microsoft Fabric": 3.0, "dbt (Data Build Tool)": 1.5, "LangChain": 4.0, "Databricks": 1.0,
          "Hugging Face Transformers": 2.0, "Dagster": 1.5}  # weight grows by this factor over the year
_FALLING = {"Informatica PowerCenter / IDMC": 0.7, "Microsoft SSIS": 0.6, "QlikView / Qlik Sense": 0.6,
           "Talend": 0.5, "Oracle Database": 0.4}  # weight shrinks by this share over the year
RISING = {canonical_name(n): f for n, f in _RISING.items()}
FALLING = {canonical_name(n): f for n, f in _FALLING.items()}
SENIORITY = {"Internship": (0.03, None), "Junior": (0.15, (0, 2)), "Mid-Level": (0.28, (2, 4)),
             "Senior": (0.30, (4, 7)), "Lead": (0.07, (6, 10)), "Staff": (0.02, (8, 12)),
             "Principal": (0.02, (10, 15)), "Manager": (0.04, (5, 10)), "Director": (0.01, (10, 15)),
             "Not Specified": (0.08, (1, 5))}
COUNTRIES = {  # share of listings, cities, P(fully remote, region remote, hybrid, office, not specified)
    "Portugal": (0.22, ["Lisbon", "Porto", "Braga"], (0.25, 0.10, 0.40, 0.15, 0.10)),
    "Germany": (0.25, ["Berlin", "Munich", "Hamburg", "Frankfurt"], (0.12, 0.08, 0.50, 0.22, 0.08)),
    "Spain": (0.12, ["Madrid", "Barcelona", "Valencia"], (0.20, 0.10, 0.42, 0.18, 0.10)),
    "Netherlands": (0.10, ["Amsterdam", "Rotterdam", "Utrecht"], (0.10, 0.08, 0.60, 0.15, 0.07)),
    "France": (0.09, ["Paris", "Lyon"], (0.08, 0.05, 0.50, 0.30, 0.07)),
    "Poland": (0.08, ["Warsaw", "Krakow", "Wroclaw"], (0.30, 0.15, 0.30, 0.15, 0.10)),
    "Ireland": (0.06, ["Dublin", "Cork"], (0.10, 0.10, 0.55, 0.18, 0.07)),
    "Brazil": (0.08, ["São Paulo", "Rio de Janeiro"], (0.35, 0.10, 0.30, 0.15, 0.10)),
}
REMOTE_STATUSES = ("Fully Remote", "Remote (Region Specific)", "Hybrid", "Office-based", "Not Specified")
COMPANY_TYPES = {"IT Consulting / System Integration": 0.2, "Software Product / SaaS": 0.18, "Fintech": 0.1,
                 "Banking / Financial Institution": 0.08, "E-commerce / Marketplace Platform": 0.07,
                 "IT Outsourcing / Nearshore / Dev Shop": 0.08, "AI / Data Science Focused": 0.05,
                 "Healthcare / Pharma / Biotech": 0.05, "Telecommunications": 0.04, "Energy": 0.03,
                 "Automotive / Mobility Provider": 0.03, "Manufacturing / Industrial": 0.03,
                 "Tech Hub / Academy / Recruitment": 0.03, "Not Specified / Other": 0.03}
BENEFITS = {"Health Insurance": 0.55, "Training Budget": 0.35, "Meal Allowance": 0.3, "Bonus": 0.28,
            "Remote Work Allowance": 0.2, "Stock Options": 0.15, "Life Insurance": 0.14, "Pension Plan": 0.13,
            "Gym Membership": 0.12, "Parental Leave": 0.1, "Team Events": 0.1, "Company Car": 0.04}
PLATFORMS = {"Udemy": 0.12, "Coursera": 0.08, "LinkedIn Learning": 0.07, "Pluralsight": 0.05,
             "O'Reilly": 0.04, "DataCamp": 0.03, "A Cloud Guru": 0.03}
FLEXIBILITY = {"Flexible Schedule": 0.35, "Flexible Hours": 0.15, "Work From Anywhere Weeks": 0.06,
               "Four-Day Week": 0.02}
ERRORS = {("validate", "truncated"): 0.5, ("validate", "schema_violation"): 0.2, ("validate", "invalid_json"): 0.12,
          ("normalise", "empty_description"): 0.1, ("normalise", "input_too_long"): 0.05,
          ("inference", "unexpected_error"): 0.03}


def _check_names() -> None:
    """Every skill a role pulls up or a trend moves must be one the categories can draw."""
    pool = {name for names, _ in CATEGORIES.values() for name in names}
    for name in {n for _, pulled in ROLES.values() for n in pulled} | set(RISING) | set(FALLING):
        if name not in pool:
            raise ValueError(f"synthetic skill {name!r} is in no category")


def _pick(rng: np.random.Generator, table: dict[Any, float], n: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _draw_category(rng: np.random.Generator, names: list[str], mean: float, roles: np.ndarray,
                   t: np.ndarray) -> list[list[int]]:
    """For every listing, indices into `names`: a Poisson number of them, without repeats, weighted by popularity,
    the listing's role and its date (Gumbel top-k sampling, all listings at once)."""
    n, m = len(roles), len(names)
    base = 1.0 / np.arange(1, m + 1) ** 1.1
    role_names = list(ROLES)
    pull = np.array([[ROLE_PULL if name in ROLES[r][1] else 1.0 for name in names] for r in role_names])
    weight = base[None, :] * pull[roles]
    for j, name in enumerate(names):
        if name in RISING:
            weight[:, j] *= 1 + RISING[name] * t
        if name in FALLING:
            weight[:, j] *= 1 - FALLING[name] * t
    keys = np.log(weight) + rng.gumbel(size=(n, m))
    order = np.argsort(-keys, axis=1)
    counts = np.minimum(rng.poisson(mean * (1 + 0.5 * (pull[roles].max(axis=1) > 1)), size=n), m)
    return [order[i, :counts[i]].tolist() for i in range(n)]


def _alias(name: str, rng: np.random.Generator) -> str:
    """The words a listing uses for a skill: mostly its name, sometimes a known alias."""
    aliases = [a for a in CANONICAL_ALIASES.get(name, ()) if len(a) > 2]
    return aliases[rng.integers(len(aliases))] if aliases and rng.random() < 0.25 else name


def generate(jobs: int, seed: int = 0, old_share: float = 0.05, error_share: float = 0.02
             ) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The four tables (Arrow, with the schemas' types) and a run summary for `jobs` listings."""
    _check_names()
    rng = np.random.default_rng(seed)
    role_names = list(ROLES)
    roles = rng.choice(len(role_names), size=jobs, p=np.array([ROLES[r][0] for r in role_names]) / sum(
        ROLES[r][0] for r in role_names))
    day = np.minimum((np.sqrt(rng.random(jobs)) * DAYS).astype(int), DAYS - 1)  # volume grows over the year
    t = day / DAYS
    seniority = _pick(rng, {k: v[0] for k, v in SENIORITY.items()}, jobs)
    country = _pick(rng, {k: v[0] for k, v in COUNTRIES.items()}, jobs)
    company_type = _pick(rng, COMPANY_TYPES, jobs)
    company_weight = 1.0 / (np.arange(4000) + 20.0)  # a few big hirers, a long tail
    company = rng.choice(4000, size=jobs, p=company_weight / company_weight.sum()) + 1
    drawn = {path: _draw_category(rng, names, mean, roles, t) for path, (names, mean) in CATEGORIES.items()}
    technical = [(path, name) for path, (names, _) in CATEGORIES.items() if path.startswith("technical_skills.")
                 and not path.startswith(DA) for name in names]
    tech_weight = np.array([1.0 / (1 + i % 7) for i in range(len(technical))])
    preferred = [rng.choice(len(technical), size=min(rng.poisson(PREFERRED_MEAN), 6), replace=False,
                            p=tech_weight / tech_weight.sum()) for _ in range(jobs)]

    cols: dict[str, dict[str, list]] = {n: {c.name: [] for c in arrow_schema(n)} for n in TABLE_NAMES}
    months = [START + dt.timedelta(days=d) for d in range(0, DAYS + 31, 31)]

    def keys(table: str, job_id: str, model: str, ingested: dt.date) -> None:
        run_month = ingested.replace(day=1) if model == MODEL else dt.date(2026, 6, 1)
        at = dt.datetime.combine(run_month + dt.timedelta(days=32), dt.time(6), dt.timezone.utc).replace(day=1)
        c = cols[table]
        c["job_id"].append(job_id)
        c["model_version"].append(model)
        c["extraction_date"].append(at.date())
        c["extracted_at"].append(at)
        c["run_id"].append(f"{'run' if model == MODEL else 'trial'}-{at:%Y%m}")

    old = set(rng.choice(jobs, size=int(jobs * old_share), replace=False).tolist())
    for i in range(jobs):
        role = role_names[roles[i]]
        ingested = START + dt.timedelta(days=int(day[i]))
        cities = COUNTRIES[country[i]][1]
        city = cities[min(int(rng.zipf(2.0)) - 1, len(cities) - 1)]
        remote = REMOTE_STATUSES[rng.choice(5, p=COUNTRIES[country[i]][2])]
        locations = sorted({city, country[i]} if rng.random() < 0.8 else {country[i]})
        if remote == "Remote (Region Specific)":
            locations = sorted(set(locations) | {"Europe"})
        span = SENIORITY[seniority[i]][1]
        years = None if span is None or rng.random() < 0.25 else int(rng.integers(span[0], span[1] + 1))
        skills = [(path, CATEGORIES[path][0][j], "required") for path in CATEGORIES for j in drawn[path][i]]
        have = {name for _, name, _ in skills}
        skills += [("preferred_qualifications.skills_keywords", technical[j][1], "preferred")
                   for j in preferred[i] if technical[j][1] not in have]
        perks = [b for b, p in BENEFITS.items() if rng.random() < p]
        platforms = [b for b, p in PLATFORMS.items() if rng.random() < p]
        flexible = [b for b, p in FLEXIBILITY.items() if rng.random() < p]
        # the listing text, with the skills' evidence offsets
        text = (f"{seniority[i]} {role} at Company {company[i]} ({', '.join(locations)}; {remote}).\n"
                f"About the role: you will build data products for a company in {company_type[i]}.\n")
        if years is not None:
            text += f"You bring {years}+ years of experience.\n"
        text += "What we ask:\n"
        evidence = []
        for k, (path, name, requirement) in enumerate(skills):
            if requirement == "preferred" and skills[k - 1][2] == "required":
                text += "Nice to have:\n"
            words = _alias(name, rng)
            text += "- "
            evidence.append((len(text), len(text) + len(words), words))
            text += f"{words}\n"
        text += "We offer: " + (", ".join(perks + platforms + flexible) or "a friendly team") + ".\n"
        extraction: dict[str, Any] = {"job_summary": {"role_title": role, "role_seniority": seniority[i]},
                                      "location_and_work_model": {"remote_status": remote, "locations": locations},
                                      "required_qualifications": {"experience_years_min": years}}
        for path, name, requirement in skills:
            node = extraction if path.startswith("preferred") else extraction["required_qualifications"]
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node.setdefault(leaf, []).append(name)
        for model in (MODEL, OLD_MODEL) if i in old else (MODEL,):
            kept = skills if model == MODEL else skills[::2]
            spans = evidence if model == MODEL else evidence[::2]
            job_id = f"{4200000000 + i}"
            keys("jobs", job_id, model, ingested)
            c = cols["jobs"]
            for name, value in (("prompt_version", "compact-v3"), ("prompt_style", "compact"),
                                ("input_truncated", rng.random() < 0.01), ("job_title", f"{role} ({seniority[i]})"),
                                ("company_name", f"Company {company[i]}"), ("listing_location", city),
                                ("ingestion_date", ingested), ("listing_text", text), ("role_title", role),
                                ("role_objective", None), ("role_seniority", seniority[i]),
                                ("visa_sponsorship", None), ("company_type", company_type[i]),
                                ("company_values_keywords", []),
                                ("specification_level", "Specific Location / Remote Status Identified"),
                                ("remote_status", remote), ("flexibility", flexible), ("locations", locations),
                                ("experience_years_min", years), ("experience_years_max", None),
                                ("experience_description", None), ("education_requirements", None),
                                ("methodologies_practices", [n for p, n, _ in kept if p == "methodologies_practices"]),
                                ("soft_skills_keywords", [n for p, n, _ in kept if p == "soft_skills_keywords"]),
                                ("preferred_other_notes", None), ("collaboration_with", []),
                                ("team_structure", None), ("project_scope", None), ("key_responsibilities", []),
                                ("training_development", None), ("paid_time_off_days", None),
                                ("skill_count", len(kept)), ("skills_removed", int(rng.random() < 0.1)),
                                ("skills_recovered", int(rng.random() < 0.15)),
                                ("extraction_json", json.dumps(extraction, ensure_ascii=False))):
                c[name].append(value)
            for (path, name, requirement), (start, end, words) in zip(kept, spans):
                keys("job_skills", job_id, model, ingested)
                s = cols["job_skills"]
                s["skill"].append(name)
                s["category"].append(path)
                s["requirement"].append(requirement)
                s["grounded"].append(True)
                s["source"].append("model" if rng.random() < 0.85 else ("both" if rng.random() < 0.7 else "taxonomy"))
                s["evidence_start"].append(start)
                s["evidence_end"].append(end)
                s["evidence_text"].append(words)
                s["section"].append("nice_to_have" if requirement == "preferred" else "requirements")
            for kind, values in (("benefit", perks), ("learning_platform", platforms), ("flexibility", flexible)):
                for value in values:
                    keys("job_benefits", job_id, model, ingested)
                    cols["job_benefits"]["benefit"].append(value)
                    cols["job_benefits"]["kind"].append(kind)
                    for column in ("evidence_start", "evidence_end", "evidence_text"):
                        cols["job_benefits"][column].append(None)  # the synthetic text names no benefits
    errors = int(jobs * error_share)
    for k, (stage, reason) in enumerate(_pick(rng, ERRORS, errors)):
        keys("extraction_errors", f"{4300000000 + k}", MODEL, months[k % 12])
        e = cols["extraction_errors"]
        e["stage"].append(stage)
        e["reason"].append(reason)
        e["detail"].append(f"synthetic {reason}")
        e["raw_output"].append('{"job_summary": {"role_title": "Data Eng' if stage == "validate" else None)
        e["input_excerpt"].append("<p>Join our data team ...")
    tables = {name: pa.table(columns, schema=arrow_schema(name)) for name, columns in cols.items()}
    duplicates = int(jobs * 0.03)
    summary = {"run_id": f"run-{months[-1]:%Y%m}", "model_version": MODEL, "prompt_style": "compact",
               "read": jobs + errors + duplicates, "extracted": jobs, "dead_lettered": errors,
               "dead_lettered_by": {f"{s}/{r}": n for (s, r), n in sorted(
                   _count(cols["extraction_errors"]["stage"], cols["extraction_errors"]["reason"]).items())},
               "duplicates": duplicates, "reconciled": True,
               "rows": {name: tables[name].num_rows for name in tables}, "synthetic": True}
    return tables, summary


def _count(stages: list[str], reasons: list[str]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for key in zip(stages, reasons):
        found[key] = found.get(key, 0) + 1
    return found


def write(tables: dict[str, pa.Table], summary: dict[str, Any], out: Path) -> None:
    """The pipeline's layout: `<out>/<table>/part-0000i-of-0000n.parquet` and `<out>/run_summary.json`."""
    for name, table in tables.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("part-*.parquet"):
            old.unlink()
        step = -(-table.num_rows // PARTS) or 1
        for part in range(PARTS):
            pq.write_table(table.slice(part * step, step), folder / f"part-{part:05d}-of-{PARTS:05d}.parquet")
    (out / "run_summary.json").write_text(json.dumps(summary, indent=2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench/synthetic.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.time()
    tables, summary = generate(args.jobs, args.seed)
    write(tables, summary, args.out)
    print(f"{', '.join(f'{n}: {t.num_rows:,}' for n, t in tables.items())} rows in {args.out} "
          f"({time.time() - started:.0f}s)")


if __name__ == "__main__":
    main()
