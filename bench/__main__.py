"""python -m bench: the one command line (``bench/cli.py``)."""

import sys

from .cli import INTERRUPTED, main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # before or after a sweep: nothing half-written to clean up
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(INTERRUPTED)
