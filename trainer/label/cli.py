"""The `label` subcommand: parse the config, run, print the cost report, exit with a status a script can use.

Exit status: 0 when every selected listing is labelled or rejected, 1 when some
are still to do (failures within the budget, or the run stopped: the message
says why; run the same command again to resume), 2 for a configuration or
input error (one line, before anything is sent to the teacher).
"""
from __future__ import annotations

import json
import logging
import sys
from typing import Any

from trainer.label.config import LabelConfig


def cost_report(result: dict[str, Any]) -> str:
    """The end-of-run report a person reads; the JSON file has the same numbers."""
    counts, cost = result["counts"], result["cost"]
    lines = [
        f"teacher {result['teacher']['model']} at {result['teacher']['base_url']} "
        f"(prompt {result['teacher']['prompt_version']}, {result['teacher']['response_format']})",
        f"read {counts['read']} = labelled {counts['labelled']} + rejected {counts['rejected']} + duplicates "
        f"{counts['duplicates']} + not sampled {counts['not_sampled']} + still to do {counts['pending']}",
        f"this run: {counts['labelled_this_run']} labelled, {counts['rejected_this_run']} rejected, "
        f"{result['requests']} requests, {result['input_tokens']} input + {result['output_tokens']} output tokens, "
        f"{result['labels_per_minute']} labels/min in {result['elapsed_s']} s",
        f"rejected by reason: {json.dumps(result['rejected_by_reason'])}",
        f"failed by reason (still to do): {json.dumps(result['failed_by_reason'])}; "
        f"retries: {json.dumps(result['retries_by_reason'])}",
        f"tool names removed as not in the listing: {result['grounding_removed']['names']} "
        f"{json.dumps(result['grounding_removed']['by_list'])}",
    ]
    if cost["usd"] is None:
        lines.append(f"cost: unknown ({cost['note']})")
    else:
        per_1k = f", ${cost['usd_per_1k_labels']:.2f} per 1k labels" if cost["usd_per_1k_labels"] else ""
        lines.append(f"cost: ${cost['usd']:.4f}{per_1k} at ${cost['price_input_per_million']}/"
                     f"${cost['price_output_per_million']} per 1M input/output tokens (as of {cost['prices_as_of']})")
    return "\n".join(lines)


def run_label(argv: list[str]) -> int:
    from trl import TrlParser

    from extraction.readers import InputError
    from trainer.label.run import label
    from trainer.label.store import StoreError

    (cfg,) = TrlParser((LabelConfig,)).parse_args_and_config(argv)
    for noisy in ("httpx", "httpx2", "openai"):  # one INFO line per request would drown the progress lines
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        result = label(cfg)
    except (ValueError, InputError, StoreError, FileNotFoundError) as exc:
        print(f"trainer label: {exc}", file=sys.stderr)
        return 2
    print(cost_report(result))
    if result["stopped"]:
        print(f"trainer label: {result['stopped']}", file=sys.stderr)
    return 0 if result["complete"] else 1
