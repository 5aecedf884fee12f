"""Canonical fields of the daily log (日报), roster and targets: the one place a column is defined.

Storage units
-------------
* amounts in 万元 (10,000 CNY): deposits_new, deposit_balance, loans_new, wealth_sales
* amounts in 元 (CNY): fee_income
* counts: whole numbers (visits, new_customers, credit_cards, mobile_banking, post_loan_checks, complaints)

A header may carry its own unit (元 / 万元 / 亿元, "CNY" / "CNY 10k" / "CNY 100m"; the older "10k CNY" still reads); ingest converts the
value to the field's storage unit with :func:`unit_factor`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Units, expressed as multiples of 1 yuan.
UNIT_YUAN = {"yuan": 1.0, "wan": 10_000.0, "yi": 100_000_000.0}
UNIT_LABEL = {"yuan": {"zh": "元", "en": "CNY"}, "wan": {"zh": "万元", "en": "CNY 10k"},
              "yi": {"zh": "亿元", "en": "CNY 100m"}, None: {"zh": "", "en": ""}}
# Unit words seen in headers, longest first so that 万元 wins over 元.
UNIT_WORDS = [
    ("万元", "wan"), ("亿元", "yi"), ("元", "yuan"),
    ("cny 10k", "wan"), ("10k cny", "wan"), ("10k yuan", "wan"), ("10,000 cny", "wan"), ("10000 cny", "wan"), ("wan yuan", "wan"),
    ("cny 100m", "yi"), ("100m cny", "yi"), ("100m yuan", "yi"), ("cny", "yuan"), ("yuan", "yuan"), ("rmb", "yuan"),
]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str                    # "date" | "text" | "count" | "amount"
    zh: str                      # canonical Chinese header (without unit)
    en: str                      # canonical English header (without unit)
    unit: str | None = None      # storage unit for amounts: "wan" | "yuan"
    aliases: tuple[str, ...] = field(default_factory=tuple)
    required: bool = False
    max_plausible: float | None = None   # above this per day → warning
    hard_max: float | None = None        # beyond ±this per day → error; a bank overrides it (core.ingest.ranges)
    count_unit_zh: str = ""      # 户 / 张 / 笔 ... for display

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "amount")

    def header(self, lang: str = "zh", with_unit: bool = True) -> str:
        base = self.zh if lang == "zh" else self.en
        if with_unit and self.unit:
            u = UNIT_LABEL[self.unit][lang]
            return f"{base}({u})" if lang == "zh" else f"{base} ({u})"
        return base

    def bilingual_header(self) -> str:
        """Header used in templates: `新增存款(万元) New deposits (CNY 10k)`."""
        return f"{self.header('zh')} {self.header('en')}"

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


DAILY_FIELDS: tuple[Field, ...] = (
    Field("date", "date", "日期", "Date", aliases=("日期", "date", "业务日期", "日报日期"), required=True),
    Field("employee_id", "text", "工号", "Employee ID", aliases=("工号", "员工号", "employee id", "emp id", "staff id", "id")),
    Field("manager_name", "text", "客户经理", "Manager",
          aliases=("客户经理", "姓名", "客户经理姓名", "manager", "name", "manager name")),
    Field("team", "text", "团队", "Team", aliases=("团队", "所属团队", "支行", "team")),
    Field("visits", "count", "拜访客户数", "Visits", aliases=("拜访客户数", "拜访户数", "走访客户数", "拜访", "visits"),
          max_plausible=100, hard_max=1_000, count_unit_zh="户"),
    Field("new_customers", "count", "新增客户数", "New customers",
          aliases=("新增客户数", "新拓客户数", "新增客户", "new customers"), max_plausible=50, hard_max=500, count_unit_zh="户"),
    Field("deposits_new", "amount", "新增存款", "New deposits", unit="wan",
          aliases=("新增存款", "new deposits"), max_plausible=100_000, hard_max=1_000_000),
    Field("deposit_balance", "amount", "存款余额", "Deposit balance", unit="wan",
          aliases=("存款余额", "deposit balance"), max_plausible=10_000_000, hard_max=100_000_000),
    Field("loans_new", "amount", "新增贷款", "New loans", unit="wan",
          aliases=("新增贷款", "贷款投放", "new loans"), max_plausible=100_000, hard_max=1_000_000),
    Field("credit_cards", "count", "信用卡", "Credit cards", aliases=("信用卡", "信用卡发卡", "credit cards"),
          max_plausible=100, hard_max=1_000, count_unit_zh="张"),
    Field("mobile_banking", "count", "手机银行", "Mobile banking", aliases=("手机银行", "手机银行签约", "mobile banking"),
          max_plausible=200, hard_max=2_000, count_unit_zh="户"),
    Field("wealth_sales", "amount", "理财销售", "Wealth sales", unit="wan", aliases=("理财销售", "wealth sales"),
          max_plausible=100_000, hard_max=1_000_000),
    Field("fee_income", "amount", "中间业务收入", "Fee income", unit="yuan", aliases=("中间业务收入", "fee income"),
          max_plausible=10_000_000, hard_max=100_000_000),
    Field("post_loan_checks", "count", "贷后检查", "Post-loan checks", aliases=("贷后检查", "post-loan checks", "post loan checks"),
          max_plausible=50, hard_max=500, count_unit_zh="笔"),
    Field("complaints", "count", "客户投诉", "Complaints", aliases=("客户投诉", "投诉", "complaints"),
          max_plausible=20, hard_max=200, count_unit_zh="起"),
    Field("notes", "text", "工作日志", "Notes", aliases=("工作日志", "备注", "问题与收获", "notes", "remarks")),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in DAILY_FIELDS}
# Numeric metrics stored per manager per day, in display order.
METRICS: tuple[str, ...] = tuple(f.name for f in DAILY_FIELDS if f.numeric)
COUNT_METRICS: tuple[str, ...] = tuple(f.name for f in DAILY_FIELDS if f.kind == "count")
AMOUNT_METRICS: tuple[str, ...] = tuple(f.name for f in DAILY_FIELDS if f.kind == "amount")
# Flow metrics that are summed over a period (deposit_balance is a stock, never summed).
FLOW_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m != "deposit_balance")
# Products "bought out to the person" (买单到人): can carry targets and commission.
PRODUCT_METRICS: tuple[str, ...] = ("deposits_new", "loans_new", "credit_cards", "mobile_banking",
                                    "wealth_sales", "fee_income")
# Metrics that may have a monthly target.
TARGET_METRICS: tuple[str, ...] = ("visits", "new_customers") + PRODUCT_METRICS
LOG_COLUMNS: tuple[str, ...] = ("employee_id", "date") + METRICS + ("notes",)

# Roster (花名册)
ROSTER_FIELDS: tuple[Field, ...] = (
    Field("employee_id", "text", "工号", "Employee ID", aliases=("工号", "员工号", "employee id", "emp id", "id"), required=True),
    Field("name", "text", "姓名", "Name", aliases=("姓名", "客户经理", "客户经理姓名", "name", "manager"), required=True),
    Field("team", "text", "团队", "Team", aliases=("团队", "所属团队", "支行", "team"), required=True),
    Field("line", "text", "条线", "Line", aliases=("条线", "业务条线", "line", "business line"), required=True),
    Field("grade", "text", "职级", "Grade", aliases=("职级", "等级", "grade", "level"), required=True),
    Field("start_date", "date", "入职日期", "Start date", aliases=("入职日期", "入行日期", "start date", "hire date")),
    Field("mentor_id", "text", "导师工号", "Mentor ID", aliases=("导师工号", "师傅工号", "mentor id", "mentor")),
    # Optional: lets the group robots @-mention a manager who has not logged (core/notify).
    Field("mobile", "text", "手机号", "Mobile", aliases=("手机号", "手机号码", "手机", "mobile", "mobile phone")),
)
ROSTER_BY_NAME = {f.name: f for f in ROSTER_FIELDS}

# Business lines (条线): stored as "corporate" / "retail".
LINES = ("corporate", "retail")
LINE_ALIASES = {"对公": "corporate", "公司": "corporate", "法人": "corporate", "corporate": "corporate",
                "零售": "retail", "对私": "retail", "个人": "retail", "retail": "retail"}
LINE_LABEL = {"corporate": {"zh": "对公", "en": "Corporate"}, "retail": {"zh": "零售", "en": "Retail"}}

# Grades (职级), lowest first. Plans may define others; these are the demo bank's.
GRADES = ("客户经理助理", "客户经理", "高级客户经理")
GRADE_EN = {"客户经理助理": "Assistant CM", "客户经理": "CM", "高级客户经理": "Senior CM",
            "助理": "Assistant", "中级": "Intermediate", "高级": "Senior", "资深": "Principal", "首席": "Chief"}

# Targets (目标分解) sheet: 月份 / 工号 / one column per target metric.
TARGET_MONTH_FIELD = Field("month", "text", "月份", "Month", aliases=("月份", "月度", "month"), required=True)

TOTAL_MARKERS = ("合计", "小计", "总计", "汇总", "total", "subtotal", "sum", "grand total")


def normalize_header(text: object) -> str:
    """Fold a header for matching: NFKC (full-width → half-width), lower case, no spaces or brackets."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"\s+", " ", s)
    return s


