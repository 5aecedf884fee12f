"""Exports of the weekly review and the monthly wrap-up: formatted .xlsx workbooks and chart PNGs.

The workbooks look like the tables banks circulate: a title block (organisation / team / line / period / units),
one sheet per section, headers in the chosen language (or both), number formats (``#,##0.00`` for 万元 and 元,
``0`` for counts, ``0.0%`` for ratios), frozen panes on the header and the name columns, an auto-filter, column
widths fitted to the content (CJK characters count double), and conditional colours:

* attainment columns: red below ``ON_PACE_AT × pace``, amber below ``AHEAD_AT × pace``, green from there
  (the thresholds of :mod:`core.metrics`; ``pace`` is the fraction of the month's working days gone, 1 for a
  closed month or a week measured against its own share of the target);
* status columns: the same three colours on 落后 / 正常 / 超前;
* change and gap columns: a red font when negative; flag columns (冲时点): red fill on "是"/"Yes";
* the visits grid: a white → blue colour scale.

Every text cell goes through :func:`core.safety.escape_formula`, so a name such as ``=HYPERLINK(...)`` is shown as
text and never runs.

:func:`chart_png` renders an Altair chart to PNG with vl-convert and a CJK font (WenQuanYi Micro Hei from
Debian's ``fonts-wqy-microhei``, or Noto Sans CJK from ``fonts-noto-cjk``; ``DASH_CJK_FONT_DIR`` may point at
another directory).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core import calendar as cal
from core import metrics as M
from core.i18n import fmt_date, fmt_month, norm_lang, t
from core.safety import escape_formula
from core.schema import FIELDS_BY_NAME, LINE_LABEL, TARGET_METRICS, metric_label

# ------------------------------------------------------------------ formats and colours

FORMATS = {"count": "0", "wan": "#,##0.00", "yuan": "#,##0.00", "pct": "0.0%", "ratio": "0.00", "int": "0",
           "date": "yyyy-mm-dd", "text": "@", "status": "@", "flag": "@"}
RED, AMBER, GREEN = "FFC7CE", "FFEB9C", "C6EFCE"          # the fills spreadsheets use for bad / neutral / good
RED_FONT, AMBER_FONT, GREEN_FONT = "9C0006", "9C5700", "006100"
HEADER_FILL, HEADER_FONT, GROUP_FILL = "1F4E78", "FFFFFF", "2E75B6"
TOTAL_FILL = "F2F2F2"
HEAT_LOW, HEAT_HIGH = "FFFFFF", "5B9BD5"
TITLE_ROWS = 3        # title, filters, units / generated — the table header starts on row 5 (row 4 is blank)
HEADER_ROW = TITLE_ROWS + 2

_thin = Side(style="thin", color="BFBFBF")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def metric_kind(metric: str) -> str:
    """Number-format kind of a metric's values: 'count', 'wan' or 'yuan'."""
    f = FIELDS_BY_NAME[metric]
    return "count" if f.kind == "count" else f.unit


def header_text(key: str, mode: str, **params) -> str:
    """A header from the catalogue in 'zh', 'en' or 'both' (中文 on the first line, English on the second)."""
    if mode == "both":
        return f"{t(key, 'zh', **params)}\n{t(key, 'en', **params)}"
    return t(key, mode, **params)


def metric_header(metric: str, mode: str, with_unit: bool = True) -> str:
    if mode == "both":
        return f"{metric_label(metric, 'zh', with_unit)}\n{metric_label(metric, 'en', with_unit)}"
    return metric_label(metric, mode, with_unit)


@dataclass
class Col:
    """One column of a sheet: frame column `key`, its header and how its cells look.

    kind: text | count | wan | yuan | pct | ratio | int | date | status | flag | metric (the row's ``metric``
    column decides: counts or money). rag: colour as attainment; sign: red font when negative; heat: colour scale;
    group: a merged header above (e.g. the metric a block of columns belongs to).
    """
    key: str
    header: str
    kind: str = "text"
    rag: bool = False
    sign: bool = False
    heat: bool = False
    group: str | None = None
    width: float | None = None


@dataclass
class Sheet:
    name: str
    frame: pd.DataFrame
    columns: list[Col]
    freeze_cols: int = 1                        # leading columns kept visible when scrolling right
    total_rows: Sequence[int] = ()              # frame positions (0-based) styled as totals
    note: str | None = None                     # shown when the frame is empty
    images: list[tuple[str, bytes]] = field(default_factory=list)   # (caption, PNG) placed below each other


