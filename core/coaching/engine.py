"""Evaluating the rules: the inputs prepared once per call, the rule table run per week, the flags' history.

:func:`evaluate` is pure (DataFrames in, flags out). :class:`Inputs` holds what every rule shares — the active
roster with peer groups, the daily logs with weekly totals, the targets, cached sums and working days — for
every week one call evaluates (the review week and its history weeks).
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from core import calendar as cal
from core import fmt
from core import measures
from core.coaching.flags import Flag, sort_flags
from core.coaching.rules import RULES, Hit, Rule
from core.coaching.rules_yaml import Rules
from core.convert import as_date
from core.errors import AppError
from core.i18n import t
from core.schema import FLOW_METRICS, METRICS, TARGET_METRICS

_BRANCH = "\x00branch"


class Inputs:
    """The inputs of one evaluation, prepared once for every week it judges (up to `horizon`)."""

    def __init__(self, logs: pd.DataFrame, roster: pd.DataFrame, targets: pd.DataFrame, rules: Rules,
                 overrides, horizon: dt.date):
        self.rules = rules
        self.ov = overrides or None
        self.horizon = horizon
        r = roster.copy() if roster is not None else pd.DataFrame()
        for c in ("employee_id", "name", "team", "start_date", "mentor_id", "active"):
            if c not in r:
                r[c] = None if c != "active" else True
        r["employee_id"] = r["employee_id"].astype(str)
        r["active"] = r["active"].fillna(True).astype(bool)
        r = r[r["active"]].drop_duplicates("employee_id", keep="last")
        r["start"] = pd.to_datetime(r["start_date"], errors="coerce")
        r = r[r["start"].isna() | (r["start"] <= pd.Timestamp(horizon))]
        self.all_ids = set(r["employee_id"])
        self.roster = r.set_index("employee_id")
        self.ids = self.roster.index
        self.team = self.roster["team"].fillna("").astype(str)
        sizes = self.team.map(self.team.value_counts())
        self.big_team = sizes >= rules.peer_group_min_size
        self.group = self.team.where(self.big_team, _BRANCH)
        self._init_targets(targets)
        self._wd_cache: dict = {}
        self._wide: dict = {}
        self._sums: dict = {}
        self._monthly: dict = {}
        self._init_logs(logs)

    def _init_logs(self, logs: pd.DataFrame | None) -> None:
        """The daily rows (in memory: the pure :func:`evaluate`) and their weekly totals."""
        horizon = self.horizon
        lg = logs if logs is not None else pd.DataFrame()
        lg = lg.reindex(columns=["employee_id", "date", *METRICS, "notes"]).copy()
        lg["employee_id"] = lg["employee_id"].astype(str)
        lg["date"] = pd.to_datetime(lg["date"]).dt.normalize()
        lg = lg[lg["employee_id"].isin(self.all_ids) & (lg["date"] <= pd.Timestamp(horizon))]
        for m in FLOW_METRICS:
            lg[m] = pd.to_numeric(lg[m], errors="coerce").fillna(0.0).astype("float64")
        lg["deposit_balance"] = pd.to_numeric(lg["deposit_balance"], errors="coerce").astype("float64")
        notes_blank = lg["notes"].isna() | (lg["notes"].astype(str).str.strip() == "")
        lg["empty"] = (lg[list(FLOW_METRICS)] == 0).all(axis=1) & lg["deposit_balance"].isna() & notes_blank
        lg["monday"] = lg["date"] - pd.to_timedelta(lg["date"].dt.weekday, unit="D")
        self.logs = lg.reset_index(drop=True)
        wk = lg.groupby(["employee_id", "monday"])[list(FLOW_METRICS)].sum()
        wk["logged_days"] = lg.groupby(["employee_id", "monday"]).size()
        self.wk = wk

    def _init_targets(self, targets: pd.DataFrame | None) -> None:
        tg = targets if targets is not None else pd.DataFrame()
        tg = tg.reindex(columns=["month", "employee_id", "metric", "value"]).copy()
        tg["employee_id"] = tg["employee_id"].astype(str)
        tg["value"] = pd.to_numeric(tg["value"], errors="coerce")
        self.targets = tg[(tg["value"] > 0) & tg["employee_id"].isin(self.all_ids)
                          & tg["metric"].isin(TARGET_METRICS)].reset_index(drop=True)

    # ---------------------------------------------------------------- who
    def name(self, eid: str) -> str:
        n = self.roster.at[eid, "name"]
        return str(n) if n is not None and n == n else eid

    def employed(self, monday: dt.date) -> pd.Series:
        """Managers employed for the whole week starting `monday` (bool by employee_id)."""
        s = self.roster["start"]
        return s.isna() | (s <= pd.Timestamp(monday))

    def peer_median(self, values: pd.Series) -> pd.Series:
        """For each manager, the median of `values` over his peer group (NaN values are not in the group)."""
        values = values.reindex(self.ids)
        valid = values.dropna()
        team_med = valid.groupby(self.team.reindex(valid.index)).median()
        branch_med = valid.median() if len(valid) else np.nan
        out = self.team.map(team_med).where(self.big_team, branch_med)
        return out.astype("float64")

    # ---------------------------------------------------------------- when
    def workdays(self, a: dt.date, b: dt.date) -> list[dt.date]:
        key = (a, b)
        if key not in self._wd_cache:
            self._wd_cache[key] = cal.workdays(a, b, self.ov)
        return self._wd_cache[key]

    def week_workdays(self, monday: dt.date, horizon: dt.date) -> int:
        return len(self.workdays(monday, min(monday + dt.timedelta(days=6), horizon)))

    @staticmethod
    def last_complete_month(horizon: dt.date) -> str:
        month = cal.month_key(horizon)
        return month if horizon >= cal.month_bounds(month)[1] else cal.add_months(month, -1)

    def spike_month(self, horizon: dt.date) -> tuple[str, dt.date, list[dt.date]] | None:
        """The latest month whose `workdays_after` working days after its last working day are ≤ horizon."""
        n = self.rules.rules["month_end_spike"]["workdays_after"]
        month = cal.month_key(horizon)
        for _ in range(3):
            days = cal.month_workdays(month, self.ov)
            if days:
                last_wd = days[-1]
                after = self.workdays(last_wd + dt.timedelta(days=1), last_wd + dt.timedelta(days=45))[:n]
                if len(after) == n and after[-1] <= horizon:
                    return month, last_wd, after
            month = cal.add_months(month, -1)
        return None

    # ---------------------------------------------------------------- how much
    def weekly(self, metric: str, mondays: list[dt.date]) -> pd.DataFrame:
        """employee_id × monday weekly totals (0 when nothing logged), NaN for weeks not fully employed."""
        cols = pd.DatetimeIndex([pd.Timestamp(m) for m in mondays])
        wide = self._wide.get(metric)
        if wide is None:
            if metric in self.wk.columns and len(self.wk):
                wide = self.wk[metric].unstack("monday")
            else:
                wide = pd.DataFrame(index=pd.Index([], name="employee_id"))
            self._wide[metric] = wide
        w = wide.reindex(index=self.ids, columns=cols).fillna(0.0).astype("float64")
        start = self.roster["start"].to_numpy(dtype="datetime64[ns]")
        not_yet = start[:, None] > cols.to_numpy()[None, :]          # NaT compares False: employed
        return w.mask(not_yet)

    def sums(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Flow totals per manager from `start` to `end` inclusive (0 when nothing logged)."""
        key = (start, end)
        if key not in self._sums:
            lg = self.logs
            sel = lg[(lg["date"] >= pd.Timestamp(start)) & (lg["date"] <= pd.Timestamp(end))]
            self._sums[key] = sel.groupby("employee_id")[list(FLOW_METRICS)].sum().reindex(self.ids).fillna(0.0)
        return self._sums[key]

    def balances(self, start: dt.date, end: dt.date, ids=None) -> pd.DataFrame:
        """Calendar day × manager deposit balance, carried forward (from any earlier logged balance); the
        managers `ids` (default: all)."""
        lookback = self.logs["date"].min().date() if len(self.logs) else start
        grid = measures.carried_balances(self.logs, start, end, lookback=lookback)
        return grid.reindex(columns=self.ids if ids is None else ids).astype("float64")

    def spike_candidates(self, first: dt.date, last: dt.date, last_wd: dt.date, ratio: float) -> pd.Index:
        """The managers whose month `first`..`last` may show a month-end spike on `last_wd` (here: all)."""
        return self.ids

    def week_days(self, monday: dt.date, horizon: dt.date):
        """The logged days of the week starting `monday`, up to `horizon`, as manager × working-day matrices.

        Returns (days, logged, empty, last): the working days Monday..min(Sunday, horizon); bool arrays
        (managers in ``ids`` order × days) of a row logged / an empty row logged on that day; and each manager's
        last logged date of the week (any day, NaT when none). None when nobody logged that week.
        """
        end = min(monday + dt.timedelta(days=6), horizon)
        lg = self.logs
        lg = lg[(lg["date"] >= pd.Timestamp(monday)) & (lg["date"] <= pd.Timestamp(end))]
        if lg.empty:
            return None
        last = lg.groupby("employee_id")["date"].max().reindex(self.ids)
        days = self.workdays(monday, end)
        pos = {pd.Timestamp(d): j for j, d in enumerate(days)}
        row = self.ids.get_indexer(lg["employee_id"])
        col = lg["date"].map(pos)
        ok = col.notna().to_numpy() & (row >= 0)
        logged = np.zeros((len(self.ids), len(days)), dtype=bool)
        empty = np.zeros_like(logged)
        r, c = row[ok], col.to_numpy()[ok].astype(np.int64)
        logged[r, c] = True
        empty[r, c] = lg["empty"].to_numpy(dtype=bool)[ok]
        return days, logged, empty, last

    def targeted(self, month: str, metrics) -> pd.DataFrame:
        key = ("targeted", month, tuple(metrics))
        if key not in self._monthly:
            tg = self.targets
            self._monthly[key] = tg[(tg["month"] == month) & tg["metric"].isin(list(metrics))][
                ["employee_id", "metric", "value"]]
        return self._monthly[key]

    def has_target(self, month: str, metrics) -> pd.DataFrame:
        """Manager × metric (``ids`` × `metrics`) True where the manager has a target > 0 for `month`."""
        tg = self.targeted(month, metrics)
        out = pd.DataFrame(False, index=self.ids, columns=list(metrics))
        rows, cols = self.ids.get_indexer(tg["employee_id"]), out.columns.get_indexer(tg["metric"])
        ok = (rows >= 0) & (cols >= 0)
        vals = out.to_numpy()
        vals[rows[ok], cols[ok]] = True
        return pd.DataFrame(vals, index=self.ids, columns=out.columns)

    def per_month(self, rule_id: str, month: str, compute) -> list[Hit]:
        """Monthly rules give the same hits for every week judged on the same month: compute once."""
        key = (rule_id, month)
        if key not in self._monthly:
            self._monthly[key] = compute()
        return self._monthly[key]


