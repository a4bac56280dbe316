"""The page: filter bar, headline cards, tabs, and the job detail page; components only, no queries.

Every text that comes from the data (listing text, titles, JSON) goes in as a
string child, which React renders as text: markup in a listing is shown,
never run.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional
from urllib.parse import quote

from dash import dcc, html

from insights.highlight import evidence_pieces
from insights.queries import FilterOptions, SkillGap

# component ids, shared with app.py
ROLE, SENIORITY, REMOTE, LOCATION, COMPANY, DATES, MODEL = (
    "f-role", "f-seniority", "f-remote", "f-location", "f-company", "f-dates", "f-model")
CLEAR, DOWNLOAD_JOBS, DOWNLOAD_SKILLS = "clear-filters", "download-jobs", "download-skills"
URL, MAIN_PAGE, JOB_PAGE, KPIS, EMPTY, TABS = "url", "main-page", "job-page", "kpis", "empty-state", "tabs"
DEMAND_TOP, CATEGORY, DEMAND_CATEGORY = "demand-top", "category", "demand-category"
TREND_SKILL, TREND = "trend-skill", "trend"
PAIRS_HEAT, PAIRS_TOP, REMOTE_LOC, EXPERIENCE = "pairs-heat", "pairs-top", "remote-location", "experience"
BENEFITS, PLATFORMS, FLEXIBILITY = "benefits", "platforms", "flexibility"
GAP_ROLE, GAP_SENIORITY, GAP_SKILLS, GAP_GO, GAP_RESULT, GAP_CHART = (
    "gap-role", "gap-seniority", "gap-skills", "gap-go", "gap-result", "gap-chart")
JOBS_TABLE, JOBS_PREV, JOBS_NEXT, JOBS_PAGE, JOBS_OFFSET = (
    "jobs-table", "jobs-prev", "jobs-next", "jobs-page", "jobs-offset")
QUALITY = "quality"

CATEGORY_NAMES = {
    "methodologies_practices": "Methodologies and practices",
    "soft_skills_keywords": "Soft skills",
    "preferred_qualifications.skills_keywords": "Preferred skills (listed apart)",
    "technical_skills.devops_mlops_ci_cd_tools": "DevOps, MLOps and CI/CD tools",
}
ACRONYMS = {"etl": "ETL", "elt": "ELT", "bi": "BI", "ml": "ML", "ai": "AI", "mlops": "MLOps", "devops": "DevOps",
            "ci": "CI", "cd": "CD"}
MATCH_DEFINITION = (
    "A listing counts as matched when you have every skill it requires (soft skills such as communication "
    "are left out, and so are listings that require no other skill). Demand counts listings that name a "
    "skill as required or preferred. Your skills are matched by canonical name, so k8s counts as Kubernetes.")


def category_label(path: str) -> str:
    """`technical_skills.programming_languages.query` → "Programming languages › query"."""
    if path in CATEGORY_NAMES:
        return CATEGORY_NAMES[path]
    parts = path.removeprefix("technical_skills.").split(".")
    words = " › ".join(p.replace("_", " ") for p in parts).split(" ")
    text = " ".join(ACRONYMS.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def job_href(job_id: str, model_version: str) -> str:
    return f"/job/{quote(job_id, safe='')}?model={quote(model_version, safe='')}"


def _options(counted: list[tuple[str, int]]) -> list[dict[str, str]]:
    return [{"label": f"{value} ({n:,})", "value": value} for value, n in counted]


def _filter(label: str, control: Any) -> html.Div:
    return html.Div([html.Label(label, className="filter-label"), control], className="filter")


def _dropdown(id_: str, counted: list[tuple[str, int]], placeholder: str, value: Any = None,
              multi: bool = True) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=_options(counted), value=value, multi=multi, placeholder=placeholder)


def filter_bar(options: FilterOptions, default_models: list[str]) -> html.Div:
    return html.Div([
        html.H2("Filters"),
        _filter("Role", _dropdown(ROLE, options.roles, "Any role")),
        _filter("Seniority", _dropdown(SENIORITY, options.seniorities, "Any seniority")),
        _filter("Remote status", _dropdown(REMOTE, options.remote_statuses, "Any work model")),
        _filter("Location", _dropdown(LOCATION, options.locations, "Anywhere")),
        _filter("Company type", _dropdown(COMPANY, options.company_types, "Any company type")),
        _filter("Ingestion date", dcc.DatePickerRange(
            id=DATES, min_date_allowed=options.date_min, max_date_allowed=options.date_max,
            initial_visible_month=options.date_max, start_date_placeholder_text="From",
            end_date_placeholder_text="To", clearable=True, display_format="YYYY-MM-DD")),
        _filter("Model version", _dropdown(MODEL, options.model_versions, "All model versions", default_models)),
        html.P("Newest model version by default: a listing extracted by two versions would count twice.",
               className="hint"),
        html.Button("Clear filters", id=CLEAR, className="button secondary"),
        html.H2("Download"),
        html.A("Jobs (CSV)", id=DOWNLOAD_JOBS, className="button", href="/download/jobs.csv", download=""),
        html.A("Skill rows (CSV)", id=DOWNLOAD_SKILLS, className="button", href="/download/skills.csv",
               download=""),
        html.P("The rows that match the filters.", className="hint"),
    ], className="sidebar")


def _graph(id_: str) -> dcc.Graph:
    return dcc.Graph(id=id_, config={"displaylogo": False, "responsive": True}, className="graph")


def _tab(label: str, value: str, children: list[Any]) -> dcc.Tab:
    return dcc.Tab(label=label, value=value, children=html.Div(children, className="tab-body"),
                   className="tab", selected_className="tab tab-selected")


def tabs(options: FilterOptions, skills: list[str]) -> dcc.Tabs:
    categories = [{"label": category_label(c), "value": c} for c in options.categories]
    return dcc.Tabs(id=TABS, value="demand", className="tabs", children=[
        _tab("Skill demand", "demand", [
            _graph(DEMAND_TOP),
            html.Div([html.Label("Category", className="filter-label"),
                      dcc.Dropdown(id=CATEGORY, options=categories, clearable=False,
                                   value=options.categories[0] if options.categories else None)],
                     className="inline-control"),
            _graph(DEMAND_CATEGORY)]),
        _tab("Trends", "trends", [
            html.Div([html.Label("Skill", className="filter-label"),
                      dcc.Dropdown(id=TREND_SKILL, options=skills, value=skills[0] if skills else None,
                                   clearable=False)], className="inline-control"),
            _graph(TREND)]),
        _tab("Market", "market", [
            html.Div([_graph(PAIRS_HEAT), _graph(PAIRS_TOP)], className="grid-2"),
            html.Div([_graph(REMOTE_LOC), _graph(EXPERIENCE)], className="grid-2")]),
        _tab("Benefits", "benefits", [
            html.Div([_graph(BENEFITS), _graph(PLATFORMS)], className="grid-2"), _graph(FLEXIBILITY)]),
        _tab("Skill gap", "gap", [
            html.Div([
                html.Div([html.Label("Target role", className="filter-label"),
                          _dropdown(GAP_ROLE, options.roles, "Pick a role", multi=False)], className="gap-field"),
                html.Div([html.Label("Seniority", className="filter-label"),
                          _dropdown(GAP_SENIORITY, options.seniorities, "Any seniority", multi=False)],
                         className="gap-field"),
                html.Div([html.Label("Your skills (comma or one per line)", className="filter-label"),
                          dcc.Textarea(id=GAP_SKILLS, placeholder="e.g. Python, SQL, k8s, Power BI",
                                       className="gap-text")], className="gap-field wide"),
                html.Button("Show my gap", id=GAP_GO, className="button"),
            ], className="gap-form"),
            html.P(MATCH_DEFINITION, className="hint"),
            html.Div([html.Div(id=GAP_RESULT), _graph(GAP_CHART)], className="grid-2")]),
        _tab("Jobs", "jobs", [
            html.Div([html.Button("← Previous", id=JOBS_PREV, className="button secondary"),
                      html.Span(id=JOBS_PAGE, className="pager-label"),
                      html.Button("Next →", id=JOBS_NEXT, className="button secondary")], className="pager"),
            dcc.Store(id=JOBS_OFFSET, data=0), html.Div(id=JOBS_TABLE)]),
        _tab("Data quality", "quality", [html.Div(id=QUALITY)]),
    ])


def page(location: str, options: FilterOptions, default_models: list[str], skills: list[str]) -> html.Div:
    return html.Div([
        dcc.Location(id=URL),
        html.Header([html.H1("Career insights from job listings"),
                     html.Span(f"source: {location}", className="source")], className="header"),
        html.Div([
            filter_bar(options, default_models),
            html.Main([html.Div(id=EMPTY), html.Div(id=KPIS, className="kpis"), tabs(options, skills)],
                      className="content"),
        ], id=MAIN_PAGE, className="body"),
        html.Div(id=JOB_PAGE, className="job-page"),
    ])


# ------------------------------------------------------------------------------------------------ views

def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _number(value: Optional[float], fmt: str = "{:,.0f}", missing: str = "–") -> str:
    return missing if value is None else fmt.format(value)


def kpi_cards(overview: dict[str, Any]) -> list[html.Div]:
    cards = [
        ("Listings", _number(overview["listings"])),
        ("Companies", _number(overview["companies"])),
        ("Distinct skills", _number(overview["distinct_skills"])),
        ("Skills per listing (median)", _number(overview["median_skills"], "{:,.1f}")),
        ("Remote share", _number(overview["remote_share"], "{:.0%}")),
        ("Min. experience (median)", _number(overview["median_experience"], "{:,.1f} years")),
    ]
    return [html.Div([html.Div(value, className="kpi-value"), html.Div(label, className="kpi-label")],
                     className="kpi", id=f"kpi-{i}") for i, (label, value) in enumerate(cards)]


def empty_state() -> html.Div:
    return html.Div([
        html.Strong("No listings match these filters."),
        html.Span(" Remove a filter, pick another model version or widen the ingestion date range "
                  "(or press Clear filters)."),
    ], className="empty-state", role="status")


def gap_summary(gap: SkillGap) -> html.Div:
    role = gap.role + (f" ({gap.seniority})" if gap.seniority else "")
    if not gap.have:
        return html.Div("Type the skills you have, separated by commas, then press Show my gap.",
                        className="hint")
    parts: list[Any] = [html.P(["Recognised as: ", html.Strong(", ".join(gap.have))])]
    if gap.listings == 0:
        parts.append(html.P(f"No listing of {role} matches the filters.", className="empty-state"))
        return html.Div(parts, className="gap-summary")
    if gap.match_share is None:
        parts.append(html.P(f"None of the {gap.listings:,} listings of {role} requires a skill other than soft "
                            "skills, so there is nothing to match."))
    else:
        parts.append(html.P([
            "You fully match ", html.Strong(f"{gap.matched:,} of {gap.with_requirements:,}", id="gap-matched"),
            f" listings of {role} that require skills (", html.Strong(f"{gap.match_share:.0%}", id="gap-share"),
            f"); on average you have {gap.coverage:.0%} of a listing's required skills.",
            f" {gap.listings - gap.with_requirements:,} listings require none and are left out."
            if gap.listings > gap.with_requirements else ""]))
    if gap.missing:
        parts.append(html.Div([html.Strong("Skills to learn next, by demand:"), html.Ol(
            [html.Li(f"{r['skill']} — {plural(r['listings'], 'listing')} ({r['share']:.0%})") for r in gap.missing],
            id="gap-missing")]))
    else:
        parts.append(html.P("You have every skill these listings name most often.", id="gap-missing"))
    if gap.unknown:
        parts.append(html.P(f"Not named by any listing of {role}: {', '.join(gap.unknown)}.", className="hint"))
    return html.Div(parts, className="gap-summary")


def jobs_table(page_rows: list[dict[str, Any]]) -> html.Table:
    head = ["Role", "Company", "Seniority", "Work model", "Locations", "Ingested", "Skills"]
    body = [html.Tr([
        html.Td(dcc.Link(r["role_title"] or r["job_id"], href=job_href(r["job_id"], r["model_version"]))),
        html.Td(r["company_name"] or "–"), html.Td(r["role_seniority"]), html.Td(r["remote_status"]),
        html.Td(", ".join(r["locations"]) or "–"),
        html.Td(r["ingestion_date"].isoformat() if r["ingestion_date"] else "–"),
        html.Td(f"{r['skill_count']:,}", className="num"),
    ]) for r in page_rows]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)], className="table")


def _table(records: list[dict[str, Any]], columns: list[tuple[str, str]], id_: Optional[str] = None) -> html.Table:
    def cell(value: Any) -> html.Td:
        if isinstance(value, dt.datetime):
            return html.Td(value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
        if isinstance(value, bool) or value is None:
            return html.Td("–" if value is None else ("yes" if value else "no"))
        if isinstance(value, (int, float)):
            return html.Td(f"{value:,}" if isinstance(value, int) else f"{value:,.2f}", className="num")
        return html.Td(str(value))

    return html.Table([html.Thead(html.Tr([html.Th(label) for _, label in columns])),
                       html.Tbody([html.Tr([cell(r.get(key)) for key, _ in columns]) for r in records])],
                      className="table", **({"id": id_} if id_ else {}))


def quality_view(dq: dict[str, Any], summaries: list[dict[str, Any]], problems: list[str],
                 dead_letters: Any) -> html.Div:
    tables, skills, jobs = dq["tables"], dq["skills"], dq["jobs"]
    share = (lambda n, d: f"{n:,} ({n / d:.0%})" if d else f"{n:,}")
    cards = [html.Div([html.Div(f"{n:,}", className="kpi-value"), html.Div(f"{name} rows", className="kpi-label")],
                      className="kpi") for name, n in tables.items()]
    checks = [
        ("Skill rows grounded in the listing text", share(skills["grounded"], skills["rows"])),
        ("Skill rows with an evidence span", share(skills["with_evidence"], skills["rows"])),
        ("Skill rows from the model / the taxonomy / both",
         f"{skills['from_model']:,} / {skills['from_taxonomy']:,} / {skills['from_both']:,}"),
        ("Skills removed as ungrounded / recovered from the text",
         f"{jobs['skills_removed']:,} / {jobs['skills_recovered']:,}"),
        ("Listings cut to fit the model's context", share(jobs["input_truncated"], tables["jobs"])),
        ("Listings without an ingestion date", share(jobs["without_ingestion_date"], tables["jobs"])),
        ("Duplicate jobs rows (same job_id and model version)", f"{jobs['duplicate_rows']:,}"),
        ("Skill / benefit rows whose listing is not in jobs", f"{skills['orphans']:,} / {dq['orphan_benefit_rows']:,}"),
    ]
    run_columns = [("run_id", "Run"), ("model_version", "Model version"), ("read", "Read"),
                   ("extracted", "Extracted"), ("dead_lettered", "Dead-lettered"), ("duplicates", "Duplicates"),
                   ("wall_seconds", "Wall time (s)"), ("listings_per_minute", "Listings/min")]
    return html.Div([
        html.P("The model-version filter applies here; the others do not (dead letters were never extracted, "
               "so they have no role or location).", className="hint"),
        html.Div(cards, className="kpis"),
        html.Div([dcc.Graph(id="dead-letters", figure=dead_letters, config={"displaylogo": False}), html.Div([html.H3("Checks"), _table(
            [{"check": k, "value": v} for k, v in checks], [("check", "Check"), ("value", "Value")])])],
                 className="grid-2"),
        html.H3("Run summaries (run_summary.json)"),
        _table(summaries, run_columns, "run-summaries") if summaries else html.P(
            "No run_summary.json found for this source.", className="hint"),
        html.H3("Runs in the tables"),
        _table(dq["runs"], [("run_id", "Run"), ("model_version", "Model version"), ("extracted_at", "Extracted at"),
                            ("jobs", "Jobs rows"), ("dead_letters", "Dead letters")]),
        *([html.H3("Problems reading the source"), html.Ul([html.Li(p) for p in problems])] if problems else []),
    ])


def job_view(job: Optional[dict[str, Any]], job_id: str) -> html.Div:
    back = dcc.Link("← Back to the dashboard", href="/", className="back")
    if job is None:
        return html.Div([back, html.H2("Listing not found"),
                         html.P(f"No listing with job_id {job_id!r} in this source.")], className="job")
    pieces, problems = evidence_pieces(job["listing_text"] or "", job["skills"])
    text = [html.Mark(p.text, title=", ".join(p.skills), className="evidence", **{"data-skills": "|".join(p.skills)})
            if p.skills else p.text for p in pieces]
    try:
        extraction = json.dumps(json.loads(job["extraction_json"]), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        extraction = f"(not valid JSON) {job['extraction_json']!r}"
    facts = [("Company", job["company_name"]), ("Seniority", job["role_seniority"]),
             ("Work model", job["remote_status"]), ("Locations", ", ".join(job["locations"]) or None),
             ("Company type", job["company_type"]),
             ("Experience (years)", None if job["experience_years_min"] is None else
              f"{job['experience_years_min']}" + (f"–{job['experience_years_max']}"
                                                   if job["experience_years_max"] else "+")),
             ("Ingested", job["ingestion_date"].isoformat() if job["ingestion_date"] else None),
             ("Model version", job["model_version"]), ("Run", job["run_id"])]
    skill_columns = [("skill", "Skill"), ("category", "Category"), ("requirement", "Requirement"),
                     ("source", "Source"), ("evidence_text", "Evidence"), ("evidence_start", "At")]
    skills = [{**s, "category": category_label(s["category"])} for s in job["skills"]]
    return html.Div([
        back,
        html.H2(job["role_title"] or job["job_title"] or job["job_id"], id="job-title"),
        html.Dl([item for label, value in facts for item in (html.Dt(label), html.Dd(value or "–"))],
                className="facts"),
        html.P(["Also extracted by: ", ", ".join(job["other_versions"])], className="hint")
        if job["other_versions"] else None,
        html.Div([
            html.Div([html.H3("Listing text, extracted skills highlighted at their evidence"),
                      html.Div(text, id="listing-text", className="listing-text"),
                      *([html.P("Not highlighted: " + "; ".join(problems), className="hint")] if problems else [])],
                     className="job-text"),
            html.Div([html.H3("Extracted skills"), _table(skills, skill_columns, "job-skills"),
                      html.H3("Extraction (JSON)"), html.Pre(extraction, id="extraction-json", className="json")],
                     className="job-side"),
        ], className="grid-2"),
    ], className="job")
