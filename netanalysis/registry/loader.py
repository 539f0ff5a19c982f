"""Loading the registries (countries, forums, aliases, stop phrases) from their CSV files.

The shipped registries live in ``netanalysis/registry/data/`` as plain UTF-8 CSV files that a
researcher can open in a spreadsheet; ``data/README.md`` explains every column. Users extend or
override them with their own alias files (the CLI's ``--registry FILE``), applied in order.

Every cell is read as a string (``"NA"`` is Namibia, never a missing value). Every row is
validated; a bad row raises :class:`~netanalysis.errors.RegistryError` naming the file, the line
and what was wrong.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from netanalysis.errors import RegistryError

__all__ = [
    "Registry",
    "load_registry",
    "DATA_DIR",
    "COUNTRY_COLUMNS",
    "FORUM_COLUMNS",
    "ALIAS_COLUMNS",
    "STOP_PHRASE_COLUMNS",
    "ALIAS_KINDS",
    "ALIAS_LANGS",
    "ALIAS_CASES",
    "ALIAS_USES",
    "FORUM_TYPES",
    "EXTRA_ACTIONS",
]

logger = logging.getLogger(__name__)

#: Folder of the shipped registry files.
DATA_DIR = Path(__file__).resolve().parent / "data"

COUNTRY_COLUMNS = ["code", "name", "official_name", "name_ru"]
#: ``label`` is the short name used on figures and in the explorer.
FORUM_COLUMNS = ["id", "name", "name_ru", "type", "label"]
ALIAS_COLUMNS = ["kind", "entity", "alias", "lang", "case", "use"]
STOP_PHRASE_COLUMNS = ["phrase", "lang", "case", "reason"]

ALIAS_KINDS = ("country", "forum")
ALIAS_LANGS = ("en", "ru", "other")
ALIAS_CASES = ("fold", "exact")
ALIAS_USES = ("text", "tag", "both")
#: ``user`` marks a forum added by an extension file.
FORUM_TYPES = ("organisation", "format", "body", "user")
EXTRA_ACTIONS = ("add", "remove")

_CODE_RE = re.compile(r"[A-Z]{2}")
_FORUM_ID_RE = re.compile(r"[A-Z][A-Z0-9_]*")
_REQUIRED_FORUM_COLUMNS = ["id", "name", "name_ru", "type"]


# --------------------------------------------------------------------------------------------
# the Registry


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
        ``kind, entity, alias, lang, case, use``; deduplicated and sorted.
    stop_phrases : pandas.DataFrame
        ``phrase, lang, case, reason``: phrases that contain a name but name no single country.

    Treat the tables as read-only: the default registry is cached and shared.
    """

    countries: pd.DataFrame
    forums: pd.DataFrame
    aliases: pd.DataFrame
    stop_phrases: pd.DataFrame

    def __repr__(self) -> str:
        return (
            f"Registry({len(self.countries)} countries, {len(self.forums)} forums, "
            f"{len(self.aliases)} aliases, {len(self.stop_phrases)} stop phrases)"
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


# --------------------------------------------------------------------------------------------
# reading and validating CSV files


def _read_rows(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as ``(line number, {column: value})``; every value a stripped string."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read registry file ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    done = 0  # physical lines read by the last complete record
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise RegistryError(f"{path}: empty file: expected a header line with columns {','.join(required)}")
        header = [cell.strip() for cell in header]
        twice = sorted({col for col in header if header.count(col) > 1})
        if twice:
            raise RegistryError(f"{path}: line 1: column(s) {', '.join(twice)} given twice")
        missing = [col for col in required if col not in header]
        if missing:
            raise RegistryError(
                f"{path}: line 1: missing column(s) {', '.join(missing)} (expected {','.join(required)})"
            )
        unknown = [col for col in header if col not in required and col not in optional]
        if unknown:
            raise RegistryError(f"{path}: line 1: unknown column(s) {', '.join(unknown)}")
        rows: list[tuple[int, dict[str, str]]] = []
        width = len(header)
        done = reader.line_num
        for record in reader:
            start, done = done + 1, reader.line_num
            if not "".join(record).strip():
                continue  # blank line
            if len(record) != width:
                raise RegistryError(f"{path}: line {start}: expected {width} fields, found {len(record)}")
            rows.append((start, dict(zip(header, map(str.strip, record)))))
    except csv.Error as exc:
        raise RegistryError(f"{path}: line {done + 1}: malformed CSV ({exc})") from exc
    return rows


def _choice(path: Path, line: int, column: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        shown = repr(value) if value else "empty value"
        raise RegistryError(f"{path}: line {line}: {column} {shown} is not one of {', '.join(allowed)}")
    return value


def _nonempty(path: Path, line: int, column: str, value: str) -> str:
    if not value:
        raise RegistryError(f"{path}: line {line}: empty {column}")
    return value


def _read_countries(path: Path) -> pd.DataFrame:
    rows, seen = [], {}
    for line, row in _read_rows(path, COUNTRY_COLUMNS):
        code = row["code"]
        if not _CODE_RE.fullmatch(code):
            raise RegistryError(f"{path}: line {line}: code {code!r} is not two upper-case letters")
        if code in seen:
            raise RegistryError(f"{path}: line {line}: duplicate code {code} (first on line {seen[code]})")
        seen[code] = line
        _nonempty(path, line, "name", row["name"])
        rows.append([row[col] for col in COUNTRY_COLUMNS])
    return _frame(rows, COUNTRY_COLUMNS, ["code"])


def _read_forums(path: Path) -> pd.DataFrame:
    rows, seen = [], {}
    for line, row in _read_rows(path, _REQUIRED_FORUM_COLUMNS, optional=["label"]):
        fid = row["id"]
        if not _FORUM_ID_RE.fullmatch(fid):
            raise RegistryError(
                f"{path}: line {line}: forum id {fid!r} must be upper-case "
                "letters, digits and _ (starting with a letter)"
            )
        if fid in seen:
            raise RegistryError(f"{path}: line {line}: duplicate forum id {fid} (first on line {seen[fid]})")
        seen[fid] = line
        _nonempty(path, line, "name", row["name"])
        _choice(path, line, "type", row["type"], FORUM_TYPES)
        label = row.get("label") or fid
        rows.append([fid, row["name"], row["name_ru"], row["type"], label])
    return _frame(rows, FORUM_COLUMNS, ["id"])


def _check_alias(
    path: Path,
    line: int,
    row: dict[str, str],
    entities: dict[str, set[str]],
    *,
    wildcard: bool = False,
    extension: bool = False,
) -> None:
    """Validate one alias row; with ``wildcard`` (a removal) lang, case and use may be empty."""
    kind = _choice(path, line, "kind", row["kind"], ALIAS_KINDS)
    entity = _nonempty(path, line, "entity", row["entity"])
    _nonempty(path, line, "alias", row["alias"])
    for column, allowed in (("lang", ALIAS_LANGS), ("case", ALIAS_CASES), ("use", ALIAS_USES)):
        if not (wildcard and row[column] == ""):
            _choice(path, line, column, row[column], allowed)
    if entity not in entities[kind]:
        what = "country code" if kind == "country" else "forum id"
        source = "countries.csv" if kind == "country" else "forums.csv"
        hint = " (give a name column to add a new forum)" if extension and kind == "forum" else ""
        raise RegistryError(f"{path}: line {line}: unknown {what} {entity!r}: not in {source}{hint}")


def _read_aliases(path: Path, entities: dict[str, set[str]]) -> list[tuple[str, ...]]:
    rows = []
    langs, cases, uses = set(ALIAS_LANGS), set(ALIAS_CASES), set(ALIAS_USES)
    for line, row in _read_rows(path, ALIAS_COLUMNS):
        values = (row["kind"], row["entity"], row["alias"], row["lang"], row["case"], row["use"])
        kind, entity, alias, lang, case, use = values
        # the common case in one cheap test; the detailed check names what is wrong
        if not (entity in entities.get(kind, ()) and alias and lang in langs and case in cases and use in uses):
            _check_alias(path, line, row, entities)
        rows.append(values)
    return rows


def _read_stop_phrases(path: Path) -> pd.DataFrame:
    rows = []
    for line, row in _read_rows(path, STOP_PHRASE_COLUMNS):
        _nonempty(path, line, "phrase", row["phrase"])
        _choice(path, line, "lang", row["lang"], ALIAS_LANGS)
        _choice(path, line, "case", row["case"], ALIAS_CASES)
        rows.append([row[col] for col in STOP_PHRASE_COLUMNS])
    return _frame(rows, STOP_PHRASE_COLUMNS)


def _frame(rows: list[list[str]], columns: list[str], key: list[str] | None = None) -> pd.DataFrame:
    """Sorted by ``key`` (the first columns by default), without duplicate rows."""
    at = [columns.index(column) for column in key or columns]
    unique = sorted({tuple(row) for row in rows}, key=lambda row: ([row[i] for i in at], row))
    return _columns_frame(unique, columns)


def _merge_uses(rows: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """``{(kind, entity, alias, lang, case): use}``; ``text`` and ``tag`` together give ``both``."""
    uses: dict[tuple[str, ...], str] = {}
    for kind, entity, alias, lang, case, use in rows:
        key = (kind, entity, alias, lang, case)
        previous = uses.get(key)
        uses[key] = use if previous in (None, use) else "both"
    return uses


def _alias_frame(rows: Sequence[tuple[str, ...]]) -> pd.DataFrame:
    """Deduplicated, sorted aliases (see :func:`_merge_uses`)."""
    merged = sorted(key + (use,) for key, use in _merge_uses(rows).items())
    return _columns_frame(merged, ALIAS_COLUMNS)


def _columns_frame(rows: Sequence[Sequence[str]], columns: list[str]) -> pd.DataFrame:
    """A frame of string columns from rows (built column-wise: several times faster)."""
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame(dict(zip(columns, values)), columns=columns, dtype="str")


# --------------------------------------------------------------------------------------------
# extension files


def _apply_extra(
    path: Path, countries: pd.DataFrame, forums: pd.DataFrame, aliases: Sequence[tuple[str, ...]]
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, ...]]]:
    """Apply one extension file: removals, label overrides, new forums and added aliases."""
    rows = _read_rows(path, ALIAS_COLUMNS, optional=["action", "name"])
    country_names = dict(zip(countries["code"].tolist(), countries["name"].tolist()))
    forum_rows = {r[0]: list(r) for r in zip(*(forums[c].tolist() for c in FORUM_COLUMNS))}
    table = _merge_uses(aliases)  # (kind, entity, alias, lang, case) -> use
    by_name: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for key in table:
        by_name.setdefault(key[:3], set()).add(key)
    entities = {"country": set(country_names), "forum": set(forum_rows)}
    for line, row in rows:
        action = _choice(path, line, "action", row.get("action") or "add", EXTRA_ACTIONS)
        kind, entity, name = row["kind"], row["entity"], row.get("name", "")
        if action == "add" and kind == "forum" and entity and entity not in forum_rows and name:
            if not _FORUM_ID_RE.fullmatch(entity):
                raise RegistryError(
                    f"{path}: line {line}: forum id {entity!r} must be upper-case "
                    "letters, digits and _ (starting with a letter)"
                )
            forum_rows[entity] = [entity, name, "", "user", name]
            entities["forum"].add(entity)
        _check_alias(path, line, row, entities, wildcard=action == "remove", extension=True)
        alias, lang, case, use = row["alias"], row["lang"], row["case"], row["use"]
        same_name = by_name.setdefault((kind, entity, alias), set())
        if action == "remove":
            if name:
                raise RegistryError(f"{path}: line {line}: name is only allowed with action add")
            doomed = {
                key
                for key in same_name
                if (not lang or key[3] == lang) and (not case or key[4] == case) and (not use or table[key] == use)
            }
            if not doomed:
                raise RegistryError(f"{path}: line {line}: nothing to remove: no {kind} alias {alias!r} for {entity}")
            for key in doomed:
                del table[key]
            same_name -= doomed
            continue
        if name and kind == "country":
            country_names[entity] = name
        elif name:
            forum_rows[entity][4] = name
        # an alias added again for the same entity and language overrides the earlier row
        for key in [key for key in same_name if key[3] == lang]:
            del table[key]
            same_name.discard(key)
        table[(kind, entity, alias, lang, case)] = use
        same_name.add((kind, entity, alias, lang, case))
    countries = countries.assign(name=countries["code"].map(country_names))
    forums = _frame(list(forum_rows.values()), FORUM_COLUMNS, ["id"])
    return countries, forums, [key + (use,) for key, use in table.items()]


# --------------------------------------------------------------------------------------------
# the public loader


@functools.lru_cache(maxsize=4)
def _load_default(data_dir: str) -> tuple[Registry, tuple[tuple[str, ...], ...]]:
    folder = Path(data_dir)
    countries = _read_countries(folder / "countries.csv")
    forums = _read_forums(folder / "forums.csv")
    entities = {"country": set(countries["code"]), "forum": set(forums["id"])}
    alias_rows = _read_aliases(folder / "aliases.csv", entities)
    aliases = _alias_frame(alias_rows)
    stop_phrases = _read_stop_phrases(folder / "stop_phrases.csv")
    logger.debug(
        "registry: %d countries, %d forums, %d aliases, %d stop phrases",
        len(countries),
        len(forums),
        len(aliases),
        len(stop_phrases),
    )
    return Registry(countries, forums, aliases, stop_phrases), tuple(alias_rows)


def load_registry(
    extra: str | Path | Sequence[str | Path] | None = None, *, data_dir: str | Path | None = None
) -> Registry:
    """Load the shipped registries, then apply the user's extension files in order.

    Parameters
    ----------
    extra : path or sequence of paths, optional
        CSV files with columns ``kind, entity, alias, lang, case, use`` and optionally
        ``action`` (``add``, the default, or ``remove``) and ``name`` (the label of a new forum,
        or a new label for an existing entity). An ``add`` row for an alias already listed for
        the same entity and language replaces that row (an override of ``case`` or ``use``).
        A ``remove`` row deletes the matching aliases; empty ``lang``/``case``/``use`` match any.
    data_dir : path, optional
        A folder holding a complete replacement of the shipped ``countries.csv``,
        ``forums.csv``, ``aliases.csv`` and ``stop_phrases.csv`` (default: :data:`DATA_DIR`).

    Returns
    -------
    Registry
        The registry of a data folder is loaded once and cached; do not modify its tables.

    Raises
    ------
    RegistryError
        A file is missing, unreadable or malformed; the message names the file, the line and
        what was wrong.

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.is_country("NA"), reg.is_forum("SCO")
    (True, True)
    """
    folder = Path(data_dir).resolve() if data_dir is not None else DATA_DIR
    base, alias_rows = _load_default(str(folder))
    if extra is None:
        return base
    paths = [extra] if isinstance(extra, (str, Path)) else list(extra)
    if not paths:
        return base
    countries, forums, rows = base.countries, base.forums, list(alias_rows)
    for item in paths:
        path = Path(item)
        countries, forums, rows = _apply_extra(path, countries, forums, rows)
        logger.info("registry: applied %s", path)
    return Registry(countries, forums, _alias_frame(rows), base.stop_phrases)
