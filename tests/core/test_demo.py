"""The demo bank: shape, calendar, determinism, planted patterns vs. steady managers, loading, committed workbooks.

The pattern checks use a small checker written here from the rule definitions (review week W = the ISO week
containing `end`; peer group = the manager's team), so these tests do not depend on the coaching module.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import calendar as cal
from core import demo
from core.errors import AppError
from core.schema import METRICS, TARGET_METRICS
from core.store.logs import ROSTER_COLUMNS, read_logs, read_roster, read_targets
from core.scope import SYSTEM

ENDS = [dt.date(2026, 11, 20), dt.date(2026, 10, 9), dt.date(2026, 6, 30), dt.date(2027, 1, 15),
        dt.date(2026, 3, 4), dt.date(2026, 12, 31)]
DECLINE_METRICS = ("visits",) + TARGET_METRICS
EPS = 1e-6
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=ENDS, ids=[d.isoformat() for d in ENDS])
def bank(request):
    return demo.generate(request.param)


# ---------------------------------------------------------------- an independent checker

def _monday(d):
    return d - dt.timedelta(days=d.weekday())


def _week_totals(logs, end, metric, back):
    """{employee_id: [total of week W-back, ..., W]} over days <= end."""
    mon = _monday(end)
    out = {}
    for k in range(back, -1, -1):
        a = pd.Timestamp(mon - dt.timedelta(weeks=k))
        b = min(pd.Timestamp(a + dt.timedelta(days=6)), pd.Timestamp(end))
        s = logs[(logs.date >= a) & (logs.date <= b)].groupby("employee_id")[metric].sum()
        for eid in logs.employee_id.unique():
            out.setdefault(eid, []).append(float(s.get(eid, 0.0)))
    return out


def _declining(series):
    """Three falls running and the last ≤ 70% of three weeks earlier."""
    t0, t1, t2, t3 = series[-4:]
    return t1 < t0 - EPS and t2 < t1 - EPS and t3 < t2 - EPS and t3 <= 0.7 * t0 + EPS


def flags(bank) -> dict[str, set[str]]:
    """Which managers each rule flags for the review week (the ISO week containing bank.end)."""
    end, logs, roster, targets = bank.end, bank.logs, bank.roster, bank.targets
    out = {p: set() for p in demo.PATTERNS if p != "new_with_mentor"}
    mon = _monday(end)
    w_days = [d for d in cal.workdays(mon, mon + dt.timedelta(days=6)) if d <= end]
    logged = {(e, d.date()) for e, d in zip(logs.employee_id, logs.date)}

    # declining, on weekly totals (the rule as written) and per working day (coaching's `per_workday` option)
    wdays = [len([d for d in cal.workdays(mon - dt.timedelta(weeks=k), mon - dt.timedelta(weeks=k, days=-6))
                  if d <= end]) for k in (3, 2, 1, 0)]
    out["declining_per_workday"] = set()
    for m in DECLINE_METRICS:
        for eid, series in _week_totals(logs, end, m, 3).items():
            if _declining(series):
                out["declining"].add(eid)
            if all(wdays) and _declining([v / n for v, n in zip(series, wdays)]):
                out["declining_per_workday"].add(eid)

    for eid, start in zip(roster.employee_id, roster.start_date):
        if start.date() <= mon and sum((eid, d) not in logged for d in w_days) >= 2:
            out["missing_logs"].add(eid)

    in_w = logs[logs.date >= pd.Timestamp(mon)]
    for eid, n in in_w.groupby("employee_id")["complaints"].sum().items():
        if n >= 1:
            out["complaints"].add(eid)

    visits = _week_totals(logs, end, "visits", 3)
    for team, members in roster.groupby("team")["employee_id"]:
        members = [e for e in members if e in visits]
        for k in (-1, -2):
            med = np.median([visits[e][k] for e in members])
            low = {e for e in members if visits[e][k] < 0.6 * med}
            out.setdefault(f"_low{k}", set()).update(low)
        four = {e: sum(visits[e]) for e in members}
        new4 = _week_totals(logs, end, "new_customers", 3)
        med4 = np.median(list(four.values()))
        ratio = sum(sum(new4[e]) for e in members) / max(1.0, sum(four.values()))
        for e in members:
            if four[e] >= med4 and four[e] > 0 and sum(new4[e]) / four[e] < 0.5 * ratio:
                out["busy_not_converting"].add(e)
    out["low_activity"] = out.pop("_low-1") & out.pop("_low-2")

    month = cal.month_key(end)
    wds = cal.month_workdays(month)
    elapsed = sum(1 for d in wds if d <= end)
    if elapsed >= 5:
        mtd = logs[(logs.date >= pd.Timestamp(wds[0])) & (logs.date <= pd.Timestamp(end))]
        actual = mtd.groupby("employee_id")[list(TARGET_METRICS)].sum()
        for r in targets[targets.month == month].itertuples():
            expected = r.value * elapsed / len(wds)
            got = actual[r.metric].get(r.employee_id, 0.0) if r.metric in actual else 0.0
            if expected > 0 and got < 0.7 * expected:
                out["behind_pace"].add(r.employee_id)

    for mo in demo.last_complete_months(end):
        for e in _front_loaded(logs, targets, mo):
            out["front_loaded"].add(e)
        for e in _month_end_spike(logs, mo, end):
            out["month_end_spike"].add(e)

    for eid, start, mentor in zip(roster.employee_id, roster.start_date, roster.mentor_id):
        if start.date() > end - dt.timedelta(days=182) and not mentor:
            out["new_without_mentor"].add(eid)
    return out


def _front_loaded(logs, targets, month):
    wds = cal.month_workdays(month)
    last10 = pd.Timestamp(wds[-10])
    a, b = pd.Timestamp(wds[0]), pd.Timestamp(wds[-1])
    in_m = logs[(logs.date >= a) & (logs.date <= b)]
    out = set()
    tot = in_m.groupby("employee_id")[list(TARGET_METRICS)].sum()
    late = in_m[in_m.date >= last10].groupby("employee_id")[list(TARGET_METRICS)].sum()
    for r in targets[targets.month == month].itertuples():
        if r.employee_id not in tot.index:
            continue
        t = tot.at[r.employee_id, r.metric]
        lt = late[r.metric].get(r.employee_id, 0.0)
        if t >= 0.5 * r.value and t > 0 and lt < 0.25 * t:
            out.add(r.employee_id)
    return out


def _daily_average(balances: pd.Series, month: str) -> float:
    """日均: every calendar day of the month carries the last logged balance forward."""
    a, b = cal.month_bounds(month)
    s = balances.copy()
    s.index = s.index.date
    cur = None
    before = [d for d in s.index if d < a]
    if before:
        cur = s[max(before)]
    vals = []
    d = a
    while d <= b:
        if d in s.index:
            cur = s[d]
        if cur is not None:
            vals.append(cur)
        d += dt.timedelta(days=1)
    return float(np.mean(vals))


def _month_end_spike(logs, month, end):
    last = cal.month_workdays(month)[-1]
    after = cal.workdays(last + dt.timedelta(days=1), last + dt.timedelta(days=20))[:5]
    after = [d for d in after if d <= end]
    out = set()
    if not after:
        return out
    for eid, g in logs.groupby("employee_id"):
        s = g.set_index("date")["deposit_balance"]
        if pd.Timestamp(last) not in s.index:
            continue
        avg = _daily_average(s, month)
        top = s[pd.Timestamp(last)]
        later = [s[pd.Timestamp(d)] for d in after if pd.Timestamp(d) in s.index]
        if top >= 1.3 * avg and later and min(later) <= top - 0.2 * (top - avg):
            out.add(eid)
    return out


# ---------------------------------------------------------------- shape and calendar

def test_roster_shape(bank):
    r = bank.roster
    assert list(r.columns) == ROSTER_COLUMNS
    assert list(r.employee_id) == [f"CM{i:03d}" for i in range(1, 33)]
    assert r.groupby("team").size().to_dict() == {"对公一队": 8, "对公二队": 8, "零售一队": 8, "零售二队": 8}
    assert set(r.loc[r.team.str.startswith("对公"), "line"]) == {"corporate"}
    assert set(r.loc[r.team.str.startswith("零售"), "line"]) == {"retail"}
    assert set(r.grade) == {"客户经理助理", "客户经理", "高级客户经理"}
    assert r.name.is_unique
    # every mentor is a longer-serving manager of the same team
    by = r.set_index("employee_id")
    for eid, m in by.mentor_id.dropna().items():
        assert by.at[m, "team"] == by.at[eid, "team"] and by.at[m, "start_date"] < by.at[eid, "start_date"]
    # assistants have a mentor, except the planted one
    assistants = by[by.grade == "客户经理助理"]
    assert set(assistants[assistants.mentor_id.isna()].index) == {bank.planted["new_without_mentor"]}


def test_logs_shape(bank):
    logs = bank.logs
    assert list(logs.columns) == ["employee_id", "date", *METRICS, "notes"]
    assert not logs.duplicated(["employee_id", "date"]).any()
    assert logs.date.min() == pd.Timestamp(bank.start) and bank.start.weekday() == 0
    assert logs.date.max() == pd.Timestamp(bank.end)
    assert bank.start == _monday(bank.end) - dt.timedelta(weeks=25)
    assert 3500 <= len(logs) <= 4300                 # ≈ 32 managers × 125 working days
    for m in METRICS:
        assert logs[m].dtype == np.float64 and (logs[m] >= 0).all() and logs[m].notna().all()
    assert (logs.notes.str.len() > 0).all()
    assert all(cal.is_workday(d) for d in logs.date.dt.date.unique())
    # no rows before a manager's start date
    starts = bank.roster.set_index("employee_id").start_date
    assert (logs.date >= logs.employee_id.map(starts)).all()


def test_every_workday_logged_by_steady_managers(bank):
    steady = set(bank.roster.employee_id) - set(bank.planted.values())
    days = set(cal.workdays(bank.start, bank.end))
    for eid, g in bank.logs[bank.logs.employee_id.isin(steady)].groupby("employee_id"):
        assert set(g.date.dt.date) == days, eid


def test_line_mix():
    b = demo.generate(dt.date(2026, 11, 20))
    per = b.logs.merge(b.roster[["employee_id", "line"]]).groupby("line")[list(METRICS)].mean()
    for m in ("deposits_new", "loans_new", "fee_income", "deposit_balance", "post_loan_checks"):
        assert per.at["corporate", m] > 2 * per.at["retail", m], m
    for m in ("credit_cards", "mobile_banking", "wealth_sales", "visits"):
        assert per.at["retail", m] > 1.5 * per.at["corporate", m], m


@pytest.mark.parametrize("day,logged", [
    (dt.date(2026, 10, 1), False), (dt.date(2026, 10, 4), False), (dt.date(2026, 10, 7), False),
    (dt.date(2026, 10, 8), True),
    (dt.date(2026, 10, 10), True),   # Saturday, make-up working day (调休)
    (dt.date(2026, 9, 20), True),    # Sunday, make-up working day
    (dt.date(2026, 9, 19), False),   # an ordinary Saturday
    (dt.date(2026, 9, 25), False),   # Mid-Autumn festival (Friday)
])
def test_holidays_and_makeup_days(day, logged):
    logs = demo.generate(dt.date(2026, 11, 20)).logs
    rows = logs[logs.date == pd.Timestamp(day)]
    assert (len(rows) > 0) is logged
    if logged:
        assert len(rows) >= 30


def test_makeup_day_notes():
    logs = demo.generate(dt.date(2026, 11, 20)).logs
    assert logs[logs.date == pd.Timestamp(2026, 10, 10)].notes.str.startswith("调休上班").all()


def test_deterministic():
    a = demo.generate(dt.date(2026, 11, 20))
    b = demo.generate(dt.date(2026, 11, 20))
    pd.testing.assert_frame_equal(a.logs, b.logs)
    pd.testing.assert_frame_equal(a.roster, b.roster)
    pd.testing.assert_frame_equal(a.targets, b.targets)
    assert a.planted == b.planted
    c = demo.generate(dt.date(2026, 11, 20), seed=7)
    assert not c.logs[list(METRICS)].equals(a.logs[list(METRICS)])


@pytest.mark.parametrize("today,expected", [
    (dt.date(2026, 11, 23), dt.date(2026, 11, 20)),   # Monday → Friday
    (dt.date(2026, 11, 20), dt.date(2026, 11, 19)),
    (dt.date(2026, 10, 8), dt.date(2026, 9, 30)),     # after National Day → the last day before it
    (dt.date(2026, 9, 21), dt.date(2026, 9, 20)),     # Monday after a make-up Sunday
])
def test_default_end(today, expected):
    assert demo.default_end(today) == expected


# ---------------------------------------------------------------- patterns

def test_planted_keys(bank):
    assert set(bank.planted) == set(demo.PATTERNS)
    assert len(set(bank.planted.values())) == 10
    r = bank.roster.set_index("employee_id")
    assert r.at[bank.planted["declining"], "grade"] == "高级客户经理"
    assert pd.notna(r.at[bank.planted["new_with_mentor"], "mentor_id"])
    for p in ("new_without_mentor", "new_with_mentor"):
        start = r.at[bank.planted[p], "start_date"].date()
        assert bank.end - dt.timedelta(days=122) <= start <= bank.end - dt.timedelta(days=28)


def _evaluable(bank, pattern) -> bool:
    end = bank.end
    if pattern == "behind_pace":
        return cal.elapsed_workdays(cal.month_key(end), end) >= 5
    if pattern == "declining":   # a week without working days (Spring Festival) cannot "fall"
        mon = _monday(end)
        return all(cal.workdays(mon - dt.timedelta(weeks=k), mon - dt.timedelta(weeks=k, days=-6)) for k in range(4))
    if pattern == "low_activity":   # needs working days in W and in the week before
        mon = _monday(end)
        return all(cal.workdays(mon - dt.timedelta(weeks=k), min(end, mon - dt.timedelta(weeks=k, days=-6)))
                   for k in range(2))
    if pattern == "missing_logs":
        mon = _monday(end)
        return len([d for d in cal.workdays(mon, end)]) >= 2
    return True


def test_planted_patterns_raise_their_flag(bank):
    got = flags(bank)
    for pattern, eid in bank.planted.items():
        if pattern == "new_with_mentor" or not _evaluable(bank, pattern):
            continue
        assert eid in got[pattern], (pattern, eid, bank.end)
        if pattern == "declining":
            assert eid in got["declining_per_workday"], (pattern, eid, bank.end)
    assert bank.planted["new_with_mentor"] not in got["new_without_mentor"]


def test_steady_managers_raise_nothing(bank):
    steady = set(bank.roster.employee_id) - set(bank.planted.values())
    got = flags(bank)
    for rule, who in got.items():
        assert not (who & steady), (rule, sorted(who & steady), bank.end)


def test_steady_never_decline_three_weeks_anywhere(bank):
    """Stronger than the review week: no four consecutive weeks in the whole history decline, whether weekly totals
    or per-working-day rates are compared."""
    steady = set(bank.roster.employee_id) - set(bank.planted.values())
    logs = bank.logs[bank.logs.employee_id.isin(steady)].copy()
    logs["week"] = logs.date.dt.to_period("W-SUN")
    weeks = pd.period_range(logs.week.min(), logs.week.max(), freq="W-SUN")
    n = np.array([len([d for d in cal.workdays(w.start_time.date(), w.end_time.date()) if d <= bank.end])
                  for w in weeks], dtype=float)
    for m in DECLINE_METRICS:
        wk = logs.pivot_table(index="week", columns="employee_id", values=m, aggfunc="sum")
        wk = wk.reindex(weeks).fillna(0.0)
        for eid in wk.columns:
            s = wk[eid].to_numpy()
            for i in range(3, len(s)):
                assert not _declining(list(s[i - 3:i + 1])), (m, eid, str(weeks[i]))
                if n[i - 3:i + 1].all():
                    assert not _declining(list(s[i - 3:i + 1] / n[i - 3:i + 1])), (m, eid, str(weeks[i]), "rate")


def test_steady_month_shape(bank):
    """Every complete month: steady managers do ≥ 25% of each target metric in the last 10 working days, land
    near target, and push month-end deposits less than 1.3 × 日均."""
    steady = set(bank.roster.employee_id) - set(bank.planted.values()) - {bank.planted["new_with_mentor"]}
    logs, targets = bank.logs, bank.targets
    first_full = cal.add_months(cal.month_key(bank.start), 1)
    months = [m for m in sorted(targets.month.unique())
              if m >= first_full and cal.month_workdays(m)[-1] <= bank.end]
    assert months
    for mo in months:
        wds = cal.month_workdays(mo)
        in_m = logs[(logs.date >= pd.Timestamp(wds[0])) & (logs.date <= pd.Timestamp(wds[-1]))]
        tot = in_m.groupby("employee_id")[list(TARGET_METRICS)].sum()
        late = in_m[in_m.date >= pd.Timestamp(wds[-10])].groupby("employee_id")[list(TARGET_METRICS)].sum()
        tg = targets[targets.month == mo].pivot(index="employee_id", columns="metric", values="value")
        for eid in steady:
            for m in TARGET_METRICS:
                assert late.at[eid, m] >= 0.25 * tot.at[eid, m], (mo, eid, m)
                assert 0.85 <= tot.at[eid, m] / tg.at[eid, m] <= 1.2, (mo, eid, m, tot.at[eid, m], tg.at[eid, m])
            s = logs[logs.employee_id == eid].set_index("date")["deposit_balance"]
            assert s[pd.Timestamp(wds[-1])] < 1.3 * _daily_average(s, mo), (mo, eid)


def test_targets_cover_every_logged_month(bank):
    t = bank.targets
    assert set(t.metric) == set(TARGET_METRICS)
    assert (t.value > 0).all()
    assert not t.duplicated(["month", "employee_id", "metric"]).any()
    months = sorted({cal.month_key(d) for d in bank.logs.date.dt.date})
    assert sorted(t.month.unique()) == months
    starts = bank.roster.set_index("employee_id").start_date
    for eid in bank.roster.employee_id:
        first = max(bank.start, starts[eid].date())
        want = [m for m in months if m >= cal.month_key(first)]
        assert sorted(t[(t.employee_id == eid)].month.unique()) == want
        assert len(t[t.employee_id == eid]) == len(want) * len(TARGET_METRICS)


def test_new_hires_ramp_up():
    b = demo.generate(dt.date(2026, 11, 20))
    for p in ("new_without_mentor", "new_with_mentor"):
        g = b.logs[b.logs.employee_id == b.planted[p]].copy()
        g["week"] = g.date.dt.to_period("W-SUN")
        wk = g.groupby("week")["deposits_new"].sum().to_numpy()
        assert wk[:2].mean() < 0.5 * wk[-3:-1].mean()


def test_month_end_spike_flows_back():
    b = demo.generate(dt.date(2026, 11, 20))
    s = b.logs[b.logs.employee_id == b.planted["month_end_spike"]].set_index("date")["deposit_balance"]
    for mo in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10"):
        last = cal.month_workdays(mo)[-1]
        nxt = cal.workdays(last + dt.timedelta(days=1), last + dt.timedelta(days=20))[:5]
        avg = _daily_average(s, mo)
        assert s[pd.Timestamp(last)] >= 1.3 * avg
        assert s[pd.Timestamp(nxt[-1])] < 1.1 * avg


# ---------------------------------------------------------------- loading

def test_load_demo(engine):
    end = dt.date(2026, 11, 20)
    assert not demo.is_demo(engine)
    bank = demo.load_demo(engine, end)
    assert demo.is_demo(engine)
    roster = read_roster(engine, SYSTEM)
    assert roster.set_index("employee_id").sort_index().equals(bank.roster.set_index("employee_id").sort_index())
    logs = read_logs(engine, SYSTEM)[["employee_id", "date", *METRICS, "notes"]]
    pd.testing.assert_frame_equal(logs.reset_index(drop=True), bank.logs.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12)
    targets = read_targets(engine, SYSTEM).sort_values(["month", "employee_id", "metric"]).reset_index(drop=True)
    want = bank.targets.sort_values(["month", "employee_id", "metric"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(targets, want)


def test_load_demo_refuses_a_database_with_data(engine):
    demo.load_demo(engine, dt.date(2026, 11, 20))
    with pytest.raises(AppError) as e:
        demo.load_demo(engine, dt.date(2026, 11, 20))
    assert e.value.key == "demo.not_empty"
    assert "empty" in e.value.message("en") and "空数据库" in e.value.message("zh")
    again = demo.load_demo(engine, dt.date(2026, 11, 20), force=True)   # identical rows: nothing changes
    assert len(read_logs(engine, SYSTEM)) == len(again.logs)


def test_default_end_is_used(sqlite_engine):
    bank = demo.load_demo(sqlite_engine)
    assert bank.end == demo.default_end()
    assert read_logs(sqlite_engine, SYSTEM).date.max() == pd.Timestamp(bank.end)


def _cli(url, argv, lang="zh", as_json=False):
    """Run `python -m core demo ...` in-process through the CLI's main (its error handling included)."""
    from core import cli
    return cli.main(["--db", url, "--lang", lang, *(["--json"] if as_json else []), "demo", *argv])


