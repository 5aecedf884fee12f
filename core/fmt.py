"""How a value reads: the one formatting layer of every table, tile, chart tooltip, sentence and export text
(routine pages, coaching reasons and evidence, commission statements), on top of the :mod:`core.i18n` primitives.

* no value → "—" (never None / nan);
* counts → whole numbers with thousands separators ("1,525"), what is still needed rounded up (:func:`number_up`);
  amounts in 万元 and 元 → two decimals ("2,958.10"); the same decimals for the same unit in a column, whatever
  the row;
* percentages → one decimal ("93.5%"); a statement's attainment truncated to that decimal (:func:`pct_down`);
* rates that are not conversions (products per visit) → two decimals ("1.39");
* English units "CNY 10k" / "CNY"; plurals from the catalogue: ``{key}_one`` for 1 ("1 flag", "1 customer").

:func:`table` turns a frame into display strings column by column with these rules, so a page draws text that is
already right (sorting by the text is not offered on these small tables). :func:`figure` is a value inside a
sentence (coaching reasons), :func:`exact` a plan's exact Decimal (rates, coefficients, quantities),
:func:`json_num` a number for JSON evidence.
"""
from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal

import pandas as pd

from core.convert import py
from core.i18n import _half_up, fmt_money_wan, fmt_number, fmt_pct, fmt_yuan, has, norm_lang, t
from core.schema import FIELDS_BY_NAME, GRADE_EN

BLANK = "—"


def blank(value) -> bool:
    """None, NaN, pd.NA and NaT are no value."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def decimals(metric: str | None) -> int:
    """Decimals a metric shows with: 0 for counts (and unknown), 2 for amounts."""
    f = FIELDS_BY_NAME.get(metric) if metric else None
    return 2 if f is not None and f.kind == "amount" else 0


def number(value, metric: str | None = None) -> str:
    """A bare number in the metric's decimals with thousands separators ('1,525', '2,958.10'); '—' for none."""
    return BLANK if blank(value) else fmt_number(value, decimals(metric))


def number_up(value, metric: str | None = None) -> str:
    """What is still needed: counts rounded up to a whole unit (2.2 cards a day → '3'), amounts as
    :func:`number`."""
    if blank(value):
        return BLANK
    if decimals(metric) == 0:
        return fmt_number(math.ceil(round(float(value), 6)), 0)
    return number(value, metric)


def signed(value, metric: str | None = None) -> str:
    """Like :func:`number` with an explicit sign for changes ('+12', '-3.50', '0')."""
    if blank(value):
        return BLANK
    if _half_up(value, decimals(metric)) == 0:      # -0.3 rounds to a negative zero: it reads '0', never '-0'
        return number(0, metric)
    text = number(value, metric)
    return text if text.startswith("-") else f"+{text}"


def pct(value, decimals_: int = 1) -> str:
    return BLANK if blank(value) else fmt_pct(value, decimals_)


def pct_down(d, decimals_: int = 1) -> str:
    """A ratio of pay (a statement's attainment) as :func:`pct` shows one — the same decimals — but truncated, not
    rounded: 0.99996 reads '99.9%', never '100.0%' before the target is met; 1.2 reads '120.0%'."""
    if blank(d):
        return BLANK
    q = Decimal(1).scaleb(-decimals_)
    v = (Decimal(str(d)) * 100).quantize(q, rounding=ROUND_DOWN)
    return f"{v:.{decimals_}f}%"


def signed_pct(value) -> str:
    if blank(value):
        return BLANK
    if _half_up(float(value) * 100, 1) == 0:         # -0.0004 rounds to a negative zero: '0.0%', never '-0.0%'
        return fmt_pct(0)
    text = fmt_pct(value)
    return text if text.startswith("-") else f"+{text}"


def signed_points(value) -> str:
    """A difference of two shares in percentage points, its unit in the column header: 0.5 − 0.4 reads '+10.0'
    (never '+10.0%', which would be a relative change), a tiny negative reads '0.0', never '-0.0'."""
    if blank(value):
        return BLANK
    points = _half_up(float(value) * 100, 1)
    if points == 0:
        return "0.0"
    text = f"{points:.1f}"
    return text if text.startswith("-") else f"+{text}"


def rate(value) -> str:
    """A rate that is not a share (products per visit): two decimals, '—' for none."""
    return BLANK if blank(value) else fmt_number(value, 2)


