"""`python -m trainer evaluate`: score one or more models on labelled listings with the pipeline's decoding."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

from tqdm import tqdm

from extraction.listings import ColumnMap
from extraction.postprocess import postprocess
from extraction.prompt import PromptStyle, fit_prompt
from extraction.readers import read_records
from extraction.screening import not_a_listing_reason
from inference.limits import resolve_token_limits
from inference.model_source import default_prompt_style, resolve_model
from inference.transformers_engine import TransformersEngine
from schemas.models import JobExtraction, skill_lists
from schemas.validation import ExtractionError, parse_extraction
from trainer.config import EvalConfig
from trainer.data import LabelledListing, is_eval, load_labelled, load_listings_by_id
from trainer.metrics import Example, score


def select(examples: list[LabelledListing], cfg: EvalConfig) -> list[LabelledListing]:
    if cfg.split == "all":
        chosen = examples
    elif cfg.split in ("train", "eval"):
        want_eval = cfg.split == "eval"
        chosen = [e for e in examples if is_eval(e.listing.job_id, cfg.eval_fraction) == want_eval]
    else:
        raise ValueError(f"split {cfg.split!r}: use all, train or eval")
    return chosen[: cfg.limit] if cfg.limit else chosen


def evaluate_model(spec: str, examples: list[LabelledListing], cfg: EvalConfig) -> dict[str, Any]:
    """Generate for every example exactly as the pipeline would, then score."""
    style = PromptStyle(default_prompt_style(resolve_model(spec, weights=False)) if cfg.prompt_style == "auto"
                        else cfg.prompt_style)
    generator = TransformersEngine.load(spec, slots=cfg.slots)
    limits = resolve_token_limits(generator.tokenizer, generator.context_length, style, cfg.max_new_tokens)
    prompts = [fit_prompt(generator.tokenizer, e.listing.text(), style, limits.max_prompt_tokens).text
               for e in examples]
    started = time.time()
    with tqdm(total=len(prompts), unit="listing", desc=f"decoding ({Path(spec).name or spec})", disable=None,
              dynamic_ncols=True, smoothing=0.1) as bar:
        tokens = 0

        def tokens_chosen(n: int) -> None:  # listings finish together: the tokens show it moving before
            nonlocal tokens
            tokens += n
            bar.set_postfix_str(f"{tokens:,} tokens, {tokens / max(time.time() - started, 1e-9):.0f} tok/s")

        outputs = generator.generate(prompts, limits.max_new_tokens, on_finished=bar.update, on_tokens=tokens_chosen)
    seconds = time.time() - started
    saved = [{"job_id": e.listing.job_id, "finish_reason": g.finish_reason, "output_tokens": g.output_tokens,
              "text": g.text} for e, g in zip(examples, outputs)]
    return score_outputs(spec, examples, saved, {
        "listings_per_minute": round(len(examples) / seconds * 60, 2) if seconds else None,
        "mean_output_tokens": round(sum(g.output_tokens for g in outputs) / len(outputs), 1),
        "max_new_tokens": limits.max_new_tokens,
        "prompt_style": style.value,
    }, seconds)


def score_outputs(spec: str, examples: list[LabelledListing], outputs: list[dict[str, Any]],
                  decoding: dict[str, Any], seconds: Optional[float]) -> dict[str, Any]:
    """A model's report from its saved outputs ({job_id, finish_reason, output_tokens, text}, in example order):
    parse failures, then every stage's scores; `decoding` holds what the decoding run measured."""
    predictions, failures = [], {}
    for output in outputs:
        prediction = None
        if output["finish_reason"] == "length":
            failures["truncated"] = failures.get("truncated", 0) + 1
        else:
            try:
                prediction = parse_extraction(output["text"])
            except ExtractionError as exc:
                failures[exc.reason] = failures.get(exc.reason, 0) + 1
        predictions.append(prediction)
    stages, grounding = score_stages(examples, predictions)
    metrics = stages["model"]
    return {
        "model": spec,
        "summary": {
            "valid_json_rate": metrics["valid_json_rate"],
            "mean_f1": metrics["mean_f1"],
            "grounding_rate": metrics["grounding_rate"],
            "failures": failures,
            **decoding,
            **grounding,
            "grounding_share_of_time": round(grounding["grounding_seconds"] / seconds, 5) if seconds else None,
        },
        "metrics": metrics,
        "stages": stages,
        "outputs": outputs,
    }


