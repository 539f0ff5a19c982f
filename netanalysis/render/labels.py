"""Label placement that keeps text from overlapping (deterministic, no randomness).

Two tools: :func:`spread_1d` for labels in a column (two-column network, line ends of a
time series) and :func:`repel_labels` for labels scattered over a force layout, which
nudges overlapping text boxes apart using their measured extents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Text

from netanalysis.render.style import renderer_of

__all__ = ["spread_1d", "repel_labels", "spread_column_labels", "place_labels"]


def spread_1d(
    centres: Sequence[float], sizes: Sequence[float], *, lo: float = -np.inf, hi: float = np.inf
) -> np.ndarray:
    """Move intervals along a line as little as possible so that none overlap.

    Parameters
    ----------
    centres : sequence of float
        Wanted centres (any order; the order along the line is kept).
    sizes : sequence of float
        Length of each interval (for example a label's height plus padding).
    lo, hi : float
        Bounds the intervals should stay within when they fit.

    Returns
    -------
    numpy.ndarray
        New centres, in the order of the input.

    Examples
    --------
    >>> spread_1d([0.0, 0.1, 5.0], [1.0, 1.0, 1.0]).round(2).tolist()
    [-0.45, 0.55, 5.0]
    """
    c = np.asarray(centres, dtype=float)
    s = np.asarray(sizes, dtype=float)
    n = len(c)
    if n == 0:
        return c.copy()
    order = np.lexsort((np.arange(n), c))
    y = c[order].copy()
    h = s[order]
    # Cluster merging: groups of touching intervals are centred on their wanted mean.
    groups: list[list[int]] = []
    for i in range(n):
        groups.append([i])
        while len(groups) > 1:
            a, b = groups[-2], groups[-1]
            top_a = _group_positions(a, y, h)[-1] + h[a[-1]] / 2
            bottom_b = _group_positions(b, y, h)[0] - h[b[0]] / 2
            if top_a <= bottom_b + 1e-12:
                break
            groups[-2:] = [a + b]
    out = np.concatenate([_group_positions(g, y, h) for g in groups])
    total = h.sum()
    if np.isfinite(lo) and np.isfinite(hi) and total <= hi - lo:
        # Clamp into [lo, hi] by sweeping once from each side.
        first = lo + h[0] / 2
        out[0] = max(out[0], first)
        for i in range(1, n):
            out[i] = max(out[i], out[i - 1] + (h[i - 1] + h[i]) / 2)
        out[-1] = min(out[-1], hi - h[-1] / 2)
        for i in range(n - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - (h[i] + h[i + 1]) / 2)
    result = np.empty(n)
    result[order] = out
    return result


def _group_positions(group: list[int], wanted: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Centres of touching intervals stacked in order, centred on the mean of their wishes."""
    sizes = h[group]
    offsets = np.concatenate([[0.0], np.cumsum((sizes[:-1] + sizes[1:]) / 2)])
    shift = float(np.mean(wanted[group] - offsets))
    return offsets + shift


def spread_column_labels(ax: Axes, texts: Sequence[Text], *, pad: float = 1.0) -> None:
    """Spread texts sharing an x position vertically so that they do not overlap.

    Measures each text, moves it with :func:`spread_1d` in display units, and writes the new
    y back in data units. Texts are modified in place (they belong to ``ax``).
    """
    if not texts:
        return
    renderer = renderer_of(ax.figure)
    boxes = [t.get_window_extent(renderer) for t in texts]
    anchors = np.array([t.get_transform().transform(t.get_position()) for t in texts])
    heights = [b.height + pad for b in boxes]
    bbox = ax.get_window_extent(renderer)
    new_y = spread_1d(anchors[:, 1], heights, lo=bbox.y0, hi=bbox.y1)
    for t, (x, _), y in zip(texts, anchors, new_y):
        t.set_position(tuple(t.get_transform().inverted().transform((x, y))))


def repel_labels(
    ax: Axes,
    texts: Sequence[Text],
    *,
    iterations: int = 300,
    pad: float = 1.5,
    obstacles: np.ndarray | None = None,
    owners: Sequence[int] | None = None,
) -> int:
    """Nudge overlapping texts apart using their measured extents.

    Each iteration finds every overlapping pair of text boxes (display units, plus ``pad``)
    and pushes both apart along the axis of least overlap by half that overlap; a text that
    overlaps one of the fixed ``obstacles`` (display boxes ``x0, y0, x1, y1``, for example
    node markers) is pushed off it alone; ``owners[i]`` is the obstacle text ``i`` labels
    (ignored for that text, -1 for none). The result is deterministic. Texts are modified in
    place.

    Returns
    -------
    int
        Number of text pairs still overlapping after the last iteration (0 when resolved).
    """
    if not texts:
        return 0
    renderer = renderer_of(ax.figure)
    boxes = np.array([t.get_window_extent(renderer).extents for t in texts])  # x0 y0 x1 y1
    boxes[:, :2] -= pad / 2
    boxes[:, 2:] += pad / 2
    start = boxes.copy()
    fixed = np.zeros((0, 4)) if obstacles is None else np.asarray(obstacles, float).reshape(-1, 4)
    n = len(texts)
    remaining = 0
    for step in range(iterations):
        allb = np.vstack([boxes, fixed])
        x0, y0, x1, y1 = allb.T
        ox = np.minimum(x1[:n, None], x1[None, :]) - np.maximum(x0[:n, None], x0[None, :])
        oy = np.minimum(y1[:n, None], y1[None, :]) - np.maximum(y0[:n, None], y0[None, :])
        overlap = (ox > 0) & (oy > 0)
        overlap[np.arange(n), np.arange(n)] = False
        text_pairs = np.argwhere(np.triu(overlap[:, :n]))
        hits = np.argwhere(overlap[:, n:])
        if owners is not None and len(hits):
            hits = hits[np.asarray(owners)[hits[:, 0]] != hits[:, 1]]
        # Obstacles matter only in the first two thirds; after that texts settle among
        # themselves (a text boxed in by markers must still end up readable).
        if step > 2 * iterations // 3:
            hits = hits[:0]
        remaining = len(text_pairs)
        if remaining == 0 and len(hits) == 0:
            break
        move = np.zeros((n, 2))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        for i, j in text_pairs:
            _push(move, i, j, ox[i, j], oy[i, j], cx, cy, both=True)
        for i, k in hits:
            _push(move, i, n + k, ox[i, n + k], oy[i, n + k], cx, cy, both=False)
        boxes[:, [0, 2]] += move[:, [0]] * 0.6
        boxes[:, [1, 3]] += move[:, [1]] * 0.6
    shift = boxes[:, :2] - start[:, :2]
    for t, (dx, dy) in zip(texts, shift):
        transform = t.get_transform()
        x, y = transform.transform(t.get_position())
        t.set_position(tuple(transform.inverted().transform((x + dx, y + dy))))
    return remaining


def _push(
    move: np.ndarray, i: int, j: int, ox: float, oy: float, cx: np.ndarray, cy: np.ndarray, *, both: bool
) -> None:
    """Separate box i from box j along the axis of least overlap (j moves too when ``both``)."""
    share = 0.5 if both else 1.0
    if oy <= ox:
        sign = 1.0 if (cy[i], -i) > (cy[j], -j) else -1.0
        d = oy * share + 0.1
        move[i, 1] += sign * d
        if both:
            move[j, 1] -= sign * d
    else:
        sign = 1.0 if (cx[i], -i) > (cx[j], -j) else -1.0
        d = ox * share + 0.1
        move[i, 0] += sign * d
        if both:
            move[j, 0] -= sign * d


def place_labels(
    ax: Axes,
    texts: Sequence[Text],
    anchors: np.ndarray,
    radii: np.ndarray,
    *,
    obstacles: np.ndarray | None = None,
    short: Sequence[str | None] | None = None,
    rings: int = 7,
    pad: float = 1.0,
) -> list[int]:
    """Place each text next to its point without overlapping any other text or any marker.

    A greedy pass in the order given (most important first): for each text it tries positions
    around its point (right, left, above, below and the diagonals) at the marker's edge, then on
    rings further out (a leader line then joins text and point), and keeps the first position
    whose box overlaps no text placed before, no marker in ``obstacles`` and stays inside the
    axes. A text that finds no place is tried again as its ``short`` form (for example the ISO
    code instead of the name) and hidden if it still finds none: the caller reports how many.

    Parameters
    ----------
    ax : Axes
        The axes holding the texts (its layout must be final).
    texts : sequence of Text
        Texts centred on their anchors (``ha="center", va="center"``); moved in place.
    anchors : ndarray (n, 2)
        The points in display pixels.
    radii : ndarray (n,)
        Each point's marker radius in display pixels (texts start just outside it).
    obstacles : ndarray (m, 4), optional
        Boxes ``x0, y0, x1, y1`` in display pixels no text may overlap (the markers).
    short : sequence of str or None, optional
        The fallback text of each label.
    rings : int
        How many rings further out to try.
    pad : float
        Space kept around every box, in display pixels.

    Returns
    -------
    list of int
        Per text: 0 = placed beside its point, 1 = placed further out (give it a leader line),
        2 = placed in its short form (further out or not), -1 = not placed (hidden).
    """
    renderer = renderer_of(ax.figure)
    frame = ax.get_window_extent(renderer)
    placed = np.zeros((0, 4))
    fixed = np.zeros((0, 4)) if obstacles is None else np.asarray(obstacles, float).reshape(-1, 4)
    outcome = []
    angles = np.deg2rad([0, 180, 90, 270, 45, 135, 315, 225])
    for i, t in enumerate(texts):
        found = None
        for form, text in enumerate([t.get_text()] + ([short[i]] if short and short[i] else [])):
            t.set_text(text)
            box = t.get_window_extent(renderer)
            w, h = box.width + 2 * pad, box.height + 2 * pad
            for ring in range(rings + 1):
                k = 8 if ring == 0 else 8 + 4 * ring
                theta = angles if ring == 0 else np.linspace(0, 2 * np.pi, k, endpoint=False)
                reach = radii[i] + 1.5 + ring * (h * 0.9)
                # the box's nearest edge or corner sits ``reach`` from the point along the direction
                dx, dy = np.cos(theta).round(9), np.sin(theta).round(9)
                cx = anchors[i, 0] + dx * reach + np.sign(dx) * (np.abs(dx) > 0.3) * w / 2
                cy = anchors[i, 1] + dy * reach + np.sign(dy) * (np.abs(dy) > 0.3) * h / 2
                boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
                ok = (
                    (boxes[:, 0] >= frame.x0)
                    & (boxes[:, 2] <= frame.x1)
                    & (boxes[:, 1] >= frame.y0)
                    & (boxes[:, 3] <= frame.y1)
                )
                ok &= ~_hits(boxes, placed) & ~_hits(boxes, fixed)
                if ok.any():
                    j = int(np.flatnonzero(ok)[0])
                    found = (form, ring, boxes[j])
                    break
            if found is not None:
                break
        if found is None:
            t.set_visible(False)
            outcome.append(-1)
            continue
        form, ring, chosen = found
        placed = np.vstack([placed, chosen])
        centre = ((chosen[0] + chosen[2]) / 2, (chosen[1] + chosen[3]) / 2)
        t.set_position(tuple(t.get_transform().inverted().transform(centre)))
        outcome.append(2 if form else (1 if ring > 0 else 0))
    return outcome


def _hits(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Whether each of ``boxes`` overlaps any of ``others`` (both ``x0, y0, x1, y1``)."""
    if not len(others) or not len(boxes):
        return np.zeros(len(boxes), dtype=bool)
    ox = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    oy = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return ((ox > 0) & (oy > 0)).any(axis=1)
