"""Counting a post once when it was forwarded into several channels or exported twice.

Three keys identify a post:

* its **id** (:mod:`netanalysis.ingest.ids`): a post whose id repeats an earlier post's is the
  same message read twice (without ``dedupe`` it would be kept and renamed ``<id>#2``);

* its **source message** ``(channel id, message id)`` when the input says it: the original
  message of a forward (Telethon's ``fwd_from``), else the message itself (Telegram exports,
  Telethon dumps, tables with channel and id columns). Readers attach it by yielding a
  :class:`SourcedPost`;
* its **normalised text** (NFKC, case-folded, URLs removed, white space collapsed).

A post whose source message is known is a duplicate when that source was seen before, or
when its text was seen in a post whose source is unknown. A post whose source is unknown
(copied text, HTML exports, forwards in Telegram Desktop exports) is a duplicate when its
normalised text was seen before in any post. So two messages known to be distinct are both
kept even when their texts are equal (a channel repeating a slogan), while an HTML export and a
JSON export of the same channel count each post once. Tables key a row by ``(channel, id)``
with the channel as named in the table, which is not Telegram's channel id: a table and a
Telegram export of the same posts are matched only through the text of sourceless posts.
Keys are kept as 64-bit hashes (BLAKE2b) in sets of ints, so memory grows with the number of
distinct posts (about 60-70 bytes per key, one or two keys per post), not with their length; the
chance that two of 10 million distinct posts share a hash is about 3 in a million.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from netanalysis.model import IngestStats, Post

__all__ = ["SourcedPost", "Deduplicator", "dedupe_posts", "normalise_text", "text_key", "plain_post"]

_URL = re.compile(r"(?:https?://|www\.|t\.me/)\S+")  # applied to case-folded text


@dataclass(slots=True)
class SourcedPost(Post):
    """A :class:`~netanalysis.model.Post` that also knows its source message (for dedupe only).

    :func:`netanalysis.ingest.iter_posts` turns it back into a plain ``Post`` before yielding.
    """

    origin: tuple[str, str] | None = field(default=None, repr=False, compare=False)


def plain_post(post: Post) -> Post:
    """The same post as a plain :class:`~netanalysis.model.Post` (drops the source key)."""
    if type(post) is Post:
        return post
    return Post(
        post.post_id, post.channel, post.date, post.date_source, post.text, post.source, post.forwarded_from, post.group
    )


def normalise_text(text: str) -> str:
    """Text reduced to what makes two copies of a post the same.

    Examples
    --------
    >>> normalise_text("The  #BRICS summit\\nhttps://t.me/x/1 ")
    'the #brics summit'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if "http" in text or "www." in text or "t.me/" in text:  # the regex only where it can match
        text = _URL.sub(" ", text)
    return " ".join(text.split())


def text_key(text: str) -> int | None:
    """A 64-bit hash of the normalised text (``None`` when nothing is left to compare)."""
    norm = normalise_text(text)
    if not norm:
        return None
    return int.from_bytes(hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest(), "little")


def _id_key(post_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(post_id.encode("utf-8"), digest_size=8, person=b"id").digest(), "little")


def _origin_key(origin: tuple[str, str]) -> int:
    raw = "\x1f".join(str(part) for part in origin).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8, person=b"origin").digest(), "little")


class Deduplicator:
    """Remembers the posts seen so far; :meth:`is_duplicate` says whether a post repeats one."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._origins: set[int] = set()
        self._texts: set[int] = set()  # texts of all posts
        self._sourceless: set[int] = set()  # texts of posts whose source is unknown

    def __len__(self) -> int:
        return len(self._ids) + len(self._origins) + len(self._texts) + len(self._sourceless)

    def repeat(self, post: Post) -> str | None:
        """What ``post`` repeats (``None``: nothing, it is new); remember it either way."""
        ikey = _id_key(post.post_id)
        if ikey in self._ids:
            return "repeats the id of an earlier post"
        if self.is_duplicate(post):
            return "duplicate of an earlier post"
        self._ids.add(ikey)
        return None

    def is_duplicate(self, post: Post) -> bool:
        """Whether ``post`` repeats an earlier one by its source message or its text (its id is
        checked by :meth:`repeat`); remember it either way."""
        tkey = text_key(post.text)
        origin = getattr(post, "origin", None)
        if origin is not None:
            okey = _origin_key(origin)
            if okey in self._origins or (tkey is not None and tkey in self._sourceless):
                return True
            self._origins.add(okey)
            if tkey is not None:
                self._texts.add(tkey)
            return False
        if tkey is None:
            return False
        if tkey in self._texts:
            return True
        self._texts.add(tkey)
        self._sourceless.add(tkey)
        return False


def dedupe_posts(posts: Iterable[Post], stats: IngestStats | None = None) -> Iterator[Post]:
    """Stream ``posts`` without the duplicates (the first copy is kept, in input order).

    Parameters
    ----------
    posts : any iterable of posts (plain posts are compared by normalised text)
    stats : if given, ``stats.duplicates`` counts the posts dropped

    Examples
    --------
    >>> from netanalysis.model import Post
    >>> a = Post("a:1", "MFA", None, "none", "Talks at the #UN", "a#1")
    >>> b = Post("b:7", "Embassy", None, "none", "talks at the  #UN https://t.me/mfa/1", "b#7")
    >>> [p.post_id for p in dedupe_posts([a, b])]
    ['a:1']
    """
    seen = Deduplicator()
    for post in posts:
        if seen.repeat(post) is not None:
            if stats is not None:
                stats.duplicates += 1
            continue
        yield post
