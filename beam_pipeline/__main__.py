"""Entry point: `python -m beam_pipeline --input ... --output ...` (see launcher.py)."""
import sys

from beam_pipeline.launcher import run

run(sys.argv[1:])
