#!/usr/bin/env python
"""How long coding a window's (post, edge) pairs takes (``link_sums.window_pairs``, which the
timeline stage runs for every window, every pair of windows tested and the whole corpus).

Synthetic links like the benchmark corpus's: ``-n`` posts, each naming up to 15 of 350 nodes
(250 countries, 100 forums), one unit a post (``--paragraphs``: two units a post, so that pairs
repeat within a post). Prints the median of ``--repeat`` runs and the number of pairs. Run it on
two checkouts to compare them::

    python scripts/bench_coding.py -n 1000000 --repeat 3
    PYTHONPATH=../before python ../before/scripts/bench_coding.py -n 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from netanalysis.analysis.link_sums import window_pairs  # noqa: E402


def links(n_posts: int, paragraphs: bool, seed: int = 1) -> tuple:
    """``(group, post, node, is_forum, n_nodes, n_posts)`` sorted by unit, then node."""
    rng = np.random.default_rng(seed)
    n_nodes = 350
    forum = np.arange(n_nodes) >= 250
    per = rng.integers(4, 16, n_posts)
    post = np.repeat(np.arange(n_posts), per)
    # a post's nodes: distinct, sorted (a random key per link, sorted within the post)
    node = rng.integers(0, n_nodes, len(post))
    keys = post.astype(np.int64) * n_nodes + node
    keys = np.unique(keys)
    post, node = keys // n_nodes, keys % n_nodes
    if paragraphs:  # the first half of a post's links in one unit, all of them in another
        first = np.r_[0, np.flatnonzero(np.diff(post)) + 1]
        rank = np.arange(len(post)) - np.repeat(first, np.diff(np.r_[first, len(post)]))
        half = rank < np.repeat(np.diff(np.r_[first, len(post)]) // 2, np.diff(np.r_[first, len(post)]))
        post = np.r_[post[half], post]
        node = np.r_[node[half], node]
        unit = np.r_[np.zeros(half.sum(), dtype=np.int64), np.ones(len(half), dtype=np.int64)]
        order = np.lexsort((node, unit, post))
        post, node, unit = post[order], node[order], unit[order]
        group = post * 2 + unit
    else:
        group = post.copy()
    return group, post, node, forum[node], n_nodes, n_posts


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000, help="posts")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--paragraphs", action="store_true", help="two units a post")
    args = ap.parse_args(argv)
    data = links(args.n, args.paragraphs)
    times, pairs = [], 0
    for _ in range(args.repeat):
        began = time.perf_counter()
        pairs = len(window_pairs(*data)[1])
        times.append(time.perf_counter() - began)
    units = "two units a post" if args.paragraphs else "one unit a post"
    print(f"window_pairs: {args.n:,} posts ({units}), {pairs:,} pairs: median {statistics.median(times):.2f} s")


if __name__ == "__main__":
    main()
