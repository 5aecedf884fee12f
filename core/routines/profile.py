"""客户经理画像 · one manager's page: who he is, his month against target and the straight pace line, what each
remaining working day needs, his last weeks per metric, his days with their notes, his coaching flags and log, and
his statement's payable — read with the caller's scope and computed in one call.

The scope check is here, not in the page: a manager opens only his own profile, a team lead his team's managers
(and himself), a director anyone (:meth:`core.scope.Scope.can_see_manager`); anyone else gets a bilingual
:class:`core.errors.ScopeError`. Pace, 完成率 and the daily need come from :func:`core.routines.progress.month_progress`
(on :mod:`core.measures`), the weekly target share from :func:`core.routines.weeks.week_target_share`, the flags and
the coaching log from :mod:`core.coaching`, the statement from :mod:`core.commission`.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core import coaching
from core import commission
from core import fmt
from core import measures
from core.convert import as_date
from core.errors import AppError, ScopeError
from core.i18n import norm_lang
from core.routines.mine import work_on
from core.routines.progress import month_progress, pace_table
from core.routines.weeks import week_target_share
from core.schema import TARGET_METRICS
from core.scope import Scope, internal
from core.store import config as store_config
from core.store.logs import read_logs, read_roster, read_targets

log = logging.getLogger("dashboard.profile")
WEEKS = 13                       # the weekly series: this ISO week and the 12 before it
COACHING_SINCE_DAYS = 183        # the coaching log: sessions of the last six months
DAY_COLUMNS = ["date", "is_workday", "logged", "visits", "new_customers", "deposits_new", "loans_new",
               "credit_cards", "mobile_banking", "wealth_sales", "fee_income", "complaints", "notes"]
WEEK_COLUMNS = ["week", "monday", "metric", "value", "week_target", "attainment"]


@dataclass
class Who:
    employee_id: str
    name: str
    team: str
    line: str | None
    grade: str                     # as the roster writes it
    grade_label: str               # in the page's language
    start_date: dt.date | None
    tenure_months: int | None      # whole months from the start date to as_of
    mentor_id: str | None
    mentor_name: str | None        # None when he has no mentor (or the mentor left the roster)
    active: bool = True


@dataclass
class StatementSummary:
    """The month's statement as the profile shows it; the full statement is the commission page."""
    period: str
    payable: Decimal
    gross: Decimal
    performance: Decimal
    deferred: Decimal
    pay_band: str | None
    lines: pd.DataFrame            # metric, quantity, target, amount (Decimal), how (text in the page's language)


@dataclass
class ProfileModel:
    """What the profile page draws. ``progress``: one row per target metric (columns of
    :func:`core.routines.progress.month_progress`); ``weekly``: WEEK_COLUMNS long per (week, metric); ``days``:
    DAY_COLUMNS, one row per working day up to as_of and per logged day off; ``flags`` is None when the coaching
    review failed; ``statement`` is None when it could not be computed (``statement_error`` says why)."""
    who: Who
    month: str
    as_of: dt.date
    week: str
    lang: str = "zh"
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)
    pace: pd.DataFrame = field(default_factory=pd.DataFrame)        # pace_table of his month (every metric)
    weekly: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WEEK_COLUMNS))
    days: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DAY_COLUMNS))
    flags: list | None = None
    flags_failed: bool = False
    sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    statement: StatementSummary | None = None
    statement_error: AppError | None = None
    workdays: dict = field(default_factory=dict)    # total, elapsed, left working days of the month
    work_on: list = field(default_factory=list)     # what to work on: flags' topics, then the daily need

    @property
    def targeted(self) -> pd.DataFrame:
        """Progress rows of the metrics that have a target this month."""
        p = self.progress
        return p[p["target"].notna()] if len(p) else p

    def pace_for(self, metric: str) -> pd.DataFrame:
        p = self.pace
        return p[p["metric"] == metric].reset_index(drop=True) if len(p) else p

    def weekly_for(self, metric: str) -> pd.DataFrame:
        w = self.weekly
        return w[w["metric"] == metric].reset_index(drop=True)

    @property
    def on_pace(self) -> tuple[int, int]:
        """(metrics ahead of or on pace, metrics with a target)."""
        tg = self.targeted
        return (int(tg["status"].isin(["ahead", "on_pace"]).sum()) if len(tg) else 0), len(tg)

    @property
    def time_elapsed(self) -> float:
        """时间进度 of the month at as_of (NaN for a month without working days)."""
        return measures.time_elapsed(self.workdays.get("elapsed", 0), self.workdays.get("total", 0))

    @property
    def logged_days(self) -> int:
        return int(self.days["logged"].sum()) if len(self.days) else 0

    @property
    def missing_days(self) -> int:
        d = self.days
        return int((d["is_workday"] & ~d["logged"]).sum()) if len(d) else 0


