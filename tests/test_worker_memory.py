"""The -v log's peak memory names the largest worker's too (workers hold their own memory): an
ended worker's, or a fresh one's (the fork server's child) as it told it with its result."""

import multiprocessing
import re

import numpy as np
import pytest

from netanalysis.parallel import start_ordered
from netanalysis.pipeline.runner import peak_memory


def _touch(megabytes):
    np.ones(megabytes << 17)  # 8-byte values: megabytes MB, written


@pytest.mark.skipif(not hasattr(multiprocessing, "get_context"), reason="no processes")
def test_peak_memory_names_the_largest_ended_worker():
    child = multiprocessing.get_context("fork").Process(target=_touch, args=(300,))
    child.start()
    child.join()
    said = peak_memory()
    found = re.fullmatch(r"(\d+) MB \(largest worker process (\d+) MB\)", said)
    assert found, said
    assert int(found.group(2)) >= 300


def test_peak_memory_names_a_fresh_worker_that_told_its_peak():
    list(start_ordered(_touch, [450, 1], jobs=2, fresh=True))
    said = peak_memory()
    found = re.fullmatch(r"(\d+) MB \(largest worker process (\d+) MB\)", said)
    assert found, said
    assert int(found.group(2)) >= 450
