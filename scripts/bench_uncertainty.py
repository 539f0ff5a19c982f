"""Time the bootstrap, the permutation tests of change and the windows table.

    .venv/bin/python scripts/bench_uncertainty.py                 # the sample's monthly windows
    .venv/bin/python scripts/bench_uncertainty.py --posts 100,300 # + one synthetic window pair of each size

On the bundled sample it times what a report adds per run: window table, bootstrap intervals
(B = 200) of every measure in every monthly window, and permutation tests (R = 999) between
consecutive windows. With ``--posts`` it builds synthetic windows of that many posts (about 12
mentions a post over 150 countries and 16 forums, like the benchmark corpus) and times one
bootstrap and one change test of each, with the default measures and with all of them.
Run by hand: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from netanalysis.analysis.association import unit_links
from netanalysis.analysis.change_tests import change_test, change_tests_over_time
from netanalysis.analysis.resample import NODE_MEASURES
from netanalysis.analysis.timeline import time_windows
from netanalysis.analysis.uncertainty import bootstrap_over_time, bootstrap_window
from netanalysis.analysis.window_stats import window_table

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, run) -> object:
    start = time.perf_counter()
    out = run()
    print(f"{label:<62} {time.perf_counter() - start:8.3f} s")
    return out


def sample() -> None:
    import netanalysis
    from netanalysis.extract import extract_mentions

    posts = netanalysis.read_posts(ROOT / "examples" / "mfa_channel_sample.txt")
    mentions = extract_mentions(posts)
    links = unit_links(mentions, posts)
    windows = time_windows(posts["date"])
    print(f"sample: {len(posts)} posts, {len(windows)} monthly windows")
    timed("window table", lambda: window_table(posts, links, windows))
    timed(
        "bootstrap, B=200, every measure, every window",
        lambda: bootstrap_over_time(posts, links, windows, replicates=200),
    )
    timed("change tests, R=999, default measures, every pair", lambda: change_tests_over_time(posts, links, windows))
    timed("bootstrap, B=200, whole corpus as one window", lambda: bootstrap_window(posts, links, replicates=200))


def synthetic(n_posts: int, rng: np.random.Generator, prefix: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    countries = [f"C{k:03d}" for k in range(150)]
    forums = [f"F{k:02d}" for k in range(16)]
    c_weights = 1.0 / np.arange(1, 151) ** 1.1
    f_weights = 1.0 / np.arange(1, 17) ** 1.3
    rows = []
    for i in range(n_posts):
        pid = f"{prefix}{i}"
        for c in rng.choice(150, size=rng.integers(1, 10), replace=False, p=c_weights / c_weights.sum()):
            rows.append((pid, "country", countries[c]))
        for f in rng.choice(16, size=rng.integers(1, 5), replace=False, p=f_weights / f_weights.sum()):
            rows.append((pid, "forum", forums[f]))
    return (
        pd.DataFrame({"post_id": [f"{prefix}{i}" for i in range(n_posts)]}),
        pd.DataFrame(rows, columns=["post_id", "kind", "entity"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", default="", help="comma-separated synthetic window sizes")
    args = parser.parse_args()
    sample()
    rng = np.random.default_rng(0)
    for n in [int(x) for x in args.posts.split(",") if x.strip()]:
        a, la = synthetic(n, rng, "a")
        b, lb = synthetic(n, rng, "b")
        links = pd.concat([la, lb])
        print(f"synthetic window of {n} posts:")
        timed("  bootstrap, B=200, every measure", lambda: bootstrap_window(a, la, replicates=200))
        timed(
            "  bootstrap, B=200, share and strength",
            lambda: bootstrap_window(a, la, replicates=200, measures=["share", "strength"]),
        )
        timed("  change test, R=999, default measures", lambda: change_test(a, b, links))
        timed("  change test, R=999, every measure", lambda: change_test(a, b, links, measures=NODE_MEASURES))


if __name__ == "__main__":
    main()
