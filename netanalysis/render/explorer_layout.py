"""Where the explorer places its nodes: a seeded force-directed layout in pixels, overlaps removed.

Positions are computed here and physics is off by default, so a large graph opens at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["finite_number", "layout"]


def finite_number(value: Any) -> float:
    """``value`` as a finite float (0.0 when it is missing, not a number or infinite)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0


def layout(G: nx.Graph, seed: int, radius: Mapping[Any, float]) -> dict[Any, tuple[float, float]]:
    """Seeded force-directed layout of the nodes in sorted order, scaled to pixels.

    A dense Fruchterman-Reingold in numpy (networkx's ``spring_layout`` needs scipy from 500
    nodes on) with a weak pull to the centre so that small components stay in view. Edge
    weights enter as ``log1p(weight)`` so a few heavy edges do not collapse the picture. Then
    nodes that overlap at their drawn ``radius`` (pixels) are pushed apart.
    """
    order = sorted(G.nodes, key=str)
    n = len(order)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(order)}
    A = np.zeros((n, n))
    for u, v, d in G.edges(data=True):
        w = math.log1p(finite_number(d.get("weight", 1))) or 0.1
        A[index[u], index[v]] = A[index[v], index[u]] = w
    A /= A.max() if A.max() > 0 else 1.0
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = math.sqrt(1.0 / n)
    iterations = 120
    step = 0.1
    for i in range(iterations):
        sq = (pos**2).sum(axis=1)
        dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * pos @ pos.T, 1e-4))
        force = k * k / dist**2 - A * dist / k
        np.fill_diagonal(force, 0.0)
        # sum_j (pos_i - pos_j) * force_ij, without an n x n x 2 array
        disp = pos * force.sum(axis=1)[:, None] - force @ pos - 0.5 * k * (pos - pos.mean(axis=0))
        length = np.maximum(np.sqrt((disp**2).sum(axis=-1)), 0.01)
        pos += disp * (step * (1 - i / iterations) / length)[:, None]
    pos -= pos.mean(axis=0)
    pos /= max(np.abs(pos).max(), 1e-9)
    pos *= 90.0 * math.sqrt(n) + 60.0
    pos = _separate(pos, np.array([radius[node] for node in order]) + 14.0)
    return {node: (round(float(x), 1), round(float(y), 1)) for node, (x, y) in zip(order, pos)}


def _separate(pos: np.ndarray, r: np.ndarray, rounds: int = 60) -> np.ndarray:
    """Push apart discs (centres ``pos``, radii ``r``) that overlap, a half-overlap at a time."""
    pos = pos.copy()
    need = r[:, None] + r[None, :]
    for _ in range(rounds):
        sq = (pos**2).sum(axis=1)
        dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * pos @ pos.T, 1e-6))
        overlap = np.maximum(need - dist, 0.0)
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() < 0.5:
            break
        w = overlap / (2 * dist)
        pos += pos * w.sum(axis=1)[:, None] - w @ pos
    return pos
