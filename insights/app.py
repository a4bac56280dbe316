"""The Dash app: callbacks that turn filter values into queries, figures and page parts.

Each tab has one callback that runs only while the tab is open (the tab is
one of its inputs), so a click computes the headline cards and the open
tab, never the whole dashboard. The `render_*` functions are the callbacks'
bodies as plain functions of a Source and Filters: the benchmark times them.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Iterator, Optional
from urllib.parse import parse_qs, unquote, urlencode

import pyarrow as pa
import pyarrow.csv as pacsv
from dash import Dash, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate
from flask import Response, abort, request

from insights import figures
from insights import layout as L
from insights import queries as Q
from insights.layout import category_label
from insights.source import Source

FILTERS = [Input(L.ROLE, "value"), Input(L.SENIORITY, "value"), Input(L.REMOTE, "value"),
           Input(L.LOCATION, "value"), Input(L.COMPANY, "value"), Input(L.DATES, "start_date"),
           Input(L.DATES, "end_date"), Input(L.MODEL, "value")]
FILTER_FIELDS = ("roles", "seniorities", "remote_statuses", "locations", "company_types", "date_from", "date_to",
                 "model_versions")
JOBS_PER_PAGE = 25


def _filters(values: tuple[Any, ...]) -> Q.Filters:
    return Q.Filters.from_values(**dict(zip(FILTER_FIELDS, values)))


def filters_query(filters: Q.Filters) -> str:
    """The filters as a query string, for the CSV links."""
    pairs: list[tuple[str, str]] = []
    for name in FILTER_FIELDS:
        value = getattr(filters, name)
        if isinstance(value, tuple):
            pairs.extend((name, v) for v in value)
        elif value is not None:
            pairs.append((name, value.isoformat()))
    return urlencode(pairs)


def filters_from_query(args: Any) -> Q.Filters:
    """Inverse of `filters_query`, from Flask's request.args."""
    return Q.Filters.from_values(**{name: args.getlist(name) if name not in ("date_from", "date_to")
                                    else args.get(name) for name in FILTER_FIELDS})


# ------------------------------------------------------------------------------------------------ renderers

def render_kpis(source: Source, filters: Q.Filters) -> tuple[list[Any], Any]:
    overview = Q.overview(source.cursor(), filters)
    return L.kpi_cards(overview), (L.empty_state() if overview["listings"] == 0 else None)


def render_demand(source: Source, filters: Q.Filters, category: Optional[str]) -> tuple[Any, Any]:
    con = source.cursor()
    top = figures.demand_bars(Q.skill_demand(con, filters, limit=20),
                              "Top 20 skills: listings that name them (required, or only preferred)")
    if not category:
        return top, figures.empty_figure("Top skills of a category", "Pick a category.")
    label = category_label(category)
    by_category = figures.demand_bars(Q.skill_demand(con, filters, category=category, limit=12),
                                      f"Top skills in {label}",
                                      empty=f"No matching listing names a skill in {label}.")
    return top, by_category


def render_trend(source: Source, filters: Q.Filters, skill: Optional[str], date_min: Optional[dt.date],
                 date_max: Optional[dt.date]) -> Any:
    if not skill:
        return figures.empty_figure("Trend of a skill", "Pick a skill.")
    bucket = Q.trend_bucket(filters.date_from or date_min, filters.date_to or date_max)
    return figures.trend_chart(Q.skill_trend(source.cursor(), filters, skill, bucket))


def render_market(source: Source, filters: Q.Filters) -> tuple[Any, Any, Any, Any]:
    con = source.cursor()
    pairs = Q.skill_pairs(con, filters)
    return (figures.pair_heatmap(pairs), figures.top_pairs(pairs),
            figures.remote_by_location(Q.remote_share_by_location(con, filters)),
            figures.experience_box(Q.experience_by_seniority(con, filters)))


