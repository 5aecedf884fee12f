"""The 周小结 and 月总结 charts at branch scale: up to CHART_MANAGERS managers they show each manager; beyond,
each team (a chart of 5,500 bars is neither readable nor quick to draw — Streamlit validates every one), the tables
keeping every manager. The team heat map sums a team's day and counts it logged when any of its managers logged."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import charts as C
from core import fmt
from core.i18n import t
from core.routines.frames import CHART_MANAGERS
from core.routines.weekly import WeeklyModel

MON = pd.Timestamp("2026-10-12")


def _model(n_a: int, n_b: int) -> WeeklyModel:
    """Team A: n_a managers who each log 2 visits on Monday and nothing after; team B: n_b managers, each 3 visits on
    Monday and 1 on Tuesday, except that nobody in B logs on Wednesday and only the first logs on Thursday (5)."""
    ids = [("A", f"A{i:03d}") for i in range(n_a)] + [("B", f"B{i:03d}") for i in range(n_b)]
    comp = [dict(level="manager", entity=e, employee_id=e, name=f"经理{e}", team=tm, metric="visits",
                 this_week=1.0, prev_week=1.0) for tm, e in ids]
    comp += [dict(level="team", entity=tm, employee_id=None, name=tm, team=tm, metric="visits", this_week=1.0,
                  prev_week=1.0) for tm in ("A", "B")]
    comp.append(dict(level="branch", entity="__branch__", employee_id=None, name=None, team=None, metric="visits",
                     this_week=1.0, prev_week=1.0))
    heat = []
    for k, (tm, e) in enumerate(ids):
        for d in range(7):
            day = MON + pd.Timedelta(days=d)
            if tm == "A":
                v = 2.0 if d == 0 else np.nan
            else:
                v = {0: 3.0, 1: 1.0}.get(d, 5.0 if (d == 3 and e == "B000") else np.nan)
            heat.append(dict(employee_id=e, name=f"经理{e}", team=tm, date=day, weekday=d, is_workday=d < 5,
                             logged=not np.isnan(v), value=v))
    return WeeklyModel(week="2026-W42", start=MON.date(), end=(MON + pd.Timedelta(days=6)).date(),
                       as_of=dt.date(2026, 10, 18), comparison=pd.DataFrame(comp), heat=pd.DataFrame(heat))


def test_a_team_sized_page_charts_every_manager():
    m = _model(3, 2)
    assert not m.charts_by_team
    assert list(m.chart_rows()["entity"]) == ["A000", "A001", "A002", "B000", "B001"]
    assert m.heat_rows() is m.heat


@pytest.mark.parametrize("n_a,n_b,by_team", [(CHART_MANAGERS - 1, 1, False), (CHART_MANAGERS, 1, True),
                                             (30, 300, True)])
def test_beyond_the_limit_the_charts_show_teams(n_a, n_b, by_team):
    m = _model(n_a, n_b)
    assert m.charts_by_team is by_team
    if not by_team:
        assert len(m.chart_rows()) == n_a + n_b
        return
    assert list(m.chart_rows()["entity"]) == ["A", "B"]
    h = m.heat_rows().set_index(["team", "date"])
    # Monday: A logs 2 each, B 3 each; Tuesday: only B (1 each); Wednesday: nobody in B; Thursday: B000 alone
    assert h.loc[("A", MON), "value"] == 2.0 * n_a and h.loc[("B", MON), "value"] == 3.0 * n_b
    assert not h.loc[("A", MON + pd.Timedelta(days=1)), "logged"]
    assert np.isnan(h.loc[("A", MON + pd.Timedelta(days=1)), "value"])
    assert h.loc[("B", MON + pd.Timedelta(days=1)), "value"] == 1.0 * n_b
    assert not h.loc[("B", MON + pd.Timedelta(days=2)), "logged"]
    assert h.loc[("B", MON + pd.Timedelta(days=3)), ["value", "logged"]].tolist() == [5.0, True]
    assert h.loc[("B", MON + pd.Timedelta(days=5)), "is_workday"] == False   # noqa: E712 - numpy bool
    assert len(h) == 14 and set(m.heat_rows()["name"]) == {"A", "B"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_team_charts_name_their_axis_team(lang):
    m = _model(CHART_MANAGERS, 5)
    spec = C.week_comparison_chart(m.chart_rows().assign(
        change=0.0, change_pct=0.0, week_target=np.nan, week_attainment=np.nan, status="on_pace"),
        "visits", lang, by="team").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["title"] == t("word.team", lang)
    heat = C.heatmap(m.heat_rows(), lang, by="team").to_dict()
    assert heat["layer"][0]["encoding"]["y"]["title"] == t("word.team", lang)
    assert len(heat["layer"][0]["encoding"]["y"]["sort"]) == 2


def _adb(n_a: int, n_b: int):
    """Team A: n_a managers with 日均 100, month end 150, last month 90; team B: n_b managers with 日均 200, month
    end 210, last month 200 — except B's first manager, whose month end is 700 (a spike of his own)."""
    from core.routines.monthly import MonthlyModel
    rows = [dict(employee_id=f"A{i}", name=f"甲{i}", team="A", adb=100.0, month_end=150.0, prev_adb=90.0)
            for i in range(n_a)]
    rows += [dict(employee_id=f"B{i}", name=f"乙{i}", team="B", adb=200.0, month_end=700.0 if i == 0 else 210.0,
                  prev_adb=200.0) for i in range(n_b)]
    adb = pd.DataFrame(rows)
    adb["adb_increment"] = adb["adb"] - adb["prev_adb"]
    adb["spike_ratio"] = adb["month_end"] / adb["adb"]
    adb["spike"] = adb["spike_ratio"] >= 1.4
    return MonthlyModel(month="2026-09", as_of=dt.date(2026, 9, 30), adb=adb, spike_ratio=1.4)


