"""Accounts, passwords, sign-in and the Scope every signed-in person works with.

* Roles: ``director`` (whole branch), ``team_lead`` (own team, optionally his own roster entry), ``manager``
  (own roster entry only). :func:`scope_for_username` turns an account into a :class:`core.scope.Scope`, which
  the store filters every read and checks every write by.
* Passwords are hashed with argon2id (argon2-cffi's recommended parameters). Set ``DASH_ARGON2_FAST=1`` to use
  a cheap parameter set (tests only); hashes made with other parameters are upgraded at the next sign-in.
* Throttling (docs/SECURITY.md): by (username, client) with exponential back-off — after
  :data:`FREE_FAILURES` failures from one client, that client waits :data:`BACKOFF_BASE`, doubling with every
  further failure up to :data:`BACKOFF_MAX`. A client that signed in to this username successfully within
  :data:`KNOWN_FOR` is *known* and only ever waits for its own failures, so a stranger cannot lock the real user
  out of his usual client. Clients not known are also throttled together per username (after
  :data:`UNKNOWN_FREE_FAILURES`), which stops guessing spread over many addresses. A server-wide budget
  (:data:`HASH_BUDGET_PER_MINUTE` password checks a minute, :data:`HASH_CONCURRENCY` at once) bounds the argon2
  work; beyond it only known clients are checked. The same answers whether or not an account exists, so they
  never reveal which usernames are real.
* Demo mode (setting ``demo_mode`` is true, the demo bank was loaded by the app): three password-less demo
  accounts can be used with one click until a real (non-demo) director account exists.

Account management is for directors only (``actor`` is the director's Scope; the CLI acts as
:data:`core.scope.SYSTEM`). Rejected input raises :class:`core.errors.AppError`, whose message exists in Chinese and English.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine

from core.i18n import t
from core.errors import AppError, ScopeError
from core.scope import ROLES, Scope, role_needs_employee, role_needs_team, scope_for_account
from core.demo import is_demo
from core.store import accounts as acc
from core.throttle import (BACKOFF_BASE, BACKOFF_MAX, FAILURE_WINDOW, FREE_FAILURES, KNOWN_FOR,  # noqa: F401
                           UNKNOWN_FREE_FAILURES, backoff, client_id, throttle)

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256
HASH_BUDGET_PER_MINUTE = 120                # password checks a minute for the whole server (≈ 35 s of argon2)
HASH_CONCURRENCY = 2                        # password checks running at the same moment, per process
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DEMO_TEAM = "对公一队"
DEMO_LEAD_GRADE = "高级客户经理"
DEMO_MANAGER_ID = "CM002"
DEMO_USERNAMES = {"director": "demo_director", "team_lead": "demo_lead", "manager": "demo_manager"}

LIST_COLUMNS = ["username", "display_name", "role", "team", "employee_id", "email", "active", "is_demo",
                "has_password", "locked", "created_at", "last_login"]


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    scope: Scope | None
    reason: str                   # ok | bad_credentials | locked | busy | disabled | demo_disabled
    retry_after_seconds: int = 0

    def message(self, lang: str = "zh") -> str:
        """What to tell the person at the sign-in form (never whether the username exists)."""
        if self.reason in ("locked", "busy"):
            return t(f"auth.{self.reason}", lang, minutes=max(1, -(-self.retry_after_seconds // 60)))
        return t(f"auth.{self.reason}", lang)


# ---------------------------------------------------------------- passwords

def _fast() -> bool:
    return os.environ.get("DASH_ARGON2_FAST", "") not in ("", "0", "false", "no")


@lru_cache(maxsize=2)
def _hasher_for(fast: bool) -> PasswordHasher:
    if fast:
        # Test-only parameters: orders of magnitude cheaper, still a valid argon2id hash.
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()  # argon2-cffi's recommended parameters (RFC 9106 low-memory profile)


def _hasher() -> PasswordHasher:
    return _hasher_for(_fast())


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; two calls give different hashes)."""
    return _hasher().hash(password)


