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
from core.ingest.prefilled import prefilled_daily_xlsx
from core.measures import safe_div
from core.routines.frames import CHART_MANAGERS, totals_from_sums
from core.routines.funnel import DEAL_AMOUNT_METRICS, funnel_from_sums, products_sold
from core.routines.mine import Mine, merge_standing, work_on
from core.routines.peers import branch_sums, branch_target_sum, standing
from core.routines.ranking import leaderboard
from core.routines.report_week import weekly_report_xlsx, weekly_summary
from core.routines.weeks import (branch_week_rows, comparison_from_totals, heatmap_from_values, week_share_factors,
                                 week_window)
from core.schema import FLOW_METRICS, TARGET_METRICS
from core.scope import Scope
from core.store import aggregates
from core.store import config as store_config
from core.store.logs import read_roster, read_targets
from core.store.peers import peer_figures

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
    mine: Mine | None = None                                         # a manager's own week (sees_only_self)
    missing: list = field(default_factory=list)                      # (name, working days not logged) this week
    template_team: str | None = None                                 # the team a pre-filled template is for
    roster: pd.DataFrame = field(default_factory=pd.DataFrame)       # the team's roster (for the template)
    overrides: dict = field(default_factory=dict)

    def template(self, lang: str = "zh") -> bytes:
        """The week's daily template pre-filled with the team's managers and working days."""
        return prefilled_daily_xlsx(self.roster, self.template_team, self.week, self.overrides)

    def managers(self, metric: str) -> pd.DataFrame:
        """Manager rows of the comparison for one metric."""
        c = self.comparison
        return c[(c["level"] == "manager") & (c["metric"] == metric)]

    def manager_rows(self) -> pd.DataFrame:
        return self.comparison[self.comparison["level"] == "manager"]

    @property
    def charts_by_team(self) -> bool:
        """True when the page holds more than :data:`CHART_MANAGERS` managers: a chart of 5,500 bars is neither
        readable nor quick to draw, so the charts show the teams (the tables keep every manager)."""
        return self.manager_rows()["entity"].nunique() > CHART_MANAGERS

    def chart_rows(self) -> pd.DataFrame:
        """The week-comparison chart's rows: each manager, or each team (:attr:`charts_by_team`)."""
        if not self.charts_by_team:
            return self.manager_rows()
        return self.comparison[self.comparison["level"] == "team"]

    def heat_rows(self) -> pd.DataFrame:
        """The heat map's rows: manager × day, or team × day (:attr:`charts_by_team`): the team's sum of the day,
        logged when any of its managers logged, in the columns of :func:`core.routines.weeks.visits_heatmap`."""
        h = self.heat
        if h.empty or not self.charts_by_team:
            return h
        team = h["team"].astype(object).where(h["team"].notna(), "—")
        g = h.assign(team=team).groupby(["team", "date"], sort=True)
        out = pd.DataFrame({"value": g["value"].sum(min_count=1), "logged": g["logged"].any(),
                            "is_workday": g["is_workday"].first()}).reset_index()
        out["value"] = out["value"].where(out["logged"])
        return out.assign(employee_id=out["team"], name=out["team"])

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
    if scope.may_import and (team or not scope.sees_branch):
        model.template_team = team or scope.home_team()
        model.roster = roster[roster["team"] == model.template_team].reset_index(drop=True)
        model.overrides = dict(overrides)
    week_rows, cur, prv = _week_sums(engine, scope, week, as_of, team, line)
    if week_rows.empty:
        model.state = "no_rows"
        return model
    targets = read_targets(engine, scope, months=sorted({cal.month_key(a), cal.month_key(b)}), team=team, line=line)
    cmp_ = comparison_from_totals(totals_from_sums(cur, roster, TARGET_METRICS),
                                  totals_from_sums(prv, roster, TARGET_METRICS), targets, roster, week, overrides,
                                  level="all", as_of=as_of)
    model.comparison = cmp_
    branch = cmp_[cmp_["level"] == "branch"].set_index("metric")
    model.tiles = branch.loc[[m for m in TILES if m in branch.index]]
    model.summary = weekly_summary(cmp_, lang)
    model.board = leaderboard(totals_from_sums(week_rows, roster), n=BOARD_N)
    visits = aggregates.daily_values(engine, scope, a, b, "visits", team=team, line=line)
    model.heat = heatmap_from_values(visits, roster, week, overrides)
    stages = week_rows[["employee_id", "visits", "new_customers"]].assign(products_sold=products_sold(week_rows))
    model.funnel = funnel_from_sums(stages, "manager", roster)
    by_team = funnel_from_sums(stages, "team", roster)
    model.funnel_groups = by_team if len(by_team) > 1 else funnel_from_sums(stages, "branch", roster)
    model.teams = list(roster["team"].unique())
    model.flags, model.flags_failed = _flags(engine, scope, week, team, as_of, set(roster["employee_id"]))
    model.missing = _missing(model.heat, as_of)
    if scope.sees_only_self:
        _manager_view(engine, scope, model, lang)
    elif not scope.sees_branch:
        _branch_context(engine, scope, model, line, overrides, lang)
    return model