def visible_row(engine: Engine, scope: Scope, employee_id: str) -> dict:
    """The roster row of `employee_id` if `scope` may open his profile, else ScopeError (unknown IDs are refused
    the same way, so a manager cannot probe who exists)."""
    eid = str(employee_id or "").strip()
    roster = read_roster(engine, scope)
    row = roster[roster["employee_id"] == eid]
    if row.empty or not scope.can_see_manager(eid, row["team"].iat[0]):
        raise ScopeError("profile.not_visible", employee_id=eid or fmt.BLANK)
    return row.iloc[0].to_dict()


def profile_choices(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The managers whose profile `scope` may open (employee_id, name, team), active first, by team and ID."""
    roster = read_roster(engine, scope)
    keep = [scope.can_see_manager(e, tm) for e, tm in zip(roster["employee_id"], roster["team"])]
    r = roster[keep].sort_values(["active", "team", "employee_id"], ascending=[False, True, True], kind="stable")
    return r[["employee_id", "name", "team"]].reset_index(drop=True)


def _months_between(start: dt.date, end: dt.date) -> list[str]:
    out, m = [], cal.month_key(start)
    while m <= cal.month_key(end):
        out.append(m)
        m = cal.add_months(m, 1)
    return out


def _mentor_name(engine: Engine, mentor_id: str | None) -> str | None:
    """The mentor's name: he may sit in another team, so his roster row (his name only) is read with the system's
    scope."""
    if not mentor_id:
        return None
    roster = read_roster(engine, internal("system:profile"))
    hit = roster.loc[roster["employee_id"] == mentor_id, "name"]
    return str(hit.iat[0]) if len(hit) else None


def _who(engine: Engine, row: dict, as_of: dt.date, lang: str) -> Who:
    start = None if fmt.blank(row.get("start_date")) else as_date(row["start_date"])
    tenure = None
    if start is not None and start <= as_of:
        tenure = (as_of.year - start.year) * 12 + as_of.month - start.month - (1 if as_of.day < start.day else 0)
    raw = row.get("mentor_id")
    mentor_id = None if fmt.blank(raw) or not str(raw).strip() else str(raw).strip()
    return Who(employee_id=row["employee_id"], name=str(row["name"]), team=str(row["team"]),
               line=None if fmt.blank(row.get("line")) else str(row["line"]), grade=str(row["grade"]),
               grade_label=fmt.grade(row.get("grade"), lang), start_date=start, tenure_months=tenure,
               mentor_id=mentor_id, mentor_name=_mentor_name(engine, mentor_id), active=bool(row.get("active", True)))


def weekly_series(logs: pd.DataFrame, targets: pd.DataFrame, employee_id: str, last_week: str, weeks: int = WEEKS,
                  overrides=None, as_of=None) -> pd.DataFrame:
    """One manager's weekly totals per target metric for the `weeks` ISO weeks ending with `last_week` (cut at
    `as_of`), with each week's share of his monthly targets (:func:`week_target_share`) and the attainment of it.
    Columns WEEK_COLUMNS; a week without logs counts 0."""
    last_monday = cal.week_bounds(last_week)[0]
    mondays = [last_monday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    keys = [cal.week_key(m) for m in mondays]
    ms = list(TARGET_METRICS)
    own = logs[logs["employee_id"] == employee_id] if len(logs) else logs
    if as_of is not None and len(own):
        own = own[own["date"] <= pd.Timestamp(as_of)]
    if len(own):
        wd = own["date"].dt.weekday.to_numpy()
        monday = (own["date"] - pd.to_timedelta(wd, unit="D")).dt.date
        sums = own.assign(_m=monday.to_numpy()).groupby("_m")[ms].sum()
    else:
        sums = pd.DataFrame(columns=ms, dtype="float64")
    sums = sums.reindex(mondays).fillna(0.0)
    tg = targets[targets["employee_id"] == employee_id] if targets is not None and len(targets) else targets
    parts = []
    for m_day, wk in zip(mondays, keys):
        share = week_target_share(tg, wk, overrides, metrics=ms,
                                  as_of=as_of if as_of is not None and as_date(as_of) < m_day + dt.timedelta(6)
                                  else None) if tg is not None and len(tg) else None
        wt = share.set_index("metric")["week_target"] if share is not None and len(share) else pd.Series(dtype=float)
        vals = sums.loc[m_day, ms].to_numpy(dtype="float64")
        tgt = wt.reindex(ms).to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            att = np.where(tgt > 0, vals / np.where(tgt > 0, tgt, 1.0), np.nan)
        parts.append(pd.DataFrame({"week": wk, "monday": m_day, "metric": ms, "value": vals, "week_target": tgt,
                                   "attainment": att}))
    return pd.concat(parts, ignore_index=True)[WEEK_COLUMNS]


def month_days(logs: pd.DataFrame, employee_id: str, month: str, as_of: dt.date, overrides=None) -> pd.DataFrame:
    """His days of `month` up to `as_of`: every working day (logged or not) and every logged day off, newest first,
    with the day's figures and notes (DAY_COLUMNS)."""
    first, last = cal.month_bounds(month)
    end = min(as_of, last)
    own = logs[(logs["employee_id"] == employee_id) & (logs["date"] >= pd.Timestamp(first))
               & (logs["date"] <= pd.Timestamp(end))] if len(logs) else logs
    logged = {d.date(): i for i, d in zip(own.index, own["date"])} if len(own) else {}
    days = [first + dt.timedelta(days=k) for k in range((end - first).days + 1)] if end >= first else []
    rows = []
    for d in reversed(days):
        work = cal.is_workday(d, overrides)
        if not work and d not in logged:
            continue
        r = {"date": d, "is_workday": work, "logged": d in logged}
        src = own.loc[logged[d]] if d in logged else None
        for c in DAY_COLUMNS[3:-1]:
            r[c] = float(src[c]) if src is not None else np.nan
        note = "" if src is None or fmt.blank(src["notes"]) else str(src["notes"]).strip()
        r["notes"] = note
        rows.append(r)
    return pd.DataFrame(rows, columns=DAY_COLUMNS)


