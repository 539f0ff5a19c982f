"""Draft the country registry (countries.csv and the country rows of aliases.csv) from pycountry.

This is a one-off helper for maintainers, not part of the package: the shipped CSV files in
``netanalysis/registry/data/`` are the source of truth and have been checked and edited by hand
since this script produced their first draft. Run it into an empty folder and compare (``diff``)
before copying anything over::

    pip install pycountry
    python scripts/build_registry.py --out /some/empty/folder

It writes ``countries.csv`` and ``country_aliases.csv`` (the country rows of ``aliases.csv``).
English names come from pycountry with the corrections below; Russian names from pycountry's
Russian translations, corrected below, and declined for the six Russian cases by a small rule set
(single nouns and adjective + noun pairs; anything else is listed by hand in ``RU_FORMS``).
"""

from __future__ import annotations

import argparse
import csv
import gettext
from pathlib import Path

import pycountry

# --------------------------------------------------------------------------------------------
# English: short label (name), official name, extra names

NAME = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "CD": "DR Congo",
    "CG": "Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "GB": "United Kingdom",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SH": "Saint Helena",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "US": "United States",
    "VA": "Vatican",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "VN": "Vietnam",
    "CI": "Côte d'Ivoire",
    "TR": "Türkiye",
    "CZ": "Czechia",
    "BQ": "Caribbean Netherlands",
    "XK": "Kosovo",
}
OFFICIAL = {
    "RU": "Russian Federation",
    "US": "United States of America",
    "CD": "Democratic Republic of the Congo",
    "KR": "Republic of Korea",
    "LA": "Lao People's Democratic Republic",
    "SY": "Syrian Arab Republic",
    "AE": "United Arab Emirates",
    "ER": "State of Eritrea",
    "PS": "State of Palestine",
    "TW": "Taiwan",
    "VA": "Holy See",
    "BS": "Commonwealth of The Bahamas",
    "XK": "Republic of Kosovo",
    "MM": "Republic of the Union of Myanmar",
}
EXTRA_EN = {
    "AE": ["UAE", "Emirates"],
    "BA": ["Bosnia"],
    "BN": ["Brunei Darussalam"],
    "BO": ["Plurinational State of Bolivia"],
    "BY": ["Byelorussia"],
    "CD": ["DRC", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville", "Republic of Congo"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic"],
    "GB": ["UK", "Britain", "Great Britain", "Northern Ireland"],
    "GS": ["South Georgia"],
    "IR": ["Islamic Republic of Iran"],
    "KP": ["DPRK"],
    "KR": ["Korea"],
    "MK": ["Macedonia"],
    "MM": ["Burma"],
    "NL": ["the Netherlands", "Holland"],
    "PS": ["Palestinian territories"],
    "RU": ["Russian Federation", "RF"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor"],
    "TR": ["Turkey", "Turkiye"],
    "US": ["US", "USA", "U.S.", "U.S.A.", "United States of America", "America"],
    "VA": ["Holy See", "Vatican City"],
    "VN": ["Viet Nam"],
    "ZA": ["RSA"],
    "CN": ["PRC"],
    "KN": ["St Kitts and Nevis"],
    "LC": ["St Lucia"],
    "VC": ["St Vincent and the Grenadines"],
    "ST": ["São Tomé and Príncipe"],
    "TW": ["Republic of China"],
    "SA": ["KSA"],
    "LA": ["Lao PDR"],
    "HK": ["Hongkong"],
    "CC": ["Cocos Islands", "Cocos (Keeling) Islands"],
    "FK": ["Malvinas", "Falklands"],
}
#: English names that are also ordinary words or other things: matched case-sensitively.
EXACT_EN = {
    "Chad",
    "Jordan",
    "Turkey",
    "Georgia",
    "Niger",
    "Guinea",
    "Oman",
    "Mali",
    "Chile",
    "Jersey",
    "Guernsey",
    "Reunion",
    "Réunion",
    "Togo",
    "Grenada",
    "Dominica",
    "Panama",
    "China",
    "Japan",
    "Bermuda",
    "Korea",
    "America",
    "Holland",
    "Britain",
    "Emirates",
    "Macedonia",
}
DEMONYM_EN = {
    "AF": ["Afghan"],
    "AL": ["Albanian"],
    "DZ": ["Algerian"],
    "AO": ["Angolan"],
    "AR": ["Argentine", "Argentinian"],
    "AM": ["Armenian"],
    "AU": ["Australian"],
    "AT": ["Austrian"],
    "AZ": ["Azerbaijani"],
    "BH": ["Bahraini"],
    "BD": ["Bangladeshi"],
    "BY": ["Belarusian", "Belarussian", "Byelorussian"],
    "BE": ["Belgian"],
    "BO": ["Bolivian"],
    "BR": ["Brazilian"],
    "GB": ["British"],
    "BG": ["Bulgarian"],
    "KH": ["Cambodian"],
    "CM": ["Cameroonian"],
    "CA": ["Canadian"],
    "TD": ["Chadian"],
    "CL": ["Chilean"],
    "CN": ["Chinese"],
    "CO": ["Colombian"],
    "HR": ["Croatian"],
    "CU": ["Cuban"],
    "CY": ["Cypriot"],
    "CZ": ["Czech"],
    "DK": ["Danish"],
    "EC": ["Ecuadorian"],
    "EG": ["Egyptian"],
    "AE": ["Emirati"],
    "ER": ["Eritrean"],
    "EE": ["Estonian"],
    "ET": ["Ethiopian"],
    "FI": ["Finnish"],
    "FR": ["French"],
    "GE": ["Georgian"],
    "DE": ["German"],
    "GH": ["Ghanaian"],
    "GR": ["Greek"],
    "GN": ["Guinean"],
    "HU": ["Hungarian"],
    "IN": ["Indian"],
    "ID": ["Indonesian"],
    "IR": ["Iranian"],
    "IQ": ["Iraqi"],
    "IE": ["Irish"],
    "IL": ["Israeli"],
    "IT": ["Italian"],
    "JP": ["Japanese"],
    "JO": ["Jordanian"],
    "KZ": ["Kazakh", "Kazakhstani"],
    "KE": ["Kenyan"],
    "KW": ["Kuwaiti"],
    "KG": ["Kyrgyz"],
    "LA": ["Laotian"],
    "LV": ["Latvian"],
    "LB": ["Lebanese"],
    "LY": ["Libyan"],
    "LT": ["Lithuanian"],
    "MG": ["Malagasy"],
    "MY": ["Malaysian"],
    "ML": ["Malian"],
    "MR": ["Mauritanian"],
    "MX": ["Mexican"],
    "MD": ["Moldovan"],
    "MN": ["Mongolian"],
    "ME": ["Montenegrin"],
    "MA": ["Moroccan"],
    "MZ": ["Mozambican"],
    "MM": ["Burmese"],
    "NA": ["Namibian"],
    "NP": ["Nepalese", "Nepali"],
    "NL": ["Dutch"],
    "NZ": ["New Zealander"],
    "NI": ["Nicaraguan"],
    "NE": ["Nigerien"],
    "NG": ["Nigerian"],
    "KP": ["North Korean"],
    "MK": ["North Macedonian"],
    "NO": ["Norwegian"],
    "OM": ["Omani"],
    "PK": ["Pakistani"],
    "PS": ["Palestinian"],
    "PA": ["Panamanian"],
    "PY": ["Paraguayan"],
    "PE": ["Peruvian"],
    "PH": ["Philippine", "Filipino"],
    "PL": ["Polish"],
    "PT": ["Portuguese"],
    "QA": ["Qatari"],
    "RO": ["Romanian"],
    "RU": ["Russian"],
    "RW": ["Rwandan"],
    "SA": ["Saudi"],
    "SN": ["Senegalese"],
    "RS": ["Serbian"],
    "SG": ["Singaporean"],
    "SK": ["Slovak"],
    "SI": ["Slovenian"],
    "SO": ["Somali"],
    "ZA": ["South African"],
    "KR": ["South Korean"],
    "SS": ["South Sudanese"],
    "ES": ["Spanish"],
    "LK": ["Sri Lankan"],
    "SD": ["Sudanese"],
    "SE": ["Swedish"],
    "CH": ["Swiss"],
    "SY": ["Syrian"],
    "TW": ["Taiwanese"],
    "TJ": ["Tajik"],
    "TZ": ["Tanzanian"],
    "TH": ["Thai"],
    "TN": ["Tunisian"],
    "TR": ["Turkish"],
    "TM": ["Turkmen"],
    "UG": ["Ugandan"],
    "UA": ["Ukrainian"],
    "US": ["American"],
    "UY": ["Uruguayan"],
    "UZ": ["Uzbek"],
    "VE": ["Venezuelan"],
    "VN": ["Vietnamese"],
    "YE": ["Yemeni"],
    "ZM": ["Zambian"],
    "ZW": ["Zimbabwean"],
    "BF": ["Burkinabe"],
    "SV": ["Salvadoran"],
    "GT": ["Guatemalan"],
    "HN": ["Honduran"],
    "CR": ["Costa Rican"],
    "DO": ["Dominican"],
    "HT": ["Haitian"],
    "JM": ["Jamaican"],
    "IS": ["Icelandic"],
    "LU": ["Luxembourgish"],
    "MT": ["Maltese"],
    "BA": ["Bosnian"],
    "XK": ["Kosovar"],
    "PG": ["Papua New Guinean"],
    "GQ": ["Equatorial Guinean"],
    "GW": ["Bissau-Guinean"],
}
#: Demonyms that are also ordinary words: matched case-sensitively.
EXACT_DEMONYM = {"Polish", "Thai", "Georgian", "Chinese", "Turkish", "Swiss", "Dutch", "Danish", "Guinean", "Somali"}

# --------------------------------------------------------------------------------------------
# Russian: short name, extra names, hand-declined forms

NAME_RU = {
    "AE": "ОАЭ",
    "BY": "Белоруссия",
    "CD": "ДР Конго",
    "CF": "Центральноафриканская Республика",
    "DO": "Доминиканская Республика",
    "GB": "Великобритания",
    "KP": "КНДР",
    "KR": "Республика Корея",
    "LA": "Лаос",
    "MD": "Молдавия",
    "MP": "Северные Марианские острова",
    "RU": "Россия",
    "SY": "Сирия",
    "TW": "Тайвань",
    "US": "США",
    "VA": "Ватикан",
    "VE": "Венесуэла",
    "VG": "Британские Виргинские острова",
    "VI": "Американские Виргинские острова",
    "BN": "Бруней",
    "BQ": "Бонайре, Синт-Эстатиус и Саба",
    "PG": "Папуа — Новая Гвинея",
    "KG": "Киргизия",
    "XK": "Косово",
    "CZ": "Чехия",
    "MF": "Сен-Мартен",
    "SX": "Синт-Мартен",
    "SH": "Остров Святой Елены",
    "FK": "Фолклендские острова",
    "UM": "Внешние малые острова США",
    "AS": "Американское Самоа",
    "TF": "Французские Южные и Антарктические территории",
}
EXTRA_RU = {
    "AE": ["Объединённые Арабские Эмираты", "Эмираты"],
    "BY": ["Беларусь", "Республика Беларусь"],
    "CD": ["Демократическая Республика Конго", "ДРК"],
    "CF": ["ЦАР"],
    "CZ": ["Чешская Республика"],
    "GB": ["Соединённое Королевство", "Британия", "Северная Ирландия"],
    "KG": ["Кыргызстан", "Киргизская Республика", "Кыргызская Республика"],
    "KR": ["Южная Корея"],
    "MD": ["Молдова", "Республика Молдова"],
    "MM": ["Мьянма"],
    "NL": ["Голландия"],
    "RU": ["Российская Федерация", "РФ"],
    "TR": ["Турецкая Республика"],
    "US": ["Соединённые Штаты", "Соединённые Штаты Америки", "Америка"],
    "CI": ["Кот-д’Ивуар"],
    "ZA": ["ЮАР", "Южно-Африканская Республика"],
    "SZ": ["Свазиленд"],
    "MK": ["Македония"],
    "TL": ["Тимор-Лешти"],
    "BA": ["БиГ"],
    "PS": ["Государство Палестина"],
    "SA": ["КСА"],
    "VA": ["Святой Престол"],
    "FK": ["Мальвинские острова"],
    "BQ": ["Карибские Нидерланды"],
    "LA": ["ЛНДР", "Лаосская Народно-Демократическая Республика"],
    "KP": ["Северная Корея", "Корейская Народно-Демократическая Республика"],
    "CN": ["КНР", "Китайская Народная Республика"],
    "VN": ["СРВ", "Социалистическая Республика Вьетнам"],
    "SY": ["Сирийская Арабская Республика"],
    "IR": ["ИРИ", "Исламская Республика Иран"],
    "VE": ["Боливарианская Республика Венесуэла"],
    "CG": ["Республика Конго"],
    "KZ": ["Республика Казахстан"],
    "UZ": ["Республика Узбекистан"],
    "TJ": ["Республика Таджикистан"],
    "AZ": ["Азербайджанская Республика"],
    "AM": ["Республика Армения"],
    "DE": ["ФРГ", "Федеративная Республика Германия"],
    "FR": ["Французская Республика"],
    "IT": ["Итальянская Республика"],
    "PL": ["Республика Польша"],
    "PK": ["Исламская Республика Пакистан"],
    "EG": ["АРЕ", "Арабская Республика Египет"],
    "IN": ["Республика Индия"],
    "CU": ["Республика Куба"],
    "RS": ["Республика Сербия"],
    "OM": ["Султанат Оман"],
    "MC": ["Княжество Монако"],
    "NI": ["Республика Никарагуа"],
    "ID": ["Республика Индонезия"],
    "HK": ["Сянган"],
    "MO": ["Аомынь"],
    "AF": ["Исламский Эмират Афганистан"],
    "BR": ["Федеративная Республика Бразилия"],
    "TM": ["Туркмения"],
}
#: Russian names that are also ordinary words or abbreviations: matched case-sensitively.
EXACT_RU = {
    "Чад",
    "Катар",
    "Того",
    "Мали",
    "Чили",
    "Перу",
    "Нигер",
    "Гвинея",
    "Америка",
    "Эмираты",
    "Британия",
    "Македония",
    "Голландия",
    "Куба",
    "Джерси",
    "Панама",
    "Бермуды",
    "Бутан",
}
#: Forms the rules get wrong or cannot make (nominative first).
RU_FORMS = {
    "США": ["США"],
    "ОАЭ": ["ОАЭ"],
    "КНДР": ["КНДР"],
    "КНР": ["КНР"],
    "ЮАР": ["ЮАР"],
    "ЦАР": ["ЦАР"],
    "ДРК": ["ДРК"],
    "РФ": ["РФ"],
    "БиГ": ["БиГ"],
    "КСА": ["КСА"],
    "СРВ": ["СРВ"],
    "ЛНДР": ["ЛНДР"],
    "ИРИ": ["ИРИ"],
    "ФРГ": ["ФРГ"],
    "АРЕ": ["АРЕ"],
    "Карибские Нидерланды": [
        "Карибские Нидерланды",
        "Карибских Нидерландов",
        "Карибским Нидерландам",
        "Карибских Нидерландах",
    ],
    "Сянган": ["Сянган", "Сянгана", "Сянгану", "Сянганом", "Сянгане"],
    "Аомынь": ["Аомынь", "Аомыня", "Аомыню", "Аомынем", "Аомыне"],
    "Исламский Эмират Афганистан": [
        "Исламский Эмират Афганистан",
        "Исламского Эмирата Афганистан",
        "Исламском Эмирате Афганистан",
    ],
    "Беларусь": ["Беларусь", "Беларуси", "Беларусью"],
    "Египет": ["Египет", "Египта", "Египту", "Египтом", "Египте"],
    "Бангладеш": ["Бангладеш"],
    "Кот-д'Ивуар": ["Кот-д'Ивуар"],
    "Кот-д’Ивуар": ["Кот-д’Ивуар"],
    "Гвинея-Бисау": ["Гвинея-Бисау", "Гвинеи-Бисау", "Гвинее-Бисау", "Гвинею-Бисау", "Гвинеей-Бисау"],
    "Соединённые Штаты": [
        "Соединённые Штаты",
        "Соединённых Штатов",
        "Соединённым Штатам",
        "Соединёнными Штатами",
        "Соединённых Штатах",
    ],
    "Соединённые Штаты Америки": [
        "Соединённые Штаты Америки",
        "Соединённых Штатов Америки",
        "Соединённым Штатам Америки",
        "Соединёнными Штатами Америки",
        "Соединённых Штатах Америки",
    ],
    "Объединённые Арабские Эмираты": [
        "Объединённые Арабские Эмираты",
        "Объединённых Арабских Эмиратов",
        "Объединённым Арабским Эмиратам",
        "Объединёнными Арабскими Эмиратами",
        "Объединённых Арабских Эмиратах",
    ],
    "Эмираты": ["Эмираты", "Эмиратов", "Эмиратам", "Эмиратами", "Эмиратах"],
    "Нидерланды": ["Нидерланды", "Нидерландов", "Нидерландам", "Нидерландами", "Нидерландах"],
    "Филиппины": ["Филиппины", "Филиппин", "Филиппинам", "Филиппинами", "Филиппинах"],
    "Багамы": ["Багамы", "Багам", "Багамам", "Багамами", "Багамах"],
    "Мальдивы": ["Мальдивы", "Мальдив", "Мальдивам", "Мальдивами", "Мальдивах"],
    "Сейшелы": ["Сейшелы", "Сейшел", "Сейшелам", "Сейшелами", "Сейшелах"],
    "Коморы": ["Коморы", "Комор", "Коморам", "Коморами", "Коморах"],
    "Бермуды": ["Бермуды", "Бермуд", "Бермудам", "Бермудами", "Бермудах"],
    "Папуа — Новая Гвинея": [
        "Папуа — Новая Гвинея",
        "Папуа — Новой Гвинеи",
        "Папуа — Новую Гвинею",
        "Папуа — Новой Гвинеей",
        "Папуа-Новая Гвинея",
        "Папуа-Новой Гвинеи",
        "Папуа-Новую Гвинею",
    ],
    "Тринидад и Тобаго": [
        "Тринидад и Тобаго",
        "Тринидада и Тобаго",
        "Тринидаду и Тобаго",
        "Тринидадом и Тобаго",
        "Тринидаде и Тобаго",
    ],
    "Босния и Герцеговина": [
        "Босния и Герцеговина",
        "Боснии и Герцеговины",
        "Боснии и Герцеговине",
        "Боснию и Герцеговину",
        "Боснией и Герцеговиной",
    ],
    "Антигуа и Барбуда": [
        "Антигуа и Барбуда",
        "Антигуа и Барбуды",
        "Антигуа и Барбуде",
        "Антигуа и Барбуду",
        "Антигуа и Барбудой",
    ],
    "Сан-Томе и Принсипи": ["Сан-Томе и Принсипи"],
    "Сент-Китс и Невис": ["Сент-Китс и Невис"],
    "Сент-Винсент и Гренадины": ["Сент-Винсент и Гренадины"],
    "ДР Конго": ["ДР Конго"],
    "Косово": ["Косово"],
    "Святой Престол": ["Святой Престол", "Святого Престола", "Святому Престолу", "Святым Престолом", "Святом Престоле"],
}
#: Russian adjectives (nominative masculine) of the countries Russian diplomacy names most.
ADJ_RU = {
    "RU": ["российский", "русский"],
    "CN": ["китайский"],
    "US": ["американский"],
    "IN": ["индийский"],
    "BY": ["белорусский"],
    "KZ": ["казахстанский"],
    "UZ": ["узбекский"],
    "KG": ["киргизский", "кыргызский"],
    "TJ": ["таджикский"],
    "TM": ["туркменский"],
    "AZ": ["азербайджанский"],
    "AM": ["армянский"],
    "GE": ["грузинский"],
    "UA": ["украинский"],
    "TR": ["турецкий"],
    "IR": ["иранский"],
    "SY": ["сирийский"],
    "IL": ["израильский"],
    "PS": ["палестинский"],
    "EG": ["египетский"],
    "SA": ["саудовский"],
    "AE": ["эмиратский"],
    "ID": ["индонезийский"],
    "JP": ["японский"],
    "VN": ["вьетнамский"],
    "MN": ["монгольский"],
    "PK": ["пакистанский"],
    "AF": ["афганский"],
    "BR": ["бразильский"],
    "ZA": ["южноафриканский"],
    "GB": ["британский"],
    "FR": ["французский"],
    "DE": ["германский", "немецкий"],
    "IT": ["итальянский"],
    "PL": ["польский"],
    "MD": ["молдавский"],
    "RS": ["сербский"],
    "HU": ["венгерский"],
    "CU": ["кубинский"],
    "VE": ["венесуэльский"],
    "NI": ["никарагуанский"],
    "MX": ["мексиканский"],
    "AR": ["аргентинский"],
    "ET": ["эфиопский"],
    "DZ": ["алжирский"],
    "IQ": ["иракский"],
    "QA": ["катарский"],
    "LY": ["ливийский"],
    "SD": ["суданский"],
    "KP": ["северокорейский"],
    "KR": ["южнокорейский"],
    "LV": ["латвийский"],
    "LT": ["литовский"],
    "EE": ["эстонский"],
    "FI": ["финский", "финляндский"],
    "LA": ["лаосский"],
    "MM": ["мьянманский"],
    "TH": ["таиландский", "тайский"],
    "MY": ["малайзийский"],
    "NG": ["нигерийский"],
    "KE": ["кенийский"],
    "ML": ["малийский"],
    "JO": ["иорданский"],
    "LB": ["ливанский"],
    "YE": ["йеменский"],
}

#: Combining forms of compounds other than adjective + "о" (Sino-Russian, франко-германский).
COMBINING = {
    "CN": ["Sino"],
    "RU": ["Russo"],
    "DE": ["германо"],
    "FR": ["франко"],
    "US": ["американо"],
    "JP": ["японо"],
    "IT": ["итало"],
}

_VELAR_HUSH = set("гкхжшщч")
_HUSH = set("жшщчц")


def decline_noun(word: str) -> list[str]:
    """Nominative, genitive, dative, accusative, instrumental, prepositional of one noun.

    An indeclinable noun (ending in a vowel other than -а/-я) comes back as ``[word]``.
    """
    last = word[-1:].lower()
    if word.endswith("ия"):
        stem = word[:-2]
        return [word, stem + "ии", stem + "ии", stem + "ию", stem + "ией", stem + "ии"]
    if word.endswith("ея") or word.endswith("уя"):
        stem = word[:-1]
        return [word, stem + "и", stem + "е", stem + "ю", stem + "ей", stem + "е"]
    if word.endswith("а") and word[-2] in "оуэюиае":
        return [word]  # Самоа, Никарагуа
    if word.endswith("а"):
        stem = word[:-1]
        gen = stem + ("и" if stem[-1] in _VELAR_HUSH else "ы")
        ins = stem + ("ей" if stem[-1] in _HUSH else "ой")
        return [word, gen, stem + "е", stem + "у", ins, stem + "е"]
    if word.endswith("ий"):
        stem = word[:-2]
        return [word, stem + "ия", stem + "ию", word, stem + "ием", stem + "ии"]
    if word.endswith("й") or word.endswith("ь"):
        stem = word[:-1]
        return [word, stem + "я", stem + "ю", word, stem + "ем", stem + "е"]
    if word.endswith("ство"):
        stem = word[:-1]
        return [word, stem + "а", stem + "у", word, stem + "ом", stem + "е"]
    if last in "оуиеэюы":
        return [word]
    ins = word + ("ем" if last in _HUSH else "ом")
    return [word, word + "а", word + "у", word, ins, word + "е"]


def decline_adjective(word: str) -> list[str]:
    """All forms of an adjective given in the nominative (masculine, feminine or neuter)."""
    for ending in ("ский", "цкий", "ской", "ская", "цкая", "ское", "цкое"):
        if word.endswith(ending):
            stem = word[:-2]
            return [stem + e for e in ("ий", "ая", "ое", "ие", "ого", "ой", "ому", "ую", "им", "ом", "их", "ими")]
    for hard in ("ый", "ая", "ое"):
        if word.endswith(hard):
            stem = word[:-2]
            if stem[-1] in "гкх":
                ends = ("ий", "ая", "ое", "ие", "ого", "ой", "ому", "ую", "им", "ом", "их", "ими")
            else:
                ends = ("ый", "ая", "ое", "ые", "ого", "ой", "ому", "ую", "ым", "ом", "ых", "ыми")
            return [stem + e for e in ends]
    if word.endswith("ий") or word.endswith("ой"):
        return decline_adjective(word[:-2] + "ый")
    return [word]


def _adj_case_forms(adj: str, gender: str) -> list[str]:
    """Adjective forms agreeing with a noun of ``gender`` in nom, gen, dat, acc, ins, prep."""
    forms = decline_adjective(adj)
    if len(forms) == 1:
        return forms * 6
    a = dict(zip(("m", "f", "n", "pl", "gm", "gf", "dm", "af", "im", "pm", "gpl", "ipl"), forms))
    if gender == "f":
        return [a["f"], a["gf"], a["gf"], a["af"], a["gf"], a["gf"]]
    if gender == "n":
        return [a["n"], a["gm"], a["dm"], a["n"], a["im"], a["pm"]]
    return [a["m"], a["gm"], a["dm"], a["m"], a["im"], a["pm"]]


#: Head nouns of official names ("Республика Казахстан", "Китайская Народная Республика").
HEAD_NOUNS = {
    "Республика": "f",
    "Федерация": "f",
    "Конфедерация": "f",
    "Королевство": "n",
    "Государство": "n",
    "Княжество": "n",
    "Султанат": "m",
}


def _adjective_agreeing(word: str, gender: str) -> list[str]:
    """An adjective (possibly ``Народно-Демократическая``) in the six cases, keeping capitals."""
    head, sep, last = word.rpartition("-")
    forms = _adj_case_forms(last.lower(), gender)
    if last[:1].isupper():
        forms = [f[:1].upper() + f[1:] for f in forms]
    return [head + sep + f for f in forms]


def _plural_islands(adjectives: list[str], rest: str) -> list[str]:
    """``Фарерские острова`` in the six cases (plural adjectives + ``острова``)."""
    islands = ["острова", "островов", "островам", "острова", "островами", "островах"]
    columns = []
    for adj in adjectives:
        stem, end = adj[:-2], adj[-2:]
        if end not in ("ие", "ые"):
            return [" ".join(adjectives + ["острова"] + ([rest] if rest else []))]
        v = end[0]
        columns.append([adj, stem + v + "х", stem + v + "м", adj, stem + v + "ми", stem + v + "х"])
    out = []
    for case in range(6):
        phrase = " ".join([c[case] for c in columns] + [islands[case]])
        out.append(f"{phrase} {rest}" if rest else phrase)
    return out


def decline_phrase(name: str) -> list[str]:
    """Six case forms of ``[adjectives] noun [fixed words]``, or ``[name]`` if not that shape."""
    words = name.split(" ")
    heads = [i for i, w in enumerate(words) if w in HEAD_NOUNS]
    head = heads[0] if heads else len(words) - 1
    adjectives = words[:head]
    if not all(w.rpartition("-")[2][-2:] in ("ая", "ый", "ий", "ое", "ой", "ие", "ые") for w in adjectives):
        return [name]
    if words[head] == "острова" and adjectives:
        return _plural_islands(adjectives, " ".join(words[head + 1 :]))
    if heads:
        gender = HEAD_NOUNS[words[head]]
    elif adjectives:
        last = adjectives[-1]
        gender = "f" if last.endswith("ая") else "n" if last.endswith("ое") else "m"
    else:
        gender = "m"
    noun = decline_noun(words[head])
    if len(noun) == 1:
        noun = noun * 6
    columns = [_adjective_agreeing(w, gender) for w in adjectives] + [noun]
    rest = " ".join(words[head + 1 :])
    out = []
    for case in range(6):
        phrase = " ".join(column[case] for column in columns)
        out.append(f"{phrase} {rest}" if rest else phrase)
    return out


def russian_forms(name: str) -> list[str]:
    """All case forms of a Russian country name the rules can make, nominative first."""
    if name in RU_FORMS:
        forms = RU_FORMS[name]
    elif " " not in name and "-" in name:
        head, _, last = name.rpartition("-")
        forms = [f"{head}-{form}" for form in decline_noun(last)]
    elif " " not in name:
        forms = decline_noun(name)
    else:
        forms = decline_phrase(name)
    out: list[str] = []
    for form in forms:
        for variant in (form, form.replace("ё", "е")):
            if variant not in out:
                out.append(variant)
    return out


def tag_form(name: str) -> str:
    """``South Africa`` -> ``SouthAfrica``: the form a hashtag takes."""
    plain = name.replace("’", "").replace("'", "").replace(".", "")
    for mark in "—-()":
        plain = plain.replace(mark, " ")
    parts = [p for p in plain.split() if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


def build(out: Path) -> None:
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    countries = [(c.alpha_2, c) for c in pycountry.countries] + [("XK", None)]
    rows, aliases = [], []

    def alias(code: str, text: str, lang: str, case: str, use: str) -> None:
        aliases.append(("country", code, text, lang, case, use))

    for code, c in sorted(countries, key=lambda item: item[0]):
        base = c.name if c else "Kosovo"
        name = NAME.get(code, getattr(c, "common_name", None) or base)
        official = OFFICIAL.get(code, getattr(c, "official_name", None) or name)
        name_ru = NAME_RU.get(code) or ru.gettext(base)
        rows.append((code, name, official, name_ru))
        english = [name, official, base] + EXTRA_EN.get(code, [])
        seen: set[str] = set()
        for text in english:
            if "," in text or ("(" in text and text not in EXTRA_EN.get(code, [])) or text in seen:
                continue
            seen.add(text)
            short = text.isupper() or text.replace(".", "").isupper()
            case = "exact" if short or text in EXACT_EN else "fold"
            single = " " not in text and "." not in text
            alias(code, text, "en", case, "both" if single else "text")
            if text == name and not single:
                alias(code, tag_form(text), "en", "fold", "tag")
        for text in DEMONYM_EN.get(code, []):
            alias(code, text, "en", "exact" if text in EXACT_DEMONYM else "fold", "text")
        for nominative in [name_ru] + EXTRA_RU.get(code, []):
            if "," in nominative or "(" in nominative:
                continue
            short = nominative.replace("и", "").isupper() and len(nominative) <= 5
            case = "exact" if short or nominative in EXACT_RU else "fold"
            forms = russian_forms(nominative)
            for form in forms:
                single = " " not in form
                use = "both" if single and form == nominative else "text"
                alias(code, form, "ru", case, use)
            if nominative == name_ru and (" " in nominative or "—" in nominative):
                alias(code, tag_form(nominative.replace("—", " ")), "ru", "fold", "tag")
        for adj in ADJ_RU.get(code, []):
            for form in decline_adjective(adj):
                alias(code, form, "ru", "fold", "text")
            # the first part of compound adjectives: российско-китайские
            alias(code, adj[:-2] + "о", "ru", "fold", "text")
        for prefix in COMBINING.get(code, []):
            alias(code, prefix, "other" if prefix.isascii() else "ru", "fold", "text")

    # typographic apostrophes are as common as straight ones in copied text
    aliases += [(k, e, a.replace("'", "’"), la, c, u) for k, e, a, la, c, u in aliases if "'" in a]
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "countries.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "official_name", "name_ru"])
        writer.writerows(rows)
    with open(out / "country_aliases.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["kind", "entity", "alias", "lang", "case", "use"])
        writer.writerows(sorted(set(aliases)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the drafts to")
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