def test_cli_demo(tmp_path, capsys):
    from core import cli, store
    from core.cli import demo as cli_demo
    assert cli_demo in cli.AREAS
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    try:
        assert _cli(url, ["--end", "2026-11-20"], lang="en") == 0
        out = capsys.readouterr().out
        assert "CM002" in out and "2026-11-20" in out and "declining" in out and "2026-W47" in out
        assert "Demo accounts created" in out and "demo_director" in out
        assert _cli(url, ["--end", "2026-11-20"]) == 1
        assert "空数据库" in capsys.readouterr().err
        assert _cli(url, ["--end", "2026-11-20", "--force"], as_json=True) == 0
        out = capsys.readouterr().out
        assert '"log_rows"' in out and '"ok": true' in out
        with pytest.raises(SystemExit):
            _cli(url, ["--end", "2026-13-01"])
    finally:
        store.dispose_all()


# ---------------------------------------------------------------- the committed workbooks (sample_data/)

SAMPLE = REPO / "sample_data"


def _sample_generate():
    import importlib.util
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_committed_workbooks_are_up_to_date(tmp_path):
    """Regenerating gives byte-identical files: the generator is deterministic and the committed files current."""
    gen = _sample_generate()
    sizes = gen.write_all(tmp_path, gen.SAMPLE_END)
    assert len([k for k in sizes if k.startswith("weekly/")]) == 26 * 4
    for rel, size in sizes.items():
        committed = SAMPLE / rel
        assert committed.exists(), rel
        assert committed.read_bytes() == (tmp_path / rel).read_bytes(), rel
        assert size < 40_000, (rel, size)          # small files
    assert sorted(p.name for p in (SAMPLE / "weekly").glob("*.xlsx")) == \
        sorted(k.split("/", 1)[1] for k in sizes if k.startswith("weekly/"))


