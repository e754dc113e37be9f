"""python -m bench.regress BASELINE.json CURRENT.json: see ``bench.regress.check``."""

import sys

from .check import main

if __name__ == "__main__":
    sys.exit(main())