def _flags(engine: Engine, scope: Scope, week: str, as_of: dt.date, employee_id: str):
    try:
        flags = coaching.flags_for_week(engine, scope, week, as_of=as_of)
    except Exception:  # the flags are a side panel: a failure there must not take the profile down
        log.exception("coaching flags for %s failed", week)
        return None, True
    return [f for f in flags if f.employee_id == employee_id], False


def _sessions(engine: Engine, scope: Scope, employee_id: str, team: str, today: dt.date) -> pd.DataFrame:
    since = today - dt.timedelta(days=COACHING_SINCE_DAYS)
    s = coaching.session_review(engine, scope, today, team=team, since=since)
    return s[s["employee_id"] == employee_id].reset_index(drop=True)


def _statement(engine: Engine, scope: Scope, employee_id: str, month: str, lang: str):
    try:
        _pif, period = commission.period_in_force(engine, month)
        stmt = commission.statement(engine, scope, employee_id, period)
    except AppError as exc:        # no plan for the month, a plan problem...: the page says which
        return None, exc
    lines = pd.DataFrame([{"metric": ln.metric, "quantity": ln.quantity, "target": ln.target, "amount": ln.amount,
                           "how": ln.how(lang)} for ln in stmt.lines],
                         columns=["metric", "quantity", "target", "amount", "how"])
    return StatementSummary(period=stmt.period, payable=stmt.payable, gross=stmt.gross, performance=stmt.performance,
                            deferred=stmt.deferred, pay_band=stmt.pay_band, lines=lines), None


def profile_page(engine: Engine, scope: Scope, employee_id: str, month: str, lang: str = "zh",
                 overrides: dict | None = None, as_of=None, today: dt.date | None = None) -> ProfileModel:
    """Read and compute the profile of `employee_id` for `month` as `scope` sees it (ScopeError when he may not).

    `as_of` (the day the month runs to) defaults to the month's last day or `today`, whichever is first; the week
    of the flags and of the weekly series is the ISO week of as_of."""
    lang = norm_lang(lang)
    today = today or dt.date.today()
    month = cal.month_key(month)
    row = visible_row(engine, scope, employee_id)
    eid = row["employee_id"]
    overrides = store_config.calendar_overrides(engine) if overrides is None else overrides
    first, last = cal.month_bounds(month)
    as_of = min(last, today) if as_of is None else min(as_date(as_of), last)
    week = cal.week_key(max(as_of, first))
    start = min(first, cal.week_bounds(week)[0] - dt.timedelta(weeks=WEEKS - 1))
    logs = read_logs(engine, scope, start=start, end=last, employee_id=eid)
    targets = read_targets(engine, scope, months=_months_between(start, last), employee_id=eid)
    model = ProfileModel(who=_who(engine, row, as_of, lang), month=month, as_of=as_of, week=week, lang=lang)
    one = pd.DataFrame([row])
    prog = month_progress(logs, targets, one, month, as_of, overrides)
    model.progress = prog[prog["employee_id"] == eid].reset_index(drop=True)
    if len(model.progress):
        p0 = model.progress.iloc[0]
        model.workdays = {"total": int(p0["total_workdays"]), "elapsed": int(p0["elapsed_workdays"]),
                          "left": int(p0["workdays_left"])}
    model.pace = pace_table(logs, targets, month, as_of, overrides=overrides, employee_id=eid)
    model.weekly = weekly_series(logs, targets, eid, week, WEEKS, overrides, as_of=as_of)
    model.days = month_days(logs, eid, month, as_of, overrides)
    model.flags, model.flags_failed = _flags(engine, scope, week, as_of, eid)
    model.sessions = _sessions(engine, scope, eid, model.who.team, today)
    model.work_on = work_on(model.progress, [f for f in model.flags or [] if f.active], lang)
    model.statement, model.statement_error = _statement(engine, scope, eid, month, lang)
    return model
