"""`python -m fuzz --hours N`: a fuzzing campaign; see `fuzz.campaign`."""

from __future__ import annotations

import sys

from .campaign import main

sys.exit(main(sys.argv[1:]))