@dataclass
class ReportMeta:
    """What the title block says."""
    title: str                 # e.g. 周小结 · 2026年第47周
    org: str                   # 全行 / Branch, or the team name
    period: str                # 2026年11月16日 — 2026年11月22日
    line: str | None = None    # 对公 / 零售
    lang: str = "zh"
    generated: dt.date | None = None


def _display_width(text: str) -> float:
    w = 0.0
    for ch in text:
        w += 2.0 if ord(ch) > 0x2E80 else 1.0
    return w


def _cell_value(v, kind: str, lang: str):
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return t("word.yes", lang) if v else t("word.no", lang)
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if kind == "status" and isinstance(v, str) and v in M.STATUSES:
        return t(f"status.{v}", lang)
    if isinstance(v, str):
        return escape_formula(v)
    return v


def _rag_thresholds(pace: float) -> tuple[float, float]:
    return round(M.ON_PACE_AT * pace, 6), round(M.AHEAD_AT * pace, 6)


def _write_sheet(wb: Workbook, sheet: Sheet, meta: ReportMeta, pace: float) -> None:
    lang = norm_lang(meta.lang)
    ws = wb.create_sheet(_sheet_title(sheet.name))
    cols = sheet.columns
    ncols = max(len(cols), 1)
    last_col = get_column_letter(ncols)
    # title block
    ws["A1"] = escape_formula(meta.title)
    ws["A1"].font = Font(bold=True, size=14)
    bits = [f"{t('report.org', lang)}: {meta.org}"]
    if meta.line:
        bits.append(f"{t('filter.line', lang)}: {meta.line}")
    bits.append(f"{t('report.period', lang)}: {meta.period}")
    ws["A2"] = escape_formula(" | ".join(bits))
    ws["A3"] = escape_formula(t("report.units", lang, date=fmt_date(meta.generated or dt.date.today(), lang)))
    ws["A3"].font = Font(italic=True, color="595959", size=9)
    for r in (1, 2, 3):
        ws.merge_cells(f"A{r}:{get_column_letter(max(ncols, 6))}{r}")
    has_groups = any(c.group for c in cols)
    head = HEADER_ROW + (1 if has_groups else 0)
    first_data = head + 1
    # headers
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=head, column=j, value=escape_formula(c.header))
        cell.font = Font(bold=True, color=HEADER_FONT)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
    if has_groups:
        j = 1
        while j <= len(cols):
            g = cols[j - 1].group
            k = j
            while g and k < len(cols) and cols[k].group == g:
                k += 1
            top = ws.cell(row=HEADER_ROW, column=j, value=escape_formula(g) if g else None)
            for jj in range(j, k + 1):
                ws.cell(row=HEADER_ROW, column=jj).fill = PatternFill("solid", fgColor=GROUP_FILL if g else HEADER_FILL)
                ws.cell(row=HEADER_ROW, column=jj).border = BORDER
            top.font = Font(bold=True, color=HEADER_FONT)
            top.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if g and k > j:
                ws.merge_cells(start_row=HEADER_ROW, start_column=j, end_row=HEADER_ROW, end_column=k)
            elif not g:  # a column without a group: its header spans both header rows
                ws.cell(row=HEADER_ROW, column=j, value=escape_formula(cols[j - 1].header))
                ws.cell(row=head, column=j, value=None)
                ws.merge_cells(start_row=HEADER_ROW, start_column=j, end_row=head, end_column=j)
            j = k + 1
    header_lines = max((c.header.count("\n") + 1 for c in cols), default=1)
    ws.row_dimensions[head].height = 16 * header_lines + 4
    # data
    frame = sheet.frame.reset_index(drop=True)
    widths = [max(_display_width(line) for line in c.header.split("\n")) + 2 for c in cols]
    totals = set(sheet.total_rows)
    for i, row in enumerate(frame.itertuples(index=False)):
        rec = dict(zip(frame.columns, row))
        r = first_data + i
        for j, c in enumerate(cols, start=1):
            kind = c.kind
            if kind == "metric":
                kind = metric_kind(rec["metric"]) if rec.get("metric") in FIELDS_BY_NAME else "wan"
            value = _cell_value(rec.get(c.key), kind, lang)
            cell = ws.cell(row=r, column=j, value=value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = FORMATS[kind]
                cell.alignment = Alignment(horizontal="right")
                shown = _shown_number(value, kind)
            elif isinstance(value, dt.date):
                cell.number_format = FORMATS["date"]
                shown = value.isoformat()
            else:
                shown = "" if value is None else str(value)
                if kind in ("status", "flag"):
                    cell.alignment = Alignment(horizontal="center")
            cell.border = BORDER
            if i in totals:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor=TOTAL_FILL)
            widths[j - 1] = max(widths[j - 1], _display_width(shown) + 2)
    last_row = first_data + max(len(frame), 1) - 1
    if frame.empty and sheet.note:
        ws.cell(row=first_data, column=1, value=escape_formula(sheet.note)).font = Font(italic=True, color="7F7F7F")
    for j, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(c.width or widths[j - 1], 60)
    # frozen panes, filter, conditional colours
    ws.freeze_panes = ws.cell(row=first_data, column=min(sheet.freeze_cols, ncols) + 1)
    if len(frame) and not has_groups:
        ws.auto_filter.ref = f"A{head}:{last_col}{last_row}"
    if len(frame):
        _conditional(ws, cols, first_data, last_row, pace, lang)
    # images
    r = last_row + 3
    for caption, png in sheet.images:
        _add_image(ws, caption, png, r)
        r += 32


