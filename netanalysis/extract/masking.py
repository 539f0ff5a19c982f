"""Links, e-mail addresses and @handles, masked before names are matched.

A channel's posts carry addresses whose words look like names: ``bbc.com/russian/...``,
``tass.com/russia/``, ``t.me/MID_Russia``, ``press@mid.ru``, ``@gogoKremlin``, ``24.kz``.
None of them is a mention. :func:`mask_links` replaces every character of such a span by a
space, so the text keeps its length and every offset (a mention's ``start``/``end`` still
point into the post as written) and nothing inside the span can match a name, a hashtag (the
``#fragment`` of a URL) or a flag. Hashtags outside links stay hashtags.

What is masked (:data:`LINK_PATTERNS`):

* addresses with a scheme (``https://``, ``http://``, ``ftp://``), up to the next space, angle
  bracket, guillemet or straight double quote, without the punctuation that ends them in a
  sentence (a full stop, a comma, a closing bracket); ``www.`` addresses are bare domains;
* e-mail addresses (``name@host.tld``, the name in Latin letters, digits and ``._+-``);
* @handles: ``@`` and word characters, not preceded by a word character (``a@b`` is e-mail);
* bare domains: labels of Latin letters, digits and hyphens joined by dots and ending in a
  known top-level domain (generic ones such as ``com``, ``org``, ``info``, and every two-letter
  country code, plus ``рф``), with an optional path. The top-level domain must be all lower or
  all upper case (``rt.com``, ``INTERFAX.RU``); a title-case one (``Russia.In``) is read as
  two glued sentences, not a domain, so the country name stays.

Known limits: a domain written with a title-case ending (``News.Az``) is not masked (none of
its words is a name); a sentence glued to a lower-case word that is a country code
(``...Russia.it``) would be masked.
"""

from __future__ import annotations

import re

__all__ = [
    "DOMAIN_MARKS",
    "LINK_PATTERNS",
    "link_spans",
    "mask_links",
    "mask_spans",
    "reference_link_spans",
    "scheme_and_at_spans",
    "with_domains",
]

_GENERIC_TLDS = (
    "com net org info biz gov edu int mil io co me tv fm am news online site website app dev ai "
    "tech media press club live today world global eu asia mobi name pro store blog space top xyz"
)
_COUNTRY_TLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw "
    "by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et "
    "fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il "
    "im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly "
    "ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu "
    "nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm "
    "sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va "
    "vc ve vg vi vn vu wf ws ye yt za zm zw"
)
_TLDS = sorted(set(_GENERIC_TLDS.split()) | set(_COUNTRY_TLDS.split()), key=lambda t: (-len(t), t))
_TLD = "(?:" + "|".join(_TLDS) + "|" + "|".join(t.upper() for t in _TLDS) + ")"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# a path or a link with a scheme runs to the next space, angle bracket, guillemet or straight
# double quote, and does not end in punctuation (the full stop or bracket after a link in a sentence)
_TAIL = r"[^\s<>\"«»]*[^\s<>\"«».,;:!?)\]}'’]"
_PATH = rf"(?:[/?#](?:{_TAIL})?)?"

