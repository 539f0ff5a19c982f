"""The one hierarchy of errors netanalysis raises.

The command line turns every :class:`NetanalysisError` into a single ``Error: ...`` line and
exit code 1; library users catch :class:`NetanalysisError` to catch them all.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "NetanalysisError",
    "InputError",
    "RecordError",
    "RegistryError",
    "ConfigError",
    "GraphError",
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


class GraphError(NetanalysisError):
    """A graph cannot be analysed as asked (for example, one side of the bipartite graph is empty)."""
