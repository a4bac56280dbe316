"""`python -m schemas validate|json-schema|prompt`: check labels, print the decoding schema, inspect prompts."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Iterator, Optional

from extraction.errors import DeadLetter
from extraction.listings import ColumnMap, ListingError, normalise_listing
from extraction.prompt import PromptStyle, count_tokens, render
from extraction.readers import InputError, read_records
from schemas.decoding import decoding_schema, longest_output, token_budget
from schemas.validation import ExtractionError, canonical_json, parse_extraction


def _jsonl(path: Path) -> Iterator[tuple[int, Optional[str]]]:
    """(line number, text) of each non-blank line of a labels file; None for a line that is not UTF-8 (reported
    on stderr). Line numbers, not the listing reader: each message names the line a person fixes."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, raw.decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                print(f"{path}:{number}: invalid_encoding: not UTF-8 (byte {raw[exc.start]:#04x} at offset "
                      f"{exc.start})", file=sys.stderr)
                yield number, None


def cmd_validate(args: argparse.Namespace) -> int:
    valid = invalid = 0
    out = args.output.open("w", encoding="utf-8") if args.output else None
    for number, line in _jsonl(args.file):
        job_id: Optional[str] = None
        if line is None:
            invalid += 1
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):  # a bare string would otherwise be parsed again as JSON text
                raise ExtractionError("not_an_object", [f"expected a JSON object, got {type(record).__name__}"])
            wrapped = "extraction" in record
            if wrapped:
                job_id = record.get("job_id")
            extraction = parse_extraction(record["extraction"] if wrapped else record, strict=args.strict)
        except json.JSONDecodeError as exc:
            print(f"{args.file}:{number}: invalid_json: {exc.msg}", file=sys.stderr)
            invalid += 1
            continue
        except ExtractionError as exc:
            label = f" (job_id {job_id})" if job_id else ""
            for error in exc.errors:
                print(f"{args.file}:{number}{label}: {exc.reason}: {error}", file=sys.stderr)
            invalid += 1
            continue
        valid += 1
        if out:
            body = json.loads(canonical_json(extraction))
            out.write(json.dumps({**record, "extraction": body} if wrapped else body, ensure_ascii=False) + "\n")
    if out:
        out.close()
    print(f"{valid} valid, {invalid} invalid")
    return 1 if invalid or not valid else 0


def cmd_json_schema(args: argparse.Namespace) -> int:
    if args.budget:
        from inference.model_source import load_tokenizer

        tokenizer = load_tokenizer(args.model)
        print(json.dumps({"model": args.model, "longest_output_chars": len(longest_output()),
                          "token_budget": token_budget(tokenizer)}))
    else:
        print(json.dumps(decoding_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_prompt(args: argparse.Namespace) -> int:
    from inference.model_source import load_tokenizer

    tokenizer = load_tokenizer(args.model)
    columns = ColumnMap.from_pairs(args.column)
    counts: list[int] = []
    for number, record in enumerate(read_records(str(args.file), columns=columns, flag="prompt"), start=1):
        try:
            if isinstance(record, DeadLetter):
                raise ListingError(record.reason, record.detail)
            listing = normalise_listing(record, columns)
        except ListingError as exc:
            print(f"{args.file}: record {number}: skipped: {exc.reason}: {exc}", file=sys.stderr)
            continue
        text = render(tokenizer, listing.text(), args.style)
        counts.append(count_tokens(tokenizer, text))
        if args.show and len(counts) == 1:
            print(text)
        print(f"{listing.job_id}\t{counts[-1]}")
    if not counts:
        print("no listings", file=sys.stderr)
        return 1
    print(f"style={PromptStyle(args.style).value} listings={len(counts)} prompt_tokens min={min(counts)} "
          f"mean={statistics.mean(counts):.0f} max={max(counts)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m schemas", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="validate a JSON-lines file of extractions")
    validate.add_argument("file", type=Path, help='lines of extraction objects or {"job_id": ..., "extraction": ...}')
    validate.add_argument("--output", type=Path, help="write the valid lines here in canonical form")
    validate.add_argument("--strict", action="store_true",
                          help="reject an extraction that lacks any section or key of the schema (as teacher "
                               "labels are checked) instead of filling it with defaults")
    validate.set_defaults(func=cmd_validate)

    schema = sub.add_parser("json-schema", help="print the JSON Schema used for constrained decoding")
    schema.add_argument("--budget", action="store_true", help="print the longest output's token count instead")
    schema.add_argument("--model", default="embedded", help="tokenizer for --budget (default: embedded SmolLM2)")
    schema.set_defaults(func=cmd_json_schema)

    prompt = sub.add_parser("prompt", help="render prompts for a file of listings, with token counts")
    prompt.add_argument("file", type=Path, help="listings: a .jsonl, .csv or .parquet file, read as the pipeline "
                                                "reads it")
    prompt.add_argument("--style", choices=[s.value for s in PromptStyle], default=PromptStyle.FULL.value)
    prompt.add_argument("--model", default="embedded", help="whose tokenizer and chat template to use")
    prompt.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN",
                        help="map an input column, e.g. description=body (repeatable)")
    prompt.add_argument("--show", action="store_true", help="also print the first rendered prompt")
    prompt.set_defaults(func=cmd_prompt)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """A file that cannot be opened is one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except OSError as exc:  # missing file, a folder, no permission
        print(f"error: {exc.filename or args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except InputError as exc:  # the prompt command's file, as the reader checks it
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
