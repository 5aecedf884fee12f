"""All tables, in SQLAlchemy Core. The Alembic migrations in core/migrations create exactly these."""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, Numeric, String,
                        Table, Text)

from core.schema import FLOW_METRICS, METRICS

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
    Column("at", DateTime, nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
    # the client the attempt came from (address | user-agent digest, core.auth.client_id); migration 0004
    Column("client", String(64), nullable=True),
)

__all__ = ["metadata", "teams", "managers", "daily_logs", "targets", "imports", "import_changes", "users",
           "audit_log", "coaching_sessions", "flag_acks", "plans", "calendar_overrides", "settings",
           "login_attempts"]

# A director's forfeit (追索扣回) of part of a manager's unreleased risk reserve, e.g. after a loan he sold turned bad.
# It takes from the instalments not yet released in `month` (the month it was recorded), earliest due first;
# forfeited amounts are never released (core/commission/reserve.py).
reserve_forfeits = Table(
    "reserve_forfeits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employee_id", String(50), ForeignKey("managers.employee_id"), nullable=False, index=True),
    Column("month", String(7), nullable=False),            # 'YYYY-MM': instalments due from this month on
    Column("amount", AMOUNT, nullable=False),              # yuan, exact (read back with core.convert.dec)
    Column("reason", Text, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
__all__.append("reserve_forfeits")

# Pay lifecycle (issue 11, core/commission/lifecycle.py): settlement periods open → in review → closed, each closed
# period's statements frozen as JSON, adjustments (往期调整) paid in a later period, questions on statements and
# acknowledgements. Money in yuan, exact (AMOUNT, read back with core.convert.dec).
pay_periods = Table(
    "pay_periods", metadata,
    Column("period", String(10), primary_key=True),         # '2026-10' or '2026-Q3'
    Column("status", String(20), nullable=False),          # open | in_review | closed
    Column("review_until", Date, nullable=True),
    Column("closed_at", DateTime, nullable=True),
    Column("closed_by", String(100), nullable=True),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("note", Text, nullable=True),                   # the last reopen reason
)

pay_snapshots = Table(
    "pay_snapshots", metadata,
    Column("period", String(10), primary_key=True),
    Column("employee_id", String(50), primary_key=True),
    Column("team", String(100), nullable=True),
    Column("plan_id", Integer, nullable=True),              # NULL: the sample plan
    Column("plan_name", String(200), nullable=False),
    Column("payable", AMOUNT, nullable=False),              # without adjustments
    Column("deferred", AMOUNT, nullable=False),
    Column("fingerprint", String(64), nullable=False),      # sha256 of the source quantities, days, targets, grade
    Column("statement", Text, nullable=False),              # the statement as tagged JSON (lifecycle/snapshot.py)
    Column("closed_at", DateTime, nullable=False),
    Column("closed_by", String(100), nullable=False),
)

pay_adjustments = Table(
    "pay_adjustments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employee_id", String(50), nullable=False, index=True),
    Column("team", String(100), nullable=True),
    Column("paid_in", String(10), nullable=True),           # the period that pays it; NULL = the first open one
    Column("corrects", String(10), nullable=False),         # the closed period it corrects
    Column("amount", AMOUNT, nullable=False),               # yuan; negative = a recovery (追扣)
    Column("deferred", AMOUNT, nullable=False, default=0),  # change of the corrected period's deferred amount
    Column("reasons", Text, nullable=False),                # JSON list
    Column("kind", String(20), nullable=False),             # recomputed | manual
    Column("inquiry_id", Integer, nullable=True),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

pay_inquiries = Table(
    "pay_inquiries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employee_id", String(50), nullable=False, index=True),
    Column("team", String(100), nullable=True),
    Column("period", String(10), nullable=False),
    Column("line", String(40), nullable=True),              # a metric, or NULL for the statement as a whole
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),           # open | answered | explained | corrected
    Column("answer", Text, nullable=True),
    Column("raised_by", String(100), nullable=False),
    Column("raised_at", DateTime, nullable=False),
    Column("answered_by", String(100), nullable=True),
    Column("answered_at", DateTime, nullable=True),
    Column("adjustment_id", Integer, nullable=True),
)

pay_acks = Table(
    "pay_acks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),             # statement | plan
    Column("employee_id", String(50), nullable=False),
    Column("subject", String(100), nullable=False),         # the period, or the plan version's key
    Column("username", String(100), nullable=False),
    Column("at", DateTime, nullable=False),
)
__all__ += ["pay_periods", "pay_snapshots", "pay_adjustments", "pay_inquiries", "pay_acks"]

# Group robots (企业微信 / 钉钉 webhooks) and what was posted to them (core/notify). The URL carries the robot's key
# and DingTalk's signing secret signs every post: both stay server-side and are only ever shown masked.
# The roster's optional mobile number (手机号) lets a reminder @-mention a manager; appended here with this feature.
managers.append_column(Column("mobile", String(20), nullable=True))

