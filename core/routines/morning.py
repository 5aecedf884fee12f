"""晨会 page model: everything the morning meeting shows, read with the caller's scope and computed in one call.

:func:`morning_page` picks the window itself — "yesterday" is the last working day before the meeting day, the
month is yesterday's month, month to date runs to yesterday — reads the store (roster, that month's logs and
targets, the calendar overrides) and returns a :class:`MorningModel`. The page only draws it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.convert import as_date
from core.i18n import norm_lang, t
from core.routines.frames import daily_snapshot, workday_info
from core.routines.progress import month_pace, month_progress, pace_table
from core.routines.ranking import furthest_behind, leaders, ranking
from core.routines.talking import talking_points, yesterday_totals
from core.schema import PRODUCT_METRICS, TARGET_METRICS
from core.scope import Scope
from core.store import config as store_config
from core.store.logs import read_logs, read_roster, read_targets

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
    logs = read_logs(engine, scope, start=first, end=yday, team=team, line=line)
    targets = read_targets(engine, scope, months=[month], team=team, line=line)
    if logs.empty and targets.empty:
        model.state = "no_rows"
        return model
    snap = daily_snapshot(logs, roster, yday)
    progress = month_progress(logs, targets, roster, month, yday, overrides, level="all")
    branch = progress[progress["level"] == "branch"]
    manager = progress[progress["level"] == "manager"]
    label = team or (t(f"line.{line}", lang) if line else None)
    model.points = talking_points(branch, progress[progress["level"] == "team"], snap, lang,
                                  progress_manager=manager, scope_label=label)
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
    model.pace_lines = pace_table(logs, targets, month, yday, PACE_METRICS, overrides, roster=roster)
    logged = snap[snap["logged"].astype(bool)]
    model.leaders = {m: leaders(logged, m, n=3).head(5) for m in LEADER_METRICS}   # ties kept, at most 5
    model.month_top = ranking(manager, n=TOP_N)
    model.behind = furthest_behind(manager, n=TOP_N)
    return model
