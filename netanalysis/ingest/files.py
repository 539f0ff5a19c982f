"""Finding input files and opening them safely (gzip, encodings, binary and empty files).

A file is **empty** when it holds nothing but white space, however long it is (not only its
first 8 KB). The same file named twice (two paths, a link) is read once, with a warning.
Encodings and byte-order marks: :mod:`netanalysis.ingest.encodings`.
"""

from __future__ import annotations

import codecs
import glob
import gzip
import io
import json
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from netanalysis.errors import InputError
from netanalysis.ingest.encodings import decode_head, file_codec, is_wide, looks_wide

log = logging.getLogger(__name__)

__all__ = [
    "expand_inputs",
    "open_text",
    "read_text",
    "read_bytes",
    "read_json",
    "loads_json",
    "open_binary",
    "iter_text_chunks",
    "check_file",
    "text_codec",
    "head_text",
    "reads_as_utf8",
    "is_blank",
    "natural_key",
    "INPUT_SUFFIXES",
    "base_suffix",
]

#: File name endings that a directory scan picks up (a ``.gz`` of each is read too).
INPUT_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".parquet", ".html", ".htm")

_SNIFF_BYTES = 8192
_NUL = "a NUL character: binary data, not text (a damaged file?)"


def base_suffix(path: Path) -> str:
    """The suffix that says the format: ``a.jsonl.gz`` -> ``.jsonl``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def natural_key(path: Path) -> tuple:
    """Sort key that puts ``messages.html`` < ``messages2.html`` < ``messages10.html``.

    Telegram Desktop splits an HTML export into numbered pages; plain string order would read
    page 10 before page 2.
    """

    def parts(text: str) -> tuple:
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)

    name = path.name
    stem = name.split(".", 1)[0]
    return tuple(parts(p) for p in path.parent.parts), parts(stem), name


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
                (
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                    and base_suffix(p) in INPUT_SUFFIXES
                ),
                key=natural_key,
            )
            if not found:
                raise InputError(
                    path, f"directory holds no readable input (looked for {', '.join(INPUT_SUFFIXES)} and their .gz)"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif any(ch in text for ch in "*?["):
            matched = sorted((Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()), key=natural_key)
            if not matched:
                raise InputError(text, "pattern matches no file")
            files.extend(matched)
        elif path.exists():
            raise InputError(path, "not a regular file")
        else:
            raise InputError(path, "no such file or directory")
    unique: dict[Path, None] = {}
    seen: dict[tuple[int, int], Path] = {}
    for f in files:
        if f in unique:
            continue
        try:
            info = f.stat()
            key = (info.st_dev, info.st_ino)
        except OSError:  # (reported when it is read)
            unique[f] = None
            continue
        if key in seen:
            log.warning("%s is the same file as %s: it is read once", f, seen[key])
            continue
        seen[key] = f
        unique[f] = None
    return list(unique)


def _raw_open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


_READ_ERRORS = (OSError, EOFError, gzip.BadGzipFile, zlib.error)


def is_blank(path: Path) -> bool:
    """Whether a file holds nothing but white space (read to its end if need be)."""
    try:
        with _raw_open(path) as fh:
            size = _SNIFF_BYTES
            while True:
                block = fh.read(size)
                if not block:
                    return True
                if block.strip():
                    return False
                size = 1 << 20
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def check_file(path: Path, *, allow_binary: bool = False, encoding: str = "utf-8") -> bytes:
    """Read the first bytes of ``path``; refuse empty files and (unless allowed) binary ones
    (see :mod:`netanalysis.ingest.encodings`: zero bytes are text in UTF-16 and UTF-32)."""
    try:
        with _raw_open(path) as fh:
            head = fh.read(_SNIFF_BYTES)
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    if not head.strip() and is_blank(path):
        raise InputError(path, "file is empty")
    if not allow_binary and b"\x00" in head and not is_wide(file_codec(path, encoding, head)):
        wide = looks_wide(head)
        if wide:
            raise InputError(path, f"looks like {wide.upper()} text without a byte-order mark: give --encoding {wide}")
        raise InputError(path, "looks like a binary file, not text (it contains NUL bytes)")
    return head


def head_text(path: Path, encoding: str = "utf-8") -> str:
    """The first 8 KB of a file as text in its codec, without a byte-order mark or leading white
    space (for guessing its format)."""
    head = check_file(path, encoding=encoding)
    return decode_head(head, file_codec(path, encoding, head)).lstrip("\ufeff \t\r\n")


def text_codec(path: Path, encoding: str = "utf-8") -> str:
    """The codec that reads ``path`` for the ``encoding`` asked for (after :func:`check_file`)."""
    return file_codec(path, encoding, check_file(path, encoding=encoding))


def reads_as_utf8(path: Path, encoding: str = "utf-8") -> bool:
    """Whether ``path`` is read as UTF-8 (so its lines can be handled as bytes)."""
    return text_codec(path, encoding) == "utf-8-sig"


def open_text(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` of a text file, decoding strictly.

    A decoding error names the line where it happened and suggests ``--encoding``.
    """
    codec = text_codec(path, encoding)
    try:
        with _raw_open(path) as raw:
            stream = io.TextIOWrapper(raw, encoding=codec, errors="strict", newline=None)
            lineno = 0
            try:
                for lineno, line in enumerate(stream, 1):
                    if "\x00" in line:
                        raise InputError(path, f"line {lineno}: {_NUL}")
                    yield lineno, line
            except UnicodeDecodeError:
                raise InputError(path, _decode_message(encoding, _bad_line(path, codec, lineno + 1))) from None
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def open_utf8_lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, bytes | str]]:
    """Yield ``(line_number, line)`` like :func:`open_text`, as undecoded bytes when the
    encoding is UTF-8 (``json.loads`` decodes bytes faster than a text stream does).

    A byte-order mark is dropped; a line holding a lone ``\r`` (old Mac line ends) is split as
    text mode would, so line numbers agree with :func:`open_text`. Undecodable bytes surface
    where the caller decodes (``json.loads`` raises ``UnicodeDecodeError``).
    """
    if not reads_as_utf8(path, encoding):
        yield from open_text(path, encoding)
        return
    yield from number_utf8_lines(raw_lines(path), path, encoding)