def _shown_number(value: float, kind: str) -> str:
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind in ("count", "int"):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _conditional(ws, cols: list[Col], r0: int, r1: int, pace: float, lang: str) -> None:
    low, high = _rag_thresholds(pace)
    fills = {"red": (PatternFill("solid", bgColor=RED), Font(color=RED_FONT)),
             "amber": (PatternFill("solid", bgColor=AMBER), Font(color=AMBER_FONT)),
             "green": (PatternFill("solid", bgColor=GREEN), Font(color=GREEN_FONT))}
    for j, c in enumerate(cols, start=1):
        L = get_column_letter(j)
        rng = f"{L}{r0}:{L}{r1}"
        ref = f"{L}{r0}"
        if c.rag:
            for colour, formula in (("green", f"AND(ISNUMBER({ref}),{ref}>={high})"),
                                    ("amber", f"AND(ISNUMBER({ref}),{ref}>={low},{ref}<{high})"),
                                    ("red", f"AND(ISNUMBER({ref}),{ref}<{low})")):
                fill, font = fills[colour]
                ws.conditional_formatting.add(rng, FormulaRule(formula=[formula], fill=fill, font=font))
        if c.kind == "status":
            for colour, status in (("green", "ahead"), ("amber", "on_pace"), ("red", "behind")):
                fill, font = fills[colour]
                label = t(f"status.{status}", lang).replace('"', '""')
                ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{ref}="{label}"'], fill=fill, font=font))
        if c.kind == "flag":
            fill, font = fills["red"]
            label = t("word.yes", lang).replace('"', '""')
            ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{ref}="{label}"'], fill=fill, font=font))
        if c.sign:
            ws.conditional_formatting.add(rng, FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}<0)"],
                                                           font=Font(color=RED_FONT)))
        if c.heat:
            ws.conditional_formatting.add(rng, ColorScaleRule(start_type="min", start_color=HEAT_LOW,
                                                              end_type="max", end_color=HEAT_HIGH))


def _add_image(ws, caption: str, png: bytes, row: int) -> None:
    from openpyxl.drawing.image import Image as XLImage
    ws.cell(row=row, column=1, value=escape_formula(caption)).font = Font(bold=True)
    img = XLImage(io.BytesIO(png))
    if img.width > 900:  # a scale-2 PNG shown at screen size
        ratio = 900 / img.width
        img.width, img.height = int(img.width * ratio), int(img.height * ratio)
    ws.add_image(img, f"A{row + 1}")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str) -> str:
    return _BAD_SHEET_CHARS.sub(" ", name)[:31] or "Sheet"


