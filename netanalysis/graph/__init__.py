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
(the node attribute ``posts``) and ``N`` the number of units naming at least one (not excluded)
country or forum (graph attribute ``n_units``):

* ``assoc_strength`` = ``w * N / (n_i * n_j)``: observed over expected co-mentions under
  independence (VOSviewer's association strength ``w / (n_i n_j)`` scaled by ``N``);
  1 means "as often as chance", above 1 "more often than chance".
* ``jaccard`` = ``w / (n_i + n_j - w)``.
* ``npmi`` = ``log(p_ij / (p_i p_j)) / -log(p_ij)`` with ``p = count / N`` (natural log), in
  (-1, 1]; when ``p_ij = 1`` (both named in every unit) it is 1.

``N`` counts every unit that names a country or a forum, not only those naming both: then
``n_i`` is simply how often ``i`` is named, and every measure can be recomputed from
``nodes.csv`` (``posts``), ``edges.csv`` (``weight``) and ``N``. With paragraph or sentence
units, ``posts`` and ``weight`` count those units, while ``post_ids`` lists the posts.

One counter (:class:`CoMentionCounter`) counts every graph: the Python API codes its tables
as one :class:`Batch` (:func:`from_tables`) and adds it; the command line adds a batch per chunk
of posts as they stream by. Modules: :mod:`~netanalysis.graph.coding` (the batch),
:mod:`~netanalysis.graph.counter`, :mod:`~netanalysis.graph.post_ids`,
:mod:`~netanalysis.graph.measures`, :mod:`~netanalysis.graph.projections`,
:mod:`~netanalysis.graph.table` (``edges.csv``).

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
from netanalysis.graph.coding import Batch, Entities, entity_list, from_tables
from netanalysis.graph.cooccurrence import co_mention_graph
from netanalysis.graph.counter import CoMentionCounter
from netanalysis.graph.measures import association_measures, node_id
from netanalysis.graph.post_ids import PostIds, PostIdTable
from netanalysis.graph.projections import project
from netanalysis.graph.table import EDGE_COLUMNS, edges_table
from netanalysis.model import UNITS

__all__ = [
    "Batch",
    "Entities",
    "CoMentionCounter",
    "PostIds",
    "PostIdTable",
    "UNITS",
    "EDGE_COLUMNS",
    "association_measures",
    "co_mention_graph",
    "edges_table",
    "entity_list",
    "from_tables",
    "node_id",
    "project",
    "unit_starts",
]
