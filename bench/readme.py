"""Sections of the README written by code from result files, between two marker lines."""

from pathlib import Path

from .files import write_atomic


class ReadmeError(ValueError):
    """The README cannot be read or lacks the markers (exit 2); the message says which."""


def replace_section(readme: Path, start: str, end: str, lines: list[str]) -> None:
    """Replace what stands between the lines start and end in readme with lines."""
    try:
        text = readme.read_text()
    except OSError as exc:
        raise ReadmeError(f"--readme: cannot read {readme}: {exc.strerror or exc}") from None
    if start not in text or end not in text:
        raise ReadmeError(f"--readme: {readme} lacks the markers {start!r} and {end!r}")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    write_atomic(readme, "\n".join([before + start, "", *lines, end]) + after)
