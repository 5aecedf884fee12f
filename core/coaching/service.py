"""The scoped coaching services the pages and the CLI call: read from the store, then evaluate.

The peer medians need the whole team or branch, so the logs of *all* managers are read with an internal
director scope (:func:`core.scope.internal`) inside core only; what is returned is filtered to what the
caller's scope may see (a team lead: his team; a manager: himself).
"""
from __future__ import annotations

import copy
import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd

from core import calendar as cal
from core.coaching.engine import evaluate_keys, horizon_of, with_history
from core.coaching.evidence import flag_series
from core.coaching import memo
from core.coaching.flags import Flag, apply_acks
from core.coaching.followup import follow_up_status, follow_up_weeks, overdue_mask
from core.coaching.reads import StoreInputs
from core.coaching.shared import SharedReads
from core.coaching.praise import IMPROVEMENT_COLUMNS, improvements
from core.coaching.rules_yaml import Rules, default_rules_text, load_rules
from core.coaching.sessions import read_acks
from core.convert import as_date
from core.errors import AppError, ScopeError
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


_PARSED: dict[str, Rules] = {}         # rules text → its Rules (a text parses to the same Rules every time)
_PARSED_MAX = 8


def _parsed(text: str) -> Rules:
    """load_rules(text), parsed once per text (each page call reads the rules; the YAML checker is not free)."""
    got = _PARSED.get(text)
    if got is None:
        got = load_rules(text)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[text] = got
    return got


def active_rules(engine) -> Rules:
    """The rules in force. A stored text that no longer validates falls back to the defaults (and is logged)."""
    try:
        return _parsed(active_rules_text(engine))
    except AppError as exc:
        log.error("stored coaching rules are invalid, using defaults: %s", exc)
        return _parsed(default_rules_text())


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


def _window_start(monday: dt.date, history_weeks: int) -> dt.date:
    """The first day read for a review week: enough history for every rule of every week evaluated
    (declining/busy look up to 13 weeks back, front_loaded/month_end_spike up to two months back plus the
    carried-forward balance)."""
    return min(monday - dt.timedelta(weeks=history_weeks + 14), cal.month_bounds(cal.add_months(cal.month_key(
        monday - dt.timedelta(weeks=history_weeks)), -3))[0])


def _weeks_back(rules: Rules, chart_weeks: int = 8) -> int:
    """How many weeks before a judged week the weekly rules, the praise and the evidence charts look."""
    r = rules.rules
    return max(r["low_activity"]["weeks"], r["busy_not_converting"]["weeks"], r["declining"]["weeks"] + 1,
               chart_weeks, 2)


def _target_months(monday: dt.date, horizon: dt.date, history_weeks: int) -> list[str]:
    """The months whose targets the judged weeks use: each horizon's month and the month before it."""
    months = set()
    for k in range(history_weeks + 1):
        hz = horizon if k == 0 else monday - dt.timedelta(weeks=k) + dt.timedelta(days=6)
        months |= {cal.month_key(hz), cal.add_months(cal.month_key(hz), -1)}
    return sorted(months)


def _first_monday(rules: Rules, monday: dt.date, history_weeks: int, chart_weeks: int) -> dt.date:
    """The first week whose sums the evaluation of `monday` and its `history_weeks` reads."""
    return monday - dt.timedelta(weeks=history_weeks + _weeks_back(rules, chart_weeks))


def _inputs(engine, rules: Rules, overrides, roster, monday: dt.date, horizon: dt.date, history_weeks: int,
            chart_weeks: int = 8, start: dt.date | None = None, targets: pd.DataFrame | None = None,
            shared: SharedReads | None = None) -> StoreInputs:
    """The evaluation inputs of the week starting `monday` and the `history_weeks` before it, for all managers,
    from grouped reads (internal director scope: the peer medians need the whole branch). `targets` (covering
    the months of :func:`_target_months`) and `shared` reads come from the caller when it builds several."""
    everyone = internal("system:coaching")
    if targets is None:
        targets = store_logs.read_targets(engine, everyone, months=_target_months(monday, horizon, history_weeks))
    return StoreInputs(engine, everyone, roster, targets, rules, overrides, horizon,
                       first_monday=_first_monday(rules, monday, history_weeks, chart_weeks),
                       start=start or _window_start(monday, history_weeks), shared=shared)