def _load_examples(data: str, listings: Optional[str]) -> tuple[list[LabelledListing], Any]:
    """The labelled listings of `data` (joined on job_id with `listings` when given), and the load report."""
    columns = ColumnMap()
    return load_labelled(read_records(data, columns=columns, flag="--data"), columns,
                         listings_by_id=load_listings_by_id(listings, columns))


def rescore(cfg: EvalConfig) -> dict[str, Any]:
    """Score the saved outputs of an earlier evaluation again, with today's grounding, rules and taxonomy.

    Decoding is the slow part (minutes per listing on a CPU); grounding, rules and the taxonomy change more
    often than the model. The labelled data, the examples and the outputs come from the saved report."""
    try:
        saved = json.loads(Path(cfg.rescore).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"--rescore {cfg.rescore}: not a readable eval.json ({exc})") from None
    if not isinstance(saved, dict) or not all(key in saved for key in ("data", "job_ids", "models")) or not all(
            isinstance(m, dict) and "outputs" in m for m in saved["models"]):
        raise ValueError(f"--rescore {cfg.rescore}: not an eval.json with saved outputs (data, job_ids, models "
                         f"and each model's outputs)")
    examples, _ = _load_examples(saved["data"], saved.get("listings"))
    by_id = {e.listing.job_id: e for e in examples}
    missing = [job_id for job_id in saved["job_ids"] if job_id not in by_id]
    if missing:
        raise ValueError(f"{saved['data']} no longer has the listings {missing[:5]} that {cfg.rescore} scored")
    chosen = [by_id[job_id] for job_id in saved["job_ids"]]
    models = []
    for model in saved["models"]:
        if [output["job_id"] for output in model["outputs"]] != saved["job_ids"]:
            raise ValueError(f"--rescore {cfg.rescore}: {model['model']}'s outputs are not the listings of job_ids")
        decoding = {key: model["summary"].get(key) for key in
                    ("listings_per_minute", "mean_output_tokens", "max_new_tokens", "prompt_style")}
        per_minute = decoding["listings_per_minute"]
        seconds = len(chosen) / per_minute * 60 if per_minute else None
        models.append(score_outputs(model["model"], chosen, model["outputs"], decoding, seconds))
    return {**{key: saved.get(key) for key in ("data", "listings", "split", "examples", "job_ids", "left_out",
                                                 "prompt_style")},
            "rescored_from": cfg.rescore, "models": models}


STAGES = ("model", "grounded", "grounded+backfill")


