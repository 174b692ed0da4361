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

    [addressees]
    "u-1042" = ["Director of Housing", "Cabinet Member for Housing"]

Role names are compared ignoring case and spacing, so two sections naming the same role are
refused rather than one silently overriding the other; so is a command name the library does
not know. Who an officer answers for is keyed on the actor's ``id`` (what the host signed them
in as), never on their display name: the addressees the ``[addressees]`` table lists under the
id, else the addressee whose name is the id itself.
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
    """Roles by name, compared ignoring case and spacing; any other role records nothing. For a role
    limited to its own items, ``acts_for`` says which addressees an actor answers for, by the actor's ``id``."""

    roles: Mapping[str, Role] = field(default_factory=dict)
    acts_for: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Keys the roles a host gives by their names as compared, so ``Policy({"Officer": ...})`` means officer."""
        keyed = {_role_name(name): role for name, role in self.roles.items()}
        if len(keyed) != len(self.roles):
            msg = "the policy names a role twice (role names are compared ignoring case and spacing)"
            raise ScrutinyError(msg)
        object.__setattr__(self, "roles", keyed)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], source: str = "the policy") -> Policy:
        """A policy from its TOML form, read already (``{"roles": {NAME: {"may": [...], "own_items": bool}},
        "addressees": {ACTOR_ID: [NAME, ...]}}``)."""
        roles = data.get("roles")
        unknown = set(data) - {"roles", "addressees"}
        if not isinstance(roles, Mapping) or unknown:
            msg = f"{source} must hold [roles.NAME] tables only, each with may = [commands] and own_items"
            raise ScrutinyError(msg + ", and an [addressees] table")
        made: dict[str, Role] = {}
        named: dict[str, str] = {}
        for name, rule in roles.items():
            key = _role_name(name)
            if key in named:
                msg = (
                    f'{source}: [roles."{named[key]}"] and [roles."{name}"] are the same role (role names are '
                    "compared ignoring case and spacing): give it one section"
                )
                raise ScrutinyError(msg)
            named[key] = name
            made[key] = _role(name, rule, source)
        return cls(made, _acts_for(data.get("addressees", {}), source))

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
        self,
        actor_name: str,
        role_name: str,
        command: str,
        addressees: list[str],
        addressee: str | None,
        *,
        actor_id: str,
    ) -> None:
        """``check``, and for a role limited to its own items: the item names an addressee the actor answers for
        (by the actor's ``id``), and a response is for one of them."""
        role = self.check(actor_name, role_name, command)
        if not role.own_items:
            return
        answers_for = self.acts_for.get(actor_id, frozenset({actor_id}))
        if not answers_for.intersection(addressees):
            msg = f"{actor_name} ({role_name}) may not {command} on an item that does not name them"
            raise NotPermitted(msg, field="actor.id")
        if addressee is not None and addressee not in answers_for:
            msg = f"{actor_name} ({role_name}) may not record a response for {addressee}"
            raise NotPermitted(msg, field="addressee")


def _role(name: str, rule: Any, source: str) -> Role:
    may = rule.get("may") if isinstance(rule, Mapping) else None
    own = rule.get("own_items", False) if isinstance(rule, Mapping) else None
    if not (isinstance(may, list) and all(isinstance(m, str) for m in may) and isinstance(own, bool)):
        msg = f'{source}: [roles."{name}"] needs may = ["command", ...] and, if given, own_items = true/false'
        raise ScrutinyError(msg)
    extra = set(rule) - {"may", "own_items"}
    if extra:
        msg = f'{source}: [roles."{name}"] has {", ".join(sorted(extra))}, which a role does not take'
        raise ScrutinyError(msg)
    from scrutiny_es.domain.commands import command_names  # only a deployment's own policy needs them

    known = {EVERYTHING, *command_names()}
    strange = [m for m in may if m not in known]
    if strange:
        msg = (
            f'{source}: [roles."{name}"] may {", ".join(repr(m) for m in strange[:5])}, which '
            f"{'is not a command' if len(strange) == 1 else 'are not commands'}; the commands are: "
            f'{", ".join(command_names())} (or "*" for all)'
        )
        raise ScrutinyError(msg)
    return Role(frozenset(may), own)


def _acts_for(given: Any, source: str) -> dict[str, frozenset[str]]:
    if not isinstance(given, Mapping) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in given.values()
    ):
        msg = f'{source}: [addressees] lists the addressees each actor answers for: "ACTOR ID" = ["NAME", ...]'
        raise ScrutinyError(msg)
    return {actor_id: frozenset(names) for actor_id, names in given.items()}


@lru_cache(maxsize=1024)
def _role_name(name: str) -> str:
    """A role's name as the policy keys it: case ignored, runs of spaces as one, none around (every command asks,
    with the few names a council uses)."""
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