_BRACKET = re.compile(r"[\(\[（【]\s*([^\)\]）】]*)\s*[\)\]）】]")


def split_header(text: object) -> tuple[str, str | None]:
    """Split `新增存款（万元）` into ("新增存款", "wan"); `Visits` into ("visits", None).

    Returns the folded base name and the unit code found in brackets or as a suffix, if any.
    """
    s = normalize_header(text)
    unit = None
    m = _BRACKET.search(s)
    if m:
        inner = m.group(1).strip()
        for word, code in UNIT_WORDS:
            if inner == word or inner.replace(" ", "") == word.replace(" ", ""):
                unit = code
                break
        s = (s[: m.start()] + s[m.end():]).strip()
    else:
        for word, code in UNIT_WORDS:
            if word in ("元",):
                continue  # a bare 元 suffix is too ambiguous (e.g. 单元) — only in brackets
            if s.endswith(word) and len(s) > len(word):
                s = s[: -len(word)].strip()
                unit = code
                break
    s = s.replace(" ", "") if re.search(r"[\u4e00-\u9fff]", s) else s.strip()
    return s, unit


def _alias_index(fields: tuple[Field, ...]) -> dict[str, Field]:
    idx: dict[str, Field] = {}
    for f in fields:
        for a in (f.zh, f.en, f.name, *f.aliases):
            key, _ = split_header(a)
            idx.setdefault(key, f)
    return idx