_HASH_SLOTS = threading.BoundedSemaphore(HASH_CONCURRENCY)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches `password_hash`; False for a mismatch, an empty or a malformed hash.

    At most :data:`HASH_CONCURRENCY` checks run at once in this process (the others wait their turn), so a burst
    of sign-ins cannot take every core."""
    if not password_hash or password is None:
        return False
    with _HASH_SLOTS:
        try:
            return _hasher().verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@lru_cache(maxsize=2)
def _dummy_hash(fast: bool) -> str:
    return _hasher_for(fast).hash("not-a-real-password-0")


def check_password_policy(password: str, username: str | None = None) -> None:
    """Raise AppError unless the password has ≥ 8 characters with letters and digits."""
    if password is None or len(password) < PASSWORD_MIN_LENGTH:
        raise AppError("auth.password_too_short", min=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AppError("auth.password_too_long", max=PASSWORD_MAX_LENGTH)
    if not (any(c.isascii() and c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise AppError("auth.password_needs_letter_digit")
    if username and password.strip().lower() == username.strip().lower():
        raise AppError("auth.password_is_username")


# ---------------------------------------------------------------- accounts

def normalise_username(username: str | None) -> str:
    """Usernames are case-insensitive: stored and looked up stripped and lower-case."""
    return (username or "").strip().lower()[:100]


def create_user(engine: Engine, actor: Scope, username: str, display_name: str | None, role: str,
                password: str | None = None, team: str | None = None, employee_id: str | None = None,
                email: str | None = None, is_demo: bool = False) -> dict:
    """Create an account (directors only) and return it (public columns).

    * role: director | team_lead | manager. A team lead needs a known team; a manager needs an employee on the
      roster (his team is taken from the roster). Anyone may be linked to his own roster entry.
    * password: None creates an account that cannot sign in with a password yet (single sign-on, or a password
      set later with :func:`reset_password`); otherwise ≥ 8 characters with letters and digits.
    * email: used to map single sign-on to this account; unique among accounts.
    """
    actor.require_director()
    uname = normalise_username(username)
    if not USERNAME_RE.match(uname):
        raise AppError("auth.username_invalid")
    if role not in ROLES:
        raise AppError("auth.role_invalid", role=role, roles=", ".join(ROLES))
    team = (team or "").strip() or None
    employee_id = (employee_id or "").strip() or None
    email = (email or "").strip().lower() or None
    entry = None
    if employee_id:
        entry = acc.roster_entry(engine, employee_id)
        if entry is None:
            raise AppError("auth.employee_unknown", employee_id=employee_id)
    if role_needs_team(role):
        if not team:
            raise AppError("auth.team_required")
        if not acc.team_exists(engine, team):
            raise AppError("auth.team_unknown", team=team)
    elif role_needs_employee(role):
        if not employee_id:
            raise AppError("auth.employee_required")
        if team and team != entry["team"]:
            raise AppError("auth.employee_team_mismatch", employee_id=employee_id, team=entry["team"])
        team = entry["team"]
    elif team:
        raise AppError("auth.team_not_for_role")
    display_name = (display_name or "").strip() or (entry["name"] if entry else "") or uname
    if len(display_name) > 100:
        raise AppError("auth.display_name_too_long")
    if email is not None:
        if not EMAIL_RE.match(email) or len(email) > 200:
            raise AppError("auth.email_invalid", email=email)
        if any(not u["is_demo"] for u in acc.get_users_by_email(engine, email)):
            raise AppError("auth.email_taken", email=email)
    if is_demo and password:
        raise AppError("auth.password_demo")
    password_hash = None
    if password is not None:
        check_password_policy(password, uname)
        password_hash = hash_password(password)
    row = {"username": uname, "display_name": display_name, "role": role, "team": team,
           "employee_id": employee_id, "email": email, "is_demo": bool(is_demo)}
    acc.insert_user(engine, actor.username, row, password_hash)   # AppError auth.username_taken if it exists
    return acc.get_user(engine, uname)


def _existing(engine: Engine, username: str) -> dict:
    uname = normalise_username(username)
    user = acc.get_user(engine, uname)
    if user is None:
        raise AppError("auth.unknown_user", username=uname)
    return user


def set_active(engine: Engine, actor: Scope, username: str, active: bool) -> bool:
    """Enable or disable an account (directors only). Returns False when it already was so.

    A director cannot disable his own account, and the last active director cannot be disabled (create another
    director first), so the branch is never locked out of its settings.
    """
    actor.require_director()
    user = _existing(engine, username)
    if not active and user["username"] == normalise_username(actor.username):
        raise AppError("auth.cannot_disable_self")
    return acc.set_active(engine, actor.username, user["username"], bool(active))   # AppError auth.last_director


def reset_password(engine: Engine, actor: Scope, username: str, new_password: str) -> None:
    """Set a new password for someone (directors only); also lifts a sign-in lock."""
    actor.require_director()
    user = _existing(engine, username)
    if user["is_demo"]:
        raise AppError("auth.password_demo")
    check_password_policy(new_password, user["username"])
    acc.set_password_hash(engine, actor.username, user["username"], hash_password(new_password), "password_reset")


def unlock_user(engine: Engine, actor: Scope, username: str) -> None:
    """Lift a sign-in lock before it runs out (directors only)."""
    actor.require_director()
    user = _existing(engine, username)
    acc.unlock(engine, actor.username, user["username"])


def change_own_password(engine: Engine, scope: Scope, old_password: str, new_password: str) -> None:
    """The signed-in person changes his own password; the old one must be right."""
    found = acc.get_user_secret(engine, normalise_username(scope.username))
    if found is None:
        raise ScopeError("auth.unknown_user", username=scope.username)
    user, password_hash = found
    if user["is_demo"]:
        raise AppError("auth.password_demo")
    if not verify_password(password_hash, old_password):
        raise AppError("auth.password_wrong")
    if old_password == new_password:
        raise AppError("auth.password_same")
    check_password_policy(new_password, user["username"])
    acc.set_password_hash(engine, user["username"], user["username"], hash_password(new_password),
                          "password_change")


def list_users(engine: Engine, actor: Scope, now: dt.datetime | None = None) -> pd.DataFrame:
    """All accounts (directors only), never a password hash: LIST_COLUMNS."""
    actor.require_director()
    now = now or _now()
    rows = acc.list_users(engine)
    for r in rows:
        r["locked"] = bool(r["locked_until"] and r["locked_until"] > now)
    return pd.DataFrame(rows, columns=LIST_COLUMNS + ["locked_until"])[LIST_COLUMNS]


def get_account(engine: Engine, username: str) -> dict | None:
    """The account's public columns (for showing who is signed in), or None."""
    return acc.get_user(engine, normalise_username(username))


