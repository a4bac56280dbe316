"""`python -m trainer train|evaluate|label [--config FILE.yaml] [--field value ...]`.

Configuration is typed dataclasses (trainer.config) read from an optional YAML
file with CLI overrides on top, parsed by trl's TrlParser as trl's own scripts do.
"""
from __future__ import annotations

import json
import logging
import sys
from typing import Optional


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("train", "evaluate", "label"):
        print("usage: python -m trainer {train,evaluate,label} [--config FILE.yaml] [--FIELD VALUE ...] [--help]")
        return 2
    command, rest = argv[0], argv[1:]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from trl import TrlParser

    if command == "train":
        from trainer.config import DataConfig, ModelConfig, RunConfig
        from trainer.train import train

        data_cfg, model_cfg, run_cfg = TrlParser((DataConfig, ModelConfig, RunConfig)).parse_args_and_config(rest)
        train(data_cfg, model_cfg, run_cfg)
        return 0

    if command == "label":
        from trainer.label.cli import run_label

        return run_label(rest)

    from trainer.config import EvalConfig
    from trainer.evaluate import evaluate

    (eval_cfg,) = TrlParser((EvalConfig,)).parse_args_and_config(rest)
    try:
        report = evaluate(eval_cfg)
    except (ValueError, FileNotFoundError) as exc:  # bad data, split or saved report: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({m["model"]: m["summary"] for m in report["models"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