def test_the_monthly_adb_chart_shows_managers_up_to_the_limit():
    m = _adb(20, CHART_MANAGERS - 20)
    assert not m.adb_by_team and m.adb_rows() is m.adb


def test_beyond_the_limit_the_adb_chart_shows_team_totals():
    m = _adb(30, 20)
    assert m.adb_by_team
    r = m.adb_rows().set_index("team")
    # A: 30 × 100 = 3,000 日均, 30 × 150 = 4,500 at month end (1.5× — the team spikes), last month 2,700
    assert r.loc["A", ["adb", "month_end", "prev_adb", "adb_increment"]].tolist() == [3000.0, 4500.0, 2700.0, 300.0]
    assert r.loc["A", "spike_ratio"] == pytest.approx(1.5) and bool(r.loc["A", "spike"])
    # B: 20 × 200 = 4,000; month end 700 + 19 × 210 = 4,690 (1.1725× — one manager's spike is not the team's)
    assert r.loc["B", ["adb", "month_end"]].tolist() == [4000.0, 4690.0]
    assert r.loc["B", "spike_ratio"] == pytest.approx(1.1725) and not bool(r.loc["B", "spike"])
    spec = C.adb_chart(m.adb_rows(), "en", by="team").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["title"] == t("word.team", "en")
    assert len(spec["layer"][0]["encoding"]["y"]["sort"]) == 2


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_managers_own_week_is_a_bar_per_day(lang):
    """His week as seven short-labelled bars (a one-row heat map was a sliver on a phone): Monday 2 visits, Tuesday
    not logged on a working day (marked), Saturday a day off (tagged, no mark)."""
    m = _model(1, 0)
    grid = m.heat.copy()
    grid.loc[grid["weekday"] == 1, ["logged", "value"]] = [False, np.nan]
    spec = C.my_days_chart(grid, lang).to_dict()
    rows = next(iter(spec["datasets"].values()))
    by_day = {r["date"]: r for r in rows}
    assert by_day["2026-10-12"]["value"] == 2.0
    assert by_day["2026-10-12"]["text"] == {"zh": "2户", "en": fmt.figure("visits", 2.0, "en")}[lang]
    assert by_day["2026-10-13"]["value"] == 0.0 and by_day["2026-10-13"]["text"] == t("mine.days_missing", lang)
    assert by_day["2026-10-13"]["missing"] is True
    sat = by_day["2026-10-17"]
    assert sat["text"] == "" and sat["missing"] is False and sat["day"].endswith(t("metrics.day_off", lang))
    assert [r["day"] for r in rows][:2] == [("周一" if lang == "zh" else "Mon"), ("周二" if lang == "zh" else "Tue")]