# ---------------------------------------------------------------- scopes

def _scope_of(user: dict) -> Scope:
    return scope_for_account(user["role"], user["username"], user["team"], user["employee_id"])


def _usable(engine: Engine, user: dict | None) -> bool:
    if user is None or not user["active"]:
        return False
    if user["is_demo"] and not demo_signin_available(engine):
        return False
    try:
        _scope_of(user)
    except ValueError:
        return False
    return True


def scope_for_username(engine: Engine, username: str) -> Scope:
    """The Scope of an active account; ScopeError for an unknown or disabled one (or a demo account once demo
    sign-in is switched off)."""
    user = acc.get_user(engine, normalise_username(username))
    if not _usable(engine, user):
        raise ScopeError("auth.no_active_account", username=normalise_username(username))
    return _scope_of(user)


def scope_for_email(engine: Engine, email: str) -> Scope:
    """The Scope of the active account with this e-mail (single sign-on); ScopeError if there is none."""
    if not email or not email.strip():
        raise ScopeError("auth.no_email")
    for user in acc.get_users_by_email(engine, email):
        if not user["is_demo"] and _usable(engine, user):
            return _scope_of(user)
    raise ScopeError("auth.no_account_for_email", email=email.strip().lower())


def sso_signin(engine: Engine, email: str, now: dt.datetime | None = None) -> Scope:
    """Map a single-sign-on identity to its account and record the sign-in (ScopeError if none)."""
    scope = scope_for_email(engine, email)
    acc.record_login(engine, scope.username, now or _now(), {"method": "sso"})
    return scope


# ---------------------------------------------------------------- sign-in

def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _seconds(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None,
                 client: str | None = None) -> AuthResult:
    """Check a username and password, with the throttle; records the attempt (with its client) and audits it.

    Reasons: ok, bad_credentials (unknown username or wrong password: the same answer), locked (this client must
    wait; retry_after_seconds says how long), busy (the server's budget of password checks for this minute is
    spent and this client is not known for this username: nothing checked, nothing recorded), disabled (right
    password, disabled account), demo_disabled (a demo account after a real director was created).
    `client` is :func:`client_id` of the browser (None: an unknown client, e.g. the CLI).
    """
    now = now or _now()
    uname = normalise_username(username)
    client = (client or "")[:64]
    attempts = acc.recent_attempts(engine, uname, now - KNOWN_FOR)
    locked = throttle(attempts, client, now)
    if locked is not None:
        return AuthResult(False, None, "locked", _seconds(locked, now))
    known = any(ok and c == client and at > now - KNOWN_FOR for at, ok, c in attempts)
    if not known and acc.attempts_since(engine, now - dt.timedelta(minutes=1)) >= HASH_BUDGET_PER_MINUTE:
        return AuthResult(False, None, "busy", 60)
    found = acc.get_user_secret(engine, uname) if uname else None
    if found is None:
        verify_password(_dummy_hash(_fast()), password or "")  # same work as for a real account
        return _failed(engine, uname or "?", now, client)
    user, password_hash = found
    if user["is_demo"]:
        if not demo_signin_available(engine):
            return AuthResult(False, None, "demo_disabled")
        return _failed(engine, uname, now, client)  # demo accounts have no password: one-click sign-in only
    if password_hash is None:
        verify_password(_dummy_hash(_fast()), password or "")
        return _failed(engine, uname, now, client)
    if not verify_password(password_hash, password or ""):
        return _failed(engine, uname, now, client)
    if not _usable(engine, user):
        return AuthResult(False, None, "disabled")
    locked = acc.record_attempt(engine, uname, True, now, _rule(client), {"method": "password"}, client=client,
                                history=KNOWN_FOR)
    if locked is not None:  # a concurrent failure from this client made it wait meanwhile
        return AuthResult(False, None, "locked", _seconds(locked, now))
    if needs_rehash(password_hash):
        acc.set_password_hash(engine, uname, uname, hash_password(password), None)
    return AuthResult(True, _scope_of(user), "ok")


