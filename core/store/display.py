"""Display links (the director's projector kiosk): every SQL statement about ``display_links``.

The rules (token making and hashing, who may create, how often an opening is audited) live in
:mod:`core.display`; this module stores and returns rows keyed by the token's hash (never the token).
Audit entries in the same transaction: ``display_create``, ``display_revoke``, ``display_open``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, or_, select, update

from core.store import tables as t
from core.store import write_begin
from core.store.audit import record

LINK_COLUMNS = ["id", "scope", "team", "label", "created_by", "created_at", "expires_at", "revoked_at",
                "revoked_by", "last_opened_at"]


def _row(row) -> dict:
    return {c: row[c] for c in LINK_COLUMNS}


def insert_link(engine: Engine, token_hash: str, scope: str, team: str | None, label: str, actor: str,
                at: dt.datetime, expires_at: dt.datetime | None) -> int:
    with write_begin(engine) as conn:
        lid = conn.execute(insert(t.display_links).values(
            token_hash=token_hash, scope=scope, team=team, label=label, created_by=actor, created_at=at,
            expires_at=expires_at)).inserted_primary_key[0]
        record(conn, actor, "display_create", label, {"link": int(lid), "scope": scope, "team": team,
                                                      "expires": expires_at.isoformat() if expires_at else None})
    return int(lid)


def get_by_hash(engine: Engine, token_hash: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.display_links).where(t.display_links.c.token_hash == token_hash)
                           ).mappings().first()
    return _row(row) if row is not None else None


def get_link(engine: Engine, link_id: int) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.display_links).where(t.display_links.c.id == link_id)).mappings().first()
    return _row(row) if row is not None else None


def list_links(engine: Engine) -> list[dict]:
    """Every display link, newest first (revoked and expired ones included)."""
    with engine.connect() as conn:
        rows = conn.execute(select(t.display_links).order_by(t.display_links.c.id.desc())).mappings().all()
    return [_row(r) for r in rows]


def revoke(engine: Engine, link_id: int, actor: str, at: dt.datetime) -> bool:
    """Revoke a link. Returns False when it was already revoked."""
    with write_begin(engine) as conn:
        n = conn.execute(update(t.display_links).where(t.display_links.c.id == link_id,
                                                       t.display_links.c.revoked_at.is_(None))
                         .values(revoked_at=at, revoked_by=actor)).rowcount
        if n:
            row = conn.execute(select(t.display_links.c.label).where(t.display_links.c.id == link_id)).first()
            record(conn, actor, "display_revoke", row[0] if row else None, {"link": int(link_id)})
    return bool(n)


def record_open(engine: Engine, link_id: int, at: dt.datetime, not_since: dt.datetime) -> bool:
    """Note that the link was opened and audit it — unless it was already noted at or after `not_since`
    (the compare-and-set keeps two kiosks refreshing at once from auditing twice). Returns True when audited."""
    with write_begin(engine) as conn:
        c = t.display_links.c
        n = conn.execute(update(t.display_links).where(c.id == link_id, or_(c.last_opened_at.is_(None),
                                                                            c.last_opened_at < not_since))
                         .values(last_opened_at=at)).rowcount
        if n:
            row = conn.execute(select(c.label, c.scope, c.team).where(c.id == link_id)).mappings().first()
            record(conn, "display", "display_open", row["label"] if row else None,
                   {"link": int(link_id), "scope": row["scope"] if row else None, "team": row["team"] if row else None})
    return bool(n)
