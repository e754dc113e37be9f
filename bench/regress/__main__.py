"""python -m bench.regress: the A/B check against a commit (``commits``), or, given two
result files, their comparison (``check``)."""

import sys

from . import check, commits


def main(argv: list[str]) -> int:
    if any(arg.endswith(".json") and not arg.startswith("-") for arg in argv):
        return check.main(argv)
    return commits.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
