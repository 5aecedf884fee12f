"""Exports of the weekly review and the monthly wrap-up: formatted .xlsx workbooks and chart PNGs.

The workbooks look like the tables banks circulate: a title block (organisation / team / line / period / units),
one sheet per section, headers in the chosen language (or both), number formats (``#,##0.00`` for 万元 and 元,
``0`` for counts, ``0.0%`` for ratios), frozen panes on the header and the name columns, an auto-filter, column
widths fitted to the content (CJK characters count double), and conditional colours:

* attainment columns: red below ``ON_PACE_AT × pace``, amber below ``AHEAD_AT × pace``, green from there
  (the thresholds of :mod:`core.measures`; ``pace`` is the fraction of the month's working days gone, 1 for a
  closed month or a week measured against its own share of the target);
* status columns: the same three colours on 落后 / 正常 / 超前;
* change and gap columns: a red font when negative; flag columns (冲时点): red fill on "是"/"Yes";
* the visits grid: a white → blue colour scale.

Every text cell goes through :func:`core.export.escape_formula`, so a name such as ``=HYPERLINK(...)`` is shown as
text and never runs.

Chart images: :mod:`core.routines.png`. Not this module:
:func:`chart_png` renders an Altair chart to PNG with vl-convert and a CJK font (WenQuanYi Micro Hei from
Debian's ``fonts-wqy-microhei``, or Noto Sans CJK from ``fonts-noto-cjk``; ``DASH_CJK_FONT_DIR`` may point at
another directory).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core import calendar as cal
from core import measures
from core.i18n import fmt_date, norm_lang, t
from core.export import escape_formula
from core.schema import FIELDS_BY_NAME, LINE_LABEL, metric_label

FORMATS = {"count": "0", "wan": "#,##0.00", "yuan": "#,##0.00", "pct": "0.0%", "points": "+0.0;-0.0;0.0", "ratio": "0.00", "int": "0",
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
    if kind == "status" and isinstance(v, str) and v in measures.STATUSES:
        return t(f"status.{v}", lang)
    if isinstance(v, str):
        return escape_formula(v)
    return v


def _rag_thresholds(pace: float) -> tuple[float, float]:
    return round(measures.ON_PACE_AT * pace, 6), round(measures.AHEAD_AT * pace, 6)


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
            if kind == "points" and isinstance(value, float):
                value = round(value * 100, 6)      # a difference of shares, in percentage points (the header says so)
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


def col_header(key: str, mode: str, **params) -> str:
    return header_text(f"report.col.{key}", mode, **params)


def entity_names(df: pd.DataFrame, lang: str) -> pd.Series:
    name = df["name"].astype(object).where(df["name"].notna(), df["entity"])
    return name.where(df["level"] != "branch", t("word.branch", lang)).astype(object)


def metric_names(metrics: pd.Series, lang: str) -> pd.Series:
    return metrics.map(lambda m: metric_label(m, lang, with_unit=True) if m in FIELDS_BY_NAME else m)


def rollup_first(df: pd.DataFrame) -> pd.DataFrame:
    """Branch rows first, then teams; keeps the metric order within each entity."""
    order = {"branch": 0, "team": 1, "manager": 2}
    return df.assign(_o=df["level"].map(order)).sort_values(["_o", "entity"], kind="stable").drop(columns="_o")


def wide_by_metric(df: pd.DataFrame, metrics: Sequence[str], values: Sequence[str],
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


def report_meta(title: str, org: str, period: str, line: str | None, lang: str, generated) -> ReportMeta:
    line_label = LINE_LABEL[line][lang] if line in LINE_LABEL else None
    return ReportMeta(title=title, org=org, period=period, line=line_label, lang=lang, generated=generated)


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
