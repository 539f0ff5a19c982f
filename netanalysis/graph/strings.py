"""Columns of strings kept for every post (ids, channels, dates' sources): joined, kept as
dictionary codes when that is smaller, and handed back as plain strings or pandas Series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netanalysis.memory import release_memory

__all__ = [
    "compact_strings",
    "concat_strings",
    "drained_strings",
    "equal_flags",
    "joined_strings",
    "pandas_strings",
    "plain_strings",
]

#: how many bytes :func:`drained_strings` copies between two trims of the heap
TRIM_BYTES = 4 << 20


def compact_strings(values: pa.Array) -> pa.Array:
    """``values`` dictionary-encoded when that is smaller (a corpus's channels and dates' sources
    are a few strings repeated: at a million benchmark posts 17 and 12 MB as strings, 4 MB each
    as codes, which the run's process and every worker forked from it hold).

    Examples
    --------
    >>> compact_strings(pa.array(["MFA", "MFA", None, "MFA"])).type
    DictionaryType(dictionary<values=string, indices=int8, ordered=0>)
    >>> compact_strings(pa.array(["a"])).type
    DataType(string)
    >>> compact_strings(pa.array(["a", "b"]).dictionary_encode()).type  # (given codes: strings if smaller)
    DataType(string)
    """
    if pa.types.is_dictionary(values.type):
        return _narrow(values) if values.nbytes < _plain_nbytes(values) else plain_strings(values)
    encoded = _narrow(values.dictionary_encode())
    return encoded if encoded.nbytes < values.nbytes else values


def equal_flags(values: pa.Array | pa.ChunkedArray, text: str) -> np.ndarray:
    """Whether each of ``values`` is ``text``, as a numpy bool array (nulls give False).

    Dictionary-encoded values are compared on their dictionary and the matching codes looked up,
    so no column of decoded strings is made: comparing a dictionary-encoded column with a string
    decodes it first (at ten million posts, one chunk of a dates' source column with 8-byte
    strings, Arrow's pool peaked at 166 MiB for it; this makes the n-byte answer and a bitmap).

    Examples
    --------
    >>> equal_flags(compact_strings(pa.array(["text", None, "inferred", "text"])), "inferred").tolist()
    [False, False, True, False]
    >>> equal_flags(pa.array(["inferred", None]), "inferred").tolist()
    [True, False]
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = np.zeros(len(values), dtype=bool)
    at = 0
    for chunk in chunks:
        n = len(chunk)
        if pa.types.is_dictionary(chunk.type):
            codes = np.flatnonzero(np.asarray(pc.fill_null(pc.equal(chunk.dictionary, text), False)))
            if len(codes):
                found = pc.is_in(chunk.indices, value_set=pa.array(codes, type=chunk.indices.type))
                out[at : at + n] = np.asarray(pc.fill_null(found, False))
        elif n:
            out[at : at + n] = np.asarray(pc.fill_null(pc.equal(chunk, text), False))
        at += n
    return out


def _narrow(values: pa.DictionaryArray) -> pa.DictionaryArray:
    """Dictionary-encoded strings with the narrowest signed codes their dictionary allows (a
    byte a post for up to 127 channels: 3 bytes a post less than Arrow's int32 codes, for each
    such column the run's process keeps)."""
    n = len(values.dictionary)
    kind = pa.int8() if n <= 127 else pa.int16() if n <= 32767 else pa.int32()
    if values.type.index_type == kind:
        return values
    return pa.DictionaryArray.from_arrays(values.indices.cast(kind), values.dictionary)


def _plain_nbytes(values: pa.DictionaryArray) -> int:
    """What dictionary-encoded strings would take as a string array (offsets, characters, nulls'
    bitmap), without making it."""
    lengths = pc.fill_null(pc.binary_length(values.dictionary), 0).to_numpy().astype(np.int64)
    indices = values.indices.fill_null(0).to_numpy() if values.null_count else values.indices.to_numpy()
    characters = int(np.bincount(indices, minlength=len(lengths)) @ lengths) if len(indices) else 0
    nulls = (len(values) + 7) // 8 if values.null_count else 0
    return 4 * (len(values) + 1) + characters + nulls


def joined_strings(arrays: list[pa.Array]) -> pa.Array:
    """String arrays, some or all dictionary-encoded (:func:`compact_strings`), as one:
    dictionary-encoded when any was and that is smaller, so that no column of strings of every
    post is made on the way."""
    if not any(pa.types.is_dictionary(a.type) for a in arrays):
        return compact_strings(concat_strings(arrays))
    if len({a.type for a in arrays}) == 1:  # (codes of one width: Arrow makes one dictionary of them)
        try:
            return compact_strings(pa.concat_arrays(arrays))
        except pa.ArrowInvalid:  # (the joined dictionary needs wider codes)
            pass
    codes = pa.dictionary(pa.int32(), pa.string())
    parts = [a if a.type == codes else plain_strings(a).dictionary_encode() for a in arrays]
    return compact_strings(pa.concat_arrays(parts))


def plain_strings(values: pa.Array) -> pa.Array:
    """A column of strings as a plain string array (dictionary-encoded ones decoded), as the
    readers of a corpus's columns and the cache's entries take them."""
    return values if values.type == pa.string() else values.cast(pa.string())


def concat_strings(arrays: list[pa.Array]) -> pa.Array:
    """String arrays, some perhaps dictionary-encoded, as one plain string array."""
    if not arrays:
        return pa.array([], type=pa.string())
    return pa.concat_arrays([plain_strings(a) for a in arrays])


def drained_strings(parts: list[pa.Array | None]) -> pa.Array:
    """String arrays, some perhaps dictionary-encoded, as one plain string array (as
    :func:`concat_strings` makes it), each part dropped from ``parts`` (set to None) once copied
    and the heap trimmed every :data:`TRIM_BYTES` copied: a caller that holds the parts only in
    ``parts`` needs the joined array and one part, not every part twice (the corpus stage's
    post ids, kept a batch at a time; dictionary-encoded parts are decoded up front). Parts too
    long for a string array's 32-bit offsets are joined by Arrow, which says so."""
    if any(p is None for p in parts):
        raise ValueError("a part of the strings to join was dropped already")
    plain = [plain_strings(p) for p in parts if p is not None]
    n = sum(len(p) for p in plain)
    spans = [_span(p) for p in plain]
    size = sum(end - begin for begin, end in spans)
    if size >= 1 << 31:  # (Arrow raises its own error: offsets overflow)
        parts.clear()
        return pa.concat_arrays(plain)
    nulls = any(p.null_count for p in plain)
    offsets = np.empty(n + 1, dtype=np.int32)
    data = np.empty(size, dtype=np.uint8)
    valid = np.ones(n, dtype=bool) if nulls else None
    offsets[0] = 0
    row = at = since_trim = 0
    plain.reverse()  # (popped from the end: each part let go once copied)
    for i, (begin, end) in enumerate(spans):
        part, parts[i] = plain.pop(), None
        k = len(part)
        if k:
            own = np.frombuffer(part.buffers()[1], dtype=np.int32, count=k + 1, offset=4 * part.offset)
            offsets[row + 1 : row + k + 1] = own[1:] - (begin - at)
            if end > begin:
                data[at : at + end - begin] = np.frombuffer(part.buffers()[2], dtype=np.uint8)[begin:end]
            if valid is not None and part.null_count:
                valid[row : row + k] = part.is_valid().to_numpy(zero_copy_only=False)
        row, at = row + k, at + end - begin
        since_trim += end - begin + 4 * k
        del part
        if since_trim >= TRIM_BYTES:  # (the parts' heap back to the system as the copy grows)
            release_memory(collect=False)
            since_trim = 0
    parts.clear()
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    null_count = 0 if valid is None else int(n - valid.sum())
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap, null_count)


def _span(values: pa.Array) -> tuple[int, int]:
    """Where a (perhaps sliced) string array's characters begin and end in its data buffer."""
    if not len(values):
        return 0, 0
    own = np.frombuffer(values.buffers()[1], dtype=np.int32, count=len(values) + 1, offset=4 * values.offset)
    return int(own[0]), int(own[-1])


def pandas_strings(values: pa.Array) -> pd.Series:
    """A column of strings as a pandas Series of ``str`` dtype (Arrow-backed where pandas can)."""
    if hasattr(pd.arrays, "ArrowStringArrayNumpySemantics"):
        return pd.Series(pd.arrays.ArrowStringArrayNumpySemantics(pa.chunked_array([values])), dtype="str")
    return pd.Series(values.to_pandas(), dtype="str")