def plural(key: str, n, lang: str = "zh", **params) -> str:
    """``t(key, n=…)``, or ``t(key + '_one')`` when n is 1 and the catalogue has a singular."""
    lang = norm_lang(lang)
    whole = 0 if blank(n) else n
    one = key + "_one"
    k = one if whole == 1 and has(one) else key
    shown = f"{int(whole):,d}" if float(whole).is_integer() else fmt_number(whole, 2)
    return t(k, lang, n=shown, **params)


def amount(metric: str, value, lang: str = "zh", count_round: str = "nearest") -> str:
    """A value of `metric` in its storage unit, with its unit: '18 张' / '18 cards', '1 card', '1,234.50 万元' /
    '1,234.50 (CNY 10k)', '¥' amounts in 元. Counts are whole: rounded to the nearest or up (``count_round='up'``)."""
    lang = norm_lang(lang)
    if blank(value):
        return BLANK
    f = FIELDS_BY_NAME[metric]
    if f.kind == "amount":
        return fmt_money_wan(value, lang) if f.unit == "wan" else fmt_yuan(value, lang)
    v = math.ceil(round(value, 6)) if count_round == "up" else int(_half_up(value, 0))
    return plural(f"briefing.unit.{metric}", v, lang)


def figure(metric: str, v, lang: str = "zh") -> str:
    """A metric value inside a sentence whose words already name what is counted (coaching reasons and
    evidence): '9户' / '9', '1,234.50万元' / '1,234.50 (CNY 10k)', '3,000.00元' / 'CNY 3,000.00'. Counts are whole
    (rounded half up); an unknown metric is a bare number; no value → '—'."""
    if blank(v):
        return BLANK
    f = FIELDS_BY_NAME.get(metric)
    if f is None or f.kind != "amount":
        n = fmt_number(v, 0)
        return f"{n}{f.count_unit_zh or '个'}" if f is not None and norm_lang(lang) == "zh" else n
    n = fmt_number(v, 2)
    if f.unit == "yuan":
        return f"{n}元" if norm_lang(lang) == "zh" else f"CNY {n}"
    return f"{n}万元" if norm_lang(lang) == "zh" else f"{n} (CNY 10k)"


def exact(d, sep: bool = True) -> str:
    """An exact Decimal (a plan's rate, a quantity, a coefficient) without trailing zeros or exponent: 1200, 150.5,
    0.05 — thousands separated unless ``sep=False`` (YAML values, JSON)."""
    d = Decimal(d)
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    return f"{d:,f}" if sep else f"{d:f}"


def json_num(x, nd: int = 4):
    """A number for JSON evidence: ints stay ints, floats are rounded to `nd` places, NaN becomes None."""
    v = py(x)
    return round(v, nd) if isinstance(v, float) else v


def cell(value, kind: str, metric: str | None = None, lang: str = "zh") -> str:
    """One table cell: kind 'metric' (the row's metric decimals), 'signed', 'count', 'pct', 'signed_pct',
    'signed_points' (a difference of shares, in percentage points), 'rate', 'text' (no value → '—')."""
    if kind == "metric":
        return number(value, metric)
    if kind == "signed":
        return signed(value, metric)
    if kind == "count":
        return number(value, None)
    if kind == "pct":
        return pct(value)
    if kind == "signed_pct":
        return signed_pct(value)
    if kind == "signed_points":
        return signed_points(value)
    if kind == "rate":
        return rate(value)
    return BLANK if blank(value) or str(value).strip() == "" else str(value)


def table(df: pd.DataFrame, kinds: dict, metric: str | pd.Series | None = None, lang: str = "zh") -> pd.DataFrame:
    """`df`'s columns of `kinds` (column → kind of :func:`cell`) as display strings. `metric` is one metric for
    the whole table, or a column name holding each row's metric (long tables mixing units)."""
    out = pd.DataFrame(index=df.index)
    if isinstance(metric, str) and metric in df.columns:
        per_row = df[metric].tolist()
    else:
        per_row = [metric] * len(df)
    for col, kind in kinds.items():
        out[col] = [cell(v, kind, m, lang) for v, m in zip(df[col].tolist(), per_row)]
    return out


def grade(name, lang: str = "zh") -> str:
    """A roster grade in the page's language (客户经理助理 → Assistant manager …); unknown grades as written."""
    if blank(name):
        return BLANK
    key = f"grade.{name}"
    if has(key):
        return t(key, lang)
    return GRADE_EN.get(str(name), str(name)) if norm_lang(lang) == "en" else str(name)
