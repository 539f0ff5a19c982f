"""The registries: countries, forums, aliases, stop phrases, context rules and memberships, as data files.

The data are plain CSV files in ``netanalysis/registry/data/`` (see its ``README.md``);
:func:`load_registry` reads and validates the names and applies the user's extension files;
:func:`load_memberships` does the same for who belonged to which forum when, and
:func:`membership_status` / :func:`forum_members` look it up.
"""

from __future__ import annotations

from netanalysis.registry.loader import (
    ALIAS_CASES,
    ALIAS_COLUMNS,
    ALIAS_FORMS,
    ALIAS_KINDS,
    ALIAS_LANGS,
    ALIAS_USES,
    COUNTRY_COLUMNS,
    DATA_DIR,
    EXTRA_ACTIONS,
    FORUM_COLUMNS,
    FORUM_TYPES,
    RULE_COLUMNS,
    STOP_PHRASE_COLUMNS,
    Registry,
    load_registry,
)
from netanalysis.registry.memberships import (
    MEMBER_KINDS,
    MEMBER_STATUSES,
    MEMBERSHIP_ACTIONS,
    MEMBERSHIP_COLUMNS,
    MEMBERSHIP_STATUSES,
    NON_MEMBER,
    UNKNOWN,
    Memberships,
    forum_members,
    load_memberships,
    membership_status,
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
    "ALIAS_FORMS",
    "RULE_COLUMNS",
    "FORUM_TYPES",
    "EXTRA_ACTIONS",
    "Memberships",
    "load_memberships",
    "membership_status",
    "forum_members",
    "MEMBERSHIP_COLUMNS",
    "MEMBER_KINDS",
    "MEMBERSHIP_STATUSES",
    "MEMBER_STATUSES",
    "MEMBERSHIP_ACTIONS",
    "NON_MEMBER",
    "UNKNOWN",
]
