"""Writing figures to files: atomically, and byte-identical across runs.

PNG, SVG and PDF output of matplotlib embeds a creation date, the software version and
random ids by default; :func:`save_figure` fixes each of them, so the same figure gives the
same bytes every time (the report's manifest, not the figure, records when it was made).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from netanalysis.config import FIGURE_FORMATS
from netanalysis.errors import ConfigError
from netanalysis.io.atomic import atomic_write
from netanalysis.render.style import freeze_layout

__all__ = ["save_figure", "load_writers", "FIGURE_FORMATS", "CREATOR"]

log = logging.getLogger(__name__)

#: The creator name written into every file's metadata (no version, no date).
CREATOR = "netanalysis"

_METADATA = {
    "png": {"Software": CREATOR},
    "svg": {"Date": None, "Creator": CREATOR},
    "pdf": {"Creator": CREATOR, "Producer": CREATOR, "CreationDate": None, "ModDate": None},
}


def save_figure(
    fig: Figure, stem: str | os.PathLike, *, formats: Iterable[str] = FIGURE_FORMATS, dpi: int = 300
) -> list[Path]:
    """Save ``fig`` as ``stem.png``, ``stem.svg``, ``stem.pdf`` (or the ``formats`` asked).

    Each file is written to a temporary file in the target folder and then renamed over the
    target (``os.replace``), so a reader never sees a half-written figure. Output is
    deterministic: no dates, a fixed creator, and a fixed SVG id salt, so two runs give
    byte-identical files. PNG files are opaque RGB (the figures have a white background: no
    alpha channel to compress). The figure's layout engine is run once and switched off
    (:func:`~netanalysis.render.style.freeze_layout`), so every format shows the same layout.
    The figure is not closed: the caller owns it (with the object API used here, dropping the
    last reference frees it; pyplot users call ``plt.close(fig)``).

    Parameters
    ----------
    fig : Figure
        The figure to save.
    stem : str or PathLike
        Path without extension; a suffix already present is replaced. Missing parent
        folders are created.
    formats : iterable of str
        Any of ``png``, ``svg``, ``pdf``.
    dpi : int
        Resolution of the PNG (vector formats ignore it except for embedded images).

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    formats = list(formats)
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if unknown:
        raise ConfigError(f"unknown figure format(s) {', '.join(unknown)}; expected {', '.join(FIGURE_FORMATS)}")
    stem = Path(stem)
    if stem.suffix.lstrip(".") in FIGURE_FORMATS:
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    freeze_layout(fig)  # one layout pass for every format, and no layout moving placed labels
    written = []
    with matplotlib.rc_context(
        {"svg.hashsalt": CREATOR, "svg.fonttype": "path", "pdf.fonttype": 42, "pdf.compression": 6}
    ):
        for fmt in formats:
            target = stem.with_name(f"{stem.name}.{fmt}")
            began = time.perf_counter()
            with atomic_write(target, "wb") as handle:
                if fmt == "png" and isinstance(fig.canvas, FigureCanvasAgg):
                    _save_png(fig, handle, dpi)
                else:
                    fig.savefig(handle, format=fmt, dpi=dpi, metadata=dict(_METADATA[fmt]), facecolor="white")
            log.debug("wrote %s in %.3f s", target, time.perf_counter() - began)
            written.append(target)
    return written


def load_writers(formats: Iterable[str]) -> None:
    """Import matplotlib's writers of ``formats`` now: before figure workers are forked, so that
    each of them does not import them again (the PDF writer imports fontTools' subsetter: 65-105
    ms in each of the three processes of a report on the sample, one measurement)."""
    formats = set(formats)
    if "pdf" in formats:
        import matplotlib.backends.backend_pdf  # noqa: F401
    if "svg" in formats:
        import matplotlib.backends.backend_svg  # noqa: F401


def _save_png(fig: Figure, handle: IO[bytes], dpi: int) -> None:
    """The figure as an RGB PNG at ``dpi`` (Agg drawing, Pillow encoding), with the fixed metadata."""
    old_dpi, old_face = fig.dpi, fig.get_facecolor()
    try:
        fig.dpi = dpi
        fig.set_facecolor("white")
        buffer, (width, height) = fig.canvas.print_to_buffer()
    finally:
        fig.dpi = old_dpi
        fig.set_facecolor(old_face)
    info = PngInfo()
    for key, value in _METADATA["png"].items():
        info.add_text(key, value)
    # (Pillow drops the alpha channel in C: a third of the time of copying it away with numpy)
    image = Image.frombuffer("RGBA", (width, height), buffer, "raw", "RGBA", 0, 1).convert("RGB")
    image.save(handle, format="png", pnginfo=info, dpi=(dpi, dpi), compress_level=1)
