"""How well the benefits taxonomy grounds and backfills the labelled benefits, and which concepts backfill precisely.

On labelled listings (the gold extraction stands in for a perfect model):
- backfill: the benefits `found_benefits` reads in the listing's benefits section, against the gold lists
  (learning platforms, other benefits, flexibility), precision and recall by list; and the same read from the
  whole text, which says what the benefits section (`extraction.structure`) leaves out;
- evidence: the share of gold benefit items that `ground_benefits(gold, backfill=False)` keeps (the rest
  have no evidence: labels that name a perk in other words than the listing), and `ground_benefits(gold)`
  against the gold lists;
- concepts: for every taxonomy concept found in the requirements, nice-to-haves and duties
  (`extraction.grounding.CONCEPT_SECTIONS`), how often the gold has it in the list backfill would put it in;
  the rule that turns a concept on (precision >= 0.8 over >= 3 listings of the tuning sets), that rule
  cross-validated (chosen on one half of the tuning listings, measured on the other), and the precision of
  the concepts `extraction.grounding.BACKFILLED_CONCEPTS` turns on, on every set;
- cost: milliseconds per listing for `ground_benefits` from a cold cache.

Sets: "tuned" (examples/gold.jsonl with its text from examples/listings.jsonl, examples/train_labelled.jsonl and
examples/labelled/*.jsonl), which the benefits table and the concept list were written from, and "heldout"
(examples/heldout/*.jsonl), looked at only through these numbers. Writes bench/results/benefits.json.

    .venv/bin/python bench/benefits_bench.py
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extraction import benefits as benefits_module  # noqa: E402
from extraction.benefits import BENEFIT_LISTS, found_benefits, ground_benefits  # noqa: E402
from extraction.evidence import backfill  # noqa: E402
from extraction.grounding import BACKFILLED_CONCEPTS, CONCEPT_SECTIONS, _asks  # noqa: E402
from extraction.listings import normalise_listing  # noqa: E402
from extraction.structure import analyse_structure  # noqa: E402
from schemas.canonical import match_key  # noqa: E402
from schemas.models import JobExtraction, iter_lists, skill_lists  # noqa: E402
from schemas.taxonomy import PREFERRED, Kind  # noqa: E402

EXAMPLES = ROOT / "examples"
OUT = ROOT / "bench" / "results" / "benefits.json"
MIN_LISTINGS, MIN_PRECISION = 3, 0.8

Example = tuple[str, str, JobExtraction]


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _labelled(paths: list[Path]) -> list[Example]:
    return [(r["job_id"], normalise_listing(r).text(), JobExtraction.model_validate(r["extraction"]))
            for path in paths for r in _read(path)]


def load_sets() -> dict[str, list[Example]]:
    listings = {row["job_id"]: row for row in _read(EXAMPLES / "listings.jsonl")}
    tuned = [(g["job_id"], normalise_listing(listings[g["job_id"]]).text(),
              JobExtraction.model_validate(g["extraction"])) for g in _read(EXAMPLES / "gold.jsonl")]
    tuned += _labelled([EXAMPLES / "train_labelled.jsonl", *sorted((EXAMPLES / "labelled").glob("*.jsonl"))])
    return {"tuned": tuned, "heldout": _labelled(sorted((EXAMPLES / "heldout").glob("*.jsonl")))}


def _benefit_lists(extraction: JobExtraction) -> dict[str, set[str]]:
    lists = dict(iter_lists(extraction))
    return {path: {match_key(v) for v in lists[path]} for path in BENEFIT_LISTS}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f1 = 2 * p * r / (p + r) if p and r else None
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _round(p), "recall": _round(r), "f1": _round(f1)}


def _round(x):
    return None if x is None else round(x, 3)


def _found_anywhere(text: str) -> list:
    """found_benefits as if the whole text were the benefits section."""
    original = benefits_module._Listing.in_benefits
    benefits_module._Listing.in_benefits = lambda self, offset: True
    try:
        benefits_module._read.cache_clear()
        return found_benefits(text)
    finally:
        benefits_module._Listing.in_benefits = original
        benefits_module._read.cache_clear()


def benefit_backfill(examples: list[Example], anywhere: bool = False) -> dict:
    counts = {path: [0, 0, 0] for path in BENEFIT_LISTS}
    for _, text, gold in examples:
        found = _found_anywhere(text) if anywhere else found_benefits(text)
        predicted = {path: set() for path in BENEFIT_LISTS}
        for entry, _ in found:
            predicted[entry.category].add(match_key(entry.canonical))
        for path, wanted in _benefit_lists(gold).items():
            c = counts[path]
            c[0] += len(predicted[path] & wanted)
            c[1] += len(predicted[path] - wanted)
            c[2] += len(wanted - predicted[path])
    out = {path: _prf(*c) for path, c in counts.items()}
    out["all"] = _prf(*(sum(c[k] for c in counts.values()) for k in range(3)))
    return out


def benefit_evidence(examples: list[Example]) -> dict:
    kept = defaultdict(lambda: [0, 0])
    counts = [0, 0, 0]
    for _, text, gold in examples:
        wanted = _benefit_lists(gold)
        cleaned = _benefit_lists(ground_benefits(gold, text, backfill=False).extraction)
        grounded = _benefit_lists(ground_benefits(gold, text).extraction)
        for path in BENEFIT_LISTS:
            kept[path][0] += len(wanted[path])
            kept[path][1] += len(cleaned[path] & wanted[path])
            counts[0] += len(grounded[path] & wanted[path])
            counts[1] += len(grounded[path] - wanted[path])
            counts[2] += len(wanted[path] - grounded[path])
    return {"gold_items_kept_with_evidence": {path: {"items": n, "kept": k, "share": _round(k / n) if n else None}
                                              for path, (n, k) in kept.items()},
            "ground_benefits(gold)_against_gold": _prf(*counts)}


def concept_hits(examples: list[Example]) -> dict[str, list[int]]:
    """concept -> [listings where backfill would add it, of which the gold has it in that list]."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, text, gold in examples:
        structure = analyse_structure(text)
        lists: dict[str, set[str]] = defaultdict(set)
        for path, _, names in skill_lists(gold):
            for name in names:
                lists[match_key(name)].add(path)
        for found in backfill(text, frozenset({Kind.CONCEPT})):
            evidence = [ev for ev in found.evidence
                        if _asks(structure, ev) and structure.section_at(ev.start) in CONCEPT_SECTIONS]
            if not evidence:
                continue
            required = any(structure.requirement_at(ev.start) == "required" for ev in evidence)
            target = found.entry.category if required else PREFERRED
            hit = per[found.entry.canonical]
            hit[0] += 1
            hit[1] += target in lists[match_key(found.entry.canonical)]
    return dict(per)