def _week_sums(engine: Engine, scope: Scope, week: str, as_of: dt.date, team: str | None, line: str | None):
    """(the whole week's sums per manager — every flow metric and the funnel's sale days —, this week's target
    metrics cut at as_of, last week's cut to the same weekday), each a store aggregate."""
    a, b = cal.week_bounds(week)
    mon, end = week_window(week, as_of)
    seven = dt.timedelta(days=7)
    if end == b:      # the whole week against the whole week before: the week-grain read
        both = aggregates.week_sums(engine, scope, [week, cal.week_key(a - seven)], FLOW_METRICS, team=team,
                                    line=line, positive_days=DEAL_AMOUNT_METRICS)
        full = both[both["week"] == week].reset_index(drop=True)
        return full, full, both[both["week"] != week].reset_index(drop=True)
    full = aggregates.period_sums(engine, scope, a, b, FLOW_METRICS, team=team, line=line,
                                  positive_days=DEAL_AMOUNT_METRICS)
    cut = aggregates.periods_sums(engine, scope, {"cur": (mon, end), "prev": (mon - seven, end - seven)},
                                  TARGET_METRICS, team=team, line=line)
    return (full, cut[cut["period"] == "cur"].reset_index(drop=True),
            cut[cut["period"] == "prev"].reset_index(drop=True))


def _missing(heat: pd.DataFrame, as_of: dt.date) -> list:
    """(name, working days without a log up to as_of) for each manager who missed one this week, most first."""
    if heat.empty:
        return []
    due = heat[heat["is_workday"] & (heat["date"] <= pd.Timestamp(as_of)) & ~heat["logged"]]
    if due.empty:
        return []
    n = due.groupby(due["name"].fillna(due["employee_id"]), sort=True).size().sort_values(ascending=False,
                                                                                          kind="stable")
    return [(str(k), int(v)) for k, v in n.items()]


def _peer_week(engine: Engine, scope: Scope, week: str, as_of: dt.date, line: str | None, month: str | None = None):
    """Anonymous peer figures of this week (cut at as_of) and of last week (cut to the same weekday)."""
    mon, end = week_window(week, as_of)
    seven = dt.timedelta(days=7)
    if end < mon:
        return None, None
    return (peer_figures(engine, scope, mon, end, month=month, line=line),
            peer_figures(engine, scope, mon - seven, end - seven, line=line))


def _branch_context(engine: Engine, scope: Scope, model: WeeklyModel, line: str | None, overrides, lang) -> None:
    """A team lead: the 全行 rows of the comparison become the branch's sums (aggregates of every team)."""
    cur, prv = _peer_week(engine, scope, model.week, model.as_of, line)
    if cur is None:
        return
    ms = list(TARGET_METRICS)
    targets = {m: 0.0 for m in ms}
    has = {m: False for m in ms}
    for mk, share in week_share_factors(model.week, model.as_of, overrides).items():
        tg = peer_figures(engine, scope, model.start, model.start, month=mk, line=line)
        for m in ms:
            v = branch_target_sum(tg, m)
            if v == v:
                targets[m] += v * share
                has[m] = True
    wk_days = int(model.comparison["week_workdays"].iat[0]) if len(model.comparison) else 0
    branch = branch_week_rows(branch_sums(cur, ms), branch_sums(prv, ms),
                              {m: targets[m] if has[m] else float("nan") for m in ms}, model.week, wk_days)
    c = model.comparison
    model.comparison = pd.concat([c[c["level"] != "branch"], branch], ignore_index=True)
    model.summary = weekly_summary(model.comparison, lang)


def _funnel_of(peers: pd.DataFrame) -> dict:
    """visits, new customers, products sold (as :mod:`core.routines.funnel` counts them) of a peer group's sums."""
    visits = float(peers["visits"].sum())
    new = float(peers["new_customers"].sum())
    products = float((peers["credit_cards"] + peers["mobile_banking"] + peers["days_deposits_new"]
                      + peers["days_loans_new"] + peers["days_wealth_sales"]).sum())
    return {"visits": visits, "new_customers": new, "products_sold": products,
            "visit_to_new": float(safe_div(new, visits)), "products_per_visit": float(safe_div(products, visits))}


def _manager_view(engine: Engine, scope: Scope, model: WeeklyModel, lang: str) -> None:
    """A manager: his week per metric with his rank and the peer medians, his funnel against his team's, his
    flags and what to work on."""
    cur, _ = _peer_week(engine, scope, model.week, model.as_of, None)
    st = standing(cur, list(TARGET_METRICS)) if cur is not None else standing(pd.DataFrame(), [])
    own = model.comparison[model.comparison["employee_id"] == scope.employee_id]
    rows = merge_standing(own, st)
    flags = [f for f in (model.flags or []) if f.employee_id == scope.employee_id]
    funnel_own = _funnel_of(cur[cur["own"]]) if cur is not None else {}
    funnel_team = _funnel_of(cur[cur["own_team"]]) if cur is not None else {}
    info = own.iloc[0] if len(own) else None
    model.mine = Mine(employee_id=scope.employee_id, name=str(info["name"]) if info is not None else "",
                      team=str(info["team"]) if info is not None else "", rows=rows, standing=st, flags=flags,
                      work_on=work_on(pd.DataFrame(), flags, lang),
                      funnel={"own": funnel_own, "team": funnel_team})
    model.board = model.board.iloc[0:0]