def _rule(client: str):
    return lambda attempts, at: throttle(attempts, client, at)


def _failed(engine: Engine, uname: str, now: dt.datetime, client: str) -> AuthResult:
    locked = acc.record_attempt(engine, uname, False, now, _rule(client), client=client, history=KNOWN_FOR)
    if locked is not None:
        return AuthResult(False, None, "locked", _seconds(locked, now))
    return AuthResult(False, None, "bad_credentials")


# ---------------------------------------------------------------- demo mode

def demo_mode(engine: Engine) -> bool:
    """True when the database holds the demo bank loaded by the app (setting ``demo_mode``)."""
    return is_demo(engine)


def demo_signin_available(engine: Engine) -> bool:
    """Demo mode and no active non-demo director account yet."""
    return demo_mode(engine) and not acc.active_director_exists(engine, include_demo=False)


def _demo_rows(engine: Engine) -> list[dict]:
    roster = [r for r in acc.roster_entries(engine) if r["active"]]
    rows = [{"username": DEMO_USERNAMES["director"], "display_name": "演示行长 Demo director", "role": "director"}]
    if not roster:
        return rows
    teams = sorted({r["team"] for r in roster})
    team = DEMO_TEAM if DEMO_TEAM in teams else teams[0]
    members = [r for r in roster if r["team"] == team]
    lead = next((r for r in members if r["grade"] == DEMO_LEAD_GRADE), None)
    rest = [r for r in members if lead is None or r["employee_id"] != lead["employee_id"]] or \
        [r for r in roster if lead is None or r["employee_id"] != lead["employee_id"]]
    manager = next((r for r in rest if r["employee_id"] == DEMO_MANAGER_ID), None) \
        or next((r for r in rest if r["grade"] != DEMO_LEAD_GRADE), None) or (rest[0] if rest else None)
    rows.append({"username": DEMO_USERNAMES["team_lead"],
                 "display_name": f"{lead['name']}(演示团队长 Demo team lead)" if lead else "演示团队长 Demo team lead",
                 "role": "team_lead", "team": team, "employee_id": lead["employee_id"] if lead else None})
    if manager is not None:
        rows.append({"username": DEMO_USERNAMES["manager"],
                     "display_name": f"{manager['name']}(演示客户经理 Demo manager)", "role": "manager",
                     "team": manager["team"], "employee_id": manager["employee_id"]})
    return rows


def ensure_demo_accounts(engine: Engine) -> list[str]:
    """Create the demo accounts that are missing (idempotent); returns the usernames created.

    demo_director: a director. demo_lead: team lead of 对公一队 (else the first team), linked to the team's
    first 高级客户经理 when there is one. demo_manager: CM002 if on that team, else the team's first other manager.
    None of them has a password: they sign in only with the demo buttons, and only while demo sign-in is
    available.
    """
    return acc.insert_demo_users(engine, _demo_rows(engine))


def demo_accounts(engine: Engine) -> dict[str, dict]:
    """role → demo account (public columns) for the demo accounts that exist."""
    out = {}
    for role, uname in DEMO_USERNAMES.items():
        user = acc.get_user(engine, uname)
        if user is not None and user["is_demo"]:
            out[role] = user
    return out


def demo_signin(engine: Engine, role: str, now: dt.datetime | None = None) -> Scope:
    """Sign in as the demo account of `role`; AuthError when demo sign-in is not available."""
    if role not in DEMO_USERNAMES:
        raise AppError("auth.role_invalid", role=role, roles=", ".join(ROLES))
    if not demo_signin_available(engine):
        raise AppError("auth.demo_disabled")
    ensure_demo_accounts(engine)
    user = acc.get_user(engine, DEMO_USERNAMES[role])
    if user is None or not user["is_demo"] or not _usable(engine, user):
        raise AppError("auth.demo_role_missing")
    acc.record_login(engine, user["username"], now or _now(), {"method": "demo"})
    return _scope_of(user)
