"""Every failure of a command in one line, and the signals that stop a run.

:func:`fail_cleanly` wraps a command of the command line: the library's errors carry their
message; the system's (a full disk, a folder that cannot be written), a signal that stopped the
run and anything unforeseen are put in words here (:func:`failure_message`), on one line; a bad
option value or setting is a usage error. The traceback is printed too only after
:func:`show_tracebacks` (``-v``). The command line passes in its own exception classes, so that
click stays there.

:func:`stop_on_signals`: while a run goes, ``SIGTERM``, ``SIGHUP`` and ``SIGINT`` raise
:class:`~netanalysis.errors.Interrupted` where the run is, so that it stops its workers and
removes its staging folder on the way out; a second signal is ignored (the cleaning goes on).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from netanalysis.errors import ConfigError, ConfigFileError, Interrupted, NetanalysisError, stop, stop_behind, stopped

__all__ = ["fail_cleanly", "failure_message", "one_line", "show_tracebacks", "stop_on_signals"]

#: Whether a failure's traceback is printed before its line (the command line's ``-v``).
_TRACEBACKS = [False]


def show_tracebacks(on: bool) -> None:
    """Print the traceback of a failure before its line (or not)."""
    _TRACEBACKS[0] = bool(on)


def one_line(message: str) -> str:
    """``message`` on one line (a library's message, e.g. Arrow's, may hold line breaks).

    Examples
    --------
    >>> one_line("not a Parquet file (Invalid data\\n  Deserializing page header failed.\\n)")
    'not a Parquet file (Invalid data Deserializing page header failed. )'
    """
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def failure_message(exc: BaseException) -> tuple[str, bool]:
    """The one-line message for ``exc``, and whether it is a usage error (exit code 2)."""
    if isinstance(exc, ConfigFileError):  # (a study file that cannot be read at all: bad input)
        return one_line(str(exc)), False
    if isinstance(exc, ConfigError):
        return one_line(str(exc)), True
    if isinstance(exc, NetanalysisError):
        return one_line(str(exc)), False
    if isinstance(exc, KeyboardInterrupt):  # Ctrl-C, or SIGTERM/SIGHUP (see stop_on_signals)
        name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
        if getattr(exc, "committed", False):
            return f"stopped by {name} once the run's files were in place", False
        return f"stopped by {name}; the output folder keeps what it held", False
    if isinstance(exc, OSError):
        from netanalysis.io.outdir import os_problem  # (not at import: --help loads no data library)

        return one_line(os_problem(exc)), False
    if isinstance(exc, MemoryError):
        return "out of memory (try fewer --jobs, or a machine with more memory)", False
    what = one_line(f"{exc.__class__.__name__}: {exc}")
    return f"internal error ({what}); run with -v for the details and please report it", False


def fail_cleanly(
    error: Callable[[str], BaseException],
    usage: Callable[[str], BaseException],
    passed: tuple[type[BaseException], ...],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator: every failure of the command it wraps raised again as ``error(message)``
    (``usage(message)`` for a usage error), the exceptions ``passed`` as they are."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except passed:
                raise
            except (Exception, KeyboardInterrupt) as exc:
                if _TRACEBACKS[0]:
                    traceback.print_exc(file=sys.stderr)
                message, is_usage = failure_message(stop_behind(exc))
                raise (usage if is_usage else error)(message) from None

        return wrapper

    return decorate


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Stop the run on ``SIGTERM``, ``SIGHUP`` and ``SIGINT`` (see the module notes)."""
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: Any) -> None:
        for name in names:
            signal.signal(getattr(signal, name), signal.SIG_IGN)
        # The run is on its way out: a library's warning about what the stop broke is not
        # printed before its "Error:" line (a stop raised while mpl_toolkits.mplot3d was
        # imported came out as an ImportError, which matplotlib turned into a warning).
        warnings.simplefilter("ignore")
        stop(signum, signal.Signals(signum).name)

    def unraisable(info: Any) -> None:  # (a stop raised where Python drops exceptions acts later)
        if not isinstance(info.exc_value, Interrupted):
            previous_hook(info)

    old = {name: signal.signal(getattr(signal, name), on_signal) for name in names}
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        with warnings.catch_warnings():  # (the filters as they were, once the run ends)
            yield
    finally:
        for name, handler in old.items():
            signal.signal(getattr(signal, name), handler)
        sys.unraisablehook = previous_hook
        stopped()
