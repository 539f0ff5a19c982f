"""The one atomic writer: a file appears whole or not at all.

Every file netanalysis writes goes through :func:`atomic_write`: the content is written to a
temporary file beside the target and renamed over it only when the writing succeeded, so a
reader never sees a half-written file and a failed run leaves the old file in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write"]


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if the block succeeds.

    Missing parent folders are created; the file is made readable by all (``0o644``), as
    outputs are meant to be shared.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_write(folder / "out.txt", encoding="utf-8") as fh:
    ...     _ = fh.write("done")
    >>> (folder / "out.txt").read_text(encoding="utf-8")
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
