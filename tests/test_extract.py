"""The extraction engine: hashtags, flags, compound tags, names, options, the mention table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netanalysis.errors import ConfigError
from netanalysis.extract import COUNTRY_SOURCES, Extractor, extract_mentions
from netanalysis.extract.flags import iter_flags
from netanalysis.extract.gazetteer import NameMatcher
from netanalysis.extract.hashtags import iter_hashtags
from netanalysis.extract.pairs import TagLexicon
from netanalysis.model import MENTION_COLUMNS, MENTION_FORMS, Post
from netanalysis.registry import Registry

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)


def _registry(aliases: pd.DataFrame | None = None) -> Registry:
    return Registry(
        countries=_read("countries.csv"),
        forums=_read("forums.csv"),
        aliases=_read("aliases.csv") if aliases is None else aliases,
        stop_phrases=_read("stop_phrases.csv"),
    )


@pytest.fixture(scope="module")
def registry() -> Registry:
    return _registry()


@pytest.fixture(scope="module")
def ex(registry) -> Extractor:
    return Extractor(registry)


def entities(rows, via=None, kind=None):
    """(kind, entity) of rows, optionally of one via/kind, in order."""
    return [(r[0], r[1]) for r in rows if (via is None or r[2] == via) and (kind is None or r[0] == kind)]


def check_offsets(text, rows):
    for kind, entity, via, form, surface, start, end in rows:
        assert text[start:end] == surface, (surface, start, end)


# ------------------------------------------------------------------------------- hashtags


@pytest.mark.parametrize(
    "text, tags",
    [
        ("#БРИКС #ШОС #ООН #ОДКБ", ["БРИКС", "ШОС", "ООН", "ОДКБ"]),
        ("the #G20 and #Russia_China", ["G20", "Russia_China"]),
        ("С.В.#Лавров said word#UN", ["Лавров", "UN"]),
        ("the #ASEAN-centric order, the #UN, and #SCO.", ["ASEAN", "UN", "SCO"]),
        ("item #1, year #2024, &#x27; and ## alone", []),
        ("#Türkiye with a decomposed #Tu\u0308rkiye", ["Türkiye", "Tu\u0308rkiye"]),
    ],
)
def test_iter_hashtags(text, tags):
    found = list(iter_hashtags(text))
    assert [t for _, _, t in found] == tags
    for start, end, tag in found:
        assert text[start] == "#" and text[start + 1 : end] == tag


def test_hashtag_forums_and_countries_en_ru(ex):
    text = "At the #UN, #BRICS and #ШОС, #ООН, #ОДКБ, #G20 with #China and #Россия."
    rows = ex.extract(text)
    assert entities(rows) == [
        ("forum", "UN"),
        ("forum", "BRICS"),
        ("forum", "SCO"),
        ("forum", "UN"),
        ("forum", "CSTO"),
        ("forum", "G20"),
        ("country", "CN"),
        ("country", "RU"),
    ]
    assert {r[2] for r in rows} == {"hashtag"}
    assert [r[4] for r in rows][:3] == ["#UN", "#BRICS", "#ШОС"]
    assert {r[3] for r in rows} == {"hashtag"}
    check_offsets(text, rows)


def test_hashtag_glued_and_cut_at_non_word(ex):
    text = "С.В.#Лавров: word#UN and the #ASEAN-centric framework"
    rows = ex.extract(text)
    assert rows[0] == ("tag", "лавров", "hashtag", "hashtag", "#Лавров", 4, 11)
    assert ("forum", "UN", "hashtag", "hashtag", "#UN", 17, 20) in rows
    assert ("forum", "ASEAN", "hashtag", "hashtag", "#ASEAN", 29, 35) in rows
    assert not any(r[0] == "tag" and "centric" in r[1] for r in rows)


def test_other_hashtags_are_case_folded_tags(ex):
    text = "#CrisisInUkraine #MinskAgreements #Ukrainian #Лавров"
    rows = ex.extract(text)
    assert entities(rows) == [
        ("tag", "crisisinukraine"),
        ("tag", "minskagreements"),
        ("tag", "ukrainian"),
        ("tag", "лавров"),
    ]
    assert Extractor(_registry(), tags=False).extract(text) == []


# ----------------------------------------------------------------------------------- flags


def test_iter_flags_runs_pair_from_start():
    assert [c for *_, c in iter_flags("🇷🇺🇧🇾🇦🇲🇰🇬🇹🇯🇰🇿")] == ["RU", "BY", "AM", "KG", "TJ", "KZ"]
    # an odd run: pairs from the start, the stray last symbol is dropped
    assert [c for *_, c in iter_flags("🇷🇺🇨🇳🇦 x")] == ["RU", "CN"]
    assert [(s, e) for s, e, _ in iter_flags("a 🇷🇺 b 🇨🇳")] == [(2, 4), (7, 9)]
    assert list(iter_flags("plain ascii")) == []


def test_flags_countries_forums_unknown_and_subdivisions(ex):
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    text = f"🇷🇺🇧🇾🇦🇲🇰🇬🇹🇯🇰🇿 🇺🇳🇪🇺 🇦🇨🇽🇽 {scotland} 🇳🇦 🤝"
    rows = ex.extract(text)
    assert entities(rows) == [("country", c) for c in ("RU", "BY", "AM", "KG", "TJ", "KZ")] + [
        ("forum", "UN"),
        ("forum", "EU"),
        ("country", "NA"),
    ]
    assert {r[2] for r in rows} == {"flag"}
    check_offsets(text, rows)


# ------------------------------------------------------------------------- compound tags


@pytest.mark.parametrize(
    "tag, parts",
    [
        ("RussiaChina", [("country", "RU", "Russia"), ("country", "CN", "China")]),
        ("RussiaSouthAfrica", [("country", "RU", "Russia"), ("country", "ZA", "SouthAfrica")]),
        ("RussiaCSTO", [("country", "RU", "Russia"), ("forum", "CSTO", "CSTO")]),
        ("РоссияКитай", [("country", "RU", "Россия"), ("country", "CN", "Китай")]),
        ("RussiaBelarus", [("country", "RU", "Russia"), ("country", "BY", "Belarus")]),
        ("RussiaAzerbaijan", [("country", "RU", "Russia"), ("country", "AZ", "Azerbaijan")]),
        ("RussiaIndia", [("country", "RU", "Russia"), ("country", "IN", "India")]),
        ("Russia_China", [("country", "RU", "Russia"), ("country", "CN", "China")]),
        ("RussiaUS", [("country", "RU", "Russia"), ("country", "US", "US")]),
    ],
)
def test_pair_hashtags(ex, tag, parts):
    text = f"Talks. #{tag} next"
    rows = ex.extract(text)
    assert rows[0] == ("tag", tag.casefold(), "hashtag", "hashtag", "#" + tag, 7, 8 + len(tag))
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == parts
    assert {r[2] for r in rows[1:]} == {"pair_hashtag"} and {r[3] for r in rows[1:]} == {"pair_hashtag"}
    check_offsets(text, rows)


@pytest.mark.parametrize("tag", ["RussiaMars", "russiaus", "CrisisInUkraine", "ChinaRussiaX"])
def test_compound_with_unknown_part_stays_a_tag(ex, tag):
    assert ex.extract("#" + tag) == [("tag", tag.casefold(), "hashtag", "hashtag", "#" + tag, 0, len(tag) + 1)]


def test_forum_alias_tag_is_not_a_pair(ex):
    rows = ex.extract("#AfricanUnion #UnionState #SouthAfrica")
    assert rows == [
        ("forum", "AU", "hashtag", "hashtag", "#AfricanUnion", 0, 13),
        ("forum", "UNION_STATE", "hashtag", "hashtag", "#UnionState", 14, 25),
        ("country", "ZA", "hashtag", "hashtag", "#SouthAfrica", 26, 38),
    ]


def test_segmentation_prefers_fewest_parts():
    lex = TagLexicon(
        [
            ("South", False, "country", "XS"),
            ("Africa", False, "country", "XA"),
            ("SouthAfrica", False, "country", "ZA"),
            ("Russia", False, "country", "RU"),
        ]
    )
    assert [p.entity for p in lex.segment("RussiaSouthAfrica")] == ["RU", "ZA"]
    assert [(p.start, p.end) for p in lex.segment("RussiaSouthAfrica")] == [(0, 6), (6, 17)]
    assert lex.segment("") is None and lex.segment("Russian") is None
    assert TagLexicon([]).segment("Russia") is None


# ----------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A woman from Oman.", ["OM"]),
        ("Niger and Nigeria", ["NE", "NG"]),
        ("Papua New Guinea, Equatorial Guinea, Guinea-Bissau, and Guinea", ["PG", "GQ", "GW", "GN"]),
        ("let us talk to the US and USA", ["US", "US"]),
        ("Turkey and Türkiye, but turkey for dinner", ["TR", "TR"]),
        ("Chad, Jordan, Georgia; to chad a jordan georgia", ["TD", "JO", "GE"]),
        ("on the Korean peninsula and the Korean Peninsula, not Korea", ["KR"]),
        ("China's role and Russia’s role", ["CN", "RU"]),
        ("Azerbaijani-Armenian talks, anti-Russia and anti-China blocs", ["AZ", "AM", "RU", "CN"]),
        ("the People’s Republic of China", ["CN"]),
        ("Chinese and Russian officials, Omani, Indian", []),
    ],
)
def test_names_english(ex, text, expected):
    rows = ex.extract(text)
    assert [e for k, e, v, *_ in rows if v == "name"] == expected
    check_offsets(text, rows)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Визит в Индии, переговоры с Белоруссией и Китаем", ["IN", "BY", "CN"]),
        ("позиция Китая, США и России", ["CN", "US", "RU"]),
        ("Китайский и российский", []),
        ("на Корейском полуострове и Корейский полуостров", []),
        ("Корейский вопрос, в Корейском регионе, Корея", ["KR", "KR", "KR"]),
        ("сша и китая", ["CN"]),
        ("Россия – Китай", ["RU", "CN"]),
    ],
)
def test_names_russian(ex, text, expected):
    rows = ex.extract(text)
    assert [e for k, e, v, *_ in rows if v == "name"] == expected
    check_offsets(text, rows)


@pytest.mark.parametrize(
    "text, surfaces",
    [
        ("the Commonwealth of Independent States and the CIS", ["Commonwealth of Independent States", "CIS"]),
        ("at the United Nations and the UN Security Council", ["United Nations", "UN Security Council"]),
        ("the Shanghai Cooperation Organisation (SCO)", ["Shanghai Cooperation Organisation", "SCO"]),
        ("ООН, ШОС, СНГ", ["ООН", "ШОС", "СНГ"]),
    ],
)
def test_forum_names(ex, text, surfaces):
    rows = ex.extract(text)
    assert [r[4] for r in rows] == surfaces
    assert {r[0] for r in rows} == {"forum"} and {r[2] for r in rows} == {"name"}


def test_names_inside_hashtags_are_not_read_again(ex):
    text = "#UN Security Council; #Russia and #RussiaChina; NATO"
    rows = ex.extract(text)
    assert [r[2] for r in rows if r[0] != "tag"] == ["hashtag", "hashtag", "pair_hashtag", "pair_hashtag", "name"]
    assert [r[1] for r in rows if r[2] == "name"] == ["NATO"]


def test_regex_backend_agrees_with_automaton(registry):
    texts = [
        "A woman from Oman, Papua New Guinea, Guinea, the US’s policy; let us go",
        "на Корейском полуострове, с Белоруссией, США; Korean peninsula; Azerbaijani-Armenian",
        "#UN Security Council, United Nations; Chad chad",
    ]
    auto = Extractor(registry)
    regex = Extractor(registry, backend="regex")
    for text in texts:
        assert regex.extract(text) == auto.extract(text)
    with pytest.raises(ConfigError, match="backend"):
        Extractor(registry, backend="grep")


def test_name_matcher_without_names():
    assert NameMatcher([], []).find("anything at all") == []


# --------------------------------------------------------------------------------- options

TEXT = "🇷🇺🇨🇳 Russia and China at the #UN and #BRICS. #RussiaChina #Россия 🇺🇳"


def test_exclude_drops_entity_from_every_source(registry):
    rows = Extractor(registry, exclude=["ru"]).extract(TEXT)
    assert ("country", "RU") not in entities(rows)
    assert entities(rows, kind="country") == [("country", "CN")] * 3
    rows = Extractor(registry, exclude="RU,UN").extract(TEXT)
    assert not {("country", "RU"), ("forum", "UN")} & set(entities(rows))
    assert ("forum", "BRICS") in entities(rows)


def test_exclude_ambiguous_code_and_prefixes(registry):
    text = "Australia and the African Union (#AfricanUnion)"
    assert entities(Extractor(registry, exclude=["AU"]).extract(text)) == []
    assert entities(Extractor(registry, exclude=["forum:AU"]).extract(text)) == [("country", "AU")]
    assert entities(Extractor(registry, exclude=["country:AU"]).extract(text)) == [("forum", "AU"), ("forum", "AU")]


@pytest.mark.parametrize("bad", [["XX"], ["RU", "NOPE"], ["planet:RU"], ["forum:RU"]])
def test_exclude_unknown_is_config_error(registry, bad):
    with pytest.raises(ConfigError, match="cannot exclude"):
        Extractor(registry, exclude=bad)


def test_country_sources_selection(registry):
    only = {
        src: entities(Extractor(registry, countries=[src]).extract(TEXT), kind="country") for src in COUNTRY_SOURCES
    }
    assert only == {
        "flags": [("country", "RU"), ("country", "CN")],
        "names": [("country", "RU"), ("country", "CN")],
        "pair_hashtags": [("country", "RU"), ("country", "CN")],
        "hashtags": [("country", "RU")],
    }
    # forums come regardless of the country sources
    rows = Extractor(registry, countries="flags").extract(TEXT)
    assert entities(rows, kind="forum") == [("forum", "UN"), ("forum", "BRICS"), ("forum", "UN")]
    assert entities(Extractor(registry, countries=()).extract(TEXT), kind="country") == []


def test_unknown_source_is_config_error(registry):
    with pytest.raises(ConfigError, match="unknown country source.*'emoji'"):
        Extractor(registry, countries=["flags", "emoji"])


# --------------------------------------------------------------------------- mention table

POSTS = [
    Post("p1", "c", None, "none", "🇷🇺🇨🇳 #UN talks in China; #RussiaChina", "f:1"),
    Post("p2", "c", None, "none", "", "f:2"),
    Post("p3", "c", None, "none", "С.В.#Лавров: с Белоруссией и Китаем в #ШОС", "f:3"),
]


def test_extract_mentions_table(registry):
    frame = extract_mentions(POSTS, registry)
    assert list(frame.columns) == MENTION_COLUMNS
    assert frame["start"].dtype == "int64" and frame["end"].dtype == "int64"
    assert list(zip(frame["post_id"], frame["kind"], frame["entity"], frame["via"])) == [
        ("p1", "country", "RU", "flag"),
        ("p1", "country", "CN", "flag"),
        ("p1", "forum", "UN", "hashtag"),
        ("p1", "country", "CN", "name"),
        ("p1", "tag", "russiachina", "hashtag"),
        ("p1", "country", "RU", "pair_hashtag"),
        ("p1", "country", "CN", "pair_hashtag"),
        ("p3", "tag", "лавров", "hashtag"),
        ("p3", "country", "BY", "name"),
        ("p3", "country", "CN", "name"),
        ("p3", "forum", "SCO", "hashtag"),
    ]
    texts = {p.post_id: p.text for p in POSTS}
    for row in frame.itertuples():
        assert texts[row.post_id][row.start : row.end] == row.surface


def test_extract_mentions_dataframe_equals_posts(registry):
    table = pd.DataFrame({"post_id": [p.post_id for p in POSTS], "text": [p.text for p in POSTS], "channel": "c"})
    pd.testing.assert_frame_equal(extract_mentions(table, registry), extract_mentions(POSTS, registry))
    with pytest.raises(ConfigError, match="text"):
        extract_mentions(table.drop(columns="text"), registry)


def test_extract_mentions_empty_and_missing_text(registry):
    empty = extract_mentions([], registry)
    assert list(empty.columns) == MENTION_COLUMNS and len(empty) == 0
    assert empty["start"].dtype == "int64"
    table = pd.DataFrame({"post_id": ["a", "b"], "text": [None, "#UN"]})
    assert extract_mentions(table, registry)["post_id"].tolist() == ["b"]


def test_determinism_under_registry_row_order(registry):
    aliases = _read("aliases.csv")
    shuffled = _registry(aliases.sample(frac=1.0, random_state=7).reset_index(drop=True))
    text = " ".join(p.text for p in POSTS) + " Guinea-Bissau, Korean peninsula, US, Türkiye"
    assert Extractor(shuffled).extract(text) == Extractor(registry).extract(text)
    first = extract_mentions(POSTS, registry)
    pd.testing.assert_frame_equal(first, extract_mentions(POSTS, registry))


def test_compiled_tables_are_shared_per_fingerprint(registry):
    assert Extractor(registry)._compiled is Extractor(_registry(), exclude=["RU"])._compiled


PIECES = [
    "Russia",
    "China",
    " ",
    "-",
    "’s",
    "#",
    "#UN",
    "🇷🇺",
    "🇨",
    "us",
    "US",
    "Oman",
    "wo",
    "Китая",
    "Korean peninsula",
    "Guinea",
    "Bissau",
    "_",
    "\n",
    "#RussiaChina",
    "é",
    "İ",
    "ß",
    "&",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_offsets_always_name_the_surface(parts):
    text = "".join(parts)
    rows = Extractor(_registry()).extract(text)
    check_offsets(text, rows)
    assert rows == sorted(rows, key=lambda r: (r[5], r[0], r[1], r[6], r[2]))
    assert all(r[2] in ("flag", "hashtag", "pair_hashtag", "name") for r in rows)
    assert all(r[3] in MENTION_FORMS for r in rows)


def test_parallel_extraction_gives_the_same_table(registry, monkeypatch):
    import netanalysis.extract.table as table

    posts = [Post(f"p{i}", "c", None, "none", POSTS[i % 3].text + f" #tag{i}", f"f:{i}") for i in range(40)]
    serial = extract_mentions(posts, registry, exclude=["CN"])
    monkeypatch.setattr(table, "CHUNK", 3)
    parallel = extract_mentions(posts, registry, exclude=["CN"], jobs=2)
    pd.testing.assert_frame_equal(parallel, serial)
    assert len(serial) > 100 and serial["post_id"].tolist()[-1] == "p39"
    assert "CN" not in set(serial["entity"])


@pytest.mark.parametrize("jobs", [-1, "many"])
def test_bad_jobs_is_config_error(registry, jobs):
    with pytest.raises(ConfigError, match="jobs"):
        extract_mentions(POSTS, registry, jobs=jobs)


def test_docstring_examples():
    import doctest

    import netanalysis.extract.flags
    import netanalysis.extract.gazetteer
    import netanalysis.extract.hashtags
    import netanalysis.extract.pairs
    import netanalysis.extract.table

    for module in (
        netanalysis.extract.flags,
        netanalysis.extract.gazetteer,
        netanalysis.extract.hashtags,
        netanalysis.extract.pairs,
        netanalysis.extract.table,
    ):
        failed, attempted = doctest.testmod(module)
        assert failed == 0 and attempted > 0, module.__name__


def test_multiword_aliases_join_in_tags(ex):
    assert entities(ex.extract("#GuineaBissau #PapuaNewGuinea #UnitedStates")) == [
        ("country", "GW"),
        ("country", "PG"),
        ("country", "US"),
    ]


def test_ambiguous_alias_is_logged_and_resolved_in_order(caplog):
    aliases = pd.concat(
        [
            _read("aliases.csv"),
            pd.DataFrame(
                [
                    {"kind": "forum", "entity": "EU", "alias": "Union", "lang": "en", "case": "fold", "use": "both"},
                    {"kind": "forum", "entity": "AU", "alias": "union", "lang": "en", "case": "fold", "use": "both"},
                ]
            ),
        ]
    )
    with caplog.at_level("WARNING", logger="netanalysis.extract.engine"):
        rows = Extractor(_registry(aliases)).extract("the Union")
    assert entities(rows) == [("forum", "AU")]
    assert "names both forum:AU and forum:EU" in caplog.text


def test_parallel_with_chunks_without_mentions(registry, monkeypatch):
    import netanalysis.extract.table as table

    posts = [Post(f"p{i}", "c", None, "none", "#UN" if i == 7 else "nothing here", f"f:{i}") for i in range(12)]
    monkeypatch.setattr(table, "CHUNK", 3)
    parallel = extract_mentions(posts, registry, jobs=2)
    pd.testing.assert_frame_equal(parallel, extract_mentions(posts, registry))
    assert parallel["post_id"].tolist() == ["p7"]
    nothing = [Post(f"p{i}", "c", None, "none", "nothing", f"f:{i}") for i in range(12)]
    pd.testing.assert_frame_equal(extract_mentions(nothing, registry, jobs=2), extract_mentions(nothing, registry))


def test_whole_hashtags_ignore_case_compounds_keep_it(ex):
    rows = ex.extract("#un #Un #сша #chad #georgia #russiaus #RussiaUS")
    assert entities(rows) == [
        ("forum", "UN"),
        ("forum", "UN"),
        ("country", "US"),
        ("country", "TD"),
        ("country", "GE"),
        ("tag", "russiaus"),
        ("tag", "russiaus"),
        ("country", "RU"),
        ("country", "US"),
    ]
    # running text keeps the case rules
    assert entities(ex.extract("un сша chad georgia")) == []