def render_benefits(source: Source, filters: Q.Filters) -> tuple[Any, Any, Any]:
    found = Q.benefits(source.cursor(), filters)
    return (figures.share_bars(found["benefit"], "Benefits offered"),
            figures.share_bars(found["learning_platform"][:10], "Learning platforms named",
                               empty="No matching listing names a learning platform."),
            figures.share_bars(found["flexibility"][:10], "Flexibility offered",
                               empty="No matching listing names a flexibility option."))


def render_gap(source: Source, filters: Q.Filters, role: Optional[str], seniority: Optional[str],
               skills_text: Optional[str]) -> tuple[Any, Any]:
    if not role:
        return (html.P("Pick a target role, type your skills, then press Show my gap.", className="hint"),
                figures.empty_figure("Most demanded skills for the target role", "Pick a target role."))
    gap = Q.skill_gap(source.cursor(), filters, role, seniority, skills_text or "")
    return L.gap_summary(gap), figures.gap_bars(gap)


def render_jobs(source: Source, filters: Q.Filters, offset: int) -> tuple[Any, str, int]:
    page_rows, total = Q.jobs_page(source.cursor(), filters, offset, JOBS_PER_PAGE)
    if offset >= total > 0:  # the filters shrank the result under the current page
        offset = (total - 1) // JOBS_PER_PAGE * JOBS_PER_PAGE
        page_rows, total = Q.jobs_page(source.cursor(), filters, offset, JOBS_PER_PAGE)
    if not total:
        return L.empty_state(), "0 listings", 0
    label = f"Listings {offset + 1:,}–{offset + len(page_rows):,} of {total:,}"
    return L.jobs_table(page_rows), label, offset


def render_quality(source: Source, model_versions: tuple[str, ...]) -> Any:
    dq = Q.data_quality(source.cursor(), model_versions)
    summaries = [s for s in source.run_summaries
                 if not model_versions or s.get("model_version") in model_versions]
    return L.quality_view(dq, summaries, source.problems, figures.dead_letter_bars(dq["dead_letters"]))


def render_job(source: Source, pathname: str, search: str) -> Any:
    job_id = unquote(pathname.removeprefix("/job/"))
    model = parse_qs(search.lstrip("?")).get("model", [None])[0]
    return L.job_view(Q.job_detail(source.cursor(), job_id, model), job_id)


