"""The demo bank's generator: weekly levels with small noise, spread over working days, planted patterns,
monthly targets. See :mod:`core.demo` for the patterns."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core import calendar as cal
from core.demo.cast import (DEFAULT_SEED, DemoBank, WEEKLY_METRICS, WEEKS, _GRADE, _LEVELS, _Manager, _PRODUCTS,
                             _SPREAD, _monday, _note, _prev_month, _roster, _seeded,
                             last_complete_months)
from core.schema import METRICS, TARGET_METRICS


def _alloc(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split `total` whole units over days in proportion to `weights` (largest remainder, ties broken at random)."""
    n = len(weights)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    w = weights / weights.sum()
    raw = total * w
    base = np.floor(raw).astype(np.int64)
    rem = int(total - base.sum())
    if rem > 0:
        frac = raw - base + rng.random(n) * 1e-6
        base[np.argsort(-frac, kind="stable")[:rem]] += 1
    return base


def _nice(metric: str, x: float, down: bool = False) -> float:
    """A target as a bank writes it: whole counts, amounts to 5/10 万元, fee income to 100/500 元."""
    if metric == "fee_income":
        step = 500.0 if x >= 10000 else 100.0
    elif metric in ("deposits_new", "loans_new", "wealth_sales"):
        step = 10.0 if x >= 200 else 5.0 if x >= 20 else 1.0
    else:
        step = 1.0
    v = (np.floor(x / step) if down else np.round(x / step)) * step
    return float(max(step, v))


