"""The -v log's peak memory names the largest ended worker's too (workers hold their own memory)."""

import multiprocessing
import re

import numpy as np
import pytest

from netanalysis.pipeline.runner import peak_memory


def _touch(megabytes):
    np.ones(megabytes << 17)  # 8-byte values: megabytes MB, written


@pytest.mark.skipif(not hasattr(multiprocessing, "get_context"), reason="no processes")
def test_peak_memory_names_the_largest_ended_worker():
    child = multiprocessing.get_context("fork").Process(target=_touch, args=(300,))
    child.start()
    child.join()
    said = peak_memory()
    found = re.fullmatch(r"(\d+) MB \(largest ended worker process (\d+) MB\)", said)
    assert found, said
    assert int(found.group(2)) >= 300
