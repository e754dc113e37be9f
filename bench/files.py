"""Writing a file whole: readers see the old file or the new one, never half of either."""

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write a temporary file beside path, then rename: readers see the old or the new file."""
    path = Path(path)
    mode = "wb" if isinstance(content, bytes) else "w"
    with tempfile.NamedTemporaryFile(
        mode, dir=path.parent, prefix=f".tmp-{path.name}.", delete=False
    ) as f:
        f.write(content)
        temporary = Path(f.name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # NamedTemporaryFile makes it private
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