def build_workbook(meta: ReportMeta, sheets: list[Sheet], pace: float = 1.0) -> bytes:
    """Write `sheets` into one workbook (in order) and return the .xlsx bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for s in sheets:
        _write_sheet(wb, s, meta, pace)
    wb.properties.title = meta.title
    wb.properties.creator = "CM Sales Dashboard"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ shared shaping

def _h(key: str, mode: str, **params) -> str:
    return header_text(f"report.col.{key}", mode, **params)


def _entity_names(df: pd.DataFrame, lang: str) -> pd.Series:
    name = df["name"].astype(object).where(df["name"].notna(), df["entity"])
    return name.where(df["level"] != "branch", t("word.branch", lang)).astype(object)


def _metric_names(metrics: pd.Series, lang: str) -> pd.Series:
    return metrics.map(lambda m: metric_label(m, lang, with_unit=True) if m in FIELDS_BY_NAME else m)


def _rollup_first(df: pd.DataFrame) -> pd.DataFrame:
    """Branch rows first, then teams; keeps the metric order within each entity."""
    order = {"branch": 0, "team": 1, "manager": 2}
    return df.assign(_o=df["level"].map(order)).sort_values(["_o", "entity"], kind="stable").drop(columns="_o")


def _wide(df: pd.DataFrame, metrics: Sequence[str], values: Sequence[str],
          info: Sequence[str] = ("employee_id", "name", "team")) -> pd.DataFrame:
    """Long (entity × metric) rows → one row per entity with columns '<metric>|<value>'."""
    if df.empty:
        return pd.DataFrame(columns=[*info, *[f"{m}|{v}" for m in metrics for v in values]])
    keys = list(info)
    piv = df.pivot_table(index="entity", columns="metric", values=list(values), aggfunc="first", dropna=False,
                         sort=False)
    first = df.drop_duplicates("entity").set_index("entity")[keys]
    out = first.copy()
    for m in metrics:
        for v in values:
            out[f"{m}|{v}"] = piv[(v, m)].reindex(first.index) if (v, m) in piv.columns else np.nan
    return out.reset_index(drop=True)


def period_label(start: dt.date, end: dt.date, lang: str) -> str:
    return f"{fmt_date(start, lang)} — {fmt_date(end, lang)}"


def week_title(week: str, lang: str) -> str:
    a, b = cal.week_bounds(week)
    y, w = week.split("-W")
    return t("report.week_title", lang, year=y, week=int(w), start=fmt_date(a, lang), end=fmt_date(b, lang))


def _meta(title: str, org: str, period: str, line: str | None, lang: str, generated) -> ReportMeta:
    line_label = LINE_LABEL[line][lang] if line in LINE_LABEL else None
    return ReportMeta(title=title, org=org, period=period, line=line_label, lang=lang, generated=generated)


# ------------------------------------------------------------------ weekly report

def weekly_summary(comparison: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Branch and team rows of :func:`core.metrics.week_comparison` (level 'all'), branch first, with display names:
    columns level, entity, who, metric, metric_name, this_week, prev_week, change, change_pct, week_target,
    week_attainment, status."""
    lang = norm_lang(lang)
    cols = ["level", "entity", "who", "metric", "metric_name", "this_week", "prev_week", "change", "change_pct",
            "week_target", "week_attainment", "status"]
    if comparison is None or comparison.empty:
        return pd.DataFrame(columns=cols)
    df = _rollup_first(comparison[comparison["level"].isin(["branch", "team"])]).copy()
    df["who"] = _entity_names(df, lang)
    df["metric_name"] = _metric_names(df["metric"], lang)
    return df[cols].reset_index(drop=True)


