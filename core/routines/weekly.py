"""周小结 page model: the week against last week and its share of the monthly targets, leaderboards, the visits
grid, the funnel against the team, this week's coaching flags and the workbook — read and computed in one call.

:func:`weekly_page` picks the window itself: the week runs to :func:`core.coaching.default_as_of` (its Sunday, or
today while it is running), last week is cut to the same weekday, and the flags are the coaching review's.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core import coaching
from core.i18n import norm_lang
from core.routines.frames import period_totals, slice_period
from core.routines.funnel import funnel
from core.routines.ranking import leaderboard
from core.routines.report_week import weekly_report_xlsx, weekly_summary
from core.routines.weeks import visits_heatmap, week_comparison
from core.scope import Scope
from core.store import config as store_config
from core.store.logs import read_logs, read_roster, read_targets

log = logging.getLogger("dashboard.weekly")
TILES = ("visits", "new_customers", "deposits_new", "credit_cards")
BOARD_N = 10


@dataclass
class WeeklyModel:
    """What the 周小结 page draws. ``state``: 'ok', 'no_data' (nobody on the roster in scope) or 'no_rows'
    (nothing logged this week). ``flags`` is None when the coaching review failed (``flags_failed``)."""
    week: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    lang: str = "zh"
    state: str = "ok"
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)   # week_comparison, level 'all'
    tiles: pd.DataFrame = field(default_factory=pd.DataFrame)        # branch rows of TILES (index metric)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)      # weekly_summary (branch, teams)
    board: pd.DataFrame = field(default_factory=pd.DataFrame)        # leaderboard, top 10 per metric
    heat: pd.DataFrame = field(default_factory=pd.DataFrame)         # visits_heatmap
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)       # funnel per manager against the team
    funnel_groups: pd.DataFrame = field(default_factory=pd.DataFrame)  # the chart's: teams, or the branch alone
    teams: list = field(default_factory=list)                        # the roster's teams (chart colours)
    flags: list | None = None                                        # active coaching flags on the page
    flags_failed: bool = False

    def managers(self, metric: str) -> pd.DataFrame:
        """Manager rows of the comparison for one metric."""
        c = self.comparison
        return c[(c["level"] == "manager") & (c["metric"] == metric)]

    def manager_rows(self) -> pd.DataFrame:
        return self.comparison[self.comparison["level"] == "manager"]

    def board_for(self, metric: str) -> pd.DataFrame:
        return self.board[self.board["metric"] == metric]

    def xlsx(self, headers: str, org: str, line: str | None, overrides: dict | None,
             generated: dt.date | None) -> bytes:
        """The week as a workbook (headers 'zh', 'en' or 'both')."""
        return weekly_report_xlsx(self.comparison, self.board, self.heat, self.funnel, self.week, self.lang,
                                  headers=headers, org=org, line=line, flags=self.flags, overrides=overrides,
                                  generated=generated)


def _flags(engine: Engine, scope: Scope, week: str, team: str | None, as_of: dt.date, ids: set):
    """This week's active coaching flags of the managers on the page; (None, True) when the review fails."""
    try:
        flags = coaching.flags_for_week(engine, scope, week, team=team, as_of=as_of)
    except Exception:  # the flags are a side panel: a failure there must not take the review down
        log.exception("coaching flags for %s failed", week)
        return None, True
    return [f for f in flags if f.employee_id in ids and f.active], False


def weekly_page(engine: Engine, scope: Scope, week: str, team: str | None = None, line: str | None = None,
                overrides: dict | None = None, lang: str = "zh", today: dt.date | None = None) -> WeeklyModel:
    """Read and compute the weekly review of ISO `week` for `scope`, narrowed to `team` / `line` when given."""
    lang = norm_lang(lang)
    overrides = store_config.calendar_overrides(engine) if overrides is None else overrides
    a, b = cal.week_bounds(week)
    as_of = coaching.default_as_of(week, today)
    model = WeeklyModel(week=week, start=a, end=b, as_of=as_of, lang=lang)
    roster = read_roster(engine, scope, team=team, line=line)
    if roster.empty:
        model.state = "no_data"
        return model
    logs = read_logs(engine, scope, start=a - dt.timedelta(days=7), end=b, team=team, line=line)
    targets = read_targets(engine, scope, months=sorted({cal.month_key(a), cal.month_key(b)}), team=team, line=line)
    if slice_period(logs, a, b).empty:
        model.state = "no_rows"
        return model
    cmp_ = week_comparison(logs, targets, roster, week, overrides, level="all", as_of=as_of)
    model.comparison = cmp_
    branch = cmp_[cmp_["level"] == "branch"].set_index("metric")
    model.tiles = branch.loc[[m for m in TILES if m in branch.index]]
    model.summary = weekly_summary(cmp_, lang)
    model.board = leaderboard(period_totals(logs, a, b, roster=roster), n=BOARD_N)
    model.heat = visits_heatmap(logs, roster, week, overrides)
    model.funnel = funnel(logs, a, b, "manager", roster)
    by_team = funnel(logs, a, b, "team", roster)
    model.funnel_groups = by_team if len(by_team) > 1 else funnel(logs, a, b, "branch", roster)
    model.teams = list(roster["team"].unique())
    model.flags, model.flags_failed = _flags(engine, scope, week, team, as_of, set(roster["employee_id"]))
    return model