def csv_chunks(batches: pa.RecordBatchReader) -> Iterator[bytes]:
    """CSV text batch by batch, so a large download starts at once and is never whole in memory."""
    buffer = io.BytesIO()
    with pacsv.CSVWriter(buffer, batches.schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


# ------------------------------------------------------------------------------------------------ the app

def create_app(source: Source) -> Dash:
    """The Dash app on a loaded source (its Flask server is `app.server`)."""
    con = source.cursor()
    options = Q.filter_options(con)
    default_models = [options.model_versions[0][0]] if len(options.model_versions) > 1 else []
    skills = [r["skill"] for r in Q.skill_demand(con, Q.Filters(model_versions=tuple(default_models)), limit=300)]
    app = Dash(__name__, title="Career insights", update_title=None)
    app.layout = L.page(source.location, options, default_models, skills)

    @app.callback(Output(L.MAIN_PAGE, "style"), Output(L.JOB_PAGE, "children"), Output(L.JOB_PAGE, "style"),
                  Input(L.URL, "pathname"), Input(L.URL, "search"))
    def route(pathname: Optional[str], search: Optional[str]):
        if pathname and pathname.startswith("/job/"):
            return {"display": "none"}, render_job(source, pathname, search or ""), {"display": "block"}
        return {"display": "flex"}, None, {"display": "none"}

    @app.callback(Output(L.KPIS, "children"), Output(L.EMPTY, "children"), Output(L.DOWNLOAD_JOBS, "href"),
                  Output(L.DOWNLOAD_SKILLS, "href"), *FILTERS)
    def kpis(*values):
        filters = _filters(values)
        cards, empty = render_kpis(source, filters)
        query = filters_query(filters)
        return cards, empty, f"/download/jobs.csv?{query}", f"/download/skills.csv?{query}"

    def only_on(tab: str, current: str) -> None:
        if current != tab:
            raise PreventUpdate  # another tab is open: it is computed when it opens

    @app.callback(Output(L.DEMAND_TOP, "figure"), Output(L.DEMAND_CATEGORY, "figure"),
                  Input(L.TABS, "value"), Input(L.CATEGORY, "value"), *FILTERS)
    def demand(tab, category, *values):
        only_on("demand", tab)
        return render_demand(source, _filters(values), category)

    @app.callback(Output(L.TREND, "figure"), Input(L.TABS, "value"), Input(L.TREND_SKILL, "value"), *FILTERS)
    def trend(tab, skill, *values):
        only_on("trends", tab)
        return render_trend(source, _filters(values), skill, options.date_min, options.date_max)

    @app.callback(Output(L.PAIRS_HEAT, "figure"), Output(L.PAIRS_TOP, "figure"), Output(L.REMOTE_LOC, "figure"),
                  Output(L.EXPERIENCE, "figure"), Input(L.TABS, "value"), *FILTERS)
    def market(tab, *values):
        only_on("market", tab)
        return render_market(source, _filters(values))

    @app.callback(Output(L.BENEFITS, "figure"), Output(L.PLATFORMS, "figure"), Output(L.FLEXIBILITY, "figure"),
                  Input(L.TABS, "value"), *FILTERS)
    def benefit(tab, *values):
        only_on("benefits", tab)
        return render_benefits(source, _filters(values))

    @app.callback(Output(L.GAP_RESULT, "children"), Output(L.GAP_CHART, "figure"), Input(L.TABS, "value"),
                  Input(L.GAP_GO, "n_clicks"), *FILTERS, State(L.GAP_ROLE, "value"),
                  State(L.GAP_SENIORITY, "value"), State(L.GAP_SKILLS, "value"))
    def gap(tab, _clicks, *values):
        only_on("gap", tab)
        *filter_values, role, seniority, skills_text = values
        return render_gap(source, _filters(tuple(filter_values)), role, seniority, skills_text)

    @app.callback(Output(L.JOBS_TABLE, "children"), Output(L.JOBS_PAGE, "children"), Output(L.JOBS_OFFSET, "data"),
                  Input(L.TABS, "value"), Input(L.JOBS_PREV, "n_clicks"), Input(L.JOBS_NEXT, "n_clicks"),
                  *FILTERS, State(L.JOBS_OFFSET, "data"))
    def jobs(tab, _prev, _next, *values):
        only_on("jobs", tab)
        *filter_values, offset = values
        if ctx.triggered_id == L.JOBS_NEXT:
            offset = (offset or 0) + JOBS_PER_PAGE
        elif ctx.triggered_id == L.JOBS_PREV:
            offset = max((offset or 0) - JOBS_PER_PAGE, 0)
        elif ctx.triggered_id != L.TABS:
            offset = 0  # new filters start on the first page
        return render_jobs(source, _filters(tuple(filter_values)), offset or 0)

    @app.callback(Output(L.QUALITY, "children"), Input(L.TABS, "value"), Input(L.MODEL, "value"))
    def quality(tab, models):
        only_on("quality", tab)
        return render_quality(source, Q.Filters.from_values(model_versions=models).model_versions)

    @app.callback(Output(L.ROLE, "value"), Output(L.SENIORITY, "value"), Output(L.REMOTE, "value"),
                  Output(L.LOCATION, "value"), Output(L.COMPANY, "value"), Output(L.DATES, "start_date"),
                  Output(L.DATES, "end_date"), Output(L.MODEL, "value"), Input(L.CLEAR, "n_clicks"),
                  prevent_initial_call=True)
    def clear(_clicks):
        return [], [], [], [], [], None, None, default_models

    @app.server.route("/download/<name>.csv")
    def download(name: str) -> Response:
        exporters = {"jobs": Q.export_jobs, "skills": Q.export_skills}
        if name not in exporters:
            abort(404)
        try:
            filters = filters_from_query(request.args)
        except ValueError as exc:
            return Response(f"bad filter: {exc}\n", status=400, mimetype="text/plain")
        return Response(csv_chunks(exporters[name](source.cursor(), filters)), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}-filtered.csv"'})

    return app