def weekly_report_xlsx(comparison: pd.DataFrame, board: pd.DataFrame, heat: pd.DataFrame, funnel: pd.DataFrame,
                       week: str, lang: str = "zh", headers: str | None = None, org: str | None = None,
                       line: str | None = None, flags: list | None = None, metrics: Sequence[str] = TARGET_METRICS,
                       overrides=None, generated: dt.date | None = None) -> bytes:
    """The week as a workbook.

    Inputs are :mod:`core.metrics` outputs for the week: `comparison` = week_comparison(level='all'),
    `board` = leaderboard(period_totals(...)), `heat` = visits_heatmap, `funnel` = funnel(level='manager');
    `flags` = core.coaching Flag objects (a sheet when given). `headers`: 'zh', 'en' or 'both' (default: `lang`).
    Sheets: summary (branch and teams), managers (this week / last week / week target / attainment per metric),
    leaderboard, visits per day, funnel, coaching flags.
    """
    lang = norm_lang(lang)
    mode = headers if headers in ("zh", "en", "both") else lang
    a, b = cal.week_bounds(week)
    meta = _meta(week_title(week, lang), org or t("word.branch", lang), period_label(a, b, lang), line, lang,
                 generated)
    sheets = []
    # summary
    summ = weekly_summary(comparison, lang)
    summ_cols = [Col("who", _h("who", mode)), Col("metric_name", _h("metric", mode)),
                 Col("this_week", _h("this_week", mode), "metric"), Col("prev_week", _h("prev_week", mode), "metric"),
                 Col("change", _h("change", mode), "metric", sign=True),
                 Col("change_pct", _h("change_pct", mode), "pct", sign=True),
                 Col("week_target", _h("week_target", mode), "metric"),
                 Col("week_attainment", _h("attainment", mode), "pct", rag=True),
                 Col("status", _h("status", mode), "status")]
    sheets.append(Sheet(t("report.sheet.summary", lang), summ, summ_cols, freeze_cols=2,
                        total_rows=[i for i, lv in enumerate(summ["level"]) if lv == "branch"],
                        note=t("report.no_rows", lang)))
    # managers, wide
    man = comparison[comparison["level"] == "manager"] if comparison is not None and len(comparison) else \
        pd.DataFrame(columns=["entity", "metric", "employee_id", "name", "team"])
    ms = [m for m in metrics if m in set(man["metric"])] if len(man) else list(metrics)
    values = ("this_week", "prev_week", "week_target", "week_attainment")
    wide = _wide(man, ms, values).sort_values(["team", "employee_id"], na_position="last")
    man_cols = [Col("employee_id", _h("employee_id", mode)), Col("name", _h("manager", mode)),
                Col("team", _h("team", mode))]
    for m in ms:
        k = metric_kind(m)
        g = metric_header(m, mode)
        man_cols += [Col(f"{m}|this_week", _h("this_week", mode), k, group=g),
                     Col(f"{m}|prev_week", _h("prev_week", mode), k, group=g),
                     Col(f"{m}|week_target", _h("week_target", mode), k, group=g),
                     Col(f"{m}|week_attainment", _h("attainment", mode), "pct", rag=True, group=g)]
    sheets.append(Sheet(t("report.sheet.managers", lang), wide, man_cols, freeze_cols=2,
                        note=t("report.no_rows", lang)))
    # leaderboard
    lb = board.copy() if board is not None else pd.DataFrame(columns=["metric", "rank", "name", "team", "value",
                                                                       "share"])
    if len(lb):
        lb["metric_name"] = _metric_names(lb["metric"], lang)
    else:
        lb["metric_name"] = pd.Series(dtype=object)
    sheets.append(Sheet(t("report.sheet.leaderboard", lang), lb,
                        [Col("metric_name", _h("metric", mode)), Col("rank", _h("rank", mode), "int"),
                         Col("name", _h("manager", mode)), Col("team", _h("team", mode)),
                         Col("value", _h("value", mode), "metric"), Col("share", _h("share", mode), "pct")],
                        freeze_cols=1, note=t("report.no_rows", lang)))
    # visits per day
    sheets.append(_heat_sheet(heat, week, lang, mode, overrides))
    # funnel
    fn = funnel if funnel is not None else pd.DataFrame()
    sheets.append(Sheet(t("report.sheet.funnel", lang), fn,
                        [Col("name", _h("manager", mode)), Col("team", _h("team", mode)),
                         Col("visits", metric_header("visits", mode, False), "count"),
                         Col("new_customers", metric_header("new_customers", mode, False), "count"),
                         Col("products_sold", _h("products_sold", mode), "count"),
                         Col("visit_to_new", _h("visit_to_new", mode), "pct"),
                         Col("peer_visit_to_new", _h("peer_visit_to_new", mode), "pct"),
                         Col("visit_to_new_vs_peer", _h("vs_peer", mode), "pct", sign=True),
                         Col("visit_to_product", _h("visit_to_product", mode), "pct"),
                         Col("peer_visit_to_product", _h("peer_visit_to_product", mode), "pct"),
                         Col("visit_to_product_vs_peer", _h("vs_peer", mode), "pct", sign=True)],
                        freeze_cols=1, note=t("report.no_rows", lang)))
    if flags is not None:
        sheets.append(_flags_sheet(flags, lang, mode))
    return build_workbook(meta, sheets, pace=1.0)


def _heat_sheet(heat: pd.DataFrame, week: str, lang: str, mode: str, overrides=None) -> Sheet:
    a, _ = cal.week_bounds(week)
    days = [a + dt.timedelta(days=i) for i in range(7)]
    from core.i18n import WEEKDAYS
    day_cols = []
    for i, d in enumerate(days):
        zh = f"{d.month}/{d.day} {WEEKDAYS['zh'][i]}"
        en = f"{d:%m-%d} {WEEKDAYS['en'][i]}"
        if not cal.is_workday(d, overrides):
            zh, en = zh + "(休)", en + " (off)"
        head = {"zh": zh, "en": en, "both": f"{zh}\n{en}"}[mode]
        day_cols.append(Col(f"d{i}", head, "count", heat=True))
    if heat is None or heat.empty:
        frame = pd.DataFrame(columns=["name", "team", *[f"d{i}" for i in range(7)], "week_total"])
    else:
        piv = heat.pivot_table(index="employee_id", columns="weekday", values="value", aggfunc="first",
                               dropna=False, sort=False).reindex(columns=range(7))
        first = heat.drop_duplicates("employee_id").set_index("employee_id")[["name", "team", "week_total"]]
        frame = first.join(piv.rename(columns=lambda i: f"d{i}")).reset_index()
    cols = [Col("name", _h("manager", mode)), Col("team", _h("team", mode)), *day_cols,
            Col("week_total", _h("week_total", mode), "count")]
    return Sheet(t("report.sheet.visits", lang), frame, cols, freeze_cols=1, note=t("report.no_rows", lang))


