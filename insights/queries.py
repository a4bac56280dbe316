"""Every question the dashboard asks of the tables: plain functions of a DuckDB connection and the filters.

Each function takes the connection `source.load` built (tables `jobs`,
`job_skills`, `job_benefits`, `extraction_errors`, joined on the integer
`jk`, plus `skills` and `listing_skills`) and returns plain rows, so tests check the numbers without a browser
and the benchmark times exactly what a click runs. Listings are counted
once however many rows a skill has in them (a skill can sit in two
categories, or be both required and preferred). Shares are of the listings
that match the filters.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Optional, Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from schemas.canonical import canonical_name, match_key
from schemas.tables import TABLE_NAMES
from schemas.vocab import RemoteStatus, RoleSeniority, allowed

REMOTE = (RemoteStatus.FULLY_REMOTE.value, RemoteStatus.REMOTE_REGION.value)
Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; an empty tuple or None means "any"."""

    roles: tuple[str, ...] = ()
    seniorities: tuple[str, ...] = ()
    remote_statuses: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    company_types: tuple[str, ...] = ()
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None
    model_versions: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, roles: Any = None, seniorities: Any = None, remote_statuses: Any = None,
                    locations: Any = None, company_types: Any = None, date_from: Any = None, date_to: Any = None,
                    model_versions: Any = None) -> "Filters":
        """From what Dash components hold: None, a string or a list; dates as ISO strings."""
        def many(value: Any) -> tuple[str, ...]:
            if value in (None, ""):
                return ()
            return tuple(str(v) for v in (value if isinstance(value, (list, tuple)) else [value]))

        def day(value: Any) -> Optional[dt.date]:
            if isinstance(value, dt.date):
                return value
            return dt.date.fromisoformat(str(value)[:10]) if value else None

        return cls(many(roles), many(seniorities), many(remote_statuses), many(locations), many(company_types),
                   day(date_from), day(date_to), many(model_versions))

    def where(self, alias: str = "j") -> tuple[str, list[Any]]:
        """A WHERE clause over `jobs AS alias` and its parameters."""
        clauses, params = ["TRUE"], []
        for column, values in (("role_title", self.roles), ("role_seniority", self.seniorities),
                               ("remote_status", self.remote_statuses), ("company_type", self.company_types),
                               ("model_version", self.model_versions)):
            if values:
                clauses.append(f"{alias}.{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.locations:
            clauses.append(f"list_has_any({alias}.locations, ?::VARCHAR[])")
            params.append(list(self.locations))
        if self.date_from:
            clauses.append(f"{alias}.ingestion_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{alias}.ingestion_date <= ?")
            params.append(self.date_to)
        return " AND ".join(clauses), params

    def cte(self) -> tuple[str, list[Any]]:
        """`WITH f AS (the matching listings' jk)`, to start a query with."""
        where, params = self.where()
        return f"WITH f AS (SELECT jk FROM jobs j WHERE {where})", params


def rows(con: Con, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """A query's result as dicts."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


# ------------------------------------------------------------------------------------------------ filter choices

@dataclass(frozen=True)
class FilterOptions:
    """What the filter controls offer, with how many listings each value has (all model versions)."""

    roles: list[tuple[str, int]]
    seniorities: list[tuple[str, int]]
    remote_statuses: list[tuple[str, int]]
    locations: list[tuple[str, int]]
    company_types: list[tuple[str, int]]
    model_versions: list[tuple[str, int]]  # newest first (latest extraction)
    date_min: Optional[dt.date]
    date_max: Optional[dt.date]
    categories: list[str]


def _counted(con: Con, column: str, limit: int) -> list[tuple[str, int]]:
    return [(r["v"], r["n"]) for r in rows(
        con, f"SELECT {column} AS v, count(*) AS n FROM jobs WHERE {column} IS NOT NULL "
             f"GROUP BY v ORDER BY n DESC, v LIMIT {int(limit)}")]


def _in_vocab_order(counted: list[tuple[str, int]], vocabulary: list[str]) -> list[tuple[str, int]]:
    order = {v: i for i, v in enumerate(vocabulary)}
    return sorted(counted, key=lambda item: (order.get(item[0], len(order)), item[0]))


def filter_options(con: Con, limit: int = 1000) -> FilterOptions:
    """The choices, most frequent first (vocabulary order for seniority); roles and locations capped at `limit`."""
    locations = [(r["v"], r["n"]) for r in rows(
        con, "SELECT location AS v, count(*) AS n FROM (SELECT unnest(locations) AS location FROM jobs) "
             f"GROUP BY v ORDER BY n DESC, v LIMIT {int(limit)}")]
    versions = [(r["model_version"], r["n"]) for r in rows(
        con, "SELECT model_version, count(*) AS n FROM jobs GROUP BY model_version "
             "ORDER BY max(extracted_at) DESC, model_version")]
    bounds = rows(con, "SELECT min(ingestion_date) AS lo, max(ingestion_date) AS hi FROM jobs")[0]
    categories = [r["category"] for r in rows(
        con, "SELECT category, count(*) AS n FROM job_skills GROUP BY category ORDER BY n DESC, category")]
    return FilterOptions(
        roles=_counted(con, "role_title", limit),
        seniorities=_in_vocab_order(_counted(con, "role_seniority", limit), allowed(RoleSeniority)),
        remote_statuses=_in_vocab_order(_counted(con, "remote_status", limit), allowed(RemoteStatus)),
        locations=locations,
        company_types=_counted(con, "company_type", limit),
        model_versions=versions,
        date_min=bounds["lo"], date_max=bounds["hi"],
        categories=categories,
    )


# ------------------------------------------------------------------------------------------------ overview

def overview(con: Con, filters: Filters) -> dict[str, Any]:
    """Headline numbers of the matching listings."""
    where, params = filters.where()
    head = rows(con, f"""
        SELECT count(*) AS listings, count(DISTINCT company_name) AS companies,
               median(skill_count) AS median_skills, coalesce(sum(skill_count), 0) AS skill_rows,
               avg(CASE WHEN remote_status IN (?, ?) THEN 1.0 ELSE 0.0 END) AS remote_share,
               median(experience_years_min) AS median_experience
        FROM jobs j WHERE {where}""", [*REMOTE, *params])[0]
    cte, params = filters.cte()
    distinct = con.execute(f"{cte} SELECT count(DISTINCT sid) FROM listing_skills s SEMI JOIN f ON s.jk = f.jk",
                           params).fetchone()[0]
    return {**head, "distinct_skills": distinct}


def count_listings(con: Con, filters: Filters) -> int:
    where, params = filters.where()
    return con.execute(f"SELECT count(*) FROM jobs j WHERE {where}", params).fetchone()[0]


# ------------------------------------------------------------------------------------------------ skill demand

def skill_demand(con: Con, filters: Filters, category: Optional[str] = None, limit: int = 20) -> list[dict]:
    """Top skills: listings naming them, of which as required / only as preferred, and the share of listings.

    `required + preferred_only = listings` for every skill.
    """
    cte, params = filters.cte()
    if category:  # a category's rows are few: group them by name
        per_listing = ("SELECT s.skill, s.jk, bool_or(s.requirement = 'required') AS required FROM job_skills s "
                       "SEMI JOIN f ON s.jk = f.jk WHERE s.category = ? GROUP BY s.skill, s.jk")
        params = [*params, category]
    else:
        per_listing = ("SELECT k.skill, s.jk, s.required FROM listing_skills s SEMI JOIN f ON s.jk = f.jk "
                       "JOIN skills k ON k.sid = s.sid")
    return rows(con, f"""{cte}, per_listing AS ({per_listing})
        SELECT skill, count(*) AS listings, count(*) FILTER (WHERE required) AS required,
               count(*) FILTER (WHERE NOT required) AS preferred_only,
               count(*) / (SELECT count(*) FROM f) AS share
        FROM per_listing GROUP BY skill ORDER BY listings DESC, skill LIMIT {int(limit)}""", params)


# ------------------------------------------------------------------------------------------------ trends

def trend_bucket(date_from: Optional[dt.date], date_to: Optional[dt.date]) -> str:
    """Days for up to two months, weeks up to two years, else months: about 10 to 100 points."""
    if not date_from or not date_to:
        return "week"
    span = (date_to - date_from).days
    return "day" if span <= 62 else "week" if span <= 730 else "month"


def skill_trend(con: Con, filters: Filters, skill: str, bucket: str = "week") -> dict[str, Any]:
    """Per ingestion period: matching listings, those naming `skill`, and the share; plus listings without a date."""
    if bucket not in ("day", "week", "month"):
        raise ValueError(f"bucket must be day, week or month, not {bucket!r}")
    cte, params = filters.cte()
    points = rows(con, f"""{cte}, dated AS (
            SELECT j.jk, date_trunc('{bucket}', j.ingestion_date)::DATE AS period
            FROM jobs j SEMI JOIN f ON j.jk = f.jk WHERE j.ingestion_date IS NOT NULL),
        having_skill AS (SELECT s.jk FROM listing_skills s SEMI JOIN f ON s.jk = f.jk
                         WHERE s.sid = (SELECT sid FROM skills WHERE skill = ?))
        SELECT d.period, count(*) AS listings, count(h.jk) AS with_skill, count(h.jk) / count(*) AS share
        FROM dated d LEFT JOIN having_skill h ON h.jk = d.jk GROUP BY d.period ORDER BY d.period""",
                  [*params, skill])
    undated = con.execute(f"{cte} SELECT count(*) FROM jobs j SEMI JOIN f ON j.jk = f.jk "
                          "WHERE j.ingestion_date IS NULL", params).fetchone()[0]
    return {"skill": skill, "bucket": bucket, "points": points, "undated": undated}


# ------------------------------------------------------------------------------------------------ market

def skill_pairs(con: Con, filters: Filters, top: int = 12) -> dict[str, Any]:
    """How many listings name both skills of each pair, among the `top` most demanded skills.

    Limiting pairs to the top skills keeps the self-join small at 1.5M rows; pairs of rarer
    skills are too rare to chart anyway.
    """
    cte, params = filters.cte()
    skills = [r["skill"] for r in skill_demand(con, filters, limit=top)]
    if not skills:
        return {"skills": [], "pairs": [], "listings": 0}
    pairs = rows(con, f"""{cte}, top AS (SELECT sid, skill FROM skills WHERE list_contains(?::VARCHAR[], skill)),
        s AS (SELECT s.jk, top.skill FROM listing_skills s SEMI JOIN f ON s.jk = f.jk JOIN top ON top.sid = s.sid)
        SELECT a.skill AS skill_a, b.skill AS skill_b, count(*) AS listings,
               count(*) / (SELECT count(*) FROM f) AS share
        FROM s a JOIN s b ON a.jk = b.jk AND a.skill < b.skill
        GROUP BY a.skill, b.skill ORDER BY listings DESC, skill_a, skill_b""", [*params, skills])
    return {"skills": skills, "pairs": pairs, "listings": count_listings(con, filters)}


def remote_share_by_location(con: Con, filters: Filters, limit: int = 15) -> list[dict]:
    """Per extracted location (most listings first): listings and the share of each work model."""
    where, params = filters.where()
    return rows(con, f"""
        SELECT location, count(*) AS listings,
               avg(CASE WHEN remote_status IN (?, ?) THEN 1.0 ELSE 0.0 END) AS remote_share,
               avg(CASE WHEN remote_status = 'Hybrid' THEN 1.0 ELSE 0.0 END) AS hybrid_share,
               avg(CASE WHEN remote_status = 'Office-based' THEN 1.0 ELSE 0.0 END) AS office_share,
               avg(CASE WHEN remote_status = 'Not Specified' THEN 1.0 ELSE 0.0 END) AS unspecified_share
        FROM (SELECT unnest(j.locations) AS location, j.remote_status FROM jobs j WHERE {where})
        GROUP BY location ORDER BY listings DESC, location LIMIT {int(limit)}""", [*REMOTE, *params])


def experience_by_seniority(con: Con, filters: Filters) -> list[dict]:
    """Minimum years of experience asked, as quartiles per seniority (vocabulary order); listings without a number
    are counted apart."""
    where, params = filters.where()
    found = rows(con, f"""
        SELECT role_seniority AS seniority, count(experience_years_min) AS listings,
               count(*) - count(experience_years_min) AS without_years,
               min(experience_years_min) AS min, quantile_cont(experience_years_min, 0.25) AS q1,
               median(experience_years_min) AS median, quantile_cont(experience_years_min, 0.75) AS q3,
               max(experience_years_min) AS max
        FROM jobs j WHERE {where} GROUP BY role_seniority""", params)
    order = {v: i for i, v in enumerate(allowed(RoleSeniority))}
    return sorted(found, key=lambda r: (order.get(r["seniority"], len(order)), r["seniority"]))


BENEFIT_KINDS = ("benefit", "learning_platform", "flexibility")


def benefits(con: Con, filters: Filters, limit: int = 15) -> dict[str, list[dict]]:
    """Per job_benefits kind (benefit, learning_platform, flexibility): the top values by listings and share,
    in one pass over the table."""
    cte, params = filters.cte()
    found = rows(con, f"""{cte}, counted AS (
            SELECT b.kind, b.benefit, count(DISTINCT b.jk) AS listings FROM job_benefits b SEMI JOIN f ON b.jk = f.jk
            WHERE b.kind IN ({', '.join('?' * len(BENEFIT_KINDS))}) GROUP BY b.kind, b.benefit)
        SELECT kind, benefit, listings, listings / (SELECT count(*) FROM f) AS share FROM counted
        QUALIFY row_number() OVER (PARTITION BY kind ORDER BY listings DESC, benefit) <= {int(limit)}
        ORDER BY kind, listings DESC, benefit""", [*params, *BENEFIT_KINDS])
    return {kind: [{k: r[k] for k in ("benefit", "listings", "share")} for r in found if r["kind"] == kind]
            for kind in BENEFIT_KINDS}


# ------------------------------------------------------------------------------------------------ skill gap

def parse_skills(text: Optional[str]) -> list[str]:
    """Skills a person typed (commas, semicolons or lines between them), canonicalised, first spelling kept."""
    seen, out = set(), []
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        name = canonical_name(part)
        if name and match_key(name) not in seen:
            seen.add(match_key(name))
            out.append(name)
    return out


@dataclass
class SkillGap:
    """The answer for one person and one target role; see `skill_gap`."""

    role: str
    seniority: Optional[str]
    have: list[str]  # canonical names the person typed
    listings: int  # the role's listings within the filters
    with_requirements: int  # of those, listings that require at least one (non-soft) skill
    matched: int  # of those, listings whose required skills the person has all of
    coverage: Optional[float]  # mean share of a listing's required skills the person has
    demand: list[dict] = field(default_factory=list)  # the role's most demanded skills, with "have"
    missing: list[dict] = field(default_factory=list)  # of those, the ones the person lacks, by demand
    unknown: list[str] = field(default_factory=list)  # typed skills no listing of the role names

    @property
    def match_share(self) -> Optional[float]:
        return self.matched / self.with_requirements if self.with_requirements else None


def skill_gap(con: Con, filters: Filters, role: str, seniority: Optional[str], skills_text: str,
              limit: int = 15) -> SkillGap:
    """Which of the role's most demanded skills a person lacks, and the share of its listings they fully match.

    The role (and seniority, when given) replace the role and seniority filters; the other filters apply.
    Demand counts listings naming a skill as required or preferred. A listing is *matched* when the person
    has every skill it requires; soft skills are left out of both, and listings that require no other
    skill are left out of the match share (they are counted in `listings`). Names compare canonically
    (`schemas.canonical`), so "k8s" counts as Kubernetes.
    """
    scoped = replace(filters, roles=(role,), seniorities=(seniority,) if seniority else ())
    have = parse_skills(skills_text)
    cte, params = scoped.cte()
    demand = rows(con, f"""{cte}
        SELECT k.skill, count(*) AS listings, count(*) / (SELECT count(*) FROM f) AS share
        FROM listing_skills s SEMI JOIN f ON s.jk = f.jk JOIN skills k ON k.sid = s.sid WHERE s.hard
        GROUP BY k.skill ORDER BY listings DESC, k.skill""", params)
    keys = {match_key(name) for name in have}
    owned = [r["skill"] for r in demand if match_key(r["skill"]) in keys]  # the data's own spellings
    match = rows(con, f"""{cte}, owned AS (SELECT sid FROM skills WHERE list_contains(?::VARCHAR[], skill)),
        req AS (SELECT s.jk, count(*) AS required, count(o.sid) AS had
                FROM listing_skills s SEMI JOIN f ON s.jk = f.jk LEFT JOIN owned o ON o.sid = s.sid
                WHERE s.required_hard GROUP BY s.jk)
        SELECT (SELECT count(*) FROM f) AS listings, count(*) AS with_requirements,
               count(*) FILTER (WHERE had = required) AS matched, avg(had / required) AS coverage
        FROM req""", [*params, owned])[0]
    for r in demand:
        r["have"] = r["skill"] in owned
    named = {match_key(r["skill"]) for r in demand}
    return SkillGap(role=role, seniority=seniority, have=have, listings=match["listings"],
                    with_requirements=match["with_requirements"], matched=match["matched"],
                    coverage=match["coverage"], demand=demand[:limit],
                    missing=[r for r in demand if not r["have"]][:limit],
                    unknown=[name for name in have if match_key(name) not in named])


# ------------------------------------------------------------------------------------------------ jobs

JOB_LIST_COLUMNS = ("job_id", "model_version", "role_title", "company_name", "role_seniority", "remote_status",
                    "locations", "ingestion_date", "skill_count")


def jobs_page(con: Con, filters: Filters, offset: int = 0, limit: int = 25) -> tuple[list[dict], int]:
    """One page of the matching listings (newest ingestion first) and how many match in all."""
    where, params = filters.where()
    page = rows(con, f"""SELECT {', '.join(JOB_LIST_COLUMNS)} FROM jobs j WHERE {where}
        ORDER BY ingestion_date DESC NULLS LAST, job_id, model_version
        LIMIT {int(limit)} OFFSET {max(int(offset), 0)}""", params)
    return page, count_listings(con, filters)


def job_detail(con: Con, job_id: str, model_version: Optional[str] = None) -> Optional[dict[str, Any]]:
    """One listing's jobs row with its skills and benefits; the newest extraction when no model version is given."""
    found = rows(con, """SELECT * FROM jobs WHERE job_id = ? AND (? IS NULL OR model_version = ?)
        ORDER BY extracted_at DESC LIMIT 1""", [job_id, model_version, model_version])
    if not found:
        return None
    job = found[0]
    job["skills"] = rows(con, """SELECT skill, category, requirement, grounded, source, evidence_start,
        evidence_end, evidence_text FROM job_skills WHERE jk = ? ORDER BY evidence_start NULLS LAST, skill""",
                         [job["jk"]])
    job["benefits"] = rows(con, "SELECT benefit, kind FROM job_benefits WHERE jk = ? ORDER BY kind, benefit",
                           [job["jk"]])
    job["other_versions"] = [r["model_version"] for r in rows(
        con, "SELECT model_version FROM jobs WHERE job_id = ? AND model_version <> ? ORDER BY extracted_at DESC",
        [job_id, job["model_version"]])]
    return job


# ------------------------------------------------------------------------------------------------ CSV

_FORMULA_START = pa.array(["=", "+", "-", "@", "\t", "\r"])


def _csv_safe(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe (listings are hostile input)."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type):
            risky = pc.is_in(pc.utf8_slice_codeunits(column, 0, 1), value_set=_FORMULA_START)
            column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _export(con: Con, sql: str, params: list[Any], batch_rows: int) -> pa.RecordBatchReader:
    reader = con.execute(sql, params).to_arrow_reader(batch_rows)
    return pa.RecordBatchReader.from_batches(reader.schema, (_csv_safe(batch) for batch in reader))


def export_jobs(con: Con, filters: Filters, batch_rows: int = 50_000) -> pa.RecordBatchReader:
    """The matching jobs rows for CSV, batch by batch (lists joined with "; "; the listing text and JSON left out
    for size)."""
    where, params = filters.where()
    select = []
    for name, kind, *_ in con.execute("SELECT * FROM jobs LIMIT 0").description:
        if name in ("jk", "listing_text", "extraction_json"):
            continue
        select.append(f"array_to_string({name}, '; ') AS {name}" if str(kind).endswith("[]") else name)
    return _export(con, f"SELECT {', '.join(select)} FROM jobs j WHERE {where} "
                        "ORDER BY ingestion_date DESC NULLS LAST, job_id", params, batch_rows)


def export_skills(con: Con, filters: Filters, batch_rows: int = 200_000) -> pa.RecordBatchReader:
    """The matching listings' job_skills rows for CSV, batch by batch, unsorted: sorting 1.5M rows would hold
    back the first byte of the download."""
    cte, params = filters.cte()
    return _export(con, f"{cte} SELECT * EXCLUDE (jk) FROM job_skills s SEMI JOIN f ON s.jk = f.jk", params,
                   batch_rows)


# ------------------------------------------------------------------------------------------------ data quality

def data_quality(con: Con, model_versions: Sequence[str] = ()) -> dict[str, Any]:
    """Rows per table, dead letters by reason, duplicate and orphan rows, grounding, and the runs in the data.

    Only the model-version filter applies: dead letters were never extracted, so they have no role or location.
    """
    versions = list(model_versions)
    scope = "(len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], model_version))"

    def count(sql: str) -> int:
        return con.execute(sql.format(scope=scope), [versions, versions]).fetchone()[0]

    tables = {name: count(f"SELECT count(*) FROM {name} WHERE {{scope}}")
              for name in TABLE_NAMES}
    dead = rows(con, f"""SELECT stage, reason, count(*) AS rows FROM extraction_errors WHERE {scope}
        GROUP BY stage, reason ORDER BY rows DESC, stage, reason""", [versions, versions])
    skills = rows(con, f"""SELECT count(*) AS rows, count(*) FILTER (WHERE grounded) AS grounded,
        count(*) FILTER (WHERE evidence_start IS NOT NULL) AS with_evidence,
        count(*) FILTER (WHERE source = 'model') AS from_model,
        count(*) FILTER (WHERE source = 'taxonomy') AS from_taxonomy,
        count(*) FILTER (WHERE source = 'both') AS from_both,
        count(*) FILTER (WHERE jk IS NULL) AS orphans
        FROM job_skills WHERE {scope}""", [versions, versions])[0]
    jobs = rows(con, f"""SELECT count(*) - count(DISTINCT (job_id, model_version)) AS duplicate_rows,
        count(*) FILTER (WHERE input_truncated) AS input_truncated,
        coalesce(sum(skills_removed), 0) AS skills_removed, coalesce(sum(skills_recovered), 0) AS skills_recovered,
        count(*) FILTER (WHERE ingestion_date IS NULL) AS without_ingestion_date
        FROM jobs WHERE {scope}""", [versions, versions])[0]
    runs = rows(con, f"""WITH r AS (
            SELECT run_id, model_version, min(extracted_at) AS extracted_at, count(*) AS jobs, 0 AS dead_letters
            FROM jobs WHERE {scope} GROUP BY ALL
            UNION ALL
            SELECT run_id, model_version, min(extracted_at), 0, count(*) FROM extraction_errors WHERE {scope}
            GROUP BY ALL)
        SELECT run_id, model_version, min(extracted_at) AS extracted_at, sum(jobs)::BIGINT AS jobs,
               sum(dead_letters)::BIGINT AS dead_letters
        FROM r GROUP BY run_id, model_version ORDER BY extracted_at DESC, run_id""", [versions] * 4)
    orphans = count("SELECT count(*) FROM job_benefits WHERE jk IS NULL AND {scope}")
    return {"tables": tables, "dead_letters": dead, "skills": skills, "jobs": jobs, "runs": runs,
            "orphan_benefit_rows": orphans}
