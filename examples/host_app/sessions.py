"""Sign-in sessions kept on the server, bound to one council, with single-use form tokens; the council a database
URL names, and its engine.

The cookie holds only a random session id (and a signature over it and the council), so a forged or
copied cookie signs no one in: the session must also be a live row of *this* council's ``sessions``
table, which logout revokes and which expires when idle or old. Every page with a form is given a
fresh token, good for one post; the sign-in form has its own, tied to a cookie of its own, so
nobody can sign an officer in to someone else's account from another site. Failed sign-ins are
counted per username and per address, and too many stop sign-in for a while. What was just
recorded ("Recorded.") is told by the session, once, never by a page's address, which anyone can
write into a link.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    String,
    Table,
    create_engine,
    delete,
    insert,
    make_url,
    select,
    text,
    update,
)

from examples.host_app.users import metadata

IDLE = 30 * 60
"""Seconds a session lasts unused."""
LIFETIME = 10 * 60 * 60
"""Seconds a session lasts at most (a working day)."""
TOKEN_LIFETIME = 2 * 60 * 60
"""Seconds a form's token stays good."""
ATTEMPTS, ADDRESS_ATTEMPTS, WINDOW = 5, 20, 15 * 60
"""Failed sign-ins allowed per username, and per address, in ``WINDOW`` seconds."""
MIN_SECRET = 32

WEAK = {"change-me", "changeme", "secret", "password", "test", "dev", "development", "default"}

sessions_table = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("council", String(64), nullable=False),
    Column("created", Float, nullable=False),
    Column("seen", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

form_tokens_table = Table(
    "form_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_hash", String(64), nullable=False, index=True),
    Column("created", Float, nullable=False),
)

flashes_table = Table(
    "flashes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_hash", String(64), nullable=False, index=True),
    Column("page_hash", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("message", String(200), nullable=False),
    Column("created", Float, nullable=False),
)
"""What a session's next view of a page is to say once (``Recorded.``): kept here, never taken from its address."""

secrets_table = Table("host_secret", metadata, Column("id", Integer, primary_key=True), Column("secret", String(128)))


class WeakSecret(ValueError):
    """The secret given to sign cookies is one an attacker could guess."""


def checked_secret(secret: str | None, conn: Any) -> str:
    """The secret to sign with: the one given, if strong; else the one this database keeps (made once)."""
    if secret is not None:
        if len(secret) < MIN_SECRET or secret.strip().casefold() in WEAK or len(set(secret)) < 8:
            msg = (f"HOST_APP_SECRET must be at least {MIN_SECRET} random characters, not a word anyone could "
                   "guess: make one with  python -c 'import secrets; print(secrets.token_hex(32))'  or leave it "
                   "unset, and the application makes one and keeps it in its database")  # fmt: skip
            raise WeakSecret(msg)
        return secret
    kept = conn.execute(select(secrets_table.c.secret).where(secrets_table.c.id == 1)).scalar()
    if kept is None:
        kept = secrets.token_hex(32)
        conn.execute(insert(secrets_table).values(id=1, secret=kept))
    return str(kept)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Sessions:
    """The council's sessions and form tokens, in the host's session (``conn``) of each request."""

    def __init__(self, secret: str, council: str, now: Callable[[], float] = time.time) -> None:
        self.secret = secret.encode()
        self.council = council
        self.now = now
        self.cookie = f"scrutiny-{council}"
        self.login_cookie = f"scrutiny-sign-in-{council}"

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{self.council}:{value}".encode(), hashlib.sha256).hexdigest()

    def start(self, conn: Any, user_id: int) -> str:
        """A new session for the user; the cookie's value."""
        sid = secrets.token_urlsafe(32)
        at = self.now()
        conn.execute(insert(sessions_table).values(id_hash=_digest(sid), user_id=user_id, council=self.council,
                                                   created=at, seen=at, revoked=False))  # fmt: skip
        return f"{sid}.{self._sign('session', sid)}"

    def _sid(self, cookie: str) -> str | None:
        sid, _, signature = cookie.rpartition(".")
        if not sid or not hmac.compare_digest(signature, self._sign("session", sid)):
            return None
        return sid

    def user(self, conn: Any, cookie: str) -> tuple[int, str] | None:
        """The signed-in user's id and their session's hash, if the cookie names a live session of this council."""
        sid = self._sid(cookie)
        if sid is None:
            return None
        row = conn.execute(select(sessions_table).where(sessions_table.c.id_hash == _digest(sid))).first()
        at = self.now()
        if (row is None or row.revoked or row.council != self.council or at - row.seen > IDLE
                or at - row.created > LIFETIME):  # fmt: skip
            return None
        conn.execute(update(sessions_table).where(sessions_table.c.id_hash == row.id_hash).values(seen=at))
        return int(row.user_id), str(row.id_hash)

    def end(self, conn: Any, cookie: str) -> None:
        """Logout: the session is revoked on the server, whatever becomes of the cookie."""
        sid = self._sid(cookie)
        if sid is not None:
            conn.execute(update(sessions_table).where(sessions_table.c.id_hash == _digest(sid)).values(revoked=True))
            conn.execute(delete(form_tokens_table).where(form_tokens_table.c.session_hash == _digest(sid)))
            conn.execute(delete(flashes_table).where(flashes_table.c.session_hash == _digest(sid)))

    def form_token(self, conn: Any, session_hash: str) -> str:
        """A fresh token for the forms of one page, good for one post (old ones are cleared away)."""
        token = secrets.token_hex(32)
        at = self.now()
        conn.execute(delete(form_tokens_table).where(form_tokens_table.c.created < at - TOKEN_LIFETIME))
        conn.execute(insert(form_tokens_table).values(token_hash=_digest(token), session_hash=session_hash, created=at))
        return token

    def use_token(self, conn: Any, session_hash: str, token: str) -> bool:
        """Whether ``token`` was this session's and still good; either way, it is good no more."""
        if not token:
            return False
        used = conn.execute(
            delete(form_tokens_table).where(
                form_tokens_table.c.token_hash == _digest(token),
                form_tokens_table.c.session_hash == session_hash,
                form_tokens_table.c.created >= self.now() - TOKEN_LIFETIME,
            )
        )
        return bool(used.rowcount == 1)

    def flash(self, conn: Any, session_hash: str, page: str, kind: str, message: str) -> None:
        """Says ``message`` once, on this session's next view of ``page`` (a path, as the server reads it). Only
        added, never replaced: posts of one session at the same moment each add theirs, and the view takes all."""
        conn.execute(insert(flashes_table).values(session_hash=session_hash, page_hash=_digest(page), kind=kind,
                                                  message=message, created=self.now()))  # fmt: skip

    def flashed(self, conn: Any, session_hash: str, page: str) -> tuple[str, str] | None:
        """The kind and message this session was to be told on ``page``, if any; told once, then gone (and any
        older than a form's token is cleared away)."""
        conn.execute(delete(flashes_table).where(flashes_table.c.created < self.now() - TOKEN_LIFETIME))
        where = (flashes_table.c.session_hash == session_hash, flashes_table.c.page_hash == _digest(page))
        newest = select(flashes_table.c.kind, flashes_table.c.message).where(*where).order_by(flashes_table.c.id.desc())
        row = conn.execute(newest).first()
        if row is None or conn.execute(delete(flashes_table).where(*where)).rowcount < 1:
            return None  # told once: another view of the page at the same moment has it
        return str(row.kind), str(row.message)

    def sign_in_token(self, nonce: str) -> str:
        """The sign-in form's token, tied to the browser's own sign-in cookie (``nonce``)."""
        return self._sign("sign-in", nonce)

    def sign_in_token_matches(self, nonce: str, token: str) -> bool:
        return bool(nonce) and hmac.compare_digest(token, self.sign_in_token(nonce))


