"""Who published a post, and where it came from: one rule for every reader.

``channel`` is the channel a post was **published in**: the exporting channel of a Telegram
Desktop export (JSON or HTML), the channel of a Telethon dump (its title when the dump carries
one), a table's channel column, or ``--channel`` (``ReadOptions.channel``) where the input names
none (copied text: the file's stem when not given). A forward keeps the channel that forwarded
it. ``forwarded_from`` is the post's **origin** when it is a forward, else empty.

Both names are normalised here, the same way for every format (:func:`channel_name`): Unicode
NFC, flag emoji removed (Telegram Desktop writes ``Russian MFA 🇷🇺`` where copied text has
``Forwarded from Russian MFA 🇷🇺``), white space collapsed. A name that is nothing but flags
is kept as it is.

``ReadOptions.count_forwards`` (default ``True``) decides whether forwards count as posts of the
forwarding channel. A channel's readers see its forwards in its feed, and choosing what to
forward is part of what a channel says, so by default they count. With ``False`` a forward is
skipped (counted in the file's ``skipped_by_kind`` as ``forward``) and each channel speaks only
with its own posts: use it to compare what channels write themselves, e.g. an embassy that
forwards much of its ministry's channel. Either way ``forwarded_from`` is kept in ``posts.csv``.

What the formats cannot say: a Telethon ``Message.to_dict()`` names a channel only by its id
(``peer_id.channel_id``, ``fwd_from.from_id.channel_id``), which is read as ``channel:<id>``
unless the dump carries names: a record's ``channel``/``chat``/``channel_title`` field, or the
``chats`` list of a ``GetHistoryRequest`` result (``{"messages": [...], "chats": [...]}``),
whose titles name both the dump's channel and the channels its forwards come from. Give a
one-channel dump its name with ``--channel``. A forward from a hidden user names no source in
any format and is read as a post of the channel.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from netanalysis.model import FileStats, Post

__all__ = ["channel_name", "attribute"]

# A flag: two regional indicators (🇷🇺), or a black flag with tag characters (a subdivision's 🏴).
_FLAGS = re.compile(r"[\U0001F1E6-\U0001F1FF]{2}|\U0001F3F4[\U000E0020-\U000E007F]+")


def channel_name(name: Any) -> str | None:
    """A channel's name as every reader gives it: NFC, flag emoji removed, white space collapsed.

    Examples
    --------
    >>> channel_name("Russian MFA 🇷🇺")
    'Russian MFA'
    >>> channel_name("  🇷🇺 Посольство России\\nв ЮАР 🇿🇦 ")
    'Посольство России в ЮАР'
    >>> channel_name("🇷🇺"), channel_name("  "), channel_name(None)
    ('🇷🇺', None, None)
    """
    if not isinstance(name, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        return None
    if "\U0001f1e6" <= max(text) or "\U0001f3f4" in text:  # only names holding such characters
        stripped = " ".join(_FLAGS.sub(" ", text).split())
        return stripped or text
    return text


def attribute(post: Post, options: Any, stats: FileStats) -> Post | None:
    """The post with its names normalised, or ``None`` for a forward that is not counted
    (``options.count_forwards`` false: skipped in ``stats`` as ``forward``)."""
    forwarded = channel_name(post.forwarded_from)
    if forwarded is not None and not getattr(options, "count_forwards", True):
        stats.skip(post.source, f"forwarded from {forwarded}", kind="forward")
        return None
    channel = channel_name(post.channel) or post.channel
    if channel == post.channel and forwarded == post.forwarded_from:
        return post
    return replace(post, channel=channel, forwarded_from=forwarded)
