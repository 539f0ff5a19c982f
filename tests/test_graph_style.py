"""Gephi opens what the paper shows: GEXF and GraphML carry the whole-period measures, the
community numbers of nodes.csv and the force figure's colours, sizes and positions."""

from __future__ import annotations

import math

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.collections import PathCollection

from netanalysis.cli import cli
from netanalysis.render import plot_network
from netanalysis.render.graph_style import POINTS_PER_UNIT, node_styles
from netanalysis.render.palette import community_color


@pytest.fixture(scope="module")
def runs(tmp_path_factory, sample_path):
    out = {}
    for command in ("graph", "timeline"):
        folder = tmp_path_factory.mktemp(command) / "out"
        result = CliRunner().invoke(cli, ["-q", command, str(sample_path), "-o", str(folder), "--seed", "3"])
        assert result.exit_code == 0, result.output
        out[command] = folder
    return out


def figure_marks(G: nx.Graph, nodes: pd.DataFrame) -> dict[tuple[float, float], tuple[str, float]]:
    """The force figure's markers: position -> (colour, area)."""
    fig = plot_network(G, layout="force", color_by="community", centrality=nodes, seed=3)
    marks = {}
    for coll in fig.axes[0].collections:
        if isinstance(coll, PathCollection):
            sizes = np.broadcast_to(coll.get_sizes(), len(coll.get_offsets()))
            for xy, colour, area in zip(coll.get_offsets(), coll.get_facecolors(), sizes):
                marks[tuple(np.round(xy, 6))] = (matplotlib.colors.to_hex(colour), float(area))
    return marks


@pytest.mark.parametrize("command", ["graph", "timeline"])
def test_gexf_and_graphml_carry_measures_communities_and_the_force_figures_styling(runs, command):
    folder = runs[command]
    nodes = pd.read_csv(folder / "nodes.csv", keep_default_na=False)
    gexf = nx.read_gexf(folder / "graph.gexf")  # GEXF 1.2 (graph) and 1.3 with spells (timeline)
    graphml = nx.read_graphml(folder / "graph.graphml")
    assert set(gexf) == set(graphml) == set(nodes["node"])
    G = nx.Graph()
    for node, data in graphml.nodes(data=True):
        G.add_node(node, **{k: data[k] for k in ("bipartite", "kind", "label", "entity")})
    for u, v, data in graphml.edges(data=True):
        G.add_edge(u, v, weight=data["weight"])
    marks = figure_marks(G, nodes)
    overall = "pagerank_overall" if command == "timeline" else "pagerank"
    for row in nodes.itertuples():
        viz = gexf.nodes[row.node]["viz"]
        colour = "#{r:02x}{g:02x}{b:02x}".format(**viz["color"])
        assert colour == community_color(row.community).lower()
        assert gexf.nodes[row.node]["community"] == graphml.nodes[row.node]["community"] == row.community
        assert gexf.nodes[row.node][overall] == pytest.approx(row.pagerank)
        assert graphml.nodes[row.node]["pagerank"] == pytest.approx(row.pagerank)
        position = (viz["position"]["x"] / POINTS_PER_UNIT, viz["position"]["y"] / POINTS_PER_UNIT)
        nearest = min(marks, key=lambda xy: math.dist(xy, position))
        assert math.dist(nearest, position) < 1e-5
        found = marks[nearest]
        assert found[0] == colour  # the figure draws this node here, in this colour
        assert viz["size"] == pytest.approx(math.sqrt(found[1]), abs=1e-3)
        g = graphml.nodes[row.node]
        assert (g["x"], g["y"], g["size"]) == (viz["position"]["x"], viz["position"]["y"], viz["size"])
        assert "#{:02x}{:02x}{:02x}".format(g["r"], g["g"], g["b"]) == colour


def test_node_styles_follow_the_seed_and_the_table():
    G = nx.Graph()
    for c, f, w in [("CN", "UN", 3), ("IN", "UN", 1), ("RU", "SCO", 2), ("CN", "SCO", 1)]:
        G.add_node(f"country:{c}", bipartite=0, kind="country")
        G.add_node(f"forum:{f}", bipartite=1, kind="forum")
        G.add_edge(f"country:{c}", f"forum:{f}", weight=w)
    table = pd.DataFrame({"node": sorted(G), "community": [5, 5, 9, 5, 9], "strength": [4, 1, 2, 3, 4]})
    styles = node_styles(G, centrality=table, seed=1)
    assert [styles[n]["community"] for n in sorted(G)] == [5, 5, 9, 5, 9]
    assert styles["country:CN"]["viz"]["color"] == {"r": 0x56, "g": 0xB4, "b": 0xE9, "a": 1.0}  # community 5
    assert styles["country:RU"]["viz"]["color"] == {"r": 0xBB, "g": 0xBB, "b": 0xBB, "a": 1.0}  # 9 > 6: "other"
    assert styles["country:CN"]["viz"]["size"] > styles["country:IN"]["viz"]["size"]
    assert node_styles(G, centrality=table, seed=1) == styles
    assert node_styles(G, centrality=table, seed=2) != styles
