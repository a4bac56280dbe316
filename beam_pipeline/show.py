"""`python -m beam_pipeline.show OUTPUT`: a quick look at a local run's tables (counts, top skills, errors)."""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from schemas.models import JobExtraction, skill_lists
from schemas.tables import TABLE_NAMES

PHRASES = {("removed", "skills"): "named by the model but not asked for by the listing (or perks), removed",
           ("removed", "benefits"): "(and work-model flexibility) named by the model but not in the listing, removed",
           ("recovered", "skills"): "found in the listing through the taxonomy, added",
           ("recovered", "benefits"): "found in the listing's benefits, added"}
SKILL_LIST_PATHS = frozenset(path for path, _, _ in skill_lists(JobExtraction()))  # reasons count these only

# The words `show` prints for each removal reason of `extraction.grounding.REMOVAL_REASONS`.
REASONS = {"unevidenced": "not in the listing", "negated": "ruled out by the listing (negated)",
           "context_only": "only in company, benefits, apply or legal text (context only)", "perk": "perks"}


def show(output: str, top: int = 15) -> None:
    root = Path(output)
    summary = json.loads((root / "run_summary.json").read_text())
    print(f"run {summary['run_id']}: read {summary['read']}, extracted {summary['extracted']}, "
          f"dead-lettered {summary['dead_lettered']}, duplicates {summary['duplicates']}")
    tables = {name: pq.read_table(root / name).to_pylist()
              for name in TABLE_NAMES}
    for name, rows in tables.items():
        print(f"  {name}: {len(rows)} rows in {root / name}")
    print("\njobs (first 10):")
    for row in tables["jobs"][:10]:
        print(f"  {row['job_id']:<14} {str(row['role_title'])[:34]:<34} {row['role_seniority']:<13} "
              f"{row['remote_status']:<24} skills={row['skill_count']}")
    skills = Counter(row["skill"] for row in tables["job_skills"])
    print(f"\ntop {top} skills: " + ", ".join(f"{skill} ({n})" for skill, n in skills.most_common(top)))
    grounding = summary.get("grounding", {})
    for kind in ("removed", "recovered"):
        counts = grounding.get(kind, {})
        parts = {"skills": {k: n for k, n in counts.items() if k in SKILL_LIST_PATHS},
                 "benefits": {k: n for k, n in counts.items() if k not in SKILL_LIST_PATHS}}
        for label, part in parts.items():
            detail = ", ".join(f"{k.split('.')[-1]} {n}" for k, n in sorted(part.items(), key=lambda kv: -kv[1]))
            print(f"{label} {PHRASES[kind, label]}: {sum(part.values())}" + (f" ({detail})" if detail else ""))
            if (kind, label) == ("removed", "skills"):
                reasons = grounding.get("removed_reason", {})
                print("  removed by reason: " + (", ".join(
                    f"{REASONS.get(reason, reason)} {n}" for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]))
                    or "none"))
    ruled = summary.get("rules_changed", {})
    if ruled:
        print("scalars set by the listing's own title or workplace column: "
              + ", ".join(f"{field} {n}" for field, n in ruled.items()))
    sources = Counter(row.get("source") for row in tables["job_skills"])
    print("skill rows by source: " + ", ".join(f"{k} {n}" for k, n in sources.most_common()))
    for row in tables["job_skills"][:5]:
        print(f"  {row['job_id']:<14} {row['skill']:<28} {row['requirement']:<9} {row['source']:<8} "
              f"evidence [{row['evidence_start']}:{row['evidence_end']}] {row['evidence_text']!r}")
    reasons = Counter(f"{row['stage']}/{row['reason']}" for row in tables["extraction_errors"])
    print("dead letters: " + (", ".join(f"{k} ({n})" for k, n in reasons.most_common()) or "none"))
    print(f"\nOpen them with pandas, DuckDB or pyarrow, e.g.\n  .venv/bin/python -c \"import pandas; "
          f"print(pandas.read_parquet('{root}/job_skills').skill.value_counts())\"")


if __name__ == "__main__":
    show(sys.argv[1] if len(sys.argv) > 1 else "out/demo")
