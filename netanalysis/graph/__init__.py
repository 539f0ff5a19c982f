"""Graph: coded mentions -> the bipartite country-forum co-mention network and its projections.

Every number on an edge is a group-by over the mentions table, so every edge names its posts.

Units of co-mention
-------------------
``unit="post"`` (default): two entities are co-mentioned when one post names both.
``unit="paragraph"``: ... when one *line* of a post names both. The text readers join the lines of
a post with ``"\\n"``, so every line is a paragraph (blank lines are simply empty paragraphs).
``unit="sentence"``: ... when one sentence names both. A sentence ends at a line break or at
``.``, ``!``, ``?`` or ``…`` (optionally followed by closing quotes/brackets) followed by
white space and then an upper-case letter of any script (Latin, Cyrillic, ...), an opening quote
followed by one, or a flag emoji. A period after a lone letter (``U.S.``, ``В.В.``) does not end a
sentence; other abbreviations (``Mr.``) do.
Mentions are assigned to units by their ``start`` offset, so paragraph and sentence units need
the posts frame (its ``text``). A unit counts once however often it repeats a name.

Normalised weights of an edge (i, j)
------------------------------------
With ``w`` the number of units naming both, ``n_i`` and ``n_j`` the numbers of units naming each
(the node attribute ``posts``) and ``N`` the number of units of the baseline (graph attribute
``n_units``): ``expected = n_i n_j / N``, ``assoc_strength = w / expected``, ``jaccard`` and
``npmi`` (formulas in :mod:`netanalysis.graph.measures`, their one home).

The baseline: what ``N`` counts
-------------------------------
``baseline="all-units"`` (default): every unit of the posts, those naming nothing included
(every post; with paragraph or sentence units every paragraph or sentence of every post, which
needs the posts' text). ``baseline="topical-units"``: only the units naming at least one (not
excluded) country or forum. :mod:`netanalysis.analysis.association` explains the null model of
each and why all-units is the default (its expected counts do not depend on which units the
extraction found something in, so values compare across units and time windows). Every measure
can be recomputed from ``nodes.csv`` (``posts``), ``edges.csv`` (``weight``) and ``N`` (the
manifest's ``n_units``). With paragraph or sentence units, ``posts`` and ``weight`` count those
units, while ``post_ids`` lists the posts. The graph attribute ``margins``
(:class:`~netanalysis.graph.measures.Margins`) holds both counts of units and what the tests of
:func:`netanalysis.analysis.validate_edges` need.

One counter (:class:`CoMentionCounter`) counts every graph: the Python API codes its tables
as one :class:`Batch` (:func:`from_tables`) and adds it; the command line adds a batch per chunk
of posts as they stream by. Modules: :mod:`~netanalysis.graph.coding` (the batch),
:mod:`~netanalysis.graph.tables_coding` (the API's tables coded as one batch),
:mod:`~netanalysis.graph.counter`, :mod:`~netanalysis.graph.post_ids`,
:mod:`~netanalysis.graph.measures`, :mod:`~netanalysis.graph.projections`,
:mod:`~netanalysis.graph.table` (``edges.csv``, the projections' tables).
:func:`projection_graph` gives the one-mode projections (countries tied by the units naming
both; forums likewise) from the same counter.

``post_ids`` lists are sorted in natural order: by the id without its trailing number, then by
that number (``"mfa:9"`` before ``"mfa:10"``), then as strings. ``first_date`` and
``last_date`` are the UTC calendar dates (``YYYY-MM-DD``) of the edge's first and last dated
post, ``""`` when none is dated.

Filtering: ``exclude`` removes entities before anything is counted (they are not part of ``N``;
``RU`` names a country or forum of that id, ``country:AU`` or ``forum:AU`` only one of them);
``min_weight`` drops lighter edges after the measures are computed, and nodes left without
edges are dropped (the graph holds only nodes with at least one edge; countries or forums never
co-mentioned with the other side are not in it).
"""

from __future__ import annotations

from netanalysis.extract.units import unit_starts
from netanalysis.graph.coding import Batch, Entities, entity_list
from netanalysis.graph.cooccurrence import co_mention_graph, projection_graph
from netanalysis.graph.counter import CoMentionCounter
from netanalysis.graph.measures import Margins, association_measures, node_id
from netanalysis.graph.post_ids import PostIds, PostIdTable
from netanalysis.graph.projections import project
from netanalysis.graph.table import EDGE_COLUMNS, TIE_COLUMNS, edges_table, projection_table
from netanalysis.graph.tables_coding import from_tables
from netanalysis.model import UNITS

__all__ = [
    "Batch",
    "Entities",
    "CoMentionCounter",
    "PostIds",
    "PostIdTable",
    "UNITS",
    "EDGE_COLUMNS",
    "TIE_COLUMNS",
    "Margins",
    "association_measures",
    "co_mention_graph",
    "edges_table",
    "entity_list",
    "from_tables",
    "node_id",
    "project",
    "projection_graph",
    "projection_table",
    "unit_starts",
]
