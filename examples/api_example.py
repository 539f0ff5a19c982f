"""netanalysis from Python, the way a notebook would use it.

Run from the repository's root:  .venv/bin/python examples/api_example.py
"""

from pathlib import Path

import netanalysis
from netanalysis.analysis import centrality_table
from netanalysis.analysis.timeline import centrality_over_time
from netanalysis.extract import extract_mentions
from netanalysis.graph import co_mention_graph, edges_table, project
from netanalysis.registry import load_registry

SAMPLE = Path(__file__).with_name("mfa_channel_sample.txt")

# 1. Posts: one row per post, dates in UTC (undated posts kept, with date_source "none").
posts = netanalysis.read_posts(SAMPLE)
print(posts[["post_id", "date", "date_source"]].to_string(index=False))

# 2. Mentions: every country, forum and hashtag, with the text that matched and where.
registry = load_registry()
mentions = extract_mentions(posts, registry, exclude=["RU"])  # the channel's own country co-occurs with all
print(mentions[mentions["kind"] != "tag"].groupby("kind")["entity"].value_counts().head(10))

# 3. The bipartite country-forum network and its measures.
G = co_mention_graph(mentions, posts, labels=registry.label)
print(edges_table(G).head(10)[["country", "forum", "weight", "assoc_strength", "post_ids"]])
nodes = centrality_table(G, seed=0)
print(nodes[nodes["kind"] == "forum"].head(5)[["label", "posts", "degree", "pagerank"]])

# 4. Forums linked by the countries they share.
forums = project(G, side="forum", via="country")
print(sorted(forums.edges(data="weight"), key=lambda e: -e[2])[:5])

# 5. Change over time: monthly PageRank of each node.
timeline = centrality_over_time(mentions, posts, freq="month")
print(
    timeline[timeline["metric"] == "pagerank"]
    .pivot_table(index="node", columns="window_start", values="value")
    .round(3)
    .head(10)
)
