"""python -m bench.regress: the regression check, HEAD against a commit (``compare_commits``).

Two stored result files are compared by ``python -m bench.regress.compare_files``, and the
check's own false-alarm and detection rates measured by ``python -m bench.regress.trials``.
"""

import sys

from . import compare_commits


def main(argv: list[str]) -> int:
    files = [arg for arg in argv if arg.endswith(".json") and not arg.startswith("-")]
    if files:  # the old way in: say where the file comparison lives now
        print(
            "python -m bench.regress: error: it compares commits; to compare result files, "
            f"run python -m bench.regress.compare_files {' '.join(files)}",
            file=sys.stderr,
        )
        return 2
    return compare_commits.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
