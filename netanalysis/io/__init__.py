"""Files: tables, graphs and the manifest, each written atomically (:mod:`netanalysis.io.atomic`).

:mod:`~netanalysis.io.csv` writes every table (``posts.csv`` and ``mentions.csv`` rows are
formatted by the extraction workers with its :func:`~netanalysis.io.csv.quote`),
:mod:`~netanalysis.io.graph_files` the static GEXF and GraphML, :mod:`~netanalysis.io.dynamic_gexf`
the GEXF with time spells, :mod:`~netanalysis.io.manifest` ``manifest.json``.
"""

from __future__ import annotations

from netanalysis.io.atomic import atomic_write
from netanalysis.io.csv import format_dates, write_csv, write_edges_csv, write_projection_csv
from netanalysis.io.dynamic_gexf import display_intervals, write_dynamic_gexf
from netanalysis.io.graph_files import write_gexf, write_graphml
from netanalysis.io.manifest import write_manifest

__all__ = [
    "atomic_write",
    "display_intervals",
    "format_dates",
    "write_csv",
    "write_dynamic_gexf",
    "write_edges_csv",
    "write_projection_csv",
    "write_gexf",
    "write_graphml",
    "write_manifest",
]
