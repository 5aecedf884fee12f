"""月总结 page model: attainment colour table, 环比/同比, the 十佳 ranking and its bottom, the distribution,
deposits 日均 vs 时点, next month's target split and the exports — read and computed in one call.

:func:`monthly_page` reads SQL aggregates with the caller's scope — sums per manager of the month, of the month
before (环比) and of the month a year before (同比), each cut at as_of like the month, and the carried deposit
balances' 日均 inputs — never the raw rows. The month-end
spike threshold is the active coaching rules' ``month_end_spike.ratio`` (:func:`core.measures.is_spike`), so this
page and the coaching page agree on who spiked.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core import coaching
from core.convert import as_date
from core.i18n import norm_lang
from core.measures import safe_div
from core.routines.compare import _aligned, aligned_period, compare_months_from, month_period
from core.routines.deposits import adb_from_figures, balance_periods
from core.routines.frames import CHART_MANAGERS, active_managers, totals_from_sums, workday_info
from core.routines.mine import Mine, merge_standing, work_on
from core.routines.peers import TeamRank, branch_rows, median_score, standing, team_rank
from core.routines.progress import month_pace, progress_from_totals
from core.routines.ranking import attainment_matrix, bottom_of, distribution, ranking, top_of
from core.routines.report_month import monthly_report_xlsx, monthly_summary
from core.routines.split import default_decimals, split_target, team_total_from_targets
from core.schema import FLOW_METRICS, PRODUCT_METRICS, TARGET_METRICS
from core.scope import Scope
from core.store import aggregates
from core.store import config as store_config
from core.store.logs import read_roster, read_targets
from core.store.peers import peer_figures

BOTTOM_N = 5


@dataclass
class MonthlyModel:
    """What the 月总结 page draws. ``state``: 'ok', 'no_data' (nobody on the roster in scope) or 'no_rows'
    (nothing logged or targeted this month; the target split is still offered)."""
    month: str
    as_of: dt.date
    lang: str = "zh"
    state: str = "ok"
    workdays: dict = field(default_factory=dict)
    pace: float = 1.0                                                   # time elapsed (时间进度)
    progress: pd.DataFrame = field(default_factory=pd.DataFrame)        # month_progress, level 'all'
    tiles: pd.DataFrame = field(default_factory=pd.DataFrame)           # branch rows of the product metrics
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)          # attainment matrix: managers, teams, branch
    matrix_metrics: list = field(default_factory=list)                  # metrics with a target
    mom: pd.DataFrame = field(default_factory=pd.DataFrame)             # 环比, team and branch
    yoy: pd.DataFrame = field(default_factory=pd.DataFrame)             # 同比, team and branch
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)         # monthly_summary
    dist: pd.DataFrame = field(default_factory=pd.DataFrame)            # distribution of the scores
    adb: pd.DataFrame = field(default_factory=pd.DataFrame)             # average_daily_balance
    spike_ratio: float = float("nan")                                   # the threshold used for ``adb.spike``
    spikes: list = field(default_factory=list)                          # names of the managers who spiked
    teams: list = field(default_factory=list)                           # the roster's teams (chart colours)
    split_month: str = ""                                               # next month
    split_members: pd.DataFrame = field(default_factory=pd.DataFrame)   # employee_id, name, team (active then)
    month_results: pd.DataFrame = field(default_factory=pd.DataFrame)   # this month's sums per manager (split)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)         # this month's targets
    mine: Mine | None = None                                            # a manager's own month (sees_only_self)
    team_rank: TeamRank | None = None                                   # a team lead's team among the teams
    branch_median: float | None = None                                  # branch managers' median score (lead)

    @property
    def adb_by_team(self) -> bool:
        """True when more than :data:`~core.routines.frames.CHART_MANAGERS` managers have a 日均: the 日均 chart
        then shows the teams (the table keeps every manager)."""
        return len(self.adb) > CHART_MANAGERS

    def adb_rows(self) -> pd.DataFrame:
        """The 日均 chart's rows: each manager, or each team (:attr:`adb_by_team`) — the sums of its managers'
        日均, month-end balance and last month's 日均, a spike when the team's month-end balance reaches the same
        ratio of its 日均 (``spike_ratio``) as a manager's must."""
        a = self.adb
        if not self.adb_by_team:
            return a
        team = a["team"].astype(object).where(a["team"].notna(), "—")
        g = a.assign(team=team).groupby("team", sort=True)
        out = pd.DataFrame({"adb": g["adb"].sum(min_count=1), "month_end": g["month_end"].sum(min_count=1),
                            "prev_adb": g["prev_adb"].sum(min_count=1)}).reset_index()
        out["adb_increment"] = out["adb"] - out["prev_adb"]
        out["spike_ratio"] = (out["month_end"] / out["adb"].where(out["adb"] > 0)).astype("float64")
        out["spike"] = (out["spike_ratio"] >= self.spike_ratio).fillna(False).astype(bool)
        return out.assign(name=out["team"], employee_id=out["team"])

    @property
    def has_targets(self) -> bool:
        return bool(len(self.progress)) and bool(self.progress["target"].notna().any())

    @cached_property
    def _ranked(self) -> pd.DataFrame:
        """The whole ranking, made once (the top list, the bottom and the distribution are all cut from it)."""
        return ranking(self._managers(), n=None)

    def top(self, n: int = 10) -> pd.DataFrame:
        """The 十佳 ranking's top `n` (ties at the cut kept)."""
        return top_of(self._ranked, n)

    def bottom(self, n: int = 10) -> pd.DataFrame:
        """The bottom of the ranking: min(n, 5) managers, worst first, none of them already in :meth:`top` (`n`)
        — empty when the top list already holds everyone ranked."""
        return bottom_of(self._ranked, min(n, BOTTOM_N), exclude=list(self.top(n)["employee_id"]))

    def _managers(self) -> pd.DataFrame:
        p = self.progress
        return p[p["level"] == "manager"] if len(p) else pd.DataFrame(columns=["level", "metric", "attainment"])

    def split_teams(self) -> list:
        return sorted(self.split_members["team"].dropna().unique()) if len(self.split_members) else []

    def split_default_total(self, team: str, metric: str) -> float:
        """The team's target for `metric` this month (the split's starting total), rounded to its decimals."""
        ids = self._member_ids(team)
        return round(team_total_from_targets(self.targets, self.month, metric, ids), default_decimals(metric))

    def split(self, team: str, metric: str, method: str, total: float) -> pd.DataFrame:
        """Next month's split of `total` between the team's managers: employee_id, name, last_month (this
        month's result), share, basis, value. Raises AppError for an impossible total."""
        dec = default_decimals(metric)
        members = self.split_members[self.split_members["team"] == team]
        res = self.month_results
        last = res.set_index("employee_id")[metric] if len(res) else pd.Series(dtype="float64")
        out = split_target(round(total, dec), self._member_ids(team), method, last, dec)
        out["name"] = members.set_index("employee_id")["name"].reindex(out["employee_id"]).to_numpy()
        out["last_month"] = last.reindex(out["employee_id"]).to_numpy()
        return out[["employee_id", "name", "last_month", "share", "basis", "value"]]

    def _member_ids(self, team: str) -> list[str]:
        m = self.split_members
        return m.loc[m["team"] == team, "employee_id"].astype(str).tolist()

    def xlsx(self, headers: str, org: str, line: str | None, charts: list | None, generated: dt.date | None,
             top_n: int = 10) -> bytes:
        """The month as a workbook (headers 'zh', 'en' or 'both'); `charts` = (caption, PNG) pairs."""
        return monthly_report_xlsx(self.progress, self.month, self.lang, headers=headers, org=org, line=line,
                                   mom=self.mom, yoy=self.yoy, top=self.top(top_n), bottom=self.bottom(top_n),
                                   dist=self.dist,
                                   adb=self.adb, charts=charts, generated=generated)


