"""The demo bank: a deterministic, believable sub-branch (城南支行) for first start, demos and tests.

:func:`generate` builds, from a fixed seed, four teams (对公一队, 对公二队, 零售一队, 零售二队) of eight customer
managers each (CM001..CM032, three grades), 26 ISO weeks of daily logs ending on ``end``, and monthly targets for
every month the logs cover. Logs exist only on China working days (statutory holidays off, make-up days 调休
worked). Most managers are *steady*; ten carry a planted coaching pattern (``DemoBank.planted``) that the coaching
rules find in the review week (the ISO week containing ``end``):

==================== ======================================================================================
pattern              how it is planted
==================== ======================================================================================
behind_pace          this month's products and new customers at ~45% of the usual level
low_activity         visits at ~30% of the team's level, all along (缺乏干劲型)
busy_not_converting  visits ~130% of the team's level, new customers at 0.3× the usual rate (信心不足型)
declining            a 高级客户经理 star whose weekly totals *and* per-working-day rates fall from W-3 to W, ending
                     near half (骄傲自满型)
missing_logs         no daily report on the last three working days up to ``end``
complaints           two complaints in the review week (and two isolated ones before)
front_loaded         the last complete month(s): strong start, ~10% of the month in its last 10 working days
month_end_spike      deposit balance +65–80% on every month's last working day, flowing back within days (冲时点)
new_without_mentor   an assistant hired ~11 weeks before ``end``, ramping up, no mentor on the roster
new_with_mentor      an assistant hired ~14 weeks before ``end``, ramping up, with a mentor
==================== ======================================================================================

"The last complete month" is read both ways a rule may read it: the month before ``end``'s month, and ``end``'s
own month when ``end`` is its last working day (:func:`last_complete_months`); front-loading is planted in both.
Some patterns cannot show for some ends whatever the data: ``behind_pace`` before the 5th working day of a month,
``missing_logs`` when the review week has fewer than two working days up to ``end``, ``declining`` and
``low_activity`` when one of the weeks compared has no working day (Spring Festival).

Steady managers are smooth by construction: weekly totals are drawn with small noise around a stable level (a short
holiday week does √(days/5) of a full week's total, so neither its total nor its per-day rate jumps far), and
never fall two weeks running — neither in total nor per working day — so no metric can fall three weeks running
by either measure; each week's total is spread over that week's working days, the month-end deposit push stays a
few percent of the balance, complaints are rare and old, and this month's targets keep them on pace.

:func:`load_demo` stores a bank through the normal write path (``core.store.logs.apply_*``) and marks the database
as demo data (setting ``demo_mode``); :func:`is_demo` reads that mark.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.schema import METRICS, TARGET_METRICS
from core.scope import Scope
from core.store.logs import StoreError

BRANCH = "城南支行"
DEFAULT_SEED = 2026
WEEKS = 26
DEMO_SCOPE = Scope("director", username="demo")
SETTING_KEY = "demo_mode"

TEAMS: tuple[tuple[str, str], ...] = (
    ("对公一队", "corporate"), ("对公二队", "corporate"), ("零售一队", "retail"), ("零售二队", "retail"))

PATTERNS: tuple[str, ...] = (
    "behind_pace", "low_activity", "busy_not_converting", "declining", "missing_logs", "complaints",
    "front_loaded", "month_end_spike", "new_without_mentor", "new_with_mentor")

SENIOR, CM, ASSISTANT = "高级客户经理", "客户经理", "客户经理助理"

# One slot per manager, CM001..CM032 in order: (grade, planted pattern or None, mentor slot number or None).
_SLOTS: tuple[tuple[str, str | None, int | None], ...] = (
    # 对公一队
    (SENIOR, None, None), (SENIOR, "declining", None), (CM, None, None), (CM, None, None),
    (CM, "month_end_spike", None), (CM, None, None), (ASSISTANT, None, 1), (ASSISTANT, "new_without_mentor", None),
    # 对公二队
    (SENIOR, None, None), (SENIOR, None, None), (CM, "behind_pace", None), (CM, None, None),
    (CM, None, None), (CM, "busy_not_converting", None), (CM, None, None), (ASSISTANT, None, 9),
    # 零售一队
    (SENIOR, None, None), (CM, None, None), (CM, "complaints", None), (CM, None, None),
    (CM, None, None), (CM, "front_loaded", None), (ASSISTANT, None, 17), (ASSISTANT, "new_with_mentor", 21),
    # 零售二队
    (SENIOR, None, None), (CM, "low_activity", None), (SENIOR, None, None), (CM, None, None),
    (CM, None, None), (CM, "missing_logs", None), (ASSISTANT, None, 25), (ASSISTANT, None, 27),
)

# Weekly level of a 客户经理 (grade factor 1) per line, in storage units; and per metric:
# (relative weekly noise, resolution of one unit, within-week Dirichlet concentration; 0 = spread evenly).
_LEVELS = {
    "corporate": {"visits": 16, "new_customers": 3.6, "deposits_new": 450.0, "loans_new": 380.0,
                  "credit_cards": 3.6, "mobile_banking": 5.0, "wealth_sales": 60.0, "fee_income": 18000.0,
                  "post_loan_checks": 4.0, "deposit_balance": 35000.0},
    "retail": {"visits": 30, "new_customers": 7.5, "deposits_new": 120.0, "loans_new": 45.0,
               "credit_cards": 10.0, "mobile_banking": 16.0, "wealth_sales": 260.0, "fee_income": 6500.0,
               "post_loan_checks": 1.6, "deposit_balance": 9000.0},
}
_SPREAD = {"visits": (0.05, 1, 0), "new_customers": (0.07, 1, 0), "deposits_new": (0.07, 0.1, 4.0),
           "loans_new": (0.08, 0.1, 1.5), "credit_cards": (0.07, 1, 0), "mobile_banking": (0.07, 1, 0),
           "wealth_sales": (0.07, 0.1, 3.0), "fee_income": (0.07, 1, 3.0), "post_loan_checks": (0.07, 1, 0)}
WEEKLY_METRICS: tuple[str, ...] = tuple(_SPREAD)   # flows generated week by week (complaints apart)

# Grade factors: products / visits / conversion (new customers per visit) / book size.
_GRADE = {SENIOR: (1.3, 1.05, 1.1, 1.6), CM: (1.0, 1.0, 1.0, 1.0), ASSISTANT: (0.7, 0.95, 0.85, 0.5)}
_PRODUCTS = ("deposits_new", "loans_new", "credit_cards", "mobile_banking", "wealth_sales", "fee_income",
             "post_loan_checks")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = ("志强", "静怡", "海涛", "晓燕", "明轩", "丽娜", "建国", "思远", "雅婷", "俊杰", "晓峰", "佳琪", "文博",
          "倩", "振宇", "晓雯", "翔", "梦瑶", "国栋", "雨桐", "俊豪", "冰", "子涵", "磊", "诗琪", "凯", "颖",
          "浩然", "丽", "然", "甜", "斌", "红梅", "建华", "秀英", "伟", "敏", "军", "婷婷", "鹏飞", "慧敏",
          "永刚", "春燕", "立新", "嘉欣", "宇航", "欣怡", "志鹏")

_CO_PREFIX = ("恒通", "华鑫", "金桥", "瑞丰", "宏达", "盛源", "永安", "鼎泰", "中联", "新锐", "博远", "天成",
              "嘉禾", "润华", "汇丰达", "安泰", "城南", "东方")
_CO_TRADE = ("精密机械", "物流", "建材", "医药", "食品", "电子科技", "商贸", "建设工程", "纺织", "汽车配件",
             "环保科技", "包装材料")
_ROLES = ("财务总监", "财务经理", "总经理", "出纳", "董事长", "采购负责人")
_CORP_BIZ = ("代发工资", "对公结算账户", "流动资金贷款", "票据贴现", "企业网银", "单位定期存款", "国际结算",
             "供应链融资", "现金管理", "保函")
_COMMUNITIES = ("锦绣花园", "阳光小区", "翠湖苑", "金色家园", "南湖新村", "滨江华府", "书香门第", "幸福里")
_RETAIL_PROD = ("大额存单", "稳健型理财", "信用卡分期", "个人消费贷", "基金定投", "养老金代发", "手机银行",
                "代理保险")
_COMPLAINT_ISSUES = ("理财产品风险提示不充分", "信用卡分期手续费解释不清", "业务办理等候时间过长",
                     "贷款审批进度未及时告知", "电话营销过于频繁")


class DemoError(StoreError, ValueError):
    """Loading the demo bank was refused (the database already holds data), with a message in both languages
    (``message(lang)``, from StoreError); also a ValueError, which callers such as app.py catch."""


@dataclass
class DemoBank:
    end: dt.date
    seed: int
    roster: pd.DataFrame            # ROSTER_COLUMNS of core.store.logs
    logs: pd.DataFrame              # employee_id, date (datetime64), every METRIC (float64), notes
    targets: pd.DataFrame           # month, employee_id, metric, value
    planted: dict[str, str]         # pattern -> employee_id
    start: dt.date = field(default=dt.date(1970, 1, 1))   # first logged day (a Monday)
    branch: str = BRANCH

    @property
    def review_week(self) -> str:
        return cal.week_key(self.end)

    def summary(self) -> dict:
        return {"branch": self.branch, "end": self.end.isoformat(), "start": self.start.isoformat(),
                "seed": self.seed, "teams": int(self.roster["team"].nunique()),
                "managers": int(len(self.roster)), "log_rows": int(len(self.logs)),
                "target_rows": int(len(self.targets)),
                "months": sorted(self.targets["month"].unique().tolist()),
                "review_week": self.review_week, "planted": dict(self.planted)}


# ---------------------------------------------------------------- dates

def default_end(today: dt.date | None = None) -> dt.date:
    """The last working day strictly before `today`, so the morning meeting always has a "yesterday"."""
    return cal.previous_workday(today or dt.date.today())


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _prev_month(month: str) -> str:
    return cal.add_months(month, -1)


def last_complete_months(end: dt.date) -> list[str]:
    """The month(s) that count as "the last complete month" at `end`: the month before `end`'s, and `end`'s own
    month too when `end` is its last working day."""
    own = cal.month_key(end)
    out = [_prev_month(own)]
    if cal.month_workdays(own)[-1] == end:
        out.append(own)
    return out


# ---------------------------------------------------------------- helpers

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


def _seeded(seed: int, *parts) -> np.random.Generator:
    key = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(key[:8], "little"))


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


# ---------------------------------------------------------------- the generator

@dataclass
class _Manager:
    slot: int
    employee_id: str
    name: str
    team: str
    line: str
    grade: str
    pattern: str | None
    start_date: dt.date
    mentor_id: str | None
    skill: float
    visit_f: float
    conv_f: float


def _roster(end: dt.date, seed: int) -> list[_Manager]:
    rng = _seeded(seed, "roster")
    given = rng.choice(len(_GIVEN), size=len(_SLOTS), replace=False)
    names = [_SURNAMES[int(rng.integers(len(_SURNAMES)))] + _GIVEN[int(g)] for g in given]
    out = []
    for i, (grade, pattern, mentor) in enumerate(_SLOTS):
        team, line = TEAMS[i // 8]
        if pattern == "new_without_mentor":
            days = 11 * 7
        elif pattern == "new_with_mentor":
            days = 14 * 7
        elif pattern == "declining":
            days = 3650 + int(rng.integers(0, 400))
        elif grade == SENIOR:
            days = int(rng.integers(6 * 365, 14 * 365))
        elif grade == CM:
            days = int(rng.integers(2 * 365, 9 * 365))
        else:
            days = int(rng.integers(int(1.2 * 365), int(2.5 * 365)))
        start = end - dt.timedelta(days=days)
        if pattern in ("new_without_mentor", "new_with_mentor"):
            start = _monday(start)            # new hires join on a Monday
        skill = float(rng.uniform(0.93, 1.07))
        visit_f = float(rng.uniform(0.94, 1.06))
        conv_f = float(rng.uniform(0.9, 1.1))
        out.append(_Manager(i + 1, f"CM{i + 1:03d}", names[i], team, line, grade, pattern, start,
                            f"CM{mentor:03d}" if mentor else None, skill, visit_f, conv_f))
    return out


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


def _note(rng: np.random.Generator, m: _Manager, d: dt.date, row: dict, month_pos, spike: bool) -> str:
    """A short 工作日志 line built from the day's numbers."""
    co = lambda: f"{rng.choice(_CO_PREFIX)}{rng.choice(_CO_TRADE)}有限公司"  # noqa: E731
    parts: list[str] = []
    if cal.is_makeup_workday(d):
        parts.append("调休上班")
    if m.line == "corporate":
        parts.append(f"拜访{co()}{rng.choice(_ROLES)},沟通{rng.choice(_CORP_BIZ)}业务")
        if row["loans_new"] >= 50 and rng.random() < 0.6:
            parts.append(f"{co()}流动资金贷款{row['loans_new']:g}万元投放到位")
        elif row["deposits_new"] >= 80 and rng.random() < 0.5:
            parts.append(f"营销{co()}单位存款{row['deposits_new']:g}万元")
        if row["post_loan_checks"] > 0 and rng.random() < 0.5:
            parts.append(f"对{co()}开展贷后检查,经营正常")
    else:
        r = rng.random()
        if r < 0.35:
            parts.append(f"在{rng.choice(_COMMUNITIES)}社区开展金融知识宣传,推介{rng.choice(_RETAIL_PROD)}")
        elif r < 0.7:
            parts.append(f"电话回访存量客户{int(rng.integers(5, 16))}户,推荐{rng.choice(_RETAIL_PROD)}")
        else:
            parts.append("网点厅堂驻点营销,识别潜在客户")
        if row["credit_cards"] >= 2 and rng.random() < 0.5:
            parts.append(f"办理信用卡{int(row['credit_cards'])}张")
        if row["wealth_sales"] >= 40 and rng.random() < 0.5:
            parts.append(f"为客户配置理财{row['wealth_sales']:g}万元")
        if row["mobile_banking"] >= 4 and rng.random() < 0.3:
            parts.append(f"新增手机银行签约{int(row['mobile_banking'])}户")
    if row["new_customers"] >= 2 and rng.random() < 0.3:
        parts.append(f"新开户{int(row['new_customers'])}户")
    _, pos, total = month_pos
    if spike and pos >= total - 2:
        parts.append("协调客户资金月末到账,冲刺存款时点")
    elif pos >= total - 3 and m.line == "corporate" and rng.random() < 0.4:
        parts.append("月末存款冲刺")
    if row["complaints"] > 0:
        parts.append(f"客户投诉:{rng.choice(_COMPLAINT_ISSUES)},已登记并回访致歉")
    return ";".join(parts)


