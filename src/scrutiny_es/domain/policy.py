"""Who may record what: each role's commands, and whether only on the items naming the actor.

The library records the actor a caller gives; it cannot know who the caller really is. A host
maps its signed-in users to actors (``docs/operations.md``), and this policy then decides what
each role may record. The built-in policy lets a council's scrutiny officers and clerks record
everything, an officer or addressee only their own responses and progress on the items that
name them, and everyone else (auditors, members, the public) nothing. A deployment replaces
it with a TOML file of the same shape::

    [roles."scrutiny officer"]
    may = ["*"]

    [roles.officer]
    may = ["report_progress"]
    own_items = true
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from scrutiny_es.domain.errors import ScrutinyError

EVERYTHING = "*"


class NotPermitted(ScrutinyError):
    """The actor's role may not record this command (here)."""


@dataclass(frozen=True)
class Role:
    """What one role may record: command names (or ``*``), and whether only on its own items."""

    may: frozenset[str]
    own_items: bool = False


@dataclass(frozen=True)
class Policy:
    """Roles by name, compared case-insensitively with spaces around ignored; any other role records nothing."""

    roles: Mapping[str, Role] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], source: str = "the policy") -> Policy:
        """A policy from its TOML form, read already (``{"roles": {NAME: {"may": [...], "own_items": bool}}}``)."""
        roles = data.get("roles")
        unknown = set(data) - {"roles"}
        if not isinstance(roles, Mapping) or unknown:
            msg = f"{source} must hold [roles.NAME] tables only, each with may = [commands] and own_items"
            raise ScrutinyError(msg)
        made = {}
        for name, rule in roles.items():
            may = rule.get("may") if isinstance(rule, Mapping) else None
            own = rule.get("own_items", False) if isinstance(rule, Mapping) else None
            if not (isinstance(may, list) and all(isinstance(m, str) for m in may) and isinstance(own, bool)):
                msg = f'{source}: [roles."{name}"] needs may = ["command", ...] and, if given, own_items = true/false'
                raise ScrutinyError(msg)
            extra = set(rule) - {"may", "own_items"}
            if extra:
                msg = f'{source}: [roles."{name}"] has {", ".join(sorted(extra))}, which a role does not take'
                raise ScrutinyError(msg)
            made[_role_name(name)] = Role(frozenset(may), own)
        return cls(made)

    def role(self, name: str) -> Role | None:
        return self.roles.get(_role_name(name))

    def check(self, actor_name: str, role_name: str, command: str) -> Role:
        """The actor's role, if it may record ``command`` at all; ``NotPermitted`` if not."""
        role = self.role(role_name)
        if role is None or not (EVERYTHING in role.may or command in role.may):
            msg = f"{actor_name} ({role_name}) may not {command}"
            raise NotPermitted(msg, field="actor.role")
        return role

    def check_item(
        self, actor_name: str, role_name: str, command: str, addressees: list[str], addressee: str | None
    ) -> None:
        """``check``, and for a role limited to its own items: the item names the actor among its addressees, and
        a response is the actor's own."""
        role = self.check(actor_name, role_name, command)
        if not role.own_items:
            return
        if actor_name not in addressees:
            msg = f"{actor_name} ({role_name}) may not {command} on an item that does not name them"
            raise NotPermitted(msg, field="actor.name")
        if addressee is not None and addressee != actor_name:
            msg = f"{actor_name} ({role_name}) may not record a response for {addressee}"
            raise NotPermitted(msg, field="addressee")


@lru_cache(maxsize=1024)
def _role_name(name: str) -> str:
    """A role's name as the policy keys it (every command asks, with the few names a council uses)."""
    return " ".join(name.split()).casefold()


BUILT_IN = Policy(
    {
        **{_role_name(n): Role(frozenset({EVERYTHING})) for n in ("scrutiny officer", "democratic services officer",
                                                                   "clerk", "system")},
        **{_role_name(n): Role(frozenset({"record_response", "report_progress", "propose_closure"}), own_items=True)
           for n in ("officer", "addressee")},
    }
)  # fmt: skip
"""The policy unless a deployment gives its own: see the module's docstring."""
