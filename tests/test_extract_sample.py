"""The bundled sample (12 posts of a foreign ministry channel), checked post by post by hand.

For every post: the flags of its title line, the forums of its hashtags, the countries of its
compound (pair) tags, and the names a careful reader finds. Checked against the small fixture
registry (so the engine is tested on its own) and against the bundled registry (so the data
serve the sample).

Reading notes (decisions):

* Post 7 (SCO Plus) names "the Organisation for Economic Cooperation and Development" among
  the organisations at an SCO meeting. That is not the OECD's name (the Organisation for
  Economic Co-operation and Development), the OECD does not attend SCO Plus meetings, and the
  Russian original most likely meant the Economic Cooperation Organization (ECO). It is not
  counted as any forum.
* Post 5 "Shanghai Cooperation Organisations" (plural) is not an alias: not counted.
* Hashtags ``#CrisisInUkraine``, ``#MinskAgreements`` and ``#Ukrainian`` are plain tags: they
  name no forum and are not compound tags of known parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_extract import _registry

from netanalysis.extract import Extractor, extract_mentions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "mfa_channel_sample.txt"

F5 = {"UN", "BRICS", "SCO", "G20", "APEC"}
# post number -> (flags, hashtag forums, pair-tag countries, other hashtags)
EXPECTED = {
    1: ({"RU", "CN"}, F5, set(), set()),
    2: ({"RU", "CN"}, F5, set(), set()),
    3: ({"RU", "CN"}, F5 | {"ASEAN"}, {"RU", "CN"}, {"russiachina"}),
    4: ({"RU", "ZA"}, {"BRICS", "UN", "G20"}, {"RU", "ZA"}, {"russiasouthafrica"}),
    5: ({"RU", "BY"}, {"SCO", "UN", "OSCE", "UNION_STATE"}, {"RU", "BY"}, {"russiabelarus"}),
    6: (set(), {"UN", "BRICS", "SCO"}, set(), set()),
    7: (set(), {"SCO", "UN", "EEC", "CSTO", "CICA", "CIS"}, set(), set()),
    8: ({"RU", "IN"}, {"UN", "SCO", "BRICS"}, {"RU", "IN"}, {"russiaindia"}),
    9: (set(), {"UN"}, set(), set()),
    10: ({"RU", "AZ"}, {"UN", "BRICS"}, {"RU", "AZ"}, {"russiaazerbaijan"}),
    11: (set(), {"UN"}, set(), {"ukrainian", "crisisinukraine", "minskagreements"}),
    12: (set(), {"EAEU", "SCO", "ASEAN", "AU", "CELAC", "BRICS", "UN"}, set(), set()),
}
# post number -> (country names, forum names) that must be found in running text
NAMES = {
    1: ({"CN"}, set()),
    2: ({"CN", "RU", "US"}, set()),
    3: ({"CN", "RU", "US", "UA"}, {"SCO"}),
    4: ({"ZA", "UA"}, set()),
    5: ({"RU", "BY"}, set()),
    6: ({"CN", "RU", "UA"}, set()),
    7: ({"KZ", "RU", "TR", "UA", "US"}, {"SCO", "UN"}),
    8: ({"IN", "RU", "UA"}, {"BRICS"}),
    9: ({"RU", "BY", "US"}, set()),
    10: ({"RU", "AZ", "AM"}, {"CIS"}),
    11: ({"RU", "UA"}, set()),
    12: ({"RU", "CN", "UA", "US"}, {"NATO"}),
}


@pytest.fixture(scope="module")
def posts():
    pytest.importorskip("netanalysis.ingest.text", reason="the copied-text reader has not landed")
    from netanalysis.ingest import read_posts

    frame = read_posts(str(SAMPLE))
    assert len(frame) == 12
    return frame


def _by_post(mentions, posts):
    order = {pid: i for i, pid in enumerate(posts["post_id"], 1)}
    result = {i: {} for i in order.values()}
    for row in mentions.itertuples():
        result[order[row.post_id]].setdefault((row.kind, row.via), set()).add(row.entity)
    return result


@pytest.fixture(scope="module", params=["fixture", "bundled"])
def mentions(request, posts):
    if request.param == "fixture":
        registry = _registry()
    else:
        from netanalysis.registry import load_registry

        try:
            registry = load_registry()
        except Exception as exc:  # the bundled data may still be incomplete
            pytest.skip(f"bundled registry not loadable yet: {exc}")
    return _by_post(extract_mentions(posts, registry), posts)


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_sample_flags_hashtags_pairs(mentions, number):
    flags, forums, pairs, tags = EXPECTED[number]
    got = mentions[number]
    assert got.get(("country", "flag"), set()) == flags
    assert got.get(("forum", "hashtag"), set()) == forums
    assert got.get(("country", "pair_hashtag"), set()) == pairs
    assert got.get(("forum", "pair_hashtag"), set()) == set()
    assert got.get(("tag", "hashtag"), set()) == tags


@pytest.mark.parametrize("number", sorted(NAMES))
def test_sample_names(mentions, number):
    countries, forums = NAMES[number]
    got = mentions[number]
    assert countries <= got.get(("country", "name"), set())
    assert forums <= got.get(("forum", "name"), set())
    assert "KP" not in got.get(("country", "name"), set())  # "Korean peninsula" names no Korea
    assert "OECD" not in got.get(("forum", "name"), set())


def test_sample_offsets_and_exclude(posts):
    registry = _registry()
    frame = extract_mentions(posts, registry, exclude=["RU"])
    texts = dict(zip(posts["post_id"], posts["text"]))
    assert len(frame) > 100
    for row in frame.itertuples():
        assert texts[row.post_id][row.start : row.end] == row.surface
    assert "RU" not in set(frame.loc[frame["kind"] == "country", "entity"])
    assert frame.equals(extract_mentions(posts, registry, exclude=["RU"]))


def test_sample_fixture_registry_exact_names(posts):
    """With the fixture registry the names are known exactly: no more, no fewer."""
    got = _by_post(extract_mentions(posts, _registry()), posts)
    for number, (countries, forums) in NAMES.items():
        assert got[number].get(("country", "name"), set()) == countries, number
        assert got[number].get(("forum", "name"), set()) == forums | ({"UNION_STATE"} if number == 5 else set()), number


# The traps of the brief, against the bundled registry (engine and data together).
BUNDLED_TRAPS = [
    ("A woman from Oman.", ["OM"]),
    ("Niger and Nigeria", ["NE", "NG"]),
    ("Papua New Guinea, Equatorial Guinea, Guinea-Bissau, and Guinea", ["PG", "GQ", "GW", "GN"]),
    ("let us talk to the US", ["US"]),
    ("Turkey and Türkiye, but turkey for dinner", ["TR", "TR"]),
    ("Chad, Jordan, Georgia; to chad a jordan georgia", ["TD", "JO", "GE"]),
    ("on the Korean peninsula and the Korean Peninsula", []),
    ("China's role and Russia’s role", ["CN", "RU"]),
    ("Azerbaijani-Armenian talks, anti-Russia", ["AZ", "AM", "RU"]),
    ("Визит в Индии, переговоры с Белоруссией и Китаем", ["IN", "BY", "CN"]),
    ("позиция Китая и США", ["CN", "US"]),
    ("на Корейском полуострове", []),
    ("the Commonwealth of Independent States and the CIS", ["CIS", "CIS"]),
    ("at the United Nations", ["UN"]),
    ("the Shanghai Cooperation Organisation (SCO)", ["SCO", "SCO"]),
    ("#БРИКС #ШОС #ООН #ОДКБ #G20", ["BRICS", "SCO", "UN", "CSTO", "G20"]),
    ("#RussiaCSTO #РоссияКитай", ["RU", "CSTO", "RU", "CN"]),
    ("#AfricanUnion #UnionState", ["AU", "UNION_STATE"]),
]


@pytest.fixture(scope="module")
def bundled():
    from netanalysis.registry import load_registry

    try:
        return Extractor(load_registry())
    except Exception as exc:  # the bundled data may still be incomplete
        pytest.skip(f"bundled registry not loadable yet: {exc}")


@pytest.mark.parametrize("text, expected", BUNDLED_TRAPS)
def test_bundled_registry_traps(bundled, text, expected):
    rows = bundled.extract(text)
    assert [r[1] for r in rows if r[0] != "tag"] == expected
    for kind, entity, via, form, surface, start, end in rows:
        assert text[start:end] == surface