def score_stages(examples: list[LabelledListing], predictions: list[Optional[JobExtraction]]
                 ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Scores of the raw outputs, of the outputs grounded (unevidenced skills removed), and grounded with the
    taxonomy's backfill: the three things the pipeline can write. Both grounded stages also get the scalar
    rules (`extraction.rules`) and the listing check (`extraction.screening`), as the pipeline applies them:
    a text the check refuses writes no row, which scores as an empty extraction. Also the share of the
    model's skills that had no evidence, and what grounding cost."""
    staged: dict[str, list[Example]] = {stage: [] for stage in STAGES}
    model_skills = ungrounded = refused = 0
    started = time.time()
    for example, prediction in zip(examples, predictions):
        text = example.listing.text()
        staged["model"].append(Example(prediction, example.extraction, text))
        if not_a_listing_reason(example.listing.description):
            refused += 1
            prediction = JobExtraction()
        if prediction is None:
            staged["grounded"].append(Example(None, example.extraction, text))
            staged["grounded+backfill"].append(Example(None, example.extraction, text))
            continue
        grounded = postprocess(prediction, example.listing, backfill=False).grounding
        model_skills += sum(len(names) for _, _, names in skill_lists(prediction))
        ungrounded += sum(grounded.removed.values())
        staged["grounded"].append(Example(grounded.extraction, example.extraction, text))
        staged["grounded+backfill"].append(Example(postprocess(prediction, example.listing).extraction,
                                                 example.extraction, text))
    seconds = time.time() - started
    return {stage: score(rows) for stage, rows in staged.items()}, {
        "model_skill_items": model_skills,
        "refused_by_listing_check": refused,
        "ungrounded_share_before_removal": round(ungrounded / model_skills, 4) if model_skills else None,
        "grounding_seconds": round(seconds / 2, 4),  # two ground() calls per listing above; the pipeline makes one
    }


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def markdown(report: dict[str, Any]) -> str:
    """One table, a column per model: summary rows, then each scalar field and each list field's F1."""
    models = report["models"]
    header = "| metric | " + " | ".join(Path(m["model"]).name or m["model"] for m in models) + " |"
    lines = [header, "|---" * (len(models) + 1) + "|"]

    def row(name: str, values: list[Any]) -> None:
        lines.append(f"| {name} | " + " | ".join(_fmt(v) for v in values) + " |")

    for key in ("valid_json_rate", "mean_f1", "grounding_rate", "listings_per_minute", "mean_output_tokens",
                "ungrounded_share_before_removal", "grounding_share_of_time"):
        row(key, [m["summary"].get(key) for m in models])
    for path in models[0]["metrics"]["scalar_accuracy"]:
        row(f"accuracy: {path.split('.')[-1]}", [m["metrics"]["scalar_accuracy"][path] for m in models])
    for path, first in models[0]["metrics"]["list_scores"].items():
        values = [m["metrics"]["list_scores"][path]["f1"] for m in models]
        if any(v is not None for v in values):
            row(f"F1: {path.replace('required_qualifications.technical_skills.', 'skills.')}", values)
    return "\n".join(lines) + "\n\n" + stage_table(models)


def stage_table(models: list[dict[str, Any]]) -> str:
    """Skills and scalars per model and pipeline stage: raw output, grounded, grounded plus taxonomy backfill."""
    lines = ["| model | stage | skill P | skill R | skill F1 | tool-list F1 | skill F1 (any list) | core scalars |",
             "|---|---|---|---|---|---|---|---|"]
    for m in models:
        for stage, metrics in m.get("stages", {}).items():
            s, t, a = metrics["skills"], metrics["tool_lists"], metrics["skills_any_list"]
            lines.append(f"| {Path(m['model']).name or m['model']} | {stage} | {_fmt(s['precision'])} | "
                         f"{_fmt(s['recall'])} | {_fmt(s['f1'])} | {_fmt(t['f1'])} | {_fmt(a['f1'])} | "
                         f"{_fmt(metrics['scalar_core_accuracy'])} |")
    return "\n".join(lines) + "\n"


def evaluate(cfg: EvalConfig) -> dict[str, Any]:
    if cfg.rescore:
        report = rescore(cfg)
    else:
        examples, load_report = _load_examples(cfg.data, cfg.listings)
        chosen = select(examples, cfg)
        if not chosen:
            raise ValueError(f"no labelled listings selected from {cfg.data} (split {cfg.split})")
        report = {
            "data": cfg.data,
            "listings": cfg.listings,
            "split": cfg.split,
            "examples": len(chosen),
            "job_ids": [e.listing.job_id for e in chosen],
            "left_out": load_report.rejected,
            "prompt_style": cfg.prompt_style,
            "models": [evaluate_model(spec, chosen, cfg) for spec in cfg.model],
        }
    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval.json").write_text(json.dumps(report, indent=2))
    (out / "eval.md").write_text(markdown(report))
    print(markdown(report))
    return report
