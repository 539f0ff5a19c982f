"""The one hierarchy of errors netanalysis raises.

The command line turns every :class:`NetanalysisError` into a single ``Error: ...`` line and
exit code 1; library users catch :class:`NetanalysisError` to catch them all.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "NetanalysisError",
    "InputError",
    "RecordError",
    "RegistryError",
    "ConfigError",
    "ConfigFileError",
    "GraphError",
    "OutputError",
    "WorkerError",
    "Interrupted",
    "stop",
    "stops_held",
    "raise_if_stopped",
    "stop_behind",
    "stopped",
]


class NetanalysisError(Exception):
    """Base class of every error netanalysis raises on purpose."""


class InputError(NetanalysisError):
    """An input file cannot be read at all (missing, empty, binary, wrong encoding, bad format).

    The message always names the file, so the CLI's ``Error:`` line is enough to act on.
    """

    def __init__(self, path: str | Path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):  # picklable, so that an error met in a worker process is raised here
        return (InputError, (self.path, self.problem))


class RecordError(InputError):
    """One record of an input is malformed (raised only in strict mode; otherwise counted)."""

    def __init__(self, path: str | Path, record: int | str, problem: str):
        self.record = record
        self.record_problem = problem
        super().__init__(path, f"record {record}: {problem}")

    def __reduce__(self):
        return (RecordError, (self.path, self.record, self.record_problem))


class RegistryError(NetanalysisError):
    """A registry file (countries, forums, aliases) is malformed."""


class ConfigError(NetanalysisError):
    """A configuration file or an option value is invalid."""


class ConfigFileError(ConfigError):
    """A study file cannot be read at all (missing, not UTF-8, not TOML, nested too deeply): bad
    input, where a wrong setting in it is a usage error."""


class GraphError(NetanalysisError):
    """A graph cannot be analysed as asked (for example, one side of the bipartite graph is empty)."""


class OutputError(NetanalysisError):
    """The output folder cannot be written (not a folder, no permission, disk full, locked by
    another run). The message names the folder or file."""

    def __init__(self, path: str | os.PathLike[str], problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")

    def __reduce__(self):
        return (OutputError, (self.path, self.problem))


class WorkerError(NetanalysisError):
    """A worker process died or stopped answering while it extracted posts."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (``SIGINT``, ``SIGTERM``, ``SIGHUP``): raised where the
    run is, so that it cleans up (workers stopped, staging removed) on its way out. A
    ``KeyboardInterrupt``, so that no ``except Exception`` swallows it."""

    def __init__(self, signum: int, name: str):
        self.signum = signum
        self.name = name
        super().__init__(f"stopped by {name}")


#: A stop asked for by a signal and not yet acted on (see :func:`stop`).
_STOPS: list[Interrupted] = []
#: How many :func:`stops_held` blocks are running.
_HELD = [0]


def stop(signum: int, name: str) -> None:
    """Stop the run: raise :class:`Interrupted` here, and remember it, so that the run raises
    it again at its next check (:func:`raise_if_stopped`) should this one be swallowed (an
    exception raised by a signal handler while Python runs a finaliser or a fork hook is
    printed and dropped). Inside :func:`stops_held` it is only remembered: raised when the
    block ends."""
    stopping = Interrupted(signum, name)
    _STOPS[:] = [stopping]
    if not _HELD[0]:
        raise stopping


@contextlib.contextmanager
def stops_held() -> Iterator[None]:
    """Run the block whole: a stop asked for meanwhile (:func:`stop`) is raised when it ends
    (a signal may reach the process through any of its threads, so blocking it in the main
    thread alone does not hold it)."""
    _HELD[0] += 1
    try:
        yield
    finally:
        _HELD[0] -= 1
    if not _HELD[0]:
        raise_if_stopped()


def raise_if_stopped() -> None:
    """Raise the :class:`Interrupted` of a stop asked for and not acted on yet."""
    if _STOPS:
        raise _STOPS.pop()


def stop_behind(exc: BaseException) -> BaseException:
    """The stop asked for and not acted on yet, if there is one, else ``exc``.

    A stop raised while Python initialises a compiled module comes out of the import as that
    module's own error (``ImportError: initialization failed``); a library may also turn it
    into its own. The run failed because it was stopped: that is what to report (and how to
    clean up), whatever error carried it out.
    """
    if _STOPS and not isinstance(exc, KeyboardInterrupt):
        return _STOPS[-1]
    return exc


def stopped() -> None:
    """Forget a stop that was acted on (the run is on its way out)."""
    _STOPS.clear()
