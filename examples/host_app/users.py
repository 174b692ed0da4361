"""The host's own officers: a ``users`` table beside the record, passwords kept as scrypt hashes.

``recorded`` counts the facts each officer has recorded: the host's own write, made in the same
transaction as the command, so the two are kept or undone together.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update

metadata = MetaData()

users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("recorded", Integer, nullable=False, default=0),
)

_N, _R, _P = 2**14, 8, 1
"""scrypt's cost: about 16 MB and a few tens of milliseconds a sign-in."""


@dataclass(frozen=True)
class Officer:
    """A signed-in user, as the record sees them: the actor of every command they send."""

    id: int
    username: str
    name: str
    role: str
    recorded: int = 0

    def actor(self) -> dict[str, str]:
        """The library's actor: its policy decides by ``role`` (and, for an officer, by ``id``: see ``AnswersFor``)."""
        return {"id": f"user:{self.id}", "name": self.name, "role": self.role}


class AnswersFor(Mapping[str, frozenset[str]]):
    """Whom each officer answers for, by the actor id they sign in as: the office their account is named for.

    The library keys an officer's rights on the actor's ``id``, never on a name a person could
    choose; this host names each account for its office when it adds it, and answers from its
    ``users`` table in the request's own transaction (``session``: the host's scoped session).
    """

    def __init__(self, session: Any) -> None:
        self.session = session

    def __getitem__(self, actor_id: str) -> frozenset[str]:
        number = actor_id.removeprefix("user:")
        name = None
        if actor_id.startswith("user:") and number.isdigit():
            name = self.session.execute(select(users_table.c.name).where(users_table.c.id == int(number))).scalar()
        if name is None:
            raise KeyError(actor_id)
        return frozenset({name})

    def __iter__(self) -> Iterator[str]:
        return (f"user:{n}" for n in self.session.execute(select(users_table.c.id)).scalars())

    def __len__(self) -> int:
        return len(list(self))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


NO_ONE = hash_password(secrets.token_hex(32))
"""A hash no password matches, made once as the module loads: checking an unknown name against it costs what
checking a real one does (making one for each try doubled the cost, and so told which names are real)."""


def password_matches(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(found.hex(), digest)


def add_user(conn: Any, username: str, password: str, name: str, role: str) -> int:
    """Adds an officer (``conn``: a SQLAlchemy connection or session); returns their id."""
    values = {"username": username, "name": name, "role": role, "password_hash": hash_password(password)}
    return int(conn.execute(insert(users_table).values(**values)).inserted_primary_key[0])


def signed_in(conn: Any, username: str, password: str) -> Officer | None:
    """The officer with this username and password, or None (the same answer for either wrong)."""
    # a NUL is in no username (and PostgreSQL takes none in a query): the same answer as for a name not there
    found = select(users_table).where(users_table.c.username == username)
    row = None if "\x00" in username else conn.execute(found).first()
    if row is None:
        password_matches(password, NO_ONE)  # one scrypt, as a real check: a name is not told by the time
        return None
    if not password_matches(password, row.password_hash):
        return None
    return Officer(row.id, row.username, row.name, row.role, row.recorded)


def officer(conn: Any, user_id: int) -> Officer | None:
    row = conn.execute(select(users_table).where(users_table.c.id == user_id)).first()
    return None if row is None else Officer(row.id, row.username, row.name, row.role, row.recorded)


def count_recorded(conn: Any, who: Officer) -> None:
    """One more fact recorded by ``who`` (in the caller's transaction)."""
    conn.execute(update(users_table).where(users_table.c.id == who.id).values(recorded=users_table.c.recorded + 1))