notify_webhooks = Table(
    "notify_webhooks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),         # wecom | dingtalk
    Column("url", Text, nullable=False),
    Column("secret", String(200), nullable=True),          # DingTalk 加签 secret (SEC...), never shown in full
    Column("team", String(100), nullable=True),            # NULL = the whole branch
    Column("label", String(100), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

notify_deliveries = Table(
    "notify_deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, nullable=False, index=True),   # kept after the webhook is removed
    Column("target", String(300), nullable=False),         # platform, label and masked URL at the time
    Column("kind", String(20), nullable=False),            # morning | reminder | alert | test
    Column("summary", Text, nullable=False),               # what: the message's title line
    Column("at", DateTime, nullable=False, index=True),
    Column("ok", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("http_status", Integer, nullable=True),
    Column("errcode", Integer, nullable=True),
    Column("answer", Text, nullable=True),                 # the platform's answer (or the network error), cut short
    Column("username", String(100), nullable=False),
)

# One row per alert episode posted: (robot, manager, rule, first week of the run of weeks); last_week moves on
# while the flag continues, so a flag is posted once and not again every week it continues.
notify_sent_alerts = Table(
    "notify_sent_alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, nullable=False),
    Column("employee_id", String(50), nullable=False),
    Column("rule_id", String(40), nullable=False),
    Column("since_week", String(8), nullable=False),
    Column("last_week", String(8), nullable=False),
    Column("sent_at", DateTime, nullable=False),
    Index("ix_notify_sent_alerts_key", "webhook_id", "employee_id", "rule_id"),
)
__all__ += ["notify_webhooks", "notify_deliveries", "notify_sent_alerts"]

# Saved upload column mappings (core/ingest/mappings.py): a header the schema does not know, as core.schema folds
# it (split_header), read as a canonical field or "ignore" — for one team (team set) or the whole branch (NULL).
column_mappings = Table(
    "column_mappings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),            # daily | roster | targets
    Column("team", String(100), nullable=True),            # NULL = branch-wide
    Column("header", String(200), nullable=False),         # folded (core.schema.split_header)
    Column("header_text", String(200), nullable=False),    # as written when it was saved
    Column("field", String(40), nullable=False),           # a canonical field name, or "ignore"
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_column_mappings_key", "kind", "header"),
)
__all__.append("column_mappings")

# Server-side sign-in sessions (core/sessions.py) and the director's display links for the projector
# (core/display.py): only the sha256 of each random token is stored, never the token itself. Migration 0008.
sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),   # sha256 hex of the cookie's token
    Column("username", String(100), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),        # the absolute end (created + the maximum age)
    Column("user_agent", String(300), nullable=True),
    Column("method", String(20), nullable=True),           # password | sso | demo
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_reason", String(30), nullable=True),   # sign_out | sign_out_all | password | disabled
)

display_links = Table(
    "display_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),   # sha256 hex of the link's token
    Column("scope", String(10), nullable=False),            # branch | team
    Column("team", String(100), nullable=True),             # the team of a team-scope link
    Column("label", String(100), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=True),          # NULL: until revoked
    Column("revoked_at", DateTime, nullable=True),
    Column("revoked_by", String(100), nullable=True),
    Column("last_opened_at", DateTime, nullable=True),      # audited at most once an hour (core/display.py)
)
__all__ += ["sessions", "display_links"]

# Aggregates the database keeps (issue 12, core/store/rollup_sql.py): per manager × ISO week (its Monday) and per
# manager × month ('YYYY-MM'), recomputed from daily_logs in the same transaction as every write to daily_logs
# (imports and undo), so they are never stale. Flows are sums (0 when nothing logged); logged_days counts the
# stored daily rows; days_<m> the days with <m> > 0 (deposits, loans, wealth sales: the funnel's sales days).
# 日均 inputs: balance_days (days with a deposit_balance), balance_sum (their sum, NULL when none), the period's
# last logged balance and its date (a balance carries forward to the days after it). No foreign key to managers:
# the rows are derived and deleted with the logs they come from; `employee_id` is the distribution column on Citus.
ROLLUP_POSITIVE_DAYS = ("deposits_new", "loans_new", "wealth_sales")


def _rollup_columns() -> list:
    return [*[Column(m, AMOUNT, nullable=False) for m in FLOW_METRICS],
            Column("logged_days", Integer, nullable=False),
            *[Column(f"days_{m}", Integer, nullable=False) for m in ROLLUP_POSITIVE_DAYS],
            Column("balance_days", Integer, nullable=False),
            Column("balance_sum", AMOUNT, nullable=True),
            Column("last_balance", AMOUNT, nullable=True),
            Column("last_balance_date", Date, nullable=True)]


week_rollups = Table(
    "week_rollups", metadata,
    Column("employee_id", String(50), primary_key=True),
    Column("week_start", Date, primary_key=True),          # the ISO week's Monday
    *_rollup_columns(),
    Index("ix_week_rollups_week_start", "week_start"),
)

month_rollups = Table(
    "month_rollups", metadata,
    Column("employee_id", String(50), primary_key=True),
    Column("month", String(7), primary_key=True),          # 'YYYY-MM'
    *_rollup_columns(),
    Index("ix_month_rollups_month", "month"),
)
__all__ += ["week_rollups", "month_rollups", "ROLLUP_POSITIVE_DAYS"]