def _split_data(model: MonthlyModel, whole: pd.DataFrame, roster: pd.DataFrame, targets: pd.DataFrame) -> None:
    model.split_month = cal.add_months(model.month, 1)
    _, last = cal.month_bounds(model.split_month)
    active = roster[roster["employee_id"].isin(active_managers(roster, end=last))]
    model.split_members = active[["employee_id", "name", "team"]].reset_index(drop=True)
    res = totals_from_sums(whole, roster, TARGET_METRICS)
    model.month_results = res[res["days_logged"] > 0].reset_index(drop=True)   # no row that month: no history
    model.targets = targets


def _month_sums(engine: Engine, scope: Scope, month: str, as_of: dt.date, team: str | None,
                line: str | None) -> dict:
    """Sums per manager of every flow metric, each a store aggregate: 'cur' (the month to as_of), 'mom' and
    'yoy' (the month before and the month a year before, cut the same way) and 'whole' (the whole month)."""
    first, last = cal.month_bounds(month)
    if as_of >= last:   # whole months: the month-grain read
        months = {"cur": month, "mom": cal.add_months(month, -1), "yoy": cal.add_months(month, -12)}
        rows = aggregates.month_sums(engine, scope, list(months.values()), FLOW_METRICS, team=team, line=line)
        out = {k: rows[rows["month"] == mk].reset_index(drop=True) for k, mk in months.items()}
        out["whole"] = out["cur"]
        return out
    spans = {"cur": month_period(month, as_of), "mom": aligned_period(month, 1, as_of),
             "yoy": aligned_period(month, 12, as_of)}
    rows = aggregates.periods_sums(engine, scope, spans, FLOW_METRICS, team=team, line=line)
    out = {k: rows[rows["period"] == k].reset_index(drop=True) for k in spans}
    out["whole"] = aggregates.period_sums(engine, scope, first, last, TARGET_METRICS, team=team, line=line)
    return out


