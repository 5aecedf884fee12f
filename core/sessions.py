"""Server-side sign-in sessions: staying signed in across a refresh (F5) and a browser restart.

At sign-in :func:`start` makes a random 32-byte token (``secrets.token_urlsafe``), stores only its sha256 with
the username, and hands the token back for the browser's cookie (see docs/SECURITY.md, "Staying signed in").
On every run :func:`restore` turns the cookie's token back into the account's Scope — fresh from the database,
so a disabled account or a revoked session ends at the next click — and checks both clocks:

* idle: a session unused for :data:`IDLE_TIMEOUT` ends (sliding: every use moves ``last_seen``);
* maximum age: a session ends :data:`MAX_AGE` after sign-in, however often it is used.

``last_seen`` is written at most once every :data:`TOUCH_EVERY` (not on every click). :func:`end` signs out this
device, :func:`end_everywhere` every device of the account; changing or resetting a password and disabling an
account end every session too (core.store.accounts, in the same transaction). All three are audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine

from core import auth
from core.errors import ScopeError
from core.scope import Scope
from core.store import sessions as store_sessions

IDLE_TIMEOUT = dt.timedelta(hours=12)     # unused this long: signed out
MAX_AGE = dt.timedelta(days=7)            # signed in this long: signed out, however active
TOUCH_EVERY = dt.timedelta(minutes=1)     # last_seen is written at most this often
TOKEN_BYTES = 32
COOKIE_NAME = "cmdash_session"


@dataclass(frozen=True)
class Session:
    id: int
    username: str
    scope: Scope
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime
    method: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def start(engine: Engine, scope: Scope, user_agent: str | None = None, method: str = "password",
          now: dt.datetime | None = None) -> str:
    """Open a session for the signed-in `scope`; returns the token for the cookie (stored only as its hash)."""
    now = now or _now()
    token = new_token()
    store_sessions.insert_session(engine, token_hash(token), scope.username, now, now + MAX_AGE, user_agent,
                                  method)
    return token


def cookie_max_age() -> int:
    """The cookie's Max-Age in seconds: the session's maximum age (the server decides earlier ends)."""
    return int(MAX_AGE.total_seconds())


def _valid(row: dict | None, now: dt.datetime) -> bool:
    if row is None or row["revoked_at"] is not None:
        return False
    return now < row["expires_at"] and now < row["last_seen"] + IDLE_TIMEOUT


def restore(engine: Engine, token: str | None, now: dt.datetime | None = None) -> Session | None:
    """The session behind a cookie's token, or None when there is none, it ended (idle, too old, signed out,
    revoked) or its account can no longer sign in. Touches last-seen at most once every TOUCH_EVERY."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or _now()
    row = store_sessions.get_by_hash(engine, token_hash(token))
    if not _valid(row, now):
        return None
    try:
        scope = auth.scope_for_username(engine, row["username"])
    except ScopeError:
        return None
    last_seen = row["last_seen"]
    if now - last_seen >= TOUCH_EVERY:
        store_sessions.touch(engine, row["id"], now)
        last_seen = now
    return Session(row["id"], row["username"], scope, row["created_at"], last_seen, row["expires_at"], row["method"])


def end(engine: Engine, token: str | None, now: dt.datetime | None = None) -> bool:
    """Sign out this device: end the session behind `token` (audited). False when there was none open."""
    if not token:
        return False
    row = store_sessions.get_by_hash(engine, token_hash(token))
    if row is None:
        return False
    return store_sessions.revoke(engine, row["id"], now or _now(), row["username"])


def end_everywhere(engine: Engine, scope: Scope, now: dt.datetime | None = None) -> int:
    """Sign out everywhere: end every open session of the signed-in account (audited). Returns how many."""
    return store_sessions.revoke_all(engine, scope.username, now or _now(), scope.username)


def open_sessions(engine: Engine, scope: Scope, now: dt.datetime | None = None) -> list[dict]:
    """The signed-in account's sessions still valid now, newest first (for 'signed in on N devices')."""
    now = now or _now()
    return [r for r in store_sessions.list_sessions(engine, scope.username) if _valid(r, now)]