def _flag(data: Inputs, rule: Rule, hit: Hit) -> Flag:
    """The flag of a hit; its reason sentences are written when first read (:class:`core.coaching.flags.Flag`)."""
    p = data.rules.rules[rule.id]
    eid = hit.employee_id
    return Flag.of_hit(hit, employee_id=eid, manager_name=data.name(eid), team=str(data.team.get(eid, "")),
                       rule_id=rule.id, severity=hit.severity or p["severity"],
                       evidence={k: fmt.json_num(v) if isinstance(v, (int, float, np.floating, np.integer)) else v
                                 for k, v in hit.evidence.items()},
                       focus=p["focus"], focus_zh=t(f"coaching.focus.{rule.id}", "zh"),
                       focus_en=t(f"coaching.focus.{rule.id}", "en"), metric=hit.metric, period=hit.period)


def _hits(data: Inputs, monday: dt.date, horizon: dt.date):
    """(rule, hit) for every enabled rule of the table, in table order."""
    if not len(data.ids):
        return
    for rid, rule in RULES.items():
        if data.rules.enabled(rid):
            for h in rule.check(data, data.rules.rules[rid], monday, horizon):
                yield rule, h


def evaluate_week(data: Inputs, monday: dt.date, horizon: dt.date) -> list[Flag]:
    """Every enabled rule of the table, in table order, for the week starting `monday` judged up to `horizon`."""
    return [_flag(data, rule, h) for rule, h in _hits(data, monday, horizon)]