def _load(engine, week: str, as_of, rules: Rules | None, history_weeks: int | None = None):
    """The evaluation inputs of a review week, for all managers."""
    rules = rules or active_rules(engine)
    monday, _, horizon = horizon_of(week, as_of)
    hw = rules.history_weeks if history_weeks is None else history_weeks
    roster = store_logs.read_roster(engine, internal("system:coaching"))
    data = _inputs(engine, rules, store_config.calendar_overrides(engine), roster, monday, horizon, hw,
                   chart_weeks=0)
    return data, monday, horizon


def _visible(scope, employee_id: str, team: str, only_team: str | None) -> bool:
    return scope.can_see_manager(employee_id, team) and (only_team is None or team == only_team)


def _evaluated(engine, week: str, as_of: dt.date, rules: Rules | None):
    """(every manager's flags with history, the praise list) of a review week — one evaluation per data version,
    shared by every scope and page (:mod:`core.coaching.memo`)."""
    rules = rules or active_rules(engine)

    def evaluate() -> tuple:
        data, monday, horizon = _load(engine, week, as_of, rules)
        all_flags = with_history(data, monday, horizon, data.rules.history_weeks)
        return all_flags, improvements(data, monday, horizon, all_flags)
    horizon = horizon_of(week, as_of)[2]
    return memo.shared(engine, ("review", week, horizon, memo.rules_key(rules)), evaluate)


def flags_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                   as_of=None) -> list[Flag]:
    """This week's flags (with history and acknowledgements) for the managers `scope` may see.

    Only the flags of managers the caller's scope can see are returned, optionally narrowed to `team`.
    `as_of` defaults to :func:`default_as_of`.
    """
    as_of = default_as_of(week) if as_of is None else as_date(as_of)
    all_flags, _ = _evaluated(engine, week, as_of, rules)
    flags = [copy.copy(f) for f in all_flags if _visible(scope, f.employee_id, f.team, team)]
    return apply_acks(flags, read_acks(engine, scope, week=week), week)


def review_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                    as_of=None) -> Review:
    """Flags and the praise list, for the coaching page (scoped like flags_for_week). The evidence of a flag is
    built when it is opened: :func:`flag_evidence`."""
    as_of = default_as_of(week) if as_of is None else as_date(as_of)
    all_flags, imp = _evaluated(engine, week, as_of, rules)
    horizon = horizon_of(week, as_of)[2]
    flags = apply_acks([copy.copy(f) for f in all_flags if _visible(scope, f.employee_id, f.team, team)],
                       read_acks(engine, scope, week=week), week)
    keep = pd.Series([_visible(scope, e, tm, team) for e, tm in zip(imp["employee_id"], imp["team"])],
                     index=imp.index, dtype=bool)
    return Review(week=week, as_of=horizon, flags=flags, improved=imp[keep].reset_index(drop=True))


def prepare_week(engine, week: str, today: dt.date) -> None:
    """Evaluate `week` as the pages will ask for it today — the review (周小结, 辅导) and the branch's "did coaching
    work?" — so that its first viewer reads the shared evaluation (:mod:`core.coaching.memo`) instead of waiting
    for it. Run in the background after stored data changes; a no-op when already evaluated."""
    everyone = internal("system:prepare")
    as_of = default_as_of(week, today)
    flags_for_week(engine, everyone, week, as_of=as_of)
    session_review(engine, everyone, today)


# ---------------------------------------------------------------- did coaching work?

