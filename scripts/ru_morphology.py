"""Russian inflection by rule, for generating the case forms of the registry's aliases.

A small, explicit rule set: enough for country and forum names, country adjectives and
demonyms, not a general morphological analyser. Every function returns forms in a fixed
order so that callers can pick a case:

* nouns and phrases: nominative, genitive, dative, accusative, instrumental, prepositional
  (:data:`CASES`);
* adjectives: the 12 distinct endings of the full paradigm (:func:`decline_adjective`);
* demonyms: the six cases in the singular, then the six in the plural (:func:`decline_demonym`).

Where a rule cannot know a form (a fleeting vowel, an irregular genitive plural), the caller
passes it explicitly. ``ё`` is kept; :func:`with_yo_variants` adds the ``е`` spellings.
"""

from __future__ import annotations

__all__ = [
    "CASES",
    "ADJECTIVE_ENDINGS",
    "decline_noun",
    "decline_adjective",
    "adjective_case_forms",
    "decline_phrase",
    "decline_demonym",
    "decline_feminine_demonym",
    "decline_plural_noun",
    "with_yo_variants",
]

CASES = ("nom", "gen", "dat", "acc", "ins", "prep")
#: Endings of a hard adjective (``-ый``), in the order of :func:`decline_adjective`: m, f, n, pl,
#: gen m/n, gen/dat/ins/prep f, dat m/n, acc f, ins m/n, prep m/n, gen/prep pl, ins pl.
ADJECTIVE_ENDINGS = ("ый", "ая", "ое", "ые", "ого", "ой", "ому", "ую", "ым", "ом", "ых", "ыми")
_SOFT_AFTER_VELAR = ("ий", "ая", "ое", "ие", "ого", "ой", "ому", "ую", "им", "ом", "их", "ими")
_VELAR_HUSH = set("гкхжшщч")
_HUSH = set("жшщчц")
_VOWELS = set("аеёиоуыэюяй")


def decline_noun(word: str) -> list[str]:
    """The six singular case forms of one noun (:data:`CASES` order).

    An indeclinable noun (ending in a vowel other than -а/-я, or in -а after a vowel as in
    ``Самоа``) comes back as ``[word]``.

    >>> decline_noun("Кремль")
    ['Кремль', 'Кремля', 'Кремлю', 'Кремль', 'Кремлем', 'Кремле']
    >>> decline_noun("Движение")
    ['Движение', 'Движения', 'Движению', 'Движение', 'Движением', 'Движении']
    """
    last = word[-1:].lower()
    if word.endswith("ия"):
        stem = word[:-2]
        return [word, stem + "ии", stem + "ии", stem + "ию", stem + "ией", stem + "ии"]
    if word.endswith("ея") or word.endswith("уя"):
        stem = word[:-1]
        return [word, stem + "и", stem + "е", stem + "ю", stem + "ей", stem + "е"]
    if word.endswith("а") and len(word) > 1 and word[-2] in "оуэюиае":
        return [word]  # Самоа, Никарагуа
    if word.endswith("а"):
        stem = word[:-1]
        gen = stem + ("и" if stem[-1] in _VELAR_HUSH else "ы")
        ins = stem + ("ей" if stem[-1] in _HUSH else "ой")
        return [word, gen, stem + "е", stem + "у", ins, stem + "е"]
    if word.endswith("ие") or word.endswith("ье"):
        stem = word[:-1]
        return [word, stem + "я", stem + "ю", word, stem + "ем", stem + ("и" if word.endswith("ие") else "е")]
    if word.endswith("ий"):
        stem = word[:-2]
        return [word, stem + "ия", stem + "ию", word, stem + "ием", stem + "ии"]
    if word.endswith("й") or word.endswith("ь"):
        stem = word[:-1]
        return [word, stem + "я", stem + "ю", word, stem + "ем", stem + "е"]
    if word.endswith("ство") or (word.endswith("о") and word[-2:-1] not in _VOWELS and word[-3:] in ("тво", "ово")):
        stem = word[:-1]
        return [word, stem + "а", stem + "у", word, stem + "ом", stem + "е"]
    if last in "оуиеэюы":
        return [word]
    ins = word + ("ем" if last in _HUSH else "ом")
    return [word, word + "а", word + "у", word, ins, word + "е"]