def evaluate_keys(data: Inputs, monday: dt.date, horizon: dt.date, rule_ids=None) -> set[tuple[str, str]]:
    """The (employee_id, rule_id) pairs :func:`evaluate_week` would flag, without building the flags' texts;
    only the rules `rule_ids` when given."""
    if not len(data.ids):
        return set()
    return {(h.employee_id, rid) for rid, rule in RULES.items() if data.rules.enabled(rid)
            and (rule_ids is None or rid in rule_ids) for h in rule.check(data, data.rules.rules[rid], monday, horizon)}


_MONTH_KEY = re.compile(r"^\d{4}-\d{2}$")


def _about_month(period: str | None) -> str | None:
    """The month ('2026-10') a flag's evidence is about, for the rules judging a whole month; else None."""
    return period if isinstance(period, str) and _MONTH_KEY.match(period) else None


def history_key(employee_id: str, rule_id: str, period: str | None) -> tuple:
    """What makes two weeks' flags one run: the manager and the rule — and, for a rule judging a whole month
    (front_loaded, month_end_spike), that month: October's spike, judged week after week until November's can
    be, is one run; November's spike is a new one (not "continuing: week 9" across both)."""
    return (employee_id, rule_id, _about_month(period))


def _history_keys(data: Inputs, monday: dt.date, horizon: dt.date) -> set[tuple]:
    return {history_key(h.employee_id, rule.id, h.period) for rule, h in _hits(data, monday, horizon)}