def turned_on(per: dict[str, list[int]]) -> set[str]:
    return {name for name, (n, right) in per.items() if n >= MIN_LISTINGS and right / n >= MIN_PRECISION}


def _precision_of(per: dict[str, list[int]], names: set[str]) -> dict:
    n = sum(per[c][0] for c in names if c in per)
    right = sum(per[c][1] for c in names if c in per)
    return {"added": n, "right": right, "precision": _round(right / n) if n else None}


def concepts(sets: dict[str, list[Example]]) -> dict:
    tuned = concept_hits(sets["tuned"])
    chosen = turned_on(tuned)
    halves = [[e for e in sets["tuned"] if int(hashlib.sha256(e[0].encode()).hexdigest(), 16) % 2 == k] for k in (0, 1)]
    per_half = [concept_hits(h) for h in halves]
    cross = [_precision_of(per_half[1 - k], turned_on(per_half[k])) for k in (0, 1)]
    added = sum(c["added"] for c in cross)
    right = sum(c["right"] for c in cross)
    return {
        "sections": sorted(s.value for s in CONCEPT_SECTIONS),
        "rule": f"precision >= {MIN_PRECISION} over >= {MIN_LISTINGS} tuning listings",
        "per_concept_tuned": {name: {"listings": n, "right": r} for name, (n, r) in
                              sorted(tuned.items(), key=lambda kv: (-kv[1][1] / kv[1][0], -kv[1][0]))},
        "rule_picks": sorted(chosen),
        "rule_picks_equal_code": chosen == set(BACKFILLED_CONCEPTS),
        "cross_validated": {"halves": cross, "precision": _round(right / added) if added else None},
        "enabled_precision": {name: _precision_of(concept_hits(ex) if name != "tuned" else tuned,
                                                  set(BACKFILLED_CONCEPTS)) for name, ex in sets.items()},
    }


def cost(examples: list[Example]) -> float:
    started = time.perf_counter()
    for _, text, gold in examples:
        benefits_module._read.cache_clear()
        ground_benefits(gold, text)
    return round((time.perf_counter() - started) / len(examples) * 1000, 2)


def main() -> None:
    sets = load_sets()
    report = {
        "sets": {name: len(ex) for name, ex in sets.items()},
        "backfill_benefits_section": {name: benefit_backfill(ex) for name, ex in sets.items()},
        "backfill_whole_text": {name: benefit_backfill(ex, anywhere=True) for name, ex in sets.items()},
        "evidence": {name: benefit_evidence(ex) for name, ex in sets.items()},
        "concepts": concepts(sets),
        "ms_per_listing": cost(sets["tuned"]),
    }
    OUT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name in sets:
        section, whole = report["backfill_benefits_section"][name]["all"], report["backfill_whole_text"][name]["all"]
        print(f"{name}: benefits backfill P {section['precision']} R {section['recall']} "
              f"(whole text: P {whole['precision']} R {whole['recall']}); "
              f"ground_benefits(gold): {report['evidence'][name]['ground_benefits(gold)_against_gold']}")
    c = report["concepts"]
    print(f"concepts turned on: {len(c['rule_picks'])} (same as the code: {c['rule_picks_equal_code']}); "
          f"cross-validated precision {c['cross_validated']['precision']}; enabled: {c['enabled_precision']}")
    print(f"{report['ms_per_listing']} ms per listing; wrote {OUT}")


if __name__ == "__main__":
    main()
