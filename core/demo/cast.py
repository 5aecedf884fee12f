"""The demo bank's cast: its branch, teams, managers (grades, planted patterns, mentors), dates and the
texts of their daily notes. See :mod:`core.demo` for what the bank is."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import calendar as cal
from core.scope import internal

BRANCH = "城南支行"
DEFAULT_SEED = 2026
WEEKS = 26
DEMO_SCOPE = internal("demo")
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


def _seeded(seed: int, *parts) -> np.random.Generator:
    key = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return np.random.default_rng(int.from_bytes(key[:8], "little"))