#: What each kind of span is (see the module notes): a link with a scheme, an e-mail address,
#: an @handle, a bare domain, a ``.рф`` domain. The spans masked are the union of what each finds
#: (:func:`reference_link_spans`); :func:`link_spans` finds the same spans faster, by looking first
#: for what each kind must contain (``://``, ``@``, a dot before a top-level domain).
LINK_PATTERNS = (
    re.compile(rf"(?i:https?|ftp)://{_TAIL}"),
    re.compile(r"(?<![\w.+-])[A-Za-z0-9._+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"(?<![\w@])@\w+"),
    re.compile(rf"(?<![\w.@/-])(?:{_LABEL}\.)+{_TLD}(?![\w-]){_PATH}"),
    re.compile(r"(?<![\w.@/-])(?:[а-яё0-9-]+\.)+(?:рф|РФ)(?![\w-])" + _PATH),
)
_SCHEME = re.compile(rf"(?i:https?|ftp)://{_TAIL}")
_HAS_SCHEME = re.compile("://").search
_AT = re.compile(r"@[\w-]+(?:\.[\w-]+)*")
_DOT_TLD = re.compile(r"\.([A-Za-z]{2,7}|рф|РФ)(?![\w-])")
_TLD_SET = frozenset(_TLDS) | frozenset(t.upper() for t in _TLDS) | {"рф", "РФ"}
#: What every bare domain has, lower-cased: a dot and a top-level domain. A text whose lower-cased
#: form has none of them has no bare domain, so the names' automaton, which walks the text
#: lower-cased anyway, is asked to report them (:class:`~netanalysis.extract.Extractor`), and
#: the domains are looked for only in a text where it found one.
DOMAIN_MARKS = tuple(sorted({"." + tld.lower() for tld in _TLD_SET}))
#: The labels before a Latin ending and before .рф, as :data:`LINK_PATTERNS` spell them.
_LATIN_LABELS = re.compile(rf"(?:{_LABEL}\.)+")
_CYRILLIC_LABELS = re.compile(r"(?:[а-яё0-9-]+\.)+")
_PATH_RE = re.compile(_PATH)
_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_DOMAIN_CHARS = frozenset(_LATIN + ".-абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_EMAIL_CHARS = frozenset(_LATIN + "._+-")


def _word_or(ch: str, extra: str) -> bool:
    return ch.isalnum() or ch == "_" or ch in extra


def link_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every link, e-mail address and @handle in ``text``, in order
    (overlapping finds merged).

    Examples
    --------
    >>> t = "See tass.com/russia/ and @MID_Russia, not Russia."
    >>> [t[a:b] for a, b in link_spans(t)]
    ['tass.com/russia/', '@MID_Russia']
    """
    return _merged(_scheme_and_at(text) + _domains(text))


def scheme_and_at_spans(text: str) -> list[tuple[int, int]]:
    """:func:`link_spans` without the bare domains: links with a scheme, e-mail addresses and
    @handles (what a text without any of :data:`DOMAIN_MARKS` has)."""
    return _merged(_scheme_and_at(text))


def with_domains(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (:func:`scheme_and_at_spans` of ``text``) and the bare domains of ``text``:
    :func:`link_spans` of ``text``."""
    domains = _domains(text)
    return _merged(spans + domains) if domains else spans


def _scheme_and_at(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    # one-character tests first: a longer needle costs a scan of the whole text
    if ":" in text and _HAS_SCHEME(text) is not None:  # (the regex scans a wide text faster than ``in``)
        spans += [m.span() for m in _SCHEME.finditer(text)]
    if "@" in text:
        email_end = 0  # e-mail addresses do not overlap (as the pattern's finditer)
        for m in _AT.finditer(text):
            at, end = m.span()
            start = at
            while start > email_end and text[start - 1] in _EMAIL_CHARS:
                start -= 1
            if start < at and "." in m.group() and (start == 0 or not _word_or(text[start - 1], ".+-")):
                spans.append((start, end))  # e-mail (a host with a dot)
                email_end = end
            elif at == 0 or not _word_or(text[at - 1], "@"):
                end = at + 1 + len(m.group()[1:].split(".")[0].split("-")[0])  # @ and word characters
                if end > at + 1:
                    spans.append((at, end))
    return spans


def _domains(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if "." in text:
        for m in _DOT_TLD.finditer(text):
            if m.group(1) not in _TLD_SET:
                continue
            dot, end = m.span()
            start = dot
            while start > 0 and text[start - 1] in _DOMAIN_CHARS:
                start -= 1
            if start == dot or (start > 0 and _word_or(text[start - 1], ".@/-")):
                continue
            # (a Cyrillic name before a Latin ending, or the reverse, is not a domain: "#1залив.US"
            # is a hashtag and a country, which a check of the first character alone masked)
            labels = _CYRILLIC_LABELS if m.group(1) in ("рф", "РФ") else _LATIN_LABELS
            if labels.fullmatch(text, start, dot + 1) is None:
                continue
            path = _PATH_RE.match(text, end)
            spans.append((start, path.end() if path else end))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, those that overlap or touch joined."""
    if len(spans) < 2:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def reference_link_spans(text: str) -> list[tuple[int, int]]:
    """What :func:`link_spans` returns, the plain way: every pattern of :data:`LINK_PATTERNS` run
    over the whole text, the spans joined (slow; the definition the tests compare with)."""
    return _merged([m.span() for pattern in LINK_PATTERNS for m in pattern.finditer(text)])


def mask_links(text: str) -> str:
    """``text`` with every link, e-mail address and @handle replaced by spaces (same length).

    Examples
    --------
    >>> mask_links("bbc.com/russian and #Russia")
    '                and #Russia'
    """
    return mask_spans(text, link_spans(text))


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` (as :func:`link_spans` gives them) replaced by
    spaces: :func:`mask_links` for a caller that has the spans already."""
    if not spans:
        return text
    parts = []
    done = 0
    for start, end in spans:
        parts += [text[done:start], " " * (end - start)]
        done = end
    parts.append(text[done:])
    return "".join(parts)