@pytest.mark.parametrize("name,title,first_header,last_header", [
    ("2026-W47_对公一队.xlsx", "城南支行客户经理工作日报 2026年第47周 对公一队", "日期", "工作日志"),
    ("2026-W41_零售二队.xlsx", "城南支行客户经理工作日报 2026年第41周 零售二队", "日期", "工作日志"),
])
def test_weekly_workbook_layout(name, title, first_header, last_header):
    from openpyxl import load_workbook
    wb = load_workbook(SAMPLE / "weekly" / name)
    assert wb.sheetnames == ["工作日报", "填表说明"]
    ws = wb["工作日报"]
    assert ws["A1"].value == title
    assert any(str(r) == "A1:P1" for r in ws.merged_cells.ranges)
    header = [c.value for c in ws[2]]
    assert header[0] == first_header and header[-1] == last_header
    assert "新增存款(万元)" in header and "中间业务收入(元)" in header
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "合计"
    body = list(ws.iter_rows(min_row=3, max_row=ws.max_row - 1, values_only=True))
    assert all(isinstance(r[0], dt.datetime) for r in body)
    visits = header.index("拜访客户数")
    assert last[visits] == sum(r[visits] for r in body)          # totals written as values
    assert last[header.index("存款余额(万元)")] is None             # a stock has no total
    assert not any(isinstance(v, str) and v.startswith("=") for v in last)


