"""Entry point: `python -m beam_pipeline --input ... --output ...` (see launcher.py)."""
import sys

from beam_pipeline.launcher import main

sys.exit(main(sys.argv[1:]))