def _flags_sheet(flags: list, lang: str, mode: str) -> Sheet:
    rows = [{"name": f.manager_name, "team": f.team, "severity": t(f"report.severity.{f.severity}", lang),
             "reason": f.reason(lang), "focus": f.focus_topic(lang),
             "history": t(f"report.history.{f.history}", lang), "weeks": f.weeks} for f in flags]
    frame = pd.DataFrame(rows, columns=["name", "team", "severity", "reason", "focus", "history", "weeks"])
    cols = [Col("name", _h("manager", mode)), Col("team", _h("team", mode)), Col("severity", _h("severity", mode)),
            Col("reason", _h("reason", mode), width=60), Col("focus", _h("focus", mode), width=30),
            Col("history", _h("history", mode)), Col("weeks", _h("weeks", mode), "int")]
    return Sheet(t("report.sheet.coaching", lang), frame, cols, freeze_cols=1, note=t("report.no_flags", lang))


# ------------------------------------------------------------------ monthly report

def monthly_summary(progress: pd.DataFrame, mom: pd.DataFrame | None = None, yoy: pd.DataFrame | None = None,
                    lang: str = "zh") -> pd.DataFrame:
    """Branch and team rows of month_progress (level 'all'), branch first, joined to month-over-month and
    year-over-year (:func:`core.metrics.month_over_month` / ``year_over_year`` at levels team and branch).

    Columns: level, entity, who, metric, metric_name, actual, target, attainment, status, prev_month, mom_pct,
    last_year, yoy_pct (NaN where there is no data to compare with).
    """
    lang = norm_lang(lang)
    cols = ["level", "entity", "who", "metric", "metric_name", "actual", "target", "attainment", "status",
            "prev_month", "mom_pct", "last_year", "yoy_pct"]
    if progress is None or progress.empty:
        return pd.DataFrame(columns=cols)
    df = _rollup_first(progress[progress["level"].isin(["branch", "team"])]).copy()
    for frame, prev, pct in ((mom, "prev_month", "mom_pct"), (yoy, "last_year", "yoy_pct")):
        if frame is not None and len(frame):
            f = frame[["level", "entity", "metric", "previous", "change_pct"]].rename(
                columns={"previous": prev, "change_pct": pct})
            df = df.merge(f, on=["level", "entity", "metric"], how="left")
        else:
            df[prev] = np.nan
            df[pct] = np.nan
    df["who"] = _entity_names(df, lang)
    df["metric_name"] = _metric_names(df["metric"], lang)
    return df[cols].reset_index(drop=True)