def test_committed_workbooks_import_exactly(engine):
    """Roster + targets + every weekly workbook through core.ingest give exactly the generator's rows; importing
    them again changes nothing."""
    ingest = pytest.importorskip("core.ingest")
    bank = demo.generate(dt.date(2026, 11, 20))
    weeks: dict[str, list] = {}
    for p in sorted((SAMPLE / "weekly").glob("*.xlsx")):      # one upload per week: the four teams' files
        weeks.setdefault(p.name.split("_")[0], []).append((p.name, p.read_bytes()))
    batches = [("roster", [("roster.xlsx", (SAMPLE / "roster.xlsx").read_bytes())]),
               ("targets", [("targets.xlsx", (SAMPLE / "targets.xlsx").read_bytes())])] + \
        [("daily", files) for _, files in sorted(weeks.items())]
    assert len(batches) == 2 + 26
    for kind, files in batches:
        out = ingest.import_files(engine, SYSTEM, kind, files)
        assert out.ok, [p.as_dict("en") for p in out.errors][:5]
        assert out.summary.updated == 0 and out.summary.unchanged == 0
    roster = read_roster(engine, SYSTEM).set_index("employee_id").sort_index()
    want = bank.roster.set_index("employee_id").sort_index()
    roster["mentor_id"] = roster["mentor_id"].where(roster["mentor_id"].notna(), None)
    pd.testing.assert_frame_equal(roster, want, check_dtype=False)
    logs = read_logs(engine, SYSTEM)[["employee_id", "date", *METRICS, "notes"]]
    pd.testing.assert_frame_equal(logs.reset_index(drop=True), bank.logs.reset_index(drop=True),
                                  check_exact=False, rtol=1e-12)
    targets = read_targets(engine, SYSTEM).sort_values(["month", "employee_id", "metric"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        targets, bank.targets.sort_values(["month", "employee_id", "metric"]).reset_index(drop=True))
    unchanged = {"roster": 0, "targets": 0, "daily": 0}
    for kind, files in batches:
        out = ingest.import_files(engine, SYSTEM, kind, files)
        assert out.ok
        assert (out.summary.inserted, out.summary.updated) == (0, 0)
        unchanged[kind] += out.summary.unchanged
    assert unchanged == {"roster": 32, "targets": len(bank.targets), "daily": len(bank.logs)}
