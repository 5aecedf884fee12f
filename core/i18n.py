"""Message catalogue, Chinese and English.

Messages live in ``core/locales/*.yaml``, one file per area (``common.yaml``, ``ingest.yaml``, ...), each a
mapping ``key: {zh: ..., en: ...}``. Keys must be unique within and across files (checked at load and by a test).
Placeholders use ``str.format`` syntax: ``t("ingest.bad_date", "en", value="x")``.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from pathlib import Path

import yaml

from core import calendar as cal

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_DIR = Path(__file__).resolve().parent / "locales"


class _UniqueKeys(yaml.SafeLoader):
    """A YAML loader that refuses a key written twice in one mapping (plain YAML keeps the last silently)."""


def _unique_mapping(loader: _UniqueKeys, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ValueError(f"line {key_node.start_mark.line + 1}: key {key!r} is defined twice "
                             f"(first on line {seen[key]})")
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def read_messages(path: Path) -> dict:
    """One locale file, refusing duplicate keys with the line of each."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeys) or {}
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from None


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob("*.yaml")):
        for key, entry in read_messages(path).items():
            if key in out:
                raise ValueError(f"{path.name}: key {key!r} is defined twice")
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise ValueError(f"{path.name}: key {key!r} needs exactly zh and en")
            out[key] = {lang: str(entry[lang]) for lang in LANGS}
    return out


def norm_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = DEFAULT_LANG, **params) -> str:
    """The message for `key` in `lang`, formatted with `params`. An unknown key raises KeyError."""
    entry = catalogue()[key]
    text = entry[norm_lang(lang)]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in catalogue()


def _missing(value) -> bool:
    """None, NaN and ±Inf render as '—' (whatever a store holds, a page shows it)."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def _half_up(value, decimals: int) -> Decimal:
    """Round as people do (half away from zero), from the shortest repr of the float: 87.65 → 87.7, -0.5 → -1,
    -1.5 → -2. Any finite magnitude (1e27 ...) keeps every digit. What rounds to zero is a positive zero (-0.3 →
    0, -0.004 → 0.00), so no formatter built on it ever reads '-0', '-0.00' or '-0.0%'."""
    q = Decimal(1).scaleb(-decimals)
    with localcontext() as ctx:
        ctx.prec = 400     # a float has at most 309 digits before the point
        d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
        r = d.quantize(q, rounding=ROUND_HALF_UP)
    return r.copy_abs() if r.is_zero() else r


def fmt_money_wan(value, lang: str = "zh", decimals: int = 2) -> str:
    """An amount in 万元 with thousands separators and its unit: '1,234.50 万元' / '1,234.50 (CNY 10k)'."""
    if _missing(value):
        return "—"
    unit = "万元" if norm_lang(lang) == "zh" else "(CNY 10k)"
    return f"{_half_up(value, decimals):,.{decimals}f} {unit}"


def fmt_yuan(value, lang: str = "zh") -> str:
    if _missing(value):
        return "—"
    v = _half_up(value, 2)
    if norm_lang(lang) == "zh":
        return f"{v:,.2f} 元"
    return f"-CNY {-v:,.2f}" if v < 0 else f"CNY {v:,.2f}"   # sign first, so deltas read the right way


def fmt_number(value, decimals: int = 0) -> str:
    """A number in `decimals` places (half away from zero) with thousands separators: '1,235', '-2', never '-0'
    (core.fmt, the formatting layer, builds every table and sentence on it); '—' for no value."""
    if _missing(value):
        return "—"
    return f"{_half_up(value, decimals):,.{decimals}f}"


def fmt_pct(value, decimals: int = 1) -> str:
    if _missing(value):
        return "—"
    return f"{_half_up(Decimal(repr(float(value))) * 100, decimals):.{decimals}f}%"


def fmt_date(d, lang: str = "zh") -> str:
    """Dates as the users write them: 2026年11月2日 / 2026-11-02."""
    if d is None or d != d:
        return "—"
    if hasattr(d, "date") and not isinstance(d, type(None)):
        try:
            d = d.date()
        except TypeError:
            pass
    if norm_lang(lang) == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def fmt_week(week: str, lang: str = "zh") -> str:
    """An ISO week as people say it: '2026年第47周(11/16–11/22)' / '2026-W47 (Nov 16–Nov 22)'."""
    a, b = cal.week_bounds(week)
    y, w = week.split("-W")
    if norm_lang(lang) == "zh":
        return f"{y}年第{int(w)}周({a.month}/{a.day}–{b.month}/{b.day})"
    return f"{week} ({a:%b %d}–{b:%b %d})"


def fmt_month(month: str, lang: str = "zh") -> str:
    y, m = month.split("-")
    return f"{int(y)}年{int(m)}月" if norm_lang(lang) == "zh" else f"{y}-{m}"


WEEKDAYS = {"zh": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
            "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
