"""晨会 page model: everything the morning meeting shows, read with the caller's scope and computed in one call.

:func:`morning_page` picks the window itself — "yesterday" is the last working day before the meeting day, the
month is yesterday's month, month to date runs to yesterday — reads the store (roster, the month's sums per
manager and per day as SQL aggregates, yesterday's rows, that month's targets, the calendar overrides) and
returns a :class:`MorningModel`. The page only draws it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core import coaching, fmt
from core.convert import as_date
from core.i18n import fmt_date, norm_lang, t
from core.routines.frames import daily_snapshot, totals_from_sums, workday_info
from core.routines.mine import Mine, merge_standing, points as my_points, work_on
from core.routines.peers import TeamRank, branch_rows, median_score, standing, team_rank
from core.routines.progress import month_pace, pace_from_daily, progress_from_totals
from core.routines.ranking import furthest_behind, leaders, ranking
from core.routines.talking import talking_points, yesterday_totals
from core.schema import PRODUCT_METRICS, TARGET_METRICS
from core.scope import Scope
from core.store import aggregates
from core.store import config as store_config
from core.store.logs import read_logs, read_roster, read_targets
from core.store.peers import peer_figures

KEY_TILES = ("visits", "new_customers", "deposits_new", "credit_cards")      # yesterday's headline tiles
PACE_METRICS = (*PRODUCT_METRICS, "visits", "new_customers")                 # the pace chart's choices
LEADER_METRICS = ("new_customers", "visits", "credit_cards", "deposits_new")  # yesterday's leaders, in this order
MONTH_TILES = 6
TOP_N = 5


@dataclass
class MorningModel:
    """What the 晨会 page draws. ``state``: 'ok', 'no_data' (nobody on the roster in scope) or 'no_rows' (nothing
    logged or targeted this month yet); the frames are empty unless 'ok'."""
    day: dt.date
    yesterday: dt.date
    month: str
    state: str = "ok"
    points: list[str] = field(default_factory=list)                      # talking points, praise first
    snapshot: pd.DataFrame = field(default_factory=pd.DataFrame)         # daily_snapshot of yesterday
    totals: dict = field(default_factory=dict)                           # yesterday_totals
    missing: list[str] = field(default_factory=list)                     # who did not log yesterday
    workdays: dict = field(default_factory=dict)                         # workday_info of the month to yesterday
    pace: float = float("nan")                                           # time elapsed (时间进度)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)         # month_progress, level 'all'
    has_targets: bool = False                                            # any branch target this month
    tiles: pd.DataFrame = field(default_factory=pd.DataFrame)            # branch rows with a target (products)
    rollup: pd.DataFrame = field(default_factory=pd.DataFrame)           # branch then team rows
    pace_lines: pd.DataFrame = field(default_factory=pd.DataFrame)       # pace_table over PACE_METRICS
    leaders: dict = field(default_factory=dict)                          # metric → yesterday's top 3 (≤ 5)
    month_top: pd.DataFrame = field(default_factory=pd.DataFrame)        # ranking, top 5
    behind: pd.DataFrame = field(default_factory=pd.DataFrame)           # furthest_behind, 5
    mine: Mine | None = None                                             # a manager's own view (sees_only_self)
    team_rank: TeamRank | None = None                                    # a team lead's team among the teams
    branch_median: float | None = None                                   # branch managers' median score (lead)
    reminder: str = ""                                                   # who has not logged, as a message

    def pace_series(self, metric: str) -> pd.DataFrame:
        """The pace chart's rows for one metric of :data:`PACE_METRICS`."""
        return self.pace_lines[self.pace_lines["metric"] == metric]


