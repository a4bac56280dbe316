"""Is it a job listing? The pre-model check on every listing and non-listing we have.

Real listings: the 28 demo listings and every labelled listing whose label has
a role title. Non-listings: the labelled texts whose label is empty (a recipe, a
CV, a press release, ...). Then two corpora of `bench/data/genre/`, each written
by a helper who never saw the rules: non-listings (CVs, press releases, blog
posts, events, courses, reports, careers pages, ...) and real openings that look
unusual. The first (`not_listings.jsonl`, `hard_listings.jsonl`) was measured
once as written, then used to tune the rules ("tuned"); the second
(`*_2.jsonl`) was written after the tuning and is the held-out measure. Last,
`real_listings_8lang.jsonl`: 64 short real-looking listings, eight in each
language we read (en, pt, de, es, fr, it, nl, pl), written by a person who had
not seen the rules, measured as written and never used to tune them ("8-lang");
its refusals are also counted per language.

    .venv/bin/python bench/genre_bench.py                 # bench/results/genre.json
    .venv/bin/python bench/genre_bench.py --show missed   # print what was got wrong

A real listing dead-lettered is the costly error (its row is lost); a
non-listing let through costs a polluted row, and the model's empty-extraction
rule may still catch it.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extraction.listings import clean_description  # noqa: E402
from extraction.screening import not_a_listing_reason  # noqa: E402

LABELLED = ["examples/train_labelled.jsonl", "examples/labelled/batch-en.jsonl",
            "examples/labelled/batch-intl.jsonl", "examples/heldout/labelled.jsonl"]
CORPORA = [("tuned", "bench/data/genre/not_listings.jsonl", False),
           ("tuned", "bench/data/genre/hard_listings.jsonl", True),
           ("held-out", "bench/data/genre/not_listings_2.jsonl", False),
           ("held-out", "bench/data/genre/hard_listings_2.jsonl", True),
           ("8-lang", "bench/data/genre/real_listings_8lang.jsonl", True)]


def _rows(path: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (ROOT / path).read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus() -> list[dict[str, Any]]:
    """Every text with its set ('dev', 'tuned' or 'held-out'), whether it is a listing, and its genre."""
    texts = [dict(job_id=r["job_id"], text=r["job_description"], set="dev", listing=True, genre="demo listing")
             for r in _rows("examples/listings.jsonl")]
    for path in LABELLED:
        for r in _rows(path):
            title = ((r.get("extraction") or {}).get("job_summary") or {}).get("role_title")
            texts.append(dict(job_id=r["job_id"], text=r["job_description"], set="dev", listing=title is not None,
                              genre="labelled listing" if title is not None else "labelled non-listing"))
    for name, path, listing in CORPORA:
        if (ROOT / path).is_file():
            texts += [dict(job_id=r.get("job_id") or r["id"], text=r.get("job_description") or r["text"], set=name,
                           listing=listing, genre=r.get("genre") or r["kind"], language=r.get("language") or r["lang"])
                      for r in _rows(path)]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default=str(ROOT / "bench/results/genre.json"))
    parser.add_argument("--show", choices=["missed", "all"], default=None)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    by_genre: dict[tuple[str, str], Counter] = defaultdict(Counter)
    by_language: dict[tuple[str, str], Counter] = defaultdict(Counter)
    wrong = []
    for item in corpus():
        reason = not_a_listing_reason(clean_description(item["text"]))
        refused = reason is not None
        correct = refused != item["listing"]
        key = (item["set"], "listings" if item["listing"] else "non-listings")
        results.setdefault(f"{key[0]} {key[1]}", Counter())["correct" if correct else "wrong"] += 1
        by_genre[(item["set"], item["genre"])]["refused" if refused else "passed"] += 1
        if "language" in item:
            by_language[(item["set"], item["language"])]["refused" if refused else "passed"] += 1
        if not correct or args.show == "all":
            wrong.append(dict(set=item["set"], job_id=item["job_id"], genre=item["genre"], listing=item["listing"],
                              reason=reason, start=item["text"][:100]))
    report = {
        "summary": {key: dict(counts) for key, counts in results.items()},
        "by_genre": {f"{s} / {g}": dict(c) for (s, g), c in sorted(by_genre.items())},
        "by_language": {f"{s} / {lang}": dict(c) for (s, lang), c in sorted(by_language.items())},
        "wrong": [w for w in wrong if w["listing"] != (w["reason"] is None)],
    }
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for key, counts in report["summary"].items():
        print(f"{key}: {counts.get('correct', 0)} right, {counts.get('wrong', 0)} wrong")
    for key, counts in report["by_genre"].items():
        print(f"  {key}: {counts}")
    for key, counts in report["by_language"].items():
        print(f"  {key}: {counts}")
    if args.show:
        for w in wrong:
            print(json.dumps(w, ensure_ascii=False))


if __name__ == "__main__":
    main()