def horizon_of(week: str, as_of) -> tuple[dt.date, dt.date, dt.date]:
    """(Monday, Sunday, horizon) of a review week; the horizon is `as_of` when inside the week, else Sunday."""
    monday, sunday = cal.week_bounds(week)
    horizon = sunday if as_of is None else min(sunday, as_date(as_of))
    if horizon < monday:
        raise AppError("coaching.err.as_of_before_week", as_of=as_date(as_of), week=week)
    return monday, sunday, horizon


def with_history(data: Inputs, monday: dt.date, horizon: dt.date, history_weeks: int) -> list[Flag]:
    """The week's flags marked new / continuing (with their run of weeks), plus last week's flags now resolved."""
    per_week: list = []             # index k = k weeks before W: flags by history key (W, W-1), else keys only
    for k in range(history_weeks + 1):
        m = monday - dt.timedelta(weeks=k)
        hz = horizon if k == 0 else m + dt.timedelta(days=6)
        if k == 0:
            per_week.append({history_key(*f.key, f.period): f for f in evaluate_week(data, m, hz)})
            fired = {key[:2] for key in per_week[0]}
        elif k == 1:                # the flag itself is needed only when it no longer fires in W (resolved)
            per_week.append({history_key(h.employee_id, rule.id, h.period):
                             None if (h.employee_id, rule.id) in fired else _flag(data, rule, h)
                             for rule, h in _hits(data, m, hz)})
        else:
            per_week.append(_history_keys(data, m, hz))
    out = []
    for key, f in per_week[0].items():
        n = 1
        while n < len(per_week) and key in per_week[n]:
            n += 1
        f.history, f.weeks = ("new" if n == 1 else "continuing"), n
        out.append(f)
    if len(per_week) > 1:
        for key, f in per_week[1].items():
            if key[:2] in fired:      # still fires in W (for a monthly rule: about the next month) — not resolved
                continue
            n = 1
            while n + 1 < len(per_week) and key in per_week[n + 1]:
                n += 1
            f.history, f.weeks = "resolved", n
            out.append(f)
    return sort_flags(out)


def evaluate(logs: pd.DataFrame, roster: pd.DataFrame, targets: pd.DataFrame, week: str,
             rules: Rules | None = None, overrides=None, as_of=None) -> list[Flag]:
    """Flags for review week `week` ('2026-W44'), with their history. Pure: no database, no clock.

    `as_of` (a date) cuts the data and the month-to-date at that day when it falls inside the week; by default
    the week is evaluated up to its Sunday. History compares with the previous ``rules.history_weeks`` weeks:
    a flag firing in W is *new* or *continuing* (``weeks`` = consecutive weeks, W included); a flag that fired
    last week and not in W is returned with history *resolved*.
    """
    rules = rules or Rules.default()
    monday, _, horizon = horizon_of(week, as_of)
    data = Inputs(logs, roster, targets, rules, overrides, horizon)
    return with_history(data, monday, horizon, rules.history_weeks)