DAILY_ALIAS_INDEX = _alias_index(DAILY_FIELDS)
ROSTER_ALIAS_INDEX = _alias_index(ROSTER_FIELDS)
TARGET_ALIAS_INDEX = _alias_index((TARGET_MONTH_FIELD, DAILY_FIELDS[1], DAILY_FIELDS[2]) +
                                  tuple(FIELDS_BY_NAME[m] for m in TARGET_METRICS))


def match_header(text: object, index: dict[str, Field] | None = None) -> tuple[Field | None, str | None]:
    """Map a header cell to (Field, unit found in the header) using an alias index (daily log by default).

    Handles bilingual template headers such as `新增存款(万元) New deposits (CNY 10k)` by trying the part
    before the first space-separated English word as well.
    """
    index = DAILY_ALIAS_INDEX if index is None else index
    base, unit = split_header(text)
    if base in index:
        return index[base], unit
    raw = normalize_header(text)
    # Bilingual header: try the Chinese part and then the English part.
    m = re.match(r"^([\u4e00-\u9fff][^a-z]*?)\s+([a-z].*)$", raw)
    if m:
        for part in (m.group(1), m.group(2)):
            b, u = split_header(part)
            if b in index:
                return index[b], u or unit
    return None, unit


def unit_factor(header_unit: str | None, field_: Field) -> float:
    """Multiplier that converts a value written in `header_unit` into the field's storage unit."""
    if not field_.unit or not header_unit:
        return 1.0
    return UNIT_YUAN[header_unit] / UNIT_YUAN[field_.unit]


def metric_label(metric: str, lang: str = "zh", with_unit: bool = True) -> str:
    return FIELDS_BY_NAME[metric].header(lang, with_unit)


def metric_unit_label(metric: str, lang: str = "zh") -> str:
    f = FIELDS_BY_NAME[metric]
    if f.unit:
        return UNIT_LABEL[f.unit][lang]
    if lang == "zh":
        return f.count_unit_zh or "个"
    return "count"
