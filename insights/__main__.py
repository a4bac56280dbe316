"""`python -m insights OUT_DIR_OR_BQ_URI [--host 127.0.0.1 --port 8050]`: serve the dashboard."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Optional

from insights.source import SourceError, open_source


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m insights", description=__doc__)
    parser.add_argument("source", help="a pipeline output folder (e.g. out/demo) or bq://PROJECT.DATASET")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 to share on a network)")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--run-summaries", default=None, metavar="GLOB",
                        help="run_summary.json files to show; default: SOURCE/run_summary.json for a folder, "
                             "runs/*/run_summary.json (where the launcher puts them) for BigQuery")
    parser.add_argument("--bigquery-endpoint", default=None,
                        help="REST endpoint of a BigQuery emulator (else BIGQUERY_EMULATOR_HOST, else Google's)")
    parser.add_argument("--bigquery-storage-endpoint", default=None,
                        help="Storage Read gRPC host:port of the emulator (else BIGQUERY_STORAGE_EMULATOR_HOST)")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    connection = None
    if args.source.startswith("bq://"):
        from extraction.bigquery import Connection, parse_uri

        try:
            parse_uri(args.source, want_table=False)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        connection = Connection.from_options(None, args.bigquery_endpoint, args.bigquery_storage_endpoint,
                                             uri=args.source)
    started = time.time()
    try:
        source = open_source(args.source, connection, args.run_summaries)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from insights.app import create_app

    app = create_app(source)
    jobs = source.connection.execute("SELECT count(*) FROM jobs").fetchone()[0]
    print(f"loaded {jobs:,} jobs from {args.source} in {time.time() - started:.1f}s; "
          f"dashboard on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    app.run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
