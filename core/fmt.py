"""How a value reads on the routine pages (晨会, 周小结, 月总结): the one formatting layer for their tables, tiles
and sentences, on top of the :mod:`core.i18n` formatters.

* no value → "—" (never None / nan);
* counts → whole numbers with thousands separators ("1,525"); amounts in 万元 and 元 → two decimals ("2,958.10");
  the same decimals for the same unit in a column, whatever the row;
* percentages → one decimal ("93.5%");
* rates that are not conversions (products per visit) → two decimals ("1.39");
* English plurals from the catalogue: ``{metric}_one`` for 1 ("1 flag", "1 customer").

:func:`table` turns a frame into display strings column by column with these rules, so a page draws text that is
already right (sorting by the text is not offered on these small tables).
"""
from __future__ import annotations

import math

import pandas as pd

from core.i18n import _half_up, fmt_money_wan, fmt_number, fmt_pct, fmt_yuan, has, norm_lang, t
from core.schema import FIELDS_BY_NAME

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
    text = number(value, metric)
    return text if text.startswith("-") or float(_half_up(value, decimals(metric))) == 0 else f"+{text}"


def pct(value, decimals_: int = 1) -> str:
    return BLANK if blank(value) else fmt_pct(value, decimals_)


def signed_pct(value) -> str:
    if blank(value):
        return BLANK
    text = fmt_pct(value)
    return text if text.startswith("-") or text == fmt_pct(0) else f"+{text}"


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


def cell(value, kind: str, metric: str | None = None, lang: str = "zh") -> str:
    """One table cell: kind 'metric' (the row's metric decimals), 'signed', 'count', 'pct', 'signed_pct',
    'rate', 'text' (no value → '—')."""
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
    return t(key, lang) if has(key) else str(name)
