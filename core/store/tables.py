"""All tables, in SQLAlchemy Core. The Alembic migrations in core/migrations create exactly these."""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, String,
                        Table, Text)

from core.schema import METRICS

metadata = MetaData()

teams = Table(
    "teams", metadata,
    Column("name", String(100), primary_key=True),
    Column("line", String(20), nullable=True),          # corporate | retail
)

managers = Table(
    "managers", metadata,
    Column("employee_id", String(50), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("team", String(100), ForeignKey("teams.name"), nullable=False),
    Column("line", String(20), nullable=False),
    Column("grade", String(50), nullable=False),
    Column("start_date", Date, nullable=True),
    Column("mentor_id", String(50), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("import_id", Integer, nullable=True),
)

# Amounts and counts that feed pay: exact decimals in the database (NUMERIC(20, 6): 1e-6 of a 万元 is 0.01 yuan /
# 100), read as floats for the analytics frames (asdecimal=False); the commission engine turns each stored value
# back into the exact decimal with core.convert.dec (shortest repr: exact for up to 15 significant digits).
AMOUNT = Numeric(20, 6, asdecimal=False)
AMOUNT_DECIMALS = 6

daily_logs = Table(
    "daily_logs", metadata,
    Column("employee_id", String(50), ForeignKey("managers.employee_id"), primary_key=True),
    Column("date", Date, primary_key=True),
    *[Column(m, AMOUNT, nullable=True) for m in METRICS],
    Column("notes", Text, nullable=True),
    Column("import_id", Integer, nullable=True),
    Index("ix_daily_logs_date", "date"),
)

targets = Table(
    "targets", metadata,
    Column("month", String(7), primary_key=True),          # YYYY-MM
    Column("employee_id", String(50), ForeignKey("managers.employee_id"), primary_key=True),
    Column("metric", String(40), primary_key=True),
    Column("value", AMOUNT, nullable=False),
    Column("import_id", Integer, nullable=True),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),           # daily | roster | targets | demo
    Column("filename", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("username", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),         # done | undone
    Column("undone_at", DateTime, nullable=True),
    Column("undone_by", String(100), nullable=True),
    Column("team", String(100), nullable=True),           # the uploader's team, for scoping the history
)

# One row per key an import touched, with the values before (NULL = the key did not exist) and after,
# so that an import can be undone exactly.
import_changes = Table(
    "import_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False, index=True),
    Column("table_name", String(40), nullable=False),
    Column("row_key", Text, nullable=False),               # JSON of the primary key
    Column("before", Text, nullable=True),                 # JSON of the full row before, NULL if inserted
    Column("after", Text, nullable=True),                  # JSON of the changed row after (updates only)
)

users = Table(
    "users", metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(300), nullable=True),   # NULL for SSO-only accounts
    Column("role", String(20), nullable=False),            # director | team_lead | manager
    Column("team", String(100), nullable=True),
    Column("employee_id", String(50), nullable=True),
    Column("email", String(200), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime, nullable=True),
    Column("last_login", DateTime, nullable=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(100), nullable=False),
    Column("action", String(50), nullable=False),          # import | undo | targets | plan_activate | user_* ...
    Column("target", String(200), nullable=True),
    Column("detail", Text, nullable=True),                 # JSON
)

coaching_sessions = Table(
    "coaching_sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("date", Date, nullable=False),
    Column("coach", String(100), nullable=False),
    Column("employee_id", String(50), ForeignKey("managers.employee_id"), nullable=False, index=True),
    Column("topic", String(200), nullable=False),
    Column("rule_id", String(40), nullable=True),
    Column("actions", Text, nullable=True),
    Column("follow_up", Date, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

flag_acks = Table(
    "flag_acks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employee_id", String(50), ForeignKey("managers.employee_id"), nullable=False),
    Column("rule_id", String(40), nullable=False),
    Column("week", String(8), nullable=False),             # ISO week acknowledged, e.g. 2026-W44
    Column("until_week", String(8), nullable=True),        # silence until this week (inclusive)
    Column("note", Text, nullable=False),
    Column("username", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
)

plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("body", Text, nullable=False),                  # the plan YAML as uploaded
    Column("active", Boolean, nullable=False, default=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("activated_by", String(100), nullable=True),
    Column("activated_at", DateTime, nullable=True),
)

calendar_overrides = Table(
    "calendar_overrides", metadata,
    Column("date", Date, primary_key=True),
    Column("workday", Boolean, nullable=False),            # True = working day, False = day off
    Column("note", String(200), nullable=True),
)

# Key/value configuration stored as text (YAML): coaching rules, upload limits, ranking size...
settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_by", String(100), nullable=True),
    Column("updated_at", DateTime, nullable=True),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
)

__all__ = ["metadata", "teams", "managers", "daily_logs", "targets", "imports", "import_changes", "users",
           "audit_log", "coaching_sessions", "flag_acks", "plans", "calendar_overrides", "settings",
           "login_attempts"]
