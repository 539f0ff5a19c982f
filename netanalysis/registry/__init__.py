"""The registries: countries, forums, aliases and stop phrases, as data files and their loader.

The data are plain CSV files in ``netanalysis/registry/data/`` (see its ``README.md``);
:func:`load_registry` reads and validates them and applies the user's extension files.
"""

from __future__ import annotations

from netanalysis.registry.loader import (
    ALIAS_CASES,
    ALIAS_COLUMNS,
    ALIAS_KINDS,
    ALIAS_LANGS,
    ALIAS_USES,
    COUNTRY_COLUMNS,
    DATA_DIR,
    EXTRA_ACTIONS,
    FORUM_COLUMNS,
    FORUM_TYPES,
    STOP_PHRASE_COLUMNS,
    Registry,
    load_registry,
)

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