def monthly_report_xlsx(progress: pd.DataFrame, month: str, lang: str = "zh", headers: str | None = None,
                        org: str | None = None, line: str | None = None, mom: pd.DataFrame | None = None,
                        yoy: pd.DataFrame | None = None, top: pd.DataFrame | None = None,
                        bottom: pd.DataFrame | None = None, dist: pd.DataFrame | None = None,
                        adb: pd.DataFrame | None = None, charts: list[tuple[str, bytes]] | None = None,
                        metrics: Sequence[str] = TARGET_METRICS, generated: dt.date | None = None) -> bytes:
    """The month as a workbook.

    `progress` = month_progress(level='all'); `mom`/`yoy` at levels team and branch (see :func:`monthly_summary`);
    `top`/`bottom` = ranking / bottom_ranking; `dist` = distribution of the scores; `adb` = average_daily_balance;
    `charts` = (caption, PNG) pairs placed on a charts sheet. Attainment colours follow the month's pace
    (elapsed / total working days), so a month in progress is not painted red for the days still to come.
    """
    lang = norm_lang(lang)
    mode = headers if headers in ("zh", "en", "both") else lang
    a, b = cal.month_bounds(month)
    meta = _meta(t("report.month_title", lang, month=fmt_month(month, lang)), org or t("word.branch", lang),
                 period_label(a, b, lang), line, lang, generated)
    pace = 1.0
    if progress is not None and len(progress) and int(progress["total_workdays"].iat[0]):
        pace = int(progress["elapsed_workdays"].iat[0]) / int(progress["total_workdays"].iat[0])
    sheets = []
    summ = monthly_summary(progress, mom, yoy, lang)
    sheets.append(Sheet(t("report.sheet.summary", lang), summ, [
        Col("who", _h("who", mode)), Col("metric_name", _h("metric", mode)),
        Col("actual", _h("actual", mode), "metric"), Col("target", _h("target", mode), "metric"),
        Col("attainment", _h("attainment", mode), "pct", rag=True), Col("status", _h("status", mode), "status"),
        Col("prev_month", _h("prev_month", mode), "metric"), Col("mom_pct", _h("mom_pct", mode), "pct", sign=True),
        Col("last_year", _h("last_year", mode), "metric"), Col("yoy_pct", _h("yoy_pct", mode), "pct", sign=True)],
        freeze_cols=2, total_rows=[i for i, lv in enumerate(summ["level"]) if lv == "branch"],
        note=t("report.no_rows", lang)))
    # attainment matrix: managers, then teams and the branch
    prog = progress if progress is not None else pd.DataFrame()
    if len(prog):
        mat = M.attainment_matrix(prog, [m for m in metrics if m in set(prog["metric"])])
        man = mat[mat["level"] == "manager"].sort_values(["team", "employee_id"], na_position="last")
        roll = _rollup_first(mat[mat["level"] != "manager"]).iloc[::-1]
        mat = pd.concat([man, roll], ignore_index=True)
        mat["name"] = _entity_names(mat, lang)
        ms = [m for m in metrics if m in mat.columns]
    else:
        mat, ms = pd.DataFrame(columns=["employee_id", "name", "team", "score", "level"]), []
    sheets.append(Sheet(t("report.sheet.attainment", lang), mat, [
        Col("employee_id", _h("employee_id", mode)), Col("name", _h("manager", mode)), Col("team", _h("team", mode)),
        *[Col(m, metric_header(m, mode, False), "pct", rag=True) for m in ms],
        Col("score", _h("score", mode), "pct", rag=True)], freeze_cols=2,
        total_rows=[i for i, lv in enumerate(mat["level"]) if lv != "manager"], note=t("report.no_rows", lang)))
    # managers, wide: actual / target / attainment per metric
    man = prog[prog["level"] == "manager"] if len(prog) else pd.DataFrame(columns=["entity", "metric", "employee_id",
                                                                                 "name", "team"])
    wide = _wide(man, ms, ("actual", "target", "attainment")).sort_values(["team", "employee_id"],
                                                                          na_position="last")
    cols = [Col("employee_id", _h("employee_id", mode)), Col("name", _h("manager", mode)),
            Col("team", _h("team", mode))]
    for m in ms:
        k, g = metric_kind(m), metric_header(m, mode)
        cols += [Col(f"{m}|actual", _h("actual", mode), k, group=g), Col(f"{m}|target", _h("target", mode), k, group=g),
                 Col(f"{m}|attainment", _h("attainment", mode), "pct", rag=True, group=g)]
    sheets.append(Sheet(t("report.sheet.managers", lang), wide, cols, freeze_cols=2, note=t("report.no_rows", lang)))
    # ranking
    rank_cols = [Col("rank", _h("rank", mode), "int"), Col("name", _h("manager", mode)), Col("team", _h("team", mode)),
                 Col("score", _h("score", mode), "pct", rag=True), Col("metrics_met", _h("metrics_met", mode), "int"),
                 Col("metrics_scored", _h("metrics_scored", mode), "int"),
                 Col("best_name", _h("best_metric", mode)), Col("worst_name", _h("worst_metric", mode))]
    for key, frame in (("top", top), ("bottom", bottom)):
        f = frame.copy() if frame is not None else pd.DataFrame(columns=["rank", "name", "team", "score",
                                                                          "metrics_met", "metrics_scored",
                                                                          "best_metric", "worst_metric"])
        f["best_name"] = _metric_names(f["best_metric"], lang) if len(f) else pd.Series(dtype=object)
        f["worst_name"] = _metric_names(f["worst_metric"], lang) if len(f) else pd.Series(dtype=object)
        sheets.append(Sheet(t(f"report.sheet.{key}", lang), f, rank_cols, freeze_cols=2,
                            note=t("report.no_rows", lang)))
    # distribution
    d = dist if dist is not None else pd.DataFrame(columns=["band", "count", "share"])
    sheets.append(Sheet(t("report.sheet.distribution", lang), d, [
        Col("band", _h("band", mode)), Col("count", _h("managers", mode), "int"), Col("share", _h("share", mode), "pct")],
        freeze_cols=1, note=t("report.no_rows", lang)))
    # deposits: 日均 vs 时点
    ad = adb if adb is not None else pd.DataFrame(columns=["name", "team", "adb", "month_end", "spike_ratio", "spike",
                                                           "spike_amount", "prev_adb", "adb_increment"])
    sheets.append(Sheet(t("report.sheet.deposits", lang), ad, [
        Col("name", _h("manager", mode)), Col("team", _h("team", mode)), Col("adb", _h("adb", mode), "wan"),
        Col("month_end", _h("month_end", mode), "wan"), Col("spike_ratio", _h("spike_ratio", mode), "ratio"),
        Col("spike", _h("spike", mode), "flag"), Col("spike_amount", _h("spike_amount", mode), "wan", sign=True),
        Col("prev_adb", _h("prev_adb", mode), "wan"), Col("adb_increment", _h("adb_increment", mode), "wan", sign=True)],
        freeze_cols=1, note=t("report.no_rows", lang)))
    if charts:
        sheets.append(Sheet(t("report.sheet.charts", lang), pd.DataFrame(columns=["x"]), [Col("x", "")],
                            images=list(charts)))
    return build_workbook(meta, sheets, pace=pace)