class Throttle:
    """Failed sign-ins per username and per address, in this process: too many, and sign-in waits. A name is kept
    by its digest and a failure only for its window, so names a megabyte long, or a new one each try, fill no
    memory."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self.now = now
        self.failures: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        seen = self.failures.get(key, deque())
        while seen and seen[0] < self.now() - WINDOW:
            seen.popleft()
        return seen

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{_digest(username.casefold())}", f"address:{address}"

    def wait(self, username: str, address: str) -> int:
        """Minutes to wait before another try (0: try now)."""
        with self.lock:
            for key, most in zip(self._keys(username, address), (ATTEMPTS, ADDRESS_ATTEMPTS), strict=True):
                seen = self._recent(key)
                if len(seen) >= most:
                    return max(1, int((seen[0] + WINDOW - self.now()) // 60) + 1)
        return 0

    def failed(self, username: str, address: str) -> None:
        with self.lock:
            for key in [key for key in self.failures if not self._recent(key)]:  # out of the window: forgotten
                del self.failures[key]
            for key in self._keys(username, address):
                self.failures.setdefault(key, deque()).append(self.now())


def set_cookie(answer: Response, request: Request, name: str, value: str) -> None:
    """HttpOnly, SameSite=Lax, and, behind TLS, Secure: a cookie a script cannot read nor another site send."""
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    answer.set_cookie(name, value, httponly=True, samesite="lax", secure=secure, path="/")


def local_path(path: str) -> str:
    """Only a path on this site may be where sign-in goes next (never another site)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def council_of(url: str) -> str:
    """The council a URL serves, as a cookie's name may hold it: its schema, else a digest of the database."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if isinstance(schema, str) and re.fullmatch(r"[A-Za-z0-9_]{1,40}", schema):
        return schema.lower()
    where = parsed.set(password=None).render_as_string(hide_password=True)
    return hashlib.sha256(where.encode()).hexdigest()[:16]


def council_engine(url: str) -> Engine:
    """The host's engine. A PostgreSQL URL may name one council of many, ``...?schema=haringey``, as the command
    line takes it: the engine's connections then use that schema (made if missing), and so does the record."""
    parsed = make_url(url)
    schema = parsed.query.get("schema")
    if not isinstance(schema, str) or parsed.get_backend_name() != "postgresql":
        return create_engine(url)
    engine = create_engine(
        parsed.difference_update_query(["schema"]), connect_args={"options": f"-c search_path={schema}"}
    )
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {engine.dialect.identifier_preparer.quote_identifier(schema)}"))
    return engine