def flag_evidence(engine, scope, week: str, flag: Flag, as_of=None, rules: Rules | None = None,
                  chart_weeks: int = 8) -> pd.DataFrame:
    """The evidence series of one flag (:func:`core.coaching.evidence.flag_series`: the manager's weekly series
    against the peer median over the last `chart_weeks` weeks, or the daily balance against its 日均), for the
    flag a person opens on the coaching page.

    Raises :class:`core.errors.ScopeError` when `scope` may not see the flag's manager (his team is read from the
    roster, not taken from the flag).
    """
    as_of = default_as_of(week) if as_of is None else as_date(as_of)
    rules = rules or active_rules(engine)
    monday, _, horizon = horizon_of(week, as_of)
    def inputs():
        roster = store_logs.read_roster(engine, internal("system:coaching"))
        # Balances carry from the same first day as in the week's review, so the chart shows the flag's numbers.
        return _inputs(engine, rules, store_config.calendar_overrides(engine), roster, monday, horizon, 0,
                       chart_weeks, start=_window_start(monday, rules.history_weeks))
    # every flag of the week opened by anyone reads the same inputs (the peer medians are the branch's)
    data = memo.shared(engine, ("evidence", week, horizon, chart_weeks, memo.rules_key(rules)), inputs)
    team = str(data.team.get(flag.employee_id, flag.team or ""))
    if not scope.can_see_manager(flag.employee_id, team):
        raise ScopeError("coaching.err.not_visible", employee_id=flag.employee_id)
    return flag_series(data, flag, monday, horizon, chart_weeks)


# ---------------------------------------------------------------- did coaching work?

def fired_by_week(engine, weeks: list[str], today: dt.date, rules: Rules | None = None,
                  rule_ids: dict[str, set] | None = None) -> dict[str, set]:
    """The (employee_id, rule_id) pairs firing in each of `weeks` (no history; weeks not over yet are cut at
    today; weeks after today are left out). For "did coaching work?".

    `rule_ids` (week → rule ids) limits each week to the rules asked about (the rules of the sessions due then).
    """
    rules = rules or active_rules(engine)
    asked = None if rule_ids is None else tuple(sorted((wk, tuple(sorted(r))) for wk, r in rule_ids.items()))
    return memo.shared(engine, ("fired", tuple(sorted(set(weeks))), today, memo.rules_key(rules), asked),
                       lambda: _fired_by_week(engine, weeks, today, rules, rule_ids))


def _fired_by_week(engine, weeks: list[str], today: dt.date, rules: Rules, rule_ids) -> dict[str, set]:
    todo = []
    for wk in sorted(set(weeks)):
        monday, sunday = cal.week_bounds(wk)
        if monday <= today:
            todo.append((wk, monday, min(sunday, today)))
    if not todo:
        return {}
    everyone = internal("system:coaching")
    roster = store_logs.read_roster(engine, everyone)
    overrides = store_config.calendar_overrides(engine)
    # Each week is judged on inputs of its own (its horizon, roster, lookback), all served from one set of reads:
    # the weeks' sums and marks over the span at once, the targets of every month, balances from the earliest
    # lookback (each Inputs keeps what its own would read).
    months = sorted({m for _, monday, horizon in todo for m in _target_months(monday, horizon, 0)})
    targets = store_logs.read_targets(engine, everyone, months=months)
    shared = SharedReads(engine, everyone, lookback=min(_window_start(monday, 0) for _, monday, _ in todo))
    shared.prefetch(min(_first_monday(rules, monday, 0, 0) for _, monday, _ in todo), todo[-1][1], todo[-1][2])
    return {wk: evaluate_keys(_inputs(engine, rules, overrides, roster, monday, horizon, 0, chart_weeks=0,
                                      targets=targets, shared=shared), monday,
                              horizon, None if rule_ids is None else rule_ids.get(wk, set()))
            for wk, monday, horizon in todo}


def session_review(engine, scope, today: dt.date, team: str | None = None, rules: Rules | None = None,
                   since: dt.date | None = None) -> pd.DataFrame:
    """Coaching sessions the caller may see, with ``status`` (did coaching work?) and ``overdue``."""
    sessions = store_coaching.read_sessions(engine, scope, team=team, start=since)
    if sessions.empty:
        return sessions.assign(status=pd.Series(dtype="object"), overdue=pd.Series(dtype="bool"))
    weeks = follow_up_weeks(sessions, today)
    asked: dict[str, set] = {}          # only the rules of the sessions due in each week are judged
    for d, rid in zip(sessions["follow_up"], sessions["rule_id"]):
        if rid and d is not None and not pd.isna(d) and as_date(d) <= today:
            asked.setdefault(cal.week_key(as_date(d)), set()).add(rid)
    fired = fired_by_week(engine, weeks, today, rules or active_rules(engine), rule_ids=asked) if weeks else {}
    return sessions.assign(status=follow_up_status(sessions, fired, today), overdue=overdue_mask(sessions, today))
