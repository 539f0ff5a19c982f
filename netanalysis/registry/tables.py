"""The :class:`Registry` (the lookup tables the extraction engine matches against) and the
columns and values of its files; :mod:`netanalysis.registry.loader` reads them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from netanalysis.errors import RegistryError
from netanalysis.registry.rules import RULE_COLUMNS, empty_rules

__all__ = [
    "Registry",
    "COUNTRY_COLUMNS",
    "FORUM_COLUMNS",
    "ALIAS_COLUMNS",
    "STOP_PHRASE_COLUMNS",
    "RULE_COLUMNS",
    "ALIAS_KINDS",
    "ALIAS_LANGS",
    "ALIAS_CASES",
    "ALIAS_USES",
    "ALIAS_FORMS",
    "FORUM_TYPES",
    "EXTRA_ACTIONS",
]

COUNTRY_COLUMNS = ["code", "name", "official_name", "name_ru"]
#: ``label`` is the short name used on figures and in the explorer.
FORUM_COLUMNS = ["id", "name", "name_ru", "type", "label"]
ALIAS_COLUMNS = ["kind", "entity", "alias", "lang", "case", "use", "form"]
STOP_PHRASE_COLUMNS = ["phrase", "lang", "case", "reason"]

ALIAS_KINDS = ("country", "forum")
ALIAS_LANGS = ("en", "ru", "other")
ALIAS_CASES = ("fold", "exact")
ALIAS_USES = ("text", "tag", "both")
#: How an alias names its entity (the ``form`` of the mentions it gives in running text):
#: ``name`` (Russia, Россия, Republic of Korea), ``acronym`` (US, США, BRICS), ``adjective``
#: (Russian, российский, Sino), ``demonym`` (Americans, россияне), ``metonymy`` (a capital or seat
#: of power standing for the government: Washington, Кремль; Brussels for the EU).
ALIAS_FORMS = ("name", "acronym", "adjective", "demonym", "metonymy")
#: ``user`` marks a forum added by an extension file.
FORUM_TYPES = ("organisation", "format", "body", "user")
EXTRA_ACTIONS = ("add", "remove")


@dataclass(frozen=True, eq=False)
class Registry:
    """The lookup tables the extraction engine matches against.

    Attributes
    ----------
    countries : pandas.DataFrame
        One row per ISO 3166-1 alpha-2 code: ``code, name, official_name, name_ru``.
    forums : pandas.DataFrame
        One row per forum id: ``id, name, name_ru, type, label``.
    aliases : pandas.DataFrame
        ``kind, entity, alias, lang, case, use, form``; deduplicated and sorted. A table built by
        hand may leave out ``form`` (every alias is then a ``name``).
    stop_phrases : pandas.DataFrame
        ``phrase, lang, case, reason``: phrases that contain a name but name no single country.
    rules : pandas.DataFrame
        The context rules for homographs (:mod:`netanalysis.registry.rules`), in file order;
        empty when not given.

    Treat the tables as read-only: the default registry is cached and shared.
    """

    countries: pd.DataFrame
    forums: pd.DataFrame
    aliases: pd.DataFrame
    stop_phrases: pd.DataFrame
    rules: pd.DataFrame = field(default_factory=empty_rules)

    def __repr__(self) -> str:
        return (
            f"Registry({len(self.countries)} countries, {len(self.forums)} forums, "
            f"{len(self.aliases)} aliases, {len(self.stop_phrases)} stop phrases, {len(self.rules)} rules)"
        )

    def label(self, kind: str, entity: str) -> str:
        """The display label of an entity.

        Parameters
        ----------
        kind : str
            ``"country"`` or ``"forum"``.
        entity : str
            An ISO code (``"CN"``) or a forum id (``"BRICS"``).

        Returns
        -------
        str
            The short English name of a country (``"China"``), the short label of a forum
            (``"UNSC"``, ``"OPEC+"``). An unknown entity gets its id back, so labels never fail
            on data produced with another registry.

        Examples
        --------
        >>> from netanalysis.registry import load_registry
        >>> reg = load_registry()
        >>> reg.label("country", "CN"), reg.label("forum", "BRICS")
        ('China', 'BRICS')
        """
        labels = self._labels()
        if kind not in ALIAS_KINDS:
            raise RegistryError(f"unknown kind {kind!r}: expected one of {', '.join(ALIAS_KINDS)}")
        return labels[kind].get(entity, entity)

    def is_country(self, code: str) -> bool:
        """Whether ``code`` is a country code of this registry (``"NA"`` is Namibia)."""
        return code in self._labels()["country"]

    def is_forum(self, fid: str) -> bool:
        """Whether ``fid`` is a forum id of this registry."""
        return fid in self._labels()["forum"]

    def fingerprint(self) -> str:
        """A sha256 hex digest of the registry's content, for caches and the run manifest.

        Two registries with the same rows (in any file order) have the same fingerprint.
        """
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            digest = hashlib.sha256()
            for name, frame in (
                ("countries", self.countries),
                ("forums", self.forums),
                ("aliases", self.aliases),
                ("stop_phrases", self.stop_phrases),
                ("rules", self.rules),
            ):
                columns = "\x1f".join(frame.columns)
                digest.update(f"[{name}]\x1e{columns}\x1e".encode())
                rows = zip(*(frame[column].astype(str).tolist() for column in frame.columns))
                for row in sorted(rows):
                    digest.update(("\x1f".join(row) + "\x1e").encode("utf-8"))
            cached = digest.hexdigest()
            object.__setattr__(self, "_fingerprint", cached)
        return cached

    def _labels(self) -> dict[str, dict[str, str]]:
        cached = self.__dict__.get("_label_maps")
        if cached is None:
            cached = {
                "country": dict(zip(self.countries["code"], self.countries["name"])),
                # a Registry built by hand may come without the label column
                "forum": dict(zip(self.forums["id"], self.forums.get("label", self.forums["id"]))),
            }
            object.__setattr__(self, "_label_maps", cached)
        return cached
