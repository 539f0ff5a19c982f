"""Extract: post text -> mentions of countries, forums and other hashtags.

:class:`Extractor` compiles a registry once (the name automaton, the hashtag vocabulary, the
flag table: :mod:`netanalysis.extract.compiled`) and then reads any number of texts;
:func:`extract_mentions` runs it over posts and returns the tidy mention table
(:data:`~netanalysis.model.MENTION_COLUMNS`). One walk of the names' automaton over a text
finds its names, the literals the context rules need, its ``#`` and flag emoji, and the dots
before a top-level domain that tell whether a bare domain must be masked.

What each source yields (``via``):

``flag``
    Flag emoji: 🇷🇺 -> country ``RU``. 🇺🇳 and 🇪🇺 are the flags of the UN and the EU, so
    they give the forums ``UN`` and ``EU``. Pairs that are not a registry country are ignored.
``hashtag``
    A whole hashtag that is an alias allowed in tags: ``#BRICS``, ``#ШОС`` -> forum,
    ``#China``, ``#Россия`` -> country, in any case (Telegram treats ``#un`` and ``#UN`` as one
    hashtag, so an ``exact`` alias matches a whole hashtag in any case). Surface is the tag with
    ``#``. Any other hashtag gives a mention of kind ``tag`` whose entity is the case-folded tag
    text (``#CrisisInUkraine`` -> ``crisisinukraine``).
``pair_hashtag``
    A compound tag whose every part is a known alias (``#RussiaChina`` -> RU, CN;
    ``#RussiaCSTO`` -> RU and forum CSTO), one row per part, surface and offsets naming the
    part inside the tag. Inside a compound the alias case rules hold (capitals show where the
    parts begin: ``#RussiaUS`` is RU and US, ``#russiaus`` stays a plain tag). The compound tag
    is also kept as one ``tag`` row (via ``hashtag``) so that users can see which tags were split.
    A tag that is an alias on its own (``#AfricanUnion``) is that entity, never a pair.
``name``
    Aliases in running text (see :mod:`netanalysis.extract.gazetteer`): word boundaries,
    case rules, stop phrases, longest match; names inside hashtags are not read again.

Options: ``countries`` chooses which sources may give country mentions (forums always come
from every source; ``flags`` for UN/EU flags as well); ``exclude`` drops entities (for example
``RU``, the channel's own country; a bare id drops a country and a forum of that id alike,
``country:AU`` or ``forum:AU`` only one); ``tags=False`` drops the ``tag`` rows.
``extract_mentions(..., jobs=N)`` spreads large inputs over N processes and returns the same table.

For corpora that do not fit in memory, the command line extracts a stream of post chunks on
worker processes or a Dask cluster (:mod:`netanalysis.pipeline.work` over
:func:`netanalysis.parallel.map_ordered`, results in input order) with the same
:class:`Extractor`. :mod:`netanalysis.extract.units` splits posts into paragraphs and sentences.
"""

from __future__ import annotations

from netanalysis.extract.engine import COUNTRY_SOURCES, FLAG_FORUMS, Extractor
from netanalysis.extract.table import extract_mentions

__all__ = ["COUNTRY_SOURCES", "FLAG_FORUMS", "Extractor", "extract_mentions"]