# ---------------------------------------------------------------- loading

def _sha(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def load_demo(engine: Engine, end: dt.date | None = None, force: bool = False,
              seed: int = DEFAULT_SEED) -> DemoBank:
    """Store the demo bank (roster, targets, daily logs) as the user "demo" and mark the database demo data.

    Refused with :class:`DemoError` when the database already has managers, unless `force` (then the demo rows are
    written over whatever is there, like any import). All or nothing: if a step fails, the steps already done are
    undone.
    """
    from core import store
    from core.store.config import set_setting
    from core.store.logs import apply_daily, apply_roster, apply_targets, undo_import

    if not force and not store.is_empty(engine):
        raise DemoError("the database already holds data; the demo bank is only loaded into an empty database "
                        "(use --force to load it anyway)",
                        "数据库中已有数据,演示数据只能加载到空数据库(如确需加载,请加 --force)")
    bank = generate(end or default_end(), seed)
    done: list[int] = []
    try:
        for kind, apply, df in (("roster", apply_roster, bank.roster), ("targets", apply_targets, bank.targets),
                                ("daily", apply_daily, bank.logs)):
            s = apply(engine, DEMO_SCOPE, df, f"demo:{kind}", _sha(df))
            if s.import_id is not None:
                done.append(s.import_id)
        set_setting(engine, DEMO_SCOPE, SETTING_KEY, "true")
    except Exception:
        for import_id in reversed(done):
            try:
                undo_import(engine, DEMO_SCOPE, import_id)
            except Exception:  # pragma: no cover - best effort; the original error matters more
                pass
        raise
    return bank


def is_demo(engine: Engine) -> bool:
    """True when the database was loaded with the demo bank (setting ``demo_mode`` is true)."""
    from core.store.config import get_setting

    value = get_setting(engine, SETTING_KEY)
    return value is not None and str(value).strip().lower() in ("true", "yes", "1", "on")
