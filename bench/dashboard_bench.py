"""Dashboard speed at 100k jobs: every interaction's callback body, timed on varied filters.

    .venv/bin/python bench/dashboard_bench.py [--jobs 100000] [--repeats 30] [--data .cache/dashboard-bench]

Generates a synthetic output (bench/synthetic.py) once and reuses it, loads it as the app does, then
times each interaction: the `render_*` function the Dash callback runs (queries + figures + components)
plus serialising its result to JSON, as Dash does before it answers. Each interaction runs `repeats`
times, each time on filters drawn from the data's own values (none, one, or several filters at once), so
the numbers cover cheap and expensive selections. Network and the browser's drawing are not included.
Writes bench/results/dashboard.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import plotly.io

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import generate, write  # noqa: E402
from insights import app as A  # noqa: E402
from insights import queries as Q
from insights.source import open_source  # noqa: E402
from schemas.tables import TABLE_NAMES  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"


def random_filters(rng: np.random.Generator, options: Q.FilterOptions, newest: str) -> Q.Filters:
    """No filter, one filter, or several, each value drawn from the data (weighted to common values)."""
    def some(counted: list[tuple[str, int]], most: int = 2) -> tuple[str, ...]:
        values = [v for v, _ in counted[:20]]
        return tuple(rng.choice(values, size=min(int(rng.integers(1, most + 1)), len(values)), replace=False))

    kind = int(rng.integers(0, 4))
    chosen: dict[str, Any] = {"model_versions": (newest,)}
    if kind >= 1:
        field = ["roles", "seniorities", "remote_statuses", "locations", "company_types"][int(rng.integers(0, 5))]
        chosen[field] = some(getattr(options, field))
    if kind >= 2:
        chosen["seniorities"] = some(options.seniorities)
        chosen["locations"] = some(options.locations, 3)
    if kind == 3 and options.date_min and options.date_max:
        span = (options.date_max - options.date_min).days
        start = options.date_min + np.timedelta64(int(rng.integers(0, span // 2)), "D").astype(object)
        chosen["date_from"], chosen["date_to"] = start, start + (options.date_max - options.date_min) / 2
    return Q.Filters(**chosen)


def timed(run: Callable[[Q.Filters], Any], filters: Q.Filters) -> float:
    started = time.perf_counter()
    result = run(filters)
    if not isinstance(result, bytes):  # CSV bytes go out as they are; callbacks' results as JSON, as Dash sends them
        plotly.io.json.to_json_plotly(result)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--data", type=Path, default=Path(".cache/dashboard-bench"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = args.data / f"jobs-{args.jobs}-seed-{args.seed}"
    generated = None
    if not (folder / "run_summary.json").exists():
        started = time.perf_counter()
        write(*generate(args.jobs, args.seed), folder)
        generated = round(time.perf_counter() - started, 1)
        print(f"generated {folder} in {generated}s", flush=True)
    started = time.perf_counter()
    source = open_source(str(folder))
    load_seconds = time.perf_counter() - started
    con = source.cursor()
    rows = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in TABLE_NAMES}
    started = time.perf_counter()
    A.create_app(source)  # filter options and the trend's skill list, once at start-up
    app_seconds = time.perf_counter() - started
    print(f"loaded {rows} in {load_seconds:.1f}s; app built in {app_seconds:.1f}s", flush=True)

    options = Q.filter_options(con)
    newest = options.model_versions[0][0]
    skills = [r["skill"] for r in Q.skill_demand(con, Q.Filters(model_versions=(newest,)), limit=60)]
    roles = [v for v, _ in options.roles]
    seniorities = [v for v, _ in options.seniorities]
    job_ids = [r[0] for r in con.execute("SELECT job_id FROM jobs USING SAMPLE 200 ROWS").fetchall()]
    rng = np.random.default_rng(args.seed)
    print(f"load average before timing: {os.getloadavg()}", flush=True)
    interactions: dict[str, Callable[[Q.Filters], Any]] = {
        "filter change: headline cards": lambda f: A.render_kpis(source, f),
        "skill demand tab (top 20 + a category)": lambda f: A.render_demand(
            source, f, options.categories[int(rng.integers(0, len(options.categories)))]),
        "trend of a skill": lambda f: A.render_trend(source, f, str(rng.choice(skills)), options.date_min,
                                                     options.date_max),
        "market tab (pairs, remote by location, experience)": lambda f: A.render_market(source, f),
        "benefits tab": lambda f: A.render_benefits(source, f),
        "skill gap": lambda f: A.render_gap(source, f, str(rng.choice(roles)), str(rng.choice(seniorities)),
                                            ", ".join(rng.choice(skills, size=6, replace=False))),
        "jobs table page": lambda f: A.render_jobs(source, f, int(rng.integers(0, 4)) * A.JOBS_PER_PAGE),
        "job detail page": lambda f: A.render_job(source, f"/job/{rng.choice(job_ids)}", ""),
        "data quality tab": lambda f: A.render_quality(source, f.model_versions),
        "CSV download: jobs (whole file)": lambda f: b"".join(A.csv_chunks(Q.export_jobs(source.cursor(), f))),
        "CSV download: skill rows (first 200k-row batch)": lambda f: next(
            A.csv_chunks(Q.export_skills(source.cursor(), f))),
        "CSV download: skill rows (whole file)": lambda f: b"".join(
            A.csv_chunks(Q.export_skills(source.cursor(), f))),
    }
    results = {}
    for name, run in interactions.items():
        run(Q.Filters(model_versions=(newest,)))  # warm up once
        repeats = args.repeats if "whole file" not in name else max(args.repeats // 4, 3)  # seconds each
        drawn = [random_filters(rng, options, newest) for _ in range(repeats)]
        seconds = sorted(timed(run, filters) for filters in drawn)
        unfiltered = timed(run, Q.Filters(model_versions=(newest,)))
        results[name] = {"p50_ms": round(statistics.median(seconds) * 1000, 1),
                         "p95_ms": round(seconds[max(0, int(len(seconds) * 0.95) - 1)] * 1000, 1),
                         "max_ms": round(seconds[-1] * 1000, 1), "unfiltered_ms": round(unfiltered * 1000, 1),
                         "runs": len(seconds)}
        print(f"{name:<55} p50 {results[name]['p50_ms']:>7.1f} ms  p95 {results[name]['p95_ms']:>7.1f} ms  "
              f"max {results[name]['max_ms']:>7.1f} ms  unfiltered {results[name]['unfiltered_ms']:>7.1f} ms",
              flush=True)
    load_average = os.getloadavg()
    document = {
        "what": "insights dashboard: each interaction's callback body + JSON serialisation, varied filters",
        "machine": f"{os.cpu_count()}-core CPU ({platform.processor() or platform.machine()}), shared with other "
                   "work during the run",
        "python": platform.python_version(), "rows": rows, "generated_seconds": generated,
        "load_seconds": round(load_seconds, 1), "app_build_seconds": round(app_seconds, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in load_average],
        "repeats": args.repeats, "interactions": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