def raw_lines(path: Path) -> Iterator[bytes]:
    """The lines of a file as raw bytes (un-gzipped), read errors as :class:`InputError`."""
    for block in raw_line_blocks(path):
        yield from block


def raw_line_blocks(path: Path, size: int = 1 << 20) -> Iterator[list[bytes]]:
    """The lines of a file as raw bytes (un-gzipped), in lists of about ``size`` bytes read at a
    time (``readlines``: the lines are split in C, not handed out one at a time), read errors
    as :class:`InputError`."""
    check_file(path)
    try:
        with _raw_open(path) as raw:
            while block := raw.readlines(size):
                yield block
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def number_utf8_lines(
    raw: Iterable[bytes], path: Path, encoding: str = "utf-8", first: int = 1
) -> Iterator[tuple[int, bytes | str]]:
    """The ``(line_number, line)`` of :func:`open_utf8_lines` for raw lines read elsewhere (a
    part of a file starting at line ``first``; a byte-order mark is dropped only at line 1)."""
    lineno = first - 1
    for line in raw:
        if lineno == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        if _lone_cr(line):
            try:
                parts = line.decode("utf-8").splitlines(keepends=True)
            except UnicodeDecodeError:
                raise InputError(path, _decode_message(encoding, lineno + 1)) from None
            for part in parts:
                lineno += 1
                yield lineno, part
            continue
        lineno += 1
        yield lineno, line


def _lone_cr(line: bytes) -> bool:
    """Whether a line read up to ``\\n`` holds a ``\\r`` that ends a line of its own (old Mac line ends)."""
    return b"\r" in line and b"\r" in line.rstrip(b"\r\n")


def count_lines(raw: list[bytes], joined: bytes | None = None) -> int:
    """How many lines :func:`number_utf8_lines` numbers in ``raw`` (a lone ``\\r`` ends a line);
    ``joined``: the lines joined, when the caller has them (most hold no ``\\r`` at all)."""
    n = len(raw)
    if b"\r" not in joined if joined is not None else not any(b"\r" in line for line in raw):
        return n
    for line in raw:
        if _lone_cr(line):
            try:
                n += len(line.decode("utf-8").splitlines()) - 1
            except UnicodeDecodeError:  # reported where the line is decoded
                pass
    return n


