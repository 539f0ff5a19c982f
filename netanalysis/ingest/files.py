"""Finding input files and opening them safely (gzip, encodings, binary and empty files)."""
from __future__ import annotations

import glob
import gzip
import io
from pathlib import Path
from typing import IO, Iterator

from netanalysis.errors import InputError

__all__ = ["expand_inputs", "open_text", "read_text", "INPUT_SUFFIXES", "base_suffix"]

#: File name endings that a directory scan picks up (a ``.gz`` of each is read too).
INPUT_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".html", ".htm")

_SNIFF_BYTES = 8192


def base_suffix(path: Path) -> str:
    """The suffix that says the format: ``a.jsonl.gz`` -> ``.jsonl``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def expand_inputs(inputs: str | Path | list[str | Path] | tuple) -> list[Path]:
    """Turn files, directories and glob patterns into a sorted, de-duplicated list of files.

    Raises :class:`InputError` for a path that does not exist, a pattern that matches nothing, or
    a directory holding no readable input.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    files: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".") and base_suffix(p) in INPUT_SUFFIXES
            )
            if not found:
                raise InputError(path, "directory holds no readable input "
                                 f"(looked for {', '.join(INPUT_SUFFIXES)} and their .gz)")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif any(ch in text for ch in "*?["):
            matched = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not matched:
                raise InputError(text, "pattern matches no file")
            files.extend(matched)
        elif path.exists():
            raise InputError(path, "not a regular file")
        else:
            raise InputError(path, "no such file or directory")
    unique: dict[Path, None] = {}
    for f in files:
        unique.setdefault(f, None)
    return list(unique)


def _raw_open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def check_file(path: Path, *, allow_binary: bool = False) -> bytes:
    """Read the first bytes of ``path``; refuse empty files and (unless allowed) binary ones."""
    try:
        with _raw_open(path) as fh:
            head = fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    if not head.strip():
        raise InputError(path, "file is empty")
    if not allow_binary and b"\x00" in head:
        raise InputError(path, "looks like a binary file, not text (it contains NUL bytes)")
    return head


def open_text(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` of a text file, decoding strictly.

    A decoding error names the line where it happened and suggests ``--encoding``.
    """
    check_file(path)
    try:
        with _raw_open(path) as raw:
            stream = io.TextIOWrapper(raw, encoding=_codec(encoding), errors="strict", newline=None)
            lineno = 0
            try:
                for lineno, line in enumerate(stream, 1):
                    yield lineno, line
            except UnicodeDecodeError:
                raise InputError(path, _decode_message(encoding, lineno + 1)) from None
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole text of a file (see :func:`open_text` for the checks made)."""
    check_file(path)
    try:
        with _raw_open(path) as raw:
            data = raw.read()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    try:
        return data.decode(_codec(encoding))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, _decode_message(encoding, line)) from None


def _codec(encoding: str) -> str:
    # utf-8-sig reads plain UTF-8 too and drops a byte-order mark that editors on Windows add.
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _decode_message(encoding: str, line: int) -> str:
    hint = " (try --encoding cp1251 for Windows Cyrillic text)" if encoding.lower() in ("utf-8", "utf8") else ""
    return f"line {line}: not valid {encoding} text{hint}"
