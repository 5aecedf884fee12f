"""Display links: the director's projector kiosk for the 8:30 morning meeting, opened with no password.

A director creates a link (:func:`create`) for the whole branch or one team; the link carries a random 32-byte
token (``secrets.token_urlsafe``) and the database keeps only its sha256, so a leaked database copy opens no
screen. Opening ``/?display=TOKEN`` (:func:`open_link`) gives the link's read-only Scope
(:func:`core.scope.display_scope`: reads its branch or team, writes nothing) while the link is neither revoked
nor expired; anything else is ``None`` and the kiosk shows only a message. Creating and revoking are audited;
opening is audited at most once every :data:`OPEN_AUDIT_EVERY` per link (the kiosk refreshes every few minutes).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import Engine

from core.errors import AppError
from core.scope import Scope, display_scope
from core.store import accounts as store_accounts
from core.store import display as store_display

SCOPES = ("branch", "team")
DEFAULT_DAYS = 365                      # a link lasts a year unless revoked (or made with another length)
MAX_DAYS = 3650
OPEN_AUDIT_EVERY = dt.timedelta(hours=1)
TOKEN_BYTES = 32
LABEL_MAX = 100


@dataclass(frozen=True)
class Opened:
    link_id: int
    label: str
    team: str | None
    scope: Scope


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def status_of(link: dict, now: dt.datetime | None = None) -> str:
    """'active', 'revoked' or 'expired'."""
    now = now or _now()
    if link["revoked_at"] is not None:
        return "revoked"
    if link["expires_at"] is not None and now >= link["expires_at"]:
        return "expired"
    return "active"


def create(engine: Engine, actor: Scope, scope: str, label: str, team: str | None = None,
           days: int | None = DEFAULT_DAYS, now: dt.datetime | None = None) -> tuple[int, str]:
    """A new display link (directors only). Returns (id, token): the token is shown once, never stored."""
    actor.require_director()
    if scope not in SCOPES:
        raise AppError("display.bad_scope", scope=scope)
    label = (label or "").strip()
    if not label or len(label) > LABEL_MAX:
        raise AppError("display.bad_label", max=LABEL_MAX)
    team = (team or "").strip() or None
    if scope == "team":
        if team is None:
            raise AppError("display.team_needed")
        if not store_accounts.team_exists(engine, team):
            raise AppError("display.unknown_team", team=team)
    else:
        team = None
    if days is not None and not (1 <= int(days) <= MAX_DAYS):
        raise AppError("display.bad_days", max=MAX_DAYS)
    now = now or _now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + dt.timedelta(days=int(days)) if days is not None else None
    link_id = store_display.insert_link(engine, token_hash(token), scope, team, label, actor.username, now, expires)
    return link_id, token


def revoke(engine: Engine, actor: Scope, link_id: int, now: dt.datetime | None = None) -> bool:
    """Revoke a link (directors only); its screen shows only a message at its next refresh. False when it
    already was revoked; AppError when there is no such link."""
    actor.require_director()
    if store_display.get_link(engine, int(link_id)) is None:
        raise AppError("display.unknown_link", id=link_id)
    return store_display.revoke(engine, int(link_id), actor.username, now or _now())


def list_links(engine: Engine, actor: Scope, now: dt.datetime | None = None) -> list[dict]:
    """Every link with its status, newest first (directors only; tokens are not kept, so never shown)."""
    actor.require_director()
    now = now or _now()
    return [{**r, "status": status_of(r, now)} for r in store_display.list_links(engine)]


def open_link(engine: Engine, token: str | None, now: dt.datetime | None = None) -> Opened | None:
    """The read-only kiosk behind `token`, or None when it is unknown, revoked or expired."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or _now()
    link = store_display.get_by_hash(engine, token_hash(token))
    if link is None or status_of(link, now) != "active":
        return None
    store_display.record_open(engine, link["id"], now, now - OPEN_AUDIT_EVERY)
    return Opened(link["id"], link["label"], link["team"], display_scope(link["id"], link["team"]))


def still_open(engine: Engine, link_id: int, now: dt.datetime | None = None) -> bool:
    """Is the link still active (checked by the kiosk at every refresh, so a revoked screen goes blank)."""
    link = store_display.get_link(engine, int(link_id))
    return link is not None and status_of(link, now) == "active"


def link_url(base: str, token: str) -> str:
    """The address a projector opens: the app's base address with ``?display=TOKEN``."""
    parts = urlsplit(base or "http://localhost:8501")
    return urlunsplit((parts.scheme or "http", parts.netloc, "/", urlencode({"display": token}), ""))