def _no_double_fall(u: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Make a weekly series (whole units; `n` working days per week) never fall two weeks running, neither in its
    weekly totals nor per working day: after a fall the next week with working days rises on that measure.

    Both conditions are lower bounds on the next week, so both can always hold; a week without working days
    (Spring Festival) has no rate and breaks a run.
    """
    u = u.copy()
    for k in range(2, len(u)):
        if n[k] == 0:
            continue
        lb = u[k]
        if n[k - 1] == 0:
            lb = max(lb, 1)
        elif n[k - 2] > 0:
            if u[k - 1] < u[k - 2]:
                lb = max(lb, u[k - 1] + 1)
            if u[k - 1] * n[k - 2] < u[k - 2] * n[k - 1]:          # the rate fell
                lb = max(lb, (u[k - 1] * n[k]) // n[k - 1] + 1)
        u[k] = lb
    return u


def _slide(u: np.ndarray, n: np.ndarray, k_w: int, n_w: int) -> np.ndarray:
    """The sliding star: from week W-3 to the review week W, both the weekly total and the per-working-day rate
    fall each week (W counts only its `n_w` working days up to the end of the data), ending near half."""
    u = u.astype(float).copy()
    ks = [k_w - 3, k_w - 2, k_w - 1, k_w]
    if ks[0] < 0 or any(n[k] == 0 for k in ks) or n_w == 0:
        return np.rint(u).astype(np.int64)
    eff = {k: float(n[k]) for k in ks}
    eff[k_w] = float(n_w)
    rate, raw = u[ks[0]] / eff[ks[0]], u[ks[0]]
    for k, step in zip(ks[1:], (0.86, 0.8, 0.72)):
        rate = min(rate * step, 0.85 * raw / eff[k])
        raw = rate * eff[k]
        u[k] = np.floor(rate * n[k])
    for k in range(k_w + 1, len(u)):
        u[k] = np.floor(rate * n[k])
    return u.astype(np.int64)


def _weekly_levels(m: _Manager, weeks: list[dt.date], end_month: str,
                   week_months: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Baseline weekly levels (what the bank plans for) and the pattern multipliers, per metric."""
    lv = _LEVELS[m.line]
    g_prod, g_visit, g_conv, _ = _GRADE[m.grade]
    n = len(weeks)
    star = 1.35 if m.pattern == "declining" else 1.0
    base: dict[str, np.ndarray] = {}
    ramp_p = np.ones(n)
    ramp_v = np.ones(n)
    if m.pattern in ("new_without_mentor", "new_with_mentor"):
        since = np.array([(w - _monday(m.start_date)).days / 7 for w in weeks])
        x = np.clip(since / 14.0, 0, 1)
        ramp_p = 0.2 + 0.8 * x
        ramp_v = 0.6 + 0.4 * x
    for metric in WEEKLY_METRICS:
        if metric == "visits":
            level = lv[metric] * g_visit * m.visit_f * ramp_v
        elif metric == "new_customers":
            level = lv[metric] * g_visit * m.visit_f * g_conv * m.conv_f * ramp_v * np.sqrt(ramp_p)
        else:
            level = lv[metric] * g_prod * m.skill * ramp_p
        base[metric] = np.broadcast_to(np.asarray(level, dtype=float) * star, (n,)).copy()
    mult = {metric: np.ones(n) for metric in WEEKLY_METRICS}
    p = m.pattern
    if p == "low_activity":
        mult["visits"][:] = 0.3
        mult["new_customers"][:] = 0.5
        for x in _PRODUCTS:
            mult[x][:] = 0.75
    elif p == "busy_not_converting":
        mult["visits"][:] = 1.3
        mult["new_customers"][:] = 0.3
        for x in _PRODUCTS:
            mult[x][:] = 0.6
    elif p == "behind_pace":
        cur = np.array([wm == end_month for wm in week_months])
        mult["visits"][cur] = 0.9
        mult["new_customers"][cur] = 0.45
        for x in _PRODUCTS:
            mult[x][cur] = 0.45
    return base, mult


def generate(end: dt.date, seed: int = DEFAULT_SEED) -> DemoBank:
    """The demo bank for logs ending on `end` (inclusive), deterministic in (`end`, `seed`)."""
    end = cal._as_date(end)
    review_monday = _monday(end)
    start = review_monday - dt.timedelta(weeks=WEEKS - 1)
    end_month = cal.month_key(end)
    month_last = cal.month_bounds(end_month)[1]
    horizon_end = max(month_last, review_monday + dt.timedelta(days=6))
    weeks: list[dt.date] = []
    w = start
    while w <= horizon_end:
        weeks.append(w)
        w += dt.timedelta(weeks=1)
    k_review = WEEKS - 1
    week_days = [cal.workdays(wk, wk + dt.timedelta(days=6)) for wk in weeks]
    n_wd = np.array([len(d) for d in week_days], dtype=np.int64)
    logged_review = [d for d in week_days[k_review] if d <= end]
    # The month a week mostly belongs to (by its working days), for month-wide patterns.
    week_months = [cal.month_key(d[len(d) // 2]) if d else cal.month_key(wk) for wk, d in zip(weeks, week_days)]
    all_days = [d for ds in week_days for d in ds]
    day_index = {d: i for i, d in enumerate(all_days)}
    n_days = len(all_days)
    months = sorted({cal.month_key(d) for d in all_days})
    month_days = {mo: [d for d in cal.month_workdays(mo)] for mo in months}
    month_end_days = {mo: set(ds[-3:]) for mo, ds in month_days.items()}
    last10 = {mo: set(ds[-10:]) for mo, ds in month_days.items()}
    front_months = set(last_complete_months(end))

    managers = _roster(end, seed)
    planted = {m.pattern: m.employee_id for m in managers if m.pattern}

    daily: dict[str, dict[str, np.ndarray]] = {}
    baseline_daily: dict[str, dict[str, np.ndarray]] = {}
    for m in managers:
        rng = _seeded(seed, "flows", m.employee_id)
        base, mult = _weekly_levels(m, weeks, end_month, week_months)
        daily[m.employee_id] = {}
        baseline_daily[m.employee_id] = {}
        for metric in WEEKLY_METRICS:
            sd, res, conc = _SPREAD[metric]
            noise = np.clip(rng.normal(0.0, sd, len(weeks)), -2 * sd, 2 * sd)
            if m.pattern == "declining":
                noise *= 0.3
            # A short (holiday) week does somewhat less in total but more per day than a full one: the weekly
            # total goes with the square root of its working days.
            planned = base[metric] * (1 + noise) * np.sqrt(n_wd / 5.0)
            units = np.rint(planned * mult[metric] / res).astype(np.int64)
            units[n_wd == 0] = 0
            if m.pattern == "declining":
                units = _slide(units, n_wd, k_review, len(logged_review))
            elif m.pattern != "behind_pace":
                units = _no_double_fall(units, n_wd)
            values = np.zeros(n_days)
            bvalues = np.zeros(n_days)
            for k, ds in enumerate(week_days):
                if not ds:
                    continue
                if conc and m.pattern != "declining":
                    wts = rng.dirichlet([conc] * len(ds))
                    if metric == "deposits_new":   # month-end deposit drive: more of the week's deposits land then
                        wts = wts * np.array([1.8 if d in month_end_days[cal.month_key(d)] else 1.0 for d in ds])
                else:
                    wts = np.ones(len(ds))
                u = _alloc(int(units[k]), wts, rng)
                i0 = day_index[ds[0]]
                values[i0:i0 + len(ds)] = u * res
                bvalues[i0:i0 + len(ds)] = planned[k] / len(ds)
            daily[m.employee_id][metric] = values
            baseline_daily[m.employee_id][metric] = bvalues
        if m.pattern == "front_loaded":
            for metric in WEEKLY_METRICS:
                v = daily[m.employee_id][metric]
                _, res, _ = _SPREAD[metric]
                for i, d in enumerate(all_days):
                    mo = cal.month_key(d)
                    if mo in front_months:
                        f = 0.15 if d in last10[mo] else 1.35
                        v[i] = np.rint(v[i] * f / res) * res
        for metric in WEEKLY_METRICS:
            daily[m.employee_id][metric] = np.round(daily[m.employee_id][metric], 2)

    # Complaints: the planted manager's two in the review week and two before; a few isolated old ones.
    missing_days = set(cal.workdays(start, end)[-3:])
    complaints = {m.employee_id: np.zeros(n_days) for m in managers}
    cm = planted["complaints"]
    review_days = logged_review or [end]
    if len(review_days) >= 2:
        for d in review_days[-2:]:
            complaints[cm][day_index[d]] += 1
    else:
        complaints[cm][day_index[review_days[0]]] += 2
    for back in (4, 9):
        ds = week_days[k_review - back]
        if ds:
            complaints[cm][day_index[ds[len(ds) // 2]]] += 1
    rng = _seeded(seed, "complaints")
    steady = [m for m in managers if m.pattern is None]
    for m in rng.choice(len(steady), size=3, replace=False):
        k = int(rng.integers(1, max(2, k_review - 8)))
        ds = week_days[k]
        if ds:
            complaints[steady[int(m)].employee_id][day_index[ds[int(rng.integers(len(ds)))]]] += 1

    # Deposit balance: a stock that grows with new deposits less outflows, plus a month-end push that flows back.
    balances: dict[str, np.ndarray] = {}
    month_pos = [(cal.month_key(d), month_days[cal.month_key(d)].index(d), len(month_days[cal.month_key(d)]))
                 for d in all_days]
    for m in managers:
        rng = _seeded(seed, "balance", m.employee_id)
        lv = _LEVELS[m.line]
        book = lv["deposit_balance"] * _GRADE[m.grade][3] * float(rng.uniform(0.85, 1.15))
        if m.pattern in ("new_without_mentor", "new_with_mentor"):
            book *= 0.3   # a new hire takes over a small book of accounts
        inflow = daily[m.employee_id]["deposits_new"]
        # Outflows run at 55–95% of the week's average daily inflow: the book grows slowly.
        week_avg = np.concatenate([np.full(len(ds), inflow[day_index[ds[0]]:day_index[ds[0]] + len(ds)].mean())
                                   for ds in week_days if ds])
        base = np.empty(n_days)
        b = book
        for i in range(n_days):
            out = week_avg[i] * float(rng.uniform(0.55, 0.95))
            b = max(b + inflow[i] - out, 0.2 * book)
            base[i] = b
        spike = m.pattern == "month_end_spike"
        push = np.zeros(n_days)
        size = {mo: (float(rng.uniform(0.65, 0.8)) if spike else float(rng.uniform(0.02, 0.07))) for mo in months}
        prev_mo = {mo: _prev_month(mo) for mo in months}
        for i, (mo, pos, total) in enumerate(month_pos):
            if pos == total - 1:
                push[i] = size[mo]
            elif pos == total - 2:
                push[i] = size[mo] * (0.35 if spike else 0.5)
            elif pos < 3 and prev_mo[mo] in size:
                push[i] = size[prev_mo[mo]] * ((0.25, 0.08, 0.0)[pos] if spike else (0.4, 0.15, 0.0)[pos])
        balances[m.employee_id] = np.round(base * (1 + push), 2)

    # Rows: working days from the manager's first day (or the window start) to `end`, minus missing days.
    rows = []
    for m in managers:
        rng = _seeded(seed, "notes", m.employee_id)
        first = max(start, m.start_date)
        vals = daily[m.employee_id]
        for i, d in enumerate(all_days):
            if d < first or d > end:
                continue
            if m.pattern == "missing_logs" and d in missing_days:
                continue
            row = {"employee_id": m.employee_id, "date": d}
            for metric in WEEKLY_METRICS:
                row[metric] = float(vals[metric][i])
            row["complaints"] = float(complaints[m.employee_id][i])
            row["deposit_balance"] = float(balances[m.employee_id][i])
            row["notes"] = _note(rng, m, d, row, month_pos[i], spike=m.pattern == "month_end_spike")
            rows.append(row)
    logs = pd.DataFrame(rows, columns=["employee_id", "date", *METRICS, "notes"])
    logs["date"] = pd.to_datetime(logs["date"])
    for metric in METRICS:
        logs[metric] = logs[metric].astype("float64")
    logs = logs.sort_values(["date", "employee_id"], kind="stable").reset_index(drop=True)

    targets = _targets(managers, seed, end, start, all_days, daily, baseline_daily, month_days)

    roster = pd.DataFrame([{"employee_id": m.employee_id, "name": m.name, "team": m.team, "line": m.line,
                            "grade": m.grade, "start_date": pd.Timestamp(m.start_date), "mentor_id": m.mentor_id,
                            "active": True} for m in managers],
                          columns=["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id",
                                   "active"])
    roster["start_date"] = pd.to_datetime(roster["start_date"])
    return DemoBank(end=end, seed=seed, roster=roster, logs=logs, targets=targets, planted=planted, start=start)


def _targets(managers: list[_Manager], seed: int, end: dt.date, start: dt.date, all_days: list[dt.date],
             daily, baseline_daily, month_days) -> pd.DataFrame:
    """Monthly targets: the month's expected results divided by an attainment factor drawn in 0.97–1.07.

    Managers whose volumes follow a planted pattern get targets from their *baseline* (what the bank expects of
    them); everyone else from their own month. The first, partly covered month is prorated to the covered days.
    This month's target never puts a smooth manager behind pace at `end` (capped so month-to-date ≥ 80% of pace).
    """
    volume_patterns = {"behind_pace", "low_activity", "busy_not_converting", "declining", "front_loaded"}
    end_month = cal.month_key(end)
    months = sorted({cal.month_key(d) for d in all_days if start <= d <= end})
    day_month = np.array([cal.month_key(d) for d in all_days])
    day_arr = np.array(all_days)
    out = []
    for m in managers:
        rng = _seeded(seed, "targets", m.employee_id)
        first = max(start, m.start_date)
        src = baseline_daily if m.pattern in volume_patterns else daily
        for mo in months:
            if cal.month_bounds(mo)[1] < first:
                continue
            sel = (day_month == mo) & (day_arr >= first)
            for metric in TARGET_METRICS:
                f = float(rng.uniform(0.97, 1.07))
                expected = float(src[m.employee_id][metric][sel].sum())
                value = _nice(metric, expected / f)
                if mo == end_month and m.pattern not in volume_patterns and m.pattern != "missing_logs":
                    wds = [d for d in month_days[mo] if d >= first]
                    elapsed = sum(1 for d in wds if d <= end)
                    if elapsed and wds:
                        mtd = float(daily[m.employee_id][metric][sel & (day_arr <= end)].sum())
                        cap = mtd / (0.8 * elapsed / len(wds))
                        if value > cap:
                            value = _nice(metric, cap, down=True)
                out.append({"month": mo, "employee_id": m.employee_id, "metric": metric, "value": value})
    df = pd.DataFrame(out, columns=["month", "employee_id", "metric", "value"])
    df["value"] = df["value"].astype("float64")
    return df