def decline_adjective(word: str) -> list[str]:
    """All 12 distinct forms of an adjective given in any nominative (m, f or n).

    Order as :data:`ADJECTIVE_ENDINGS`; ``-ский``/``-цкий`` and stems in г/к/х take ``-ий``,
    ``-ие``, ``-им``, ``-их``, ``-ими``.

    >>> decline_adjective("шведский")[:6]
    ['шведский', 'шведская', 'шведское', 'шведские', 'шведского', 'шведской']
    >>> decline_adjective("новый")[-2:]
    ['новых', 'новыми']
    """
    for ending in ("ский", "цкий", "ской", "ская", "цкая", "ское", "цкое", "ские", "цкие"):
        if word.endswith(ending):
            return [word[:-2] + e for e in _SOFT_AFTER_VELAR]
    for hard in ("ый", "ий", "ой", "ая", "ое", "ые", "ие"):
        if word.endswith(hard):
            stem = word[:-2]
            ends = _SOFT_AFTER_VELAR if stem[-1:] in "гкх" else ADJECTIVE_ENDINGS
            return [stem + e for e in ends]
    return [word]


def adjective_case_forms(adjective: str, gender: str, number: str = "sg", animate: bool = False) -> list[str]:
    """An adjective agreeing with a noun of ``gender`` (m, f, n) and ``number`` in the six cases."""
    forms = decline_adjective(adjective)
    if len(forms) == 1:
        return forms * 6
    a = dict(zip(("m", "f", "n", "pl", "gm", "gf", "dm", "af", "im", "pm", "gpl", "ipl"), forms))
    if number == "pl":
        return [a["pl"], a["gpl"], a["ipl"][:-1], a["gpl"] if animate else a["pl"], a["ipl"], a["gpl"]]
    if gender == "f":
        return [a["f"], a["gf"], a["gf"], a["af"], a["gf"], a["gf"]]
    if gender == "n":
        return [a["n"], a["gm"], a["dm"], a["n"], a["im"], a["pm"]]
    return [a["m"], a["gm"], a["dm"], a["gm"] if animate else a["m"], a["im"], a["pm"]]


def _capitalised_like(form: str, model: str) -> str:
    return form[:1].upper() + form[1:] if model[:1].isupper() else form


def _adjective_agreeing(word: str, gender: str, number: str = "sg") -> list[str]:
    """An adjective (possibly ``Народно-Демократическая``) in the six cases, keeping capitals."""
    head, sep, last = word.rpartition("-")
    forms = adjective_case_forms(last.lower(), gender, number)
    return [head + sep + _capitalised_like(f, last) for f in forms]


_ADJ_ENDINGS = ("ая", "ый", "ий", "ое", "ой", "ие", "ые", "ее", "яя")


def _is_adjective(word: str) -> bool:
    """Whether a word of a name is a (nominative) adjective: ``-ие`` only after к, г, х and
    hushers (``Британские``), so that nouns in ``-ние``/``-тие`` (``Движение``) are nouns."""
    last = word.rpartition("-")[2]
    if len(last) <= 3 or last[-2:] not in _ADJ_ENDINGS:
        return False
    return last[-2:] != "ие" or last[-3] in "кгхжшчщ"


def decline_phrase(name: str, head_gender: str | None = None, plural_head: tuple[str, ...] | None = None) -> list[str]:
    """Six case forms of ``[adjectives] noun [fixed words]``, or ``[name]`` if not that shape.

    The adjectives before the head noun agree with it; the words after it (a genitive, a
    prepositional phrase, an acronym) stay as they are. Guillemets around the whole name are
    kept around every form. ``plural_head`` gives the six forms of a plural head noun
    (``Штаты``, ``острова``), whose adjectives are then plural too.

    >>> decline_phrase("Международный уголовный суд")[1]
    'Международного уголовного суда'
    >>> decline_phrase("«Большая восьмёрка»")[4]
    '«Большой восьмёркой»'
    """
    if name.startswith("«") and name.endswith("»"):
        return [f"«{form}»" for form in decline_phrase(name[1:-1], head_gender, plural_head)]
    words = name.split(" ")
    head = 0
    while head < len(words) and _is_adjective(words[head]):
        head += 1
    if head == len(words):
        return [name]
    adjectives = words[:head]
    rest = " ".join(words[head + 1 :])
    if plural_head is not None:
        noun = list(plural_head)
        columns = [_adjective_agreeing(w, "m", "pl") for w in adjectives] + [noun]
    else:
        noun = decline_noun(words[head])
        if len(noun) == 1:
            noun = noun * 6
        gender = head_gender or _gender_of(words[head], adjectives)
        columns = [_adjective_agreeing(w, gender) for w in adjectives] + [noun]
    out = []
    for case in range(6):
        phrase = " ".join(column[case] for column in columns)
        out.append(f"{phrase} {rest}" if rest else phrase)
    return out


