"""A real CPU fine-tune of the embedded model: a few steps on a few short examples, then merge and extract."""
from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from beam_pipeline.launcher import run
from schemas.validation import parse_extraction
from tests.support.paths import BUNDLED_ADAPTER, EXAMPLES, read_jsonl
from trainer.config import DataConfig, EvalConfig, ModelConfig, RunConfig
from trainer.data import is_eval, load_labelled, split
from trainer.evaluate import evaluate
from trainer.train import merge_adapter, train

pytestmark = pytest.mark.slow


def test_split_is_deterministic_by_job_id():
    rows = read_jsonl(EXAMPLES / "train_labelled.jsonl")
    examples, report = load_labelled(rows)
    train_a, eval_a = split(examples, 0.2)
    train_b, eval_b = split(list(reversed(examples)), 0.2)
    assert {e.listing.job_id for e in eval_a} == {e.listing.job_id for e in eval_b}
    assert 0 < len(eval_a) < len(train_a) and report.loaded == len(rows)
    assert is_eval("4200000001", 0.2) == is_eval("4200000001", 0.2)


def test_invalid_labels_are_reported_and_left_out():
    rows = read_jsonl(EXAMPLES / "train_labelled.jsonl")[:3]
    rows[1] = dict(rows[1], extraction={"job_summary": {"role_seniority": "Guru"}})
    rows[2] = dict(rows[2], job_description="")
    examples, report = load_labelled(rows)
    assert len(examples) == 1 and report.rows == 3
    assert "role_seniority" in report.rejected[0] and "empty_description" in report.rejected[1]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("train")
    base = merge_adapter("embedded", BUNDLED_ADAPTER, tmp / "base", "bfloat16")  # a model that already stops
    rows = sorted(read_jsonl(EXAMPLES / "train_labelled.jsonl"), key=lambda r: len(r["job_description"]))[:1]
    data = tmp / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = train(
        DataConfig(data=str(data), eval_fraction=0.0, max_seq_length=2048),
        ModelConfig(model=str(base), backend="auto", lora_r=8, lora_alpha=16),
        RunConfig(output_dir=str(tmp / "run"), max_steps=4, gradient_accumulation_steps=1, learning_rate=1e-3,
                  warmup_ratio=0.0, save_steps=2),
    )
    return summary, tmp, rows[0]


def test_loss_goes_down_and_outputs_are_written(trained):
    summary, tmp, _ = trained
    assert summary["backend"] == "peft" and summary["steps"] == 4
    assert summary["losses"][-1] < summary["losses"][0]
    adapter, merged = tmp / "run" / "adapter", tmp / "run" / "merged"
    assert (adapter / "adapter_model.safetensors").is_file()
    config = json.loads((merged / "config.json").read_text())
    assert "quantization_config" not in config and config["dtype"] == "bfloat16"
    assert (merged / "model.safetensors").is_file() and (merged / "tokenizer_config.json").is_file()
    assert (tmp / "run" / "checkpoints" / "checkpoint-4").is_dir()


def test_merged_model_runs_in_the_pipeline(trained):
    _, tmp, row = trained
    source = tmp / "one.jsonl"
    source.write_text(json.dumps(row) + "\n")
    summary = run(["--input", str(source), "--output", str(tmp / "out"), "--model", str(tmp / "run" / "merged"),
                   "--prompt-style", "compact"])
    assert summary["extracted"] == 1, summary
    [job] = pq.read_table(tmp / "out" / "jobs").to_pylist()
    parse_extraction(job["extraction_json"])


def test_evaluate_scores_the_bundled_adapter_on_gold_listings(tmp_path):
    """`python -m trainer evaluate` end to end: real decoding, real scoring, both reports written."""
    cfg = EvalConfig(model=[str(BUNDLED_ADAPTER)], data=str(EXAMPLES / "gold.jsonl"),
                     listings=str(EXAMPLES / "listings.jsonl"), limit=2, slots=2, output_dir=str(tmp_path))
    report = evaluate(cfg)
    [scored] = report["models"]
    assert report["examples"] == 2 and scored["summary"]["valid_json_rate"] == 1.0
    assert 0 < scored["summary"]["mean_f1"] <= 1 and scored["summary"]["failures"] == {}
    assert json.loads((tmp_path / "eval.json").read_text())["job_ids"] == report["job_ids"]
    assert "| mean_f1 |" in (tmp_path / "eval.md").read_text()
    assert set(scored["stages"]) == {"model", "grounded", "grounded+backfill"}
    assert scored["stages"]["grounded"]["skills"]["precision"] is not None
    assert "| grounded+backfill |" in (tmp_path / "eval.md").read_text()


def test_rescore_scores_saved_outputs_without_decoding(tmp_path):
    rows = read_jsonl(EXAMPLES / "heldout" / "labelled.jsonl")[:3]
    saved = {"data": str(EXAMPLES / "heldout" / "labelled.jsonl"), "split": "all", "examples": 3,
             "job_ids": [r["job_id"] for r in rows], "left_out": [], "prompt_style": "auto",
             "models": [{"model": "a-model", "summary": {"listings_per_minute": 2.0, "mean_output_tokens": 700,
                                                         "max_new_tokens": 1536, "prompt_style": "compact"},
                         "outputs": [{"job_id": rows[0]["job_id"], "finish_reason": "stop", "output_tokens": 9,
                                      "text": json.dumps(rows[0]["extraction"])},
                                     {"job_id": rows[1]["job_id"], "finish_reason": "length", "output_tokens": 9,
                                      "text": "{\"job_summary\": {"},
                                     {"job_id": rows[2]["job_id"], "finish_reason": "stop", "output_tokens": 9,
                                      "text": "not json"}]}]}
    (tmp_path / "eval.json").write_text(json.dumps(saved))
    report = evaluate(EvalConfig(rescore=str(tmp_path / "eval.json"), output_dir=str(tmp_path / "again")))
    [model] = report["models"]
    assert model["summary"]["failures"] == {"truncated": 1, "invalid_json": 1}
    assert model["summary"]["listings_per_minute"] == 2.0 and report["rescored_from"].endswith("eval.json")
    skills = model["stages"]["model"]["skills"]  # the one parsed output is the label itself
    assert skills["precision"] == 1.0 and 0 < skills["recall"] < 1
    assert (tmp_path / "again" / "eval.md").is_file()


def test_rescore_refuses_a_file_without_saved_outputs(tmp_path, capsys):
    from trainer.__main__ import main

    (tmp_path / "eval.json").write_text(json.dumps({"data": "x", "job_ids": [], "models": [{"model": "m"}]}))
    assert main(["evaluate", "--rescore", str(tmp_path / "eval.json")]) == 2
    assert "not an eval.json with saved outputs" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text("{")
    assert main(["evaluate", "--rescore", str(tmp_path / "broken.json")]) == 2
    assert "not a readable eval.json" in capsys.readouterr().err
