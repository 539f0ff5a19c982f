"""A worker's death is told by its own cause, not by the SIGTERM the pool then sends the others."""

import os
import signal
import time

import pytest

from netanalysis.errors import WorkerError
from netanalysis.parallel import _how_it_died, map_ordered


class Ended:
    """A finished process as _how_it_died sees it."""

    def __init__(self, exitcode):
        self.exitcode = exitcode

    def join(self, timeout=None):
        pass


@pytest.mark.parametrize(
    "codes, told",
    [
        ([-signal.SIGTERM, -signal.SIGKILL], "was killed by SIGKILL (the system's out-of-memory killer"),
        ([-signal.SIGKILL, -signal.SIGTERM], "was killed by SIGKILL (the system's out-of-memory killer"),
        ([-signal.SIGTERM, 3], "died with exit code 3"),
        ([-signal.SIGTERM, -signal.SIGSEGV], "was killed by SIGSEGV"),
        ([-signal.SIGTERM, -signal.SIGTERM], "was killed by SIGTERM"),  # (a user's SIGTERM: as it is)
        ([0, None], "died"),
    ],
)
def test_the_cause_is_the_death_that_is_not_the_pools_sigterm(codes, told):
    said = _how_it_died([Ended(c) for c in codes])
    assert said.startswith(told)
    if "SIGKILL" not in told:
        assert "memory" not in said


def _dies_or_waits(chunk):
    if chunk == 0:
        time.sleep(0.3)  # (the other worker has its chunk by then)
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(30)
    return chunk


@pytest.mark.parametrize("attempt, fresh", [(k, False) for k in range(5)] + [(k, True) for k in range(3)])
def test_a_worker_killed_while_another_works_is_told_as_killed_by_sigkill(attempt, fresh):
    # (several attempts: the pool's reaping raced ours and lost the cause in one run of twenty;
    # fresh workers are the fork server's children, which tells their ends through a pipe)
    began = time.monotonic()
    with pytest.raises(WorkerError, match=r"was killed by SIGKILL \(the system's out-of-memory killer"):
        list(map_ordered(_dies_or_waits, [0, 1], jobs=2, fresh=fresh))
    assert time.monotonic() - began < 20  # the other worker was stopped, not waited for
