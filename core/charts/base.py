"""Altair chart builders for the routine pages: one function per chart, fed by :mod:`core.routines` outputs.

Every chart has a title, axis titles carrying units, and tooltips with the exact numbers. Colours are fixed:
:data:`STATUS_COLORS` for ahead / on pace / behind everywhere, and :func:`team_colors` (a stable mapping from the
sorted team names onto :data:`TEAM_COLORS`) for teams. Labels come from :mod:`core.i18n` (``lang`` 'zh' / 'en').

Builders never mutate their input; they copy only the columns they draw (so the embedded data stays small).

This module: the colours, scales, formats and label helpers every chart shares.
"""
from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from core import calendar as cal
from core.i18n import WEEKDAYS, norm_lang, t
from core.measures import STATUSES
from core.schema import FIELDS_BY_NAME, metric_label, metric_unit_label

TEAM_COLORS: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",   # the 4 demo teams
                                "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79")

STATUS_COLORS: dict[str, str] = {"ahead": "#2e7d32", "on_pace": "#f9a825", "behind": "#c62828"}

ACTUAL_COLOR = "#1f77b4"

TARGET_COLOR = "#7f7f7f"

SPIKE_COLOR = STATUS_COLORS["behind"]

NEUTRAL_COLOR = "#bdbdbd"

HEAT_SCHEME = "blues"

WIDTH = "container"


def team_colors(teams: Iterable) -> dict[str, str]:
    """Stable team → colour mapping: the sorted distinct team names take TEAM_COLORS in order (cycling)."""
    names = sorted({str(x) for x in teams if x is not None and x == x})
    return {n: TEAM_COLORS[i % len(TEAM_COLORS)] for i, n in enumerate(names)}


def team_scale(teams: Iterable) -> alt.Scale:
    """Altair colour scale for teams (domain = sorted team names, range = their colours)."""
    m = team_colors(teams)
    return alt.Scale(domain=list(m), range=list(m.values()))


def status_label(status, lang: str = "zh"):
    """Translated status word ('超前'/'正常'/'落后', 'Ahead'/…); None stays None."""
    if status is None or status != status:
        return None
    return t(f"status.{status}", lang)


def status_scale(lang: str = "zh") -> alt.Scale:
    """Colour scale for translated status labels, in the order ahead, on pace, behind."""
    return alt.Scale(domain=[status_label(s, lang) for s in STATUSES],
                     range=[STATUS_COLORS[s] for s in STATUSES])


def value_format(metric: str | None) -> str:
    """d3 format for exact tooltip numbers: counts as integers, 万元 to 4 decimals (= 1 元), 元 to 2 decimals."""
    if metric is None:
        return ",.4~f"
    f = FIELDS_BY_NAME.get(metric)
    if f is None or f.kind == "count":
        return ",.0f"
    return ",.4~f" if f.unit == "wan" else ",.2~f"

PCT = ".1%"


def lbl(metric: str, lang: str) -> str:
    return metric_label(metric, norm_lang(lang), with_unit=False)


def lbl_unit(metric: str, lang: str) -> str:
    return metric_label(metric, norm_lang(lang), with_unit=True) if FIELDS_BY_NAME[metric].unit else \
        f"{lbl(metric, lang)}({metric_unit_label(metric, lang)})" if norm_lang(lang) == "zh" else \
        f"{lbl(metric, lang)} ({metric_unit_label(metric, lang)})"


def field_title(key: str, lang: str, **kw) -> str:
    return t(f"metrics.field.{key}", lang, **kw)


def entity_label(df: pd.DataFrame, lang: str) -> pd.Series:
    """Display name per row: manager/team name, else the entity key; the branch row → 全行 / Branch."""
    name = df["name"] if "name" in df.columns else pd.Series(None, index=df.index)
    ent = df["entity"] if "entity" in df.columns else df.get("employee_id", pd.Series(None, index=df.index))
    lab = name.where(name.notna(), ent).astype(object)
    if "level" in df.columns:
        lab = lab.where(df["level"] != "branch", t("word.branch", lang))
    return lab.fillna("—").astype(str)


def title_params(text: str, subtitle: str | None = None) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=subtitle or alt.Undefined, anchor="start")


def day_label(d: pd.Timestamp, lang: str, overrides=None) -> str:
    wd = WEEKDAYS[norm_lang(lang)][d.weekday()]
    tag = ""
    if not cal.is_workday(d, overrides):
        tag = t("metrics.day_off", lang)
    elif d.weekday() >= 5:
        tag = t("metrics.makeup_day", lang)
    s = f"{d.month:02d}-{d.day:02d} {wd}"
    return f"{s} ({tag})" if tag else s
