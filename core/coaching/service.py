"""The scoped coaching services the pages and the CLI call: read from the store, then evaluate.

The peer medians need the whole team or branch, so the logs of *all* managers are read with an internal
director scope (:func:`core.scope.internal`) inside core only; what is returned is filtered to what the
caller's scope may see (a team lead: his team; a manager: himself).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd

from core import calendar as cal
from core.coaching.engine import Inputs, evaluate_week, horizon_of, with_history
from core.coaching.evidence import flag_series
from core.coaching.flags import Flag, apply_acks
from core.coaching.followup import follow_up_status, follow_up_weeks, overdue_mask
from core.coaching.praise import IMPROVEMENT_COLUMNS, improvements
from core.coaching.rules_yaml import Rules, default_rules_text, load_rules
from core.coaching.sessions import read_acks
from core.convert import as_date
from core.errors import AppError
from core.scope import internal
from core.store import coaching as store_coaching
from core.store import config as store_config
from core.store import logs as store_logs

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- the rules in force

def _stored_text(engine) -> str | None:
    stored = store_coaching.read_rules_text(engine)
    return stored if stored and stored.strip() else None


def rules_stored(engine) -> bool:
    """True when a director has stored rules (else the documented defaults are in force)."""
    return _stored_text(engine) is not None


def active_rules_text(engine) -> str:
    """The rules text in force: setting ``coaching_rules`` if stored, else the sample file."""
    return _stored_text(engine) or default_rules_text()


def active_rules(engine) -> Rules:
    """The rules in force. A stored text that no longer validates falls back to the defaults (and is logged)."""
    try:
        return load_rules(active_rules_text(engine))
    except AppError as exc:
        log.error("stored coaching rules are invalid, using defaults: %s", exc)
        return load_rules(default_rules_text())


def save_rules(engine, scope, text: str) -> Rules:
    """Validate and store the coaching rules text (director only). Returns the Rules.

    Raises AppError ``coaching.rules.invalid`` (nothing stored) when the text is not valid.
    """
    scope.require_director()
    rules = load_rules(text)
    store_coaching.write_rules_text(engine, scope, text)
    return rules


def reset_rules(engine, scope) -> Rules:
    """Store the default rules text again (director only)."""
    return save_rules(engine, scope, default_rules_text())


# ---------------------------------------------------------------- flags of a week

@dataclass
class Review:
    """Everything the coaching page shows for one week, already filtered to the caller's scope."""
    week: str
    as_of: dt.date
    flags: list[Flag]
    series: dict = field(default_factory=dict)          # (employee_id, rule_id) -> DataFrame (flag_series)
    improved: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=IMPROVEMENT_COLUMNS))

    @property
    def active(self) -> list[Flag]:
        return [f for f in self.flags if f.active]

    @property
    def resolved(self) -> list[Flag]:
        return [f for f in self.flags if not f.active]


def default_as_of(week: str, today: dt.date | None = None) -> dt.date:
    """The horizon of a review: the week's Sunday, or today while the week is still running."""
    monday, sunday = cal.week_bounds(week)
    today = today or dt.date.today()
    return today if monday <= today <= sunday else sunday


def _load(engine, week: str, as_of, rules: Rules | None, history_weeks: int | None = None):
    """All managers' data (internal director scope: the peer medians need the whole branch)."""
    everyone = internal("system:coaching")
    rules = rules or active_rules(engine)
    monday, _, horizon = horizon_of(week, as_of)
    hw = rules.history_weeks if history_weeks is None else history_weeks
    # Enough history for every rule of every week evaluated: declining/busy look up to 13 weeks back,
    # front_loaded/month_end_spike up to two months back plus the carried-forward balance.
    start = min(monday - dt.timedelta(weeks=hw + 14), cal.month_bounds(cal.add_months(cal.month_key(
        monday - dt.timedelta(weeks=hw)), -3))[0])
    logs = store_logs.read_logs(engine, everyone, start=start, end=horizon)
    roster = store_logs.read_roster(engine, everyone)
    months = sorted({cal.month_key(start + dt.timedelta(days=d)) for d in range(0, (horizon - start).days + 1, 14)}
                    | {cal.month_key(horizon), cal.month_key(start)})
    targets = store_logs.read_targets(engine, everyone, months=months)
    overrides = store_config.calendar_overrides(engine)
    return Inputs(logs, roster, targets, rules, overrides, horizon), monday, horizon


def _visible(scope, employee_id: str, team: str, only_team: str | None) -> bool:
    return scope.can_see_manager(employee_id, team) and (only_team is None or team == only_team)


def flags_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                   as_of=None) -> list[Flag]:
    """This week's flags (with history and acknowledgements) for the managers `scope` may see.

    Only the flags of managers the caller's scope can see are returned, optionally narrowed to `team`.
    `as_of` defaults to :func:`default_as_of`.
    """
    as_of = default_as_of(week) if as_of is None else as_date(as_of)
    data, monday, horizon = _load(engine, week, as_of, rules)
    flags = [f for f in with_history(data, monday, horizon, data.rules.history_weeks)
             if _visible(scope, f.employee_id, f.team, team)]
    return apply_acks(flags, read_acks(engine, scope, week=week), week)


def review_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                    as_of=None, chart_weeks: int = 8) -> Review:
    """Flags plus evidence series and the praise list, for the coaching page (scoped like flags_for_week)."""
    as_of = default_as_of(week) if as_of is None else as_date(as_of)
    data, monday, horizon = _load(engine, week, as_of, rules)
    all_flags = with_history(data, monday, horizon, data.rules.history_weeks)
    flags = apply_acks([f for f in all_flags if _visible(scope, f.employee_id, f.team, team)],
                       read_acks(engine, scope, week=week), week)
    series = {f.key: flag_series(data, f, monday, horizon, chart_weeks) for f in flags if f.active}
    imp = improvements(data, monday, horizon, all_flags)
    keep = [_visible(scope, e, tm, team) for e, tm in zip(imp["employee_id"], imp["team"])]
    return Review(week=week, as_of=horizon, flags=flags, series=series,
                  improved=imp[keep].reset_index(drop=True) if len(imp) else imp)


# ---------------------------------------------------------------- did coaching work?

def fired_by_week(engine, weeks: list[str], today: dt.date, rules: Rules | None = None) -> dict[str, set]:
    """The (employee_id, rule_id) pairs firing in each of `weeks` (no history; weeks not over yet are cut at
    today; weeks after today are left out). For "did coaching work?"."""
    out: dict[str, set] = {}
    for wk in sorted(set(weeks)):
        monday, sunday = cal.week_bounds(wk)
        if monday > today:
            continue
        data, m, horizon = _load(engine, wk, min(sunday, today), rules, history_weeks=0)
        out[wk] = {f.key for f in evaluate_week(data, m, horizon)}
    return out


def session_review(engine, scope, today: dt.date, team: str | None = None, rules: Rules | None = None,
                   since: dt.date | None = None) -> pd.DataFrame:
    """Coaching sessions the caller may see, with ``status`` (did coaching work?) and ``overdue``."""
    sessions = store_coaching.read_sessions(engine, scope, team=team, start=since)
    if sessions.empty:
        return sessions.assign(status=pd.Series(dtype="object"), overdue=pd.Series(dtype="bool"))
    weeks = follow_up_weeks(sessions, today)
    fired = fired_by_week(engine, weeks, today, rules or active_rules(engine)) if weeks else {}
    return sessions.assign(status=follow_up_status(sessions, fired, today), overdue=overdue_mask(sessions, today))
