"""Columns of strings kept for every post (ids, channels, dates' sources): joined, kept as
dictionary codes when that is smaller, and handed back as plain strings or pandas Series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["compact_strings", "concat_strings", "joined_strings", "pandas_strings", "plain_strings"]


def compact_strings(values: pa.Array) -> pa.Array:
    """``values`` dictionary-encoded when that is smaller (a corpus's channels and dates' sources
    are a few strings repeated: at a million benchmark posts 17 and 12 MB as strings, 4 MB each
    as codes, which the run's process and every worker forked from it hold).

    Examples
    --------
    >>> compact_strings(pa.array(["MFA", "MFA", None, "MFA"])).type
    DictionaryType(dictionary<values=string, indices=int32, ordered=0>)
    >>> compact_strings(pa.array(["a"])).type
    DataType(string)
    >>> compact_strings(pa.array(["a", "b"]).dictionary_encode()).type  # (given codes: strings if smaller)
    DataType(string)
    """
    if pa.types.is_dictionary(values.type):
        return values if values.nbytes < _plain_nbytes(values) else plain_strings(values)
    encoded = values.dictionary_encode()
    return encoded if encoded.nbytes < values.nbytes else values


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


def pandas_strings(values: pa.Array) -> pd.Series:
    """A column of strings as a pandas Series of ``str`` dtype (Arrow-backed where pandas can)."""
    if hasattr(pd.arrays, "ArrowStringArrayNumpySemantics"):
        return pd.Series(pd.arrays.ArrowStringArrayNumpySemantics(pa.chunked_array([values])), dtype="str")
    return pd.Series(values.to_pandas(), dtype="str")
