"""SQL of the group robots (core/notify): webhooks, deliveries, sent alerts, and the roster's mobile numbers.

Only SQL: validation, masking and the platforms' rules live in :mod:`core.notify`. Writes of the configuration
(add/remove a webhook) are the director's (``Scope.require_director``) and audited; deliveries and sent alerts
are written by the sender (the CLI's cron job, or a director's "send test").
"""
from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select, update

from core.errors import AppError
from core.scope import Scope
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record

ANSWER_CHARS = 1000           # the platform's answer is kept up to this many characters


def add_webhook(engine: Engine, scope: Scope, platform: str, url: str, secret: str | None, team: str | None,
                label: str, audit_target: str) -> int:
    """Store a webhook (director only); `audit_target` is the masked URL written to the audit trail."""
    scope.require_director()
    with write_begin(engine) as conn:
        if team is not None and conn.execute(select(t.teams.c.name).where(t.teams.c.name == team)).first() is None:
            raise AppError("notify.unknown_team", team=team)
        wid = conn.execute(insert(t.notify_webhooks).values(
            platform=platform, url=url, secret=secret, team=team, label=label, created_by=scope.username,
            created_at=now())).inserted_primary_key[0]
        record(conn, scope.username, "webhook_add", audit_target, {"id": wid, "platform": platform, "team": team})
    return int(wid)


def remove_webhook(engine: Engine, scope: Scope, webhook_id: int) -> dict:
    """Delete a webhook (director only); its deliveries stay. Raises notify.no_webhook when unknown."""
    scope.require_director()
    with write_begin(engine) as conn:
        row = conn.execute(select(t.notify_webhooks).where(t.notify_webhooks.c.id == webhook_id)).mappings().first()
        if row is None:
            raise AppError("notify.no_webhook", id=webhook_id)
        conn.execute(delete(t.notify_sent_alerts).where(t.notify_sent_alerts.c.webhook_id == webhook_id))
        conn.execute(delete(t.notify_webhooks).where(t.notify_webhooks.c.id == webhook_id))
        record(conn, scope.username, "webhook_remove", row["label"], {"id": webhook_id, "platform": row["platform"]})
    return dict(row)


def list_webhooks(engine: Engine, team: str | None = None) -> list[dict]:
    """Every webhook (with URL and secret: callers mask them), ordered by id; `team` narrows to that team's."""
    q = select(t.notify_webhooks).order_by(t.notify_webhooks.c.id)
    if team is not None:
        q = q.where(t.notify_webhooks.c.team == team)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def get_webhook(engine: Engine, webhook_id: int) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(t.notify_webhooks).where(t.notify_webhooks.c.id == webhook_id)).mappings().first()
    if row is None:
        raise AppError("notify.no_webhook", id=webhook_id)
    return dict(row)


def record_delivery(engine: Engine, webhook_id: int, target: str, kind: str, summary: str, ok: bool, attempts: int,
                    http_status: int | None, errcode: int | None, answer: str | None, username: str) -> int:
    with write_begin(engine) as conn:
        return int(conn.execute(insert(t.notify_deliveries).values(
            webhook_id=webhook_id, target=target[:300], kind=kind, summary=summary, at=now(), ok=ok,
            attempts=attempts, http_status=http_status, errcode=errcode,
            answer=None if answer is None else answer[:ANSWER_CHARS], username=username)).inserted_primary_key[0])


def list_deliveries(engine: Engine, limit: int = 50, failed_only: bool = False) -> list[dict]:
    """The latest deliveries, newest first."""
    q = select(t.notify_deliveries).order_by(t.notify_deliveries.c.id.desc()).limit(limit)
    if failed_only:
        q = q.where(t.notify_deliveries.c.ok.is_(False))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def sent_alerts(engine: Engine, webhook_id: int) -> list[dict]:
    """The alert episodes already posted to this webhook."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.notify_sent_alerts)
                                              .where(t.notify_sent_alerts.c.webhook_id == webhook_id)).mappings()]


def mark_alerts(engine: Engine, webhook_id: int, new: list[tuple[str, str, str]], seen: list[int],
                week: str) -> None:
    """Insert posted episodes `new` [(employee_id, rule_id, since_week)] and move `seen` rows' last_week to `week`."""
    at = now()
    with write_begin(engine) as conn:
        for eid, rid, since in new:
            conn.execute(insert(t.notify_sent_alerts).values(webhook_id=webhook_id, employee_id=eid, rule_id=rid,
                                                             since_week=since, last_week=week, sent_at=at))
        if seen:
            conn.execute(update(t.notify_sent_alerts).where(t.notify_sent_alerts.c.id.in_(seen))
                         .values(last_week=week))


def mobiles(engine: Engine, scope: Scope) -> dict[str, str]:
    """employee_id → mobile number, for the roster entries `scope` may see that have one."""
    team, eid = scope.row_filter()
    q = select(t.managers.c.employee_id, t.managers.c.mobile, t.managers.c.team).where(t.managers.c.mobile.is_not(None))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return {r[0]: r[1] for r in rows if (team is None and eid is None) or r[2] == team or r[0] == eid}