def decode_error(path: Path, encoding: str, line: int) -> InputError:
    """The error for a line that is not valid text in ``encoding``."""
    return InputError(path, _decode_message(encoding, line))


def read_bytes(path: Path, *, allow_binary: bool = False, encoding: str = "utf-8") -> bytes:
    """The whole content of a file, un-gzipped (refuses empty and, unless allowed, binary files)."""
    check_file(path, allow_binary=allow_binary, encoding=encoding)
    try:
        with _raw_open(path) as raw:
            return raw.read()
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def open_binary(path: Path) -> IO[bytes]:
    """A binary stream of a file, un-gzipped on the fly (the caller closes it)."""
    try:
        return _raw_open(path)
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def iter_text_chunks(path: Path, encoding: str = "utf-8", *, size: int = 1 << 16) -> Iterator[str]:
    """The text of a file in chunks of about ``size`` bytes, decoded strictly (for streaming
    parsers); a NUL character is refused with its line (binary data)."""
    codec = text_codec(path, encoding)
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    lines = 1
    try:
        with _raw_open(path) as raw:
            while True:
                block = raw.read(size)
                try:
                    text = decoder.decode(block, final=not block)
                except UnicodeDecodeError:
                    raise InputError(path, _decode_message(encoding, _bad_line(path, codec, lines))) from None
                if "\x00" in text:
                    line = lines + text[: text.index("\x00")].count("\n")
                    raise InputError(path, f"line {line}: {_NUL}")
                lines += text.count("\n")
                if text:
                    yield text
                if not block:
                    return
    except _READ_ERRORS as exc:
        raise InputError(path, f"cannot be read ({exc.__class__.__name__}: {exc})") from None


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole text of a file (see :func:`open_text` for the checks made)."""
    data = read_bytes(path, encoding=encoding)
    codec = file_codec(path, encoding, data[:_SNIFF_BYTES])
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise InputError(path, _decode_message(encoding, line)) from None
    del data
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(path, f"line {line}: {_NUL}")
    return text


# "\\xNN" preceded by an even number of backslashes (so not an escaped backslash then "xNN").
_BAD_X_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")


def repair_x_escapes(text: str) -> str:
    r"""``text`` with the ``\xNN`` escapes Telegram Desktop writes (invalid JSON) as ``\u00NN``."""
    return _BAD_X_ESCAPE.sub(r"\1\\u00\2", text)


def loads_json(text: str, path: Path | str) -> object:
    r"""Parse a whole JSON document, tolerating ``\xNN`` escapes (Telegram Desktop writes them).

    Raises :class:`InputError` naming the line, column and character of the first error.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        fixed = repair_x_escapes(text) if "\\x" in text else text
        if fixed is text:
            raise InputError(path, _json_message(first, text)) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None
    try:
        return json.loads(fixed)
    except json.JSONDecodeError as exc:
        raise InputError(path, _json_message(exc, fixed)) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None


def _json_message(exc: json.JSONDecodeError, text: str) -> str:
    where = f"line {exc.lineno}, column {exc.colno} (character {exc.pos})"
    if not text[exc.pos :].strip() or exc.msg.startswith("Unterminated string"):
        return f"invalid JSON at {where}: {exc.msg}; the file ends too early (truncated?)"
    return f"invalid JSON at {where}: {exc.msg}"


def read_json(path: Path, encoding: str = "utf-8") -> object:
    """Load a whole JSON file (memory: the text and the parsed objects, a few times the file size)."""
    return loads_json(read_text(path, encoding), path)


def _bad_line(path: Path, codec: str, default: int) -> int:
    """The number of the first line that does not decode (``default`` if it cannot be found)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    lines = 1
    try:
        with _raw_open(path) as raw:
            while block := raw.read(1 << 16):
                pending = decoder.getstate()[0]
                try:
                    lines += decoder.decode(block).count("\n")
                except UnicodeDecodeError as exc:
                    before = (pending + block)[: exc.start]
                    return lines + before.decode(codec, errors="replace").count("\n")
    except (*_READ_ERRORS, LookupError):
        pass
    return default


def _decode_message(encoding: str, line: int) -> str:
    hint = " (try --encoding cp1251 for Windows Cyrillic text)" if encoding.lower() in ("utf-8", "utf8") else ""
    return f"line {line}: not valid {encoding} text{hint}"