def _gender_of(noun: str, adjectives: list[str]) -> str:
    if adjectives:
        last = adjectives[-1]
        if last.endswith(("ая", "яя")):
            return "f"
        if last.endswith(("ое", "ее")):
            return "n"
        return "m"
    if noun.endswith(("а", "я")) or noun.endswith("ь") and noun.endswith(("сть", "вь")):
        return "f"
    if noun.endswith(("о", "е")):
        return "n"
    return "m"


def decline_demonym(
    singular: str, plural: str | None = None, gen_plural: str | None = None, oblique: str | None = None
) -> list[str]:
    """The six singular then six plural case forms of a masculine demonym (an animate noun).

    Classes by ending: ``-анин``/``-янин`` (россиянин, pl. россияне, россиян), ``-ец`` (американец,
    американца: the fleeting е drops, after a vowel a й appears: китаец, китайца), and consonant
    stems (француз, поляк, латыш). Irregular plurals (``турки``, gen. ``турок``; ``грузины``, gen.
    ``грузин``) are passed as ``plural`` and ``gen_plural``, a stem that loses a vowel in the other
    cases (``турок``, ``турка``) as ``oblique``.

    >>> decline_demonym("россиянин")[6:]
    ['россияне', 'россиян', 'россиянам', 'россиян', 'россиянами', 'россиянах']
    >>> decline_demonym("китаец")[:2], decline_demonym("китаец")[7]
    (['китаец', 'китайца'], 'китайцев')
    """
    if singular.endswith(("анин", "янин")):
        stem = singular[:-2]
        sg = [singular, singular + "а", singular + "у", singular + "а", singular + "ом", singular + "е"]
        nom_pl = plural or stem + "е"
        gen_pl = gen_plural or stem
        pl_stem = nom_pl[:-1]
        return sg + [nom_pl, gen_pl, pl_stem + "ам", gen_pl, pl_stem + "ами", pl_stem + "ах"]
    if singular.endswith("ец") and len(singular) > 3:
        stem = singular[:-2]
        stem = stem + "й" if stem[-1] in "аеиоуыэюя" else stem
        base = stem + "ц"
        sg = [singular, base + "а", base + "у", base + "а", base + "ем", base + "е"]
        return sg + [base + "ы", base + "ев", base + "ам", base + "ев", base + "ами", base + "ах"]
    base = oblique or singular
    last = base[-1]
    sg = [singular, base + "а", base + "у", base + "а", base + "ом", base + "е"]
    nom_pl = plural or base + ("и" if last in _VELAR_HUSH else "ы")
    gen_pl = gen_plural or base + ("ей" if last in "жшщч" else "ов")
    pl_stem = nom_pl[:-1]
    return sg + [nom_pl, gen_pl, pl_stem + "ам", gen_pl, pl_stem + "ами", pl_stem + "ах"]


def decline_feminine_demonym(word: str, gen_plural: str | None = None) -> list[str]:
    """Six singular then six plural forms of a feminine demonym in ``-ка`` (американка).

    >>> decline_feminine_demonym("казашка")[6:8]
    ['казашки', 'казашек']
    """
    stem = word[:-2]
    gen_pl = gen_plural or stem + ("ек" if stem[-1:] in "жшчщц" else "ок")
    sg = [word, stem + "ки", stem + "ке", stem + "ку", stem + "кой", stem + "ке"]
    return sg + [stem + "ки", gen_pl, stem + "кам", gen_pl, stem + "ками", stem + "ках"]


def decline_plural_noun(nominative: str, genitive: str) -> list[str]:
    """The six cases of a plural-only noun (``Штаты``, ``Афины``): nom, gen, dat, acc, ins, prep."""
    stem = nominative[:-1]
    return [nominative, genitive, stem + "ам", nominative, stem + "ами", stem + "ах"]


def with_yo_variants(forms: list[str]) -> list[str]:
    """``forms`` and their ``е`` spellings (``ё`` -> ``е``), without repeats, in order."""
    out: list[str] = []
    for form in forms:
        for variant in (form, form.replace("ё", "е")):
            if variant not in out:
                out.append(variant)
    return out
