"""python -m bench regress: the check between two commits, or (``regress find``) the search."""

import argparse


def main(args: argparse.Namespace) -> int:
    if args.action == "find":
        from .find import main as find

        return find(args)
    from .compare_commits import main as check

    return check(args)
