"""Settings (YAML text by key) and the bank's calendar overrides."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, select

from core.scope import Scope
from core.store import tables as t
from core.store import write_begin
from core.store.audit import now, record


def get_setting(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(t.settings.c.value).where(t.settings.c.key == key)).scalar()


def set_setting(engine: Engine, scope: Scope, key: str, value: str) -> None:
    """Store a setting (director only) and audit it."""
    scope.require("director")
    with write_begin(engine) as conn:
        conn.execute(delete(t.settings).where(t.settings.c.key == key))
        conn.execute(t.settings.insert().values(key=key, value=value, updated_by=scope.username, updated_at=now()))
        record(conn, scope.username, "setting", key, {"chars": len(value)})


def calendar_overrides(engine: Engine) -> dict[dt.date, bool]:
    with engine.connect() as conn:
        rows = conn.execute(select(t.calendar_overrides.c.date, t.calendar_overrides.c.workday)).all()
    return {r[0]: bool(r[1]) for r in rows}


def calendar_override_rows(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.calendar_overrides).order_by(t.calendar_overrides.c.date)).mappings()]


def set_calendar_override(engine: Engine, scope: Scope, day: dt.date, workday: bool | None, note: str = "") -> None:
    """Mark `day` a working day (True) or a day off (False); None removes the override. Director only."""
    scope.require("director")
    with write_begin(engine) as conn:
        conn.execute(delete(t.calendar_overrides).where(t.calendar_overrides.c.date == day))
        if workday is not None:
            conn.execute(t.calendar_overrides.insert().values(date=day, workday=bool(workday), note=note or None))
        record(conn, scope.username, "calendar", day.isoformat(), {"workday": workday, "note": note})
