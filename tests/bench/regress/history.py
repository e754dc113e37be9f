"""A synthetic history: a temporary repository of our impls over several commits, one of
which makes vectorized slower by a real code change and one of which does not import."""

import shutil
import subprocess
from pathlib import Path

IMPLS = Path(__file__).parents[3] / "impls"
# X read twice for Z: the same values (the mean of two equal sums), half again the reading.
FAST_LINE = "    Z = w @ X + b\n"
SLOW_LINES = FAST_LINE + "    Z = (w @ X + b + Z) / 2  # history: X read once more\n"
BROKEN = "\nraise ImportError('history: this commit does not import')\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=history", "-c", "user.email=history@localhost", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def make_history(repo: Path, commits: int, slower_at: int, broken_at: int) -> list[str]:
    """GOOD and then ``commits`` commits (1-based positions): vectorized slower from
    ``slower_at`` on, ``broken_at`` alone failing to import. Returns their hashes, GOOD first."""
    repo.mkdir(parents=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    shutil.copytree(IMPLS, repo / "impls", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "NOTES").write_text("good\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "good")
    hashes = [git(repo, "rev-parse", "HEAD")]
    vectorized, one_loop = repo / "impls" / "vectorized.py", repo / "impls" / "one_loop.py"
    one_loop_source = one_loop.read_text()
    for position in range(1, commits + 1):
        with (repo / "NOTES").open("a") as notes:
            notes.write(f"commit {position}\n")
        if position == slower_at:
            vectorized.write_text(vectorized.read_text().replace(FAST_LINE, SLOW_LINES, 1))
        one_loop.write_text(one_loop_source + (BROKEN if position == broken_at else ""))
        git(repo, "commit", "--quiet", "-am", f"commit {position}")
        hashes.append(git(repo, "rev-parse", "HEAD"))
    return hashes