def morning_page(engine: Engine, scope: Scope, day, team: str | None = None, line: str | None = None,
                 overrides: dict | None = None, lang: str = "zh") -> MorningModel:
    """Read and compute the morning meeting of `day` for `scope`, narrowed to `team` / `line` when given."""
    lang = norm_lang(lang)
    overrides = store_config.calendar_overrides(engine) if overrides is None else overrides
    day = as_date(day)
    yday = cal.previous_workday(day, overrides)
    month = cal.month_key(yday)
    model = MorningModel(day=day, yesterday=yday, month=month)
    roster = read_roster(engine, scope, team=team, line=line)
    if roster.empty:
        model.state = "no_data"
        return model
    first, _ = cal.month_bounds(month)
    sums = aggregates.period_sums(engine, scope, first, yday, TARGET_METRICS, team=team, line=line)
    targets = read_targets(engine, scope, months=[month], team=team, line=line)
    if sums.empty and targets.empty:
        model.state = "no_rows"
        return model
    day_rows = read_logs(engine, scope, start=yday, end=yday, team=team, line=line)   # yesterday: one day
    snap = daily_snapshot(day_rows, roster, yday)
    progress = progress_from_totals(totals_from_sums(sums, roster, TARGET_METRICS), targets, roster, month, yday,
                                    overrides, level="all")
    branch = progress[progress["level"] == "branch"]
    manager = progress[progress["level"] == "manager"]
    label = team or (t(f"line.{line}", lang) if line else None)
    model.month_top = ranking(manager, n=TOP_N)          # ranked once: its first row is the talking points' leader
    model.points = talking_points(branch, progress[progress["level"] == "team"], snap, lang,
                                  progress_manager=manager, scope_label=label, board=model.month_top)
    model.snapshot = snap
    model.totals = yesterday_totals(snap)
    absent = snap[~snap["logged"].astype(bool)]
    model.missing = absent["name"].fillna(absent["employee_id"]).astype(str).tolist()
    model.workdays = workday_info(month, yday, overrides)
    model.pace = month_pace(month, yday, overrides)
    model.progress = progress
    with_target = branch[branch["target"].notna()]
    model.has_targets = not with_target.empty
    model.tiles = with_target[with_target["metric"].isin(PRODUCT_METRICS)].head(MONTH_TILES)
    rows = progress[progress["level"].isin(["branch", "team"]) & progress["metric"].isin(TARGET_METRICS)]
    model.rollup = rows.sort_values("level", key=lambda s: s.map({"branch": 0, "team": 1}), kind="stable")
    daily = aggregates.daily_sums(engine, scope, first, yday, PACE_METRICS, team=team, line=line)
    model.pace_lines = pace_from_daily(daily, targets, month, yday, PACE_METRICS, overrides)
    logged = snap[snap["logged"].astype(bool)]
    model.leaders = {m: leaders(logged, m, n=3).head(5) for m in LEADER_METRICS}   # ties kept, at most 5
    model.behind = furthest_behind(manager, n=TOP_N)
    model.reminder = reminder_text(model.missing, yday, lang)
    if scope.sees_only_self:
        _manager_view(engine, scope, model, lang)
    elif not scope.sees_branch:
        _branch_context(engine, scope, model, line)
    return model


def reminder_text(missing: list[str], day: dt.date, lang: str) -> str:
    """Who has not logged `day`, as a message to paste into the team's work group ('' when everyone did)."""
    if not missing:
        return ""
    sep = "、" if lang == "zh" else ", "
    return fmt.plural("morning.reminder_text", len(missing), lang, date=fmt_date(day, lang), names=sep.join(missing))


def _branch_context(engine: Engine, scope: Scope, model: MorningModel, line: str | None) -> None:
    """A team lead: the 全行 rows become the branch's figures (aggregates), his team ranked among the teams."""
    first, _ = cal.month_bounds(model.month)
    peers = peer_figures(engine, scope, first, model.yesterday, month=model.month, line=line)
    w = {**model.workdays}
    branch = branch_rows(peers, list(TARGET_METRICS), w)
    teams = model.rollup[model.rollup["level"] == "team"]
    model.rollup = pd.concat([branch, teams], ignore_index=True)
    model.team_rank = team_rank(peers, list(TARGET_METRICS), w)
    model.branch_median = median_score(peers, list(TARGET_METRICS))


def _manager_view(engine: Engine, scope: Scope, model: MorningModel, lang: str) -> None:
    """A manager: his month per metric with rank and medians, yesterday, flags and what to work on; the
    leaderboards of one are dropped."""
    first, _ = cal.month_bounds(model.month)
    peers = peer_figures(engine, scope, first, model.yesterday, month=model.month)
    st = standing(peers, list(TARGET_METRICS))
    p = model.progress
    own = p[(p["level"] == "manager") & (p["employee_id"] == scope.employee_id)]
    rows = merge_standing(own, st)
    snap = model.snapshot
    me = snap[snap["employee_id"] == scope.employee_id]
    logged = bool(me["logged"].iat[0]) if len(me) else False
    yesterday = {m: float(me[m].iat[0]) for m in KEY_TILES} if len(me) else {}
    week = cal.week_key(model.yesterday)
    flags = [f for f in coaching.flags_for_week(engine, scope, week, as_of=model.yesterday)
             if f.employee_id == scope.employee_id and f.active]
    info = own.iloc[0] if len(own) else None
    model.mine = Mine(employee_id=scope.employee_id, name=str(info["name"]) if info is not None else "",
                      team=str(info["team"]) if info is not None else "", rows=rows, standing=st,
                      points=my_points(rows, st, lang, yesterday, logged, model.yesterday), flags=flags,
                      work_on=work_on(rows, flags, lang), logged=logged, yesterday=yesterday)
    model.points = model.mine.points
    model.leaders = {m: model.leaders[m].iloc[0:0] for m in model.leaders}
    model.month_top = model.month_top.iloc[0:0]
    model.behind = model.behind.iloc[0:0]
    model.reminder = ""