def _matrix(progress: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    ms = [m for m in TARGET_METRICS if m in set(progress.loc[progress["target"].notna(), "metric"])]
    if not ms:
        return pd.DataFrame(), ms
    mat = attainment_matrix(progress, ms)
    man = mat[mat["level"] == "manager"].sort_values(["team", "employee_id"], na_position="last")
    roll = mat[mat["level"] != "manager"].sort_values("level", ascending=False)
    return pd.concat([man, roll], ignore_index=True), ms


def monthly_page(engine: Engine, scope: Scope, month: str, as_of=None, team: str | None = None,
                 line: str | None = None, overrides: dict | None = None, lang: str = "zh") -> MonthlyModel:
    """Read and compute the monthly wrap-up of `month` up to `as_of` (default: the month's last day) for `scope`,
    narrowed to `team` / `line` when given."""
    lang = norm_lang(lang)
    overrides = store_config.calendar_overrides(engine) if overrides is None else overrides
    month = cal.month_key(month)
    first, last = cal.month_bounds(month)
    as_of = last if as_of is None else as_date(as_of)
    model = MonthlyModel(month=month, as_of=as_of, lang=lang)
    roster = read_roster(engine, scope, team=team, line=line)
    if roster.empty:
        model.state = "no_data"
        return model
    sums = _month_sums(engine, scope, month, as_of, team, line)
    targets = read_targets(engine, scope, months=[month], team=team, line=line)
    _split_data(model, sums["whole"], roster, targets)
    if sums["whole"].empty and targets.empty:
        model.state = "no_rows"
        return model
    totals = {k: totals_from_sums(v, roster) for k, v in sums.items() if k != "whole"}
    progress = progress_from_totals(totals["cur"], targets, roster, month, as_of, overrides, level="all")
    model.progress = progress
    model.workdays = workday_info(month, as_of, overrides)
    model.pace = month_pace(month, as_of, overrides)
    model.tiles = progress[(progress["level"] == "branch") & progress["metric"].isin(PRODUCT_METRICS)]
    model.matrix, model.matrix_metrics = _matrix(progress)
    model.mom = pd.concat([compare_months_from(totals["cur"], totals["mom"], month, 1, lv, roster)
                           for lv in ("team", "branch")], ignore_index=True)
    model.yoy = pd.concat([compare_months_from(totals["cur"], totals["yoy"], month, 12, lv, roster)
                           for lv in ("team", "branch")], ignore_index=True)
    model.summary = monthly_summary(progress, model.mom, model.yoy, lang)
    model.dist = distribution(model._ranked["score"])
    model.spike_ratio = float(coaching.active_rules(engine).p("month_end_spike", "ratio"))
    periods, lookback = balance_periods(month, as_of)
    figures = aggregates.balance_figures(engine, scope, periods, lookback, team=team, line=line)
    model.adb = adb_from_figures(figures, month, as_of, roster, spike_at=model.spike_ratio)
    spiking = model.adb[model.adb["spike"].astype(bool)]
    model.spikes = spiking["name"].fillna(spiking["employee_id"]).astype(str).tolist()
    model.teams = list(roster["team"].unique())
    if scope.sees_only_self:
        _manager_view(engine, scope, model, totals, roster, lang)
    elif not scope.sees_branch:
        _branch_context(engine, scope, model, line, lang)
    return model


def _branch_compare(engine: Engine, scope: Scope, month: str, back: int, as_of, line) -> pd.DataFrame:
    """The branch's :func:`compare_months` row per flow metric from anonymous peer sums."""
    pm = cal.add_months(month, -back)
    cur_p, prev_p = month_period(month, as_of), _aligned(month, pm, as_of)
    sums = []
    for a, b in (cur_p, prev_p):
        if a > b:
            sums.append({m: float("nan") for m in FLOW_METRICS})
            continue
        peers = peer_figures(engine, scope, a, b, line=line)
        logged = float(peers["days_logged"].sum()) if len(peers) else 0.0
        sums.append({m: float(peers[m].sum()) if logged else float("nan") for m in FLOW_METRICS})
    cur = [sums[0][m] for m in FLOW_METRICS]
    prev = [sums[1][m] for m in FLOW_METRICS]
    out = pd.DataFrame({"level": "branch", "entity": "branch", "employee_id": None, "name": None, "team": None,
                        "metric": list(FLOW_METRICS), "current": cur, "previous": prev})
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = safe_div(out["change"], out["previous"])
    out["month"] = month
    out["previous_month"] = pm
    return out


def _branch_context(engine: Engine, scope: Scope, model: MonthlyModel, line: str | None, lang: str) -> None:
    """A team lead: the 全行 rows (attainment, 环比, 同比) become the branch's figures — aggregates of every team,
    no other team's individuals — and his team is ranked among the teams. His tiles stay his team's."""
    first, last = cal.month_bounds(model.month)
    end = min(model.as_of, last)
    if end < first:
        return
    peers = peer_figures(engine, scope, first, end, month=model.month, line=line)
    ms = list(TARGET_METRICS)
    w = dict(model.workdays)
    p = model.progress
    team_rows = p[p["level"] == "team"]
    model.tiles = team_rows[team_rows["metric"].isin(PRODUCT_METRICS)] if team_rows["entity"].nunique() == 1 \
        else model.tiles
    model.progress = pd.concat([p[p["level"] != "branch"], branch_rows(peers, ms, w)], ignore_index=True)
    model.matrix, model.matrix_metrics = _matrix(model.progress)
    for attr, back in (("mom", 1), ("yoy", 12)):
        frame = getattr(model, attr)
        setattr(model, attr, pd.concat([frame[frame["level"] != "branch"],
                                        _branch_compare(engine, scope, model.month, back, model.as_of, line)],
                                       ignore_index=True))
    model.summary = monthly_summary(model.progress, model.mom, model.yoy, lang)
    model.team_rank = team_rank(peers, ms, w)
    model.branch_median = median_score(peers, ms)


def _manager_view(engine: Engine, scope: Scope, model: MonthlyModel, totals: dict, roster: pd.DataFrame,
                  lang: str) -> None:
    """A manager: his month per metric against target and pace, 环比 and 同比 of his own figures, his rank and the
    peer medians, his flags of the month's last week and what to work on."""
    first, last = cal.month_bounds(model.month)
    end = min(model.as_of, last)
    peers = peer_figures(engine, scope, first, end, month=model.month) if end >= first else pd.DataFrame()
    st = standing(peers, list(TARGET_METRICS))
    p = model.progress
    own = p[(p["level"] == "manager") & (p["employee_id"] == scope.employee_id)]
    rows = merge_standing(own, st)
    for attr, back in (("mom", 1), ("yoy", 12)):
        cmp_ = compare_months_from(totals["cur"], totals[attr], model.month, back, "manager", roster)
        cmp_ = cmp_[cmp_["employee_id"] == scope.employee_id].set_index("metric")
        rows[f"{attr}_previous"] = cmp_["previous"].reindex(rows["metric"]).to_numpy() if len(cmp_) else float("nan")
        rows[f"{attr}_pct"] = cmp_["change_pct"].reindex(rows["metric"]).to_numpy() if len(cmp_) else float("nan")
    week = cal.week_key(end)
    flags = [f for f in coaching.flags_for_week(engine, scope, week, as_of=end)
             if f.employee_id == scope.employee_id and f.active]
    info = own.iloc[0] if len(own) else None
    model.mine = Mine(employee_id=scope.employee_id, name=str(info["name"]) if info is not None else "",
                      team=str(info["team"]) if info is not None else "", rows=rows, standing=st, flags=flags,
                      work_on=work_on(rows, flags, lang))