# ------------------------------------------------------------------ chart PNG

FONT_DIRS = ("/usr/share/fonts/truetype/wqy", "/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto",
             "/usr/share/fonts/opentype/noto-cjk", "/usr/share/fonts/truetype/arphic")
FONT_FAMILIES = {"wqy": "WenQuanYi Micro Hei", "noto": "Noto Sans CJK SC", "arphic": "AR PL UMing CN"}
_REGISTERED: dict[str, str] = {}


class ChartExportError(RuntimeError):
    """A chart could not be rendered (no CJK font installed, or vl-convert failed), with a message in both
    languages."""

    def __init__(self, key: str, **params):
        super().__init__(t(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, **self.params)


def cjk_font() -> tuple[str, str]:
    """(directory, family) of an installed CJK font, registered with vl-convert once per process."""
    if "family" in _REGISTERED:
        return _REGISTERED["dir"], _REGISTERED["family"]
    candidates = [os.environ["DASH_CJK_FONT_DIR"]] if os.environ.get("DASH_CJK_FONT_DIR") else []
    candidates += list(FONT_DIRS)
    for d in candidates:
        p = Path(d)
        if not p.is_dir() or not any(p.rglob("*.tt[cf]")) and not any(p.rglob("*.otf")):
            continue
        family = next((fam for key, fam in FONT_FAMILIES.items() if key in str(p).lower()),
                      os.environ.get("DASH_CJK_FONT_FAMILY", FONT_FAMILIES["wqy"]))
        import vl_convert as vlc
        vlc.register_font_directory(str(p))
        _REGISTERED.update(dir=str(p), family=family)
        return str(p), family
    raise ChartExportError("report.no_cjk_font")


def chart_png(chart, scale: float = 2) -> bytes:
    """An Altair chart (or a Vega-Lite dict) as PNG bytes, with a CJK font so Chinese labels render.

    Charts sized to the container (``width='container'``) get a fixed width of 800 px for the image.
    """
    import vl_convert as vlc
    _, family = cjk_font()
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    spec = _fixed_width(spec)
    try:
        return vlc.vegalite_to_png(spec, scale=scale, config={"font": family})
    except Exception as exc:  # vl-convert raises ValueError with the Vega message
        raise ChartExportError("report.chart_failed", detail=str(exc)[:200]) from exc


def _fixed_width(spec: dict, width: int = 800) -> dict:
    def fix(node):
        if isinstance(node, dict):
            out = {k: fix(v) for k, v in node.items() if k != "datasets"}
            if node.get("width") == "container":
                out["width"] = width
            if "datasets" in node:
                out["datasets"] = node["datasets"]
            return out
        if isinstance(node, list):
            return [fix(x) for x in node]
        return node
    return fix(spec)


def png_exports(charts: list[tuple[str, object]], scale: float = 2) -> list[tuple[str, bytes]]:
    """Render several (caption, chart) pairs: [(caption, PNG bytes)]."""
    return [(caption, chart_png(c, scale)) for caption, c in charts]



def rag_colour(value, pace: float = 1.0) -> str:
    """CSS for an attainment cell on screen, with the workbook's thresholds (see the module doc): red / amber /
    green background, nothing for blanks."""
    if value is None or not isinstance(value, (int, float, np.floating)) or value != value:
        return ""
    low, high = _rag_thresholds(pace)
    if value >= high:
        return f"background-color: #{GREEN}; color: #{GREEN_FONT}"
    if value >= low:
        return f"background-color: #{AMBER}; color: #{AMBER_FONT}"
    return f"background-color: #{RED}; color: #{RED_FONT}"


def spike_colour(flag) -> str:
    """CSS for the month-end spike (冲时点) cell: red when flagged."""
    return f"background-color: #{RED}; color: #{RED_FONT}" if bool(flag) else ""


def month_pace(month: str, as_of, overrides=None) -> float:
    """Time elapsed (时间进度): working days of `month` gone by `as_of` / all its working days (1.0 for a month
    without working days or after it)."""
    w = M.workday_info(month, as_of, overrides)
    return w["elapsed"] / w["total"] if w["total"] else 1.0
