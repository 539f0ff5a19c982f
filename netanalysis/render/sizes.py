"""Figure sizes as the ``--size`` option gives them, without matplotlib: the run's process checks
the option when it hands the figures to workers, and only the processes that draw import
matplotlib."""

from __future__ import annotations

from netanalysis.errors import ConfigError

__all__ = ["COLUMN_WIDTHS", "parse_size"]

#: Figure widths in inches: a journal's single and double column.
COLUMN_WIDTHS = {"single": 3.5, "double": 7.2}


def parse_size(text: str | float | tuple[float, float]) -> str | float | tuple[float, float]:
    """The ``--size`` option as the figures take it: ``single``, ``double``, a width in inches
    (``5.5``) or width x height (``6x4``).

    Examples
    --------
    >>> parse_size("double"), parse_size("6x4"), parse_size("5.5")
    ('double', (6.0, 4.0), 5.5)
    """
    if not isinstance(text, str) or text in COLUMN_WIDTHS:
        return text
    try:
        parts = [float(p) for p in text.lower().split("x")]
    except ValueError:
        parts = []
    if len(parts) == 1 and parts[0] > 0:
        return parts[0]
    if len(parts) == 2 and min(parts) > 0:
        return (parts[0], parts[1])
    raise ConfigError(f"unknown figure size {text!r}; expected single, double, a width in inches or WxH (e.g. 6x4)")
