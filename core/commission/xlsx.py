"""The pay statement (绩效工资单) as an .xlsx workbook, with exactly the numbers of the page and the CLI.

Sheet 1 ("绩效单" / "Statement"): a header (manager, period, plan), one row per item (metric, quantity, unit,
how, amount), then the steps: gross, coefficient, performance before deductions, each deduction, floor/cap,
performance, risk reserve, base pay, payable. Column A holds a machine key for every row with a number
(``line:<metric>``, ``deduction:<metric>``, ``gross``, ``coefficient``, ``performance``, ``deferred``,
``base_pay``, ``payable`` ...) and is hidden; column F holds the amount. Money is written as numbers with two
decimals (``#,##0.00``), exactly the Decimal of the statement.

Sheet 2 ("明细" / "Days"): the days every quantity came from (date, metric, value) — "why this number".

Text cells that a spreadsheet could read as a formula are escaped (:func:`core.export.escape_formula`).
"""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from core import fmt
from core.commission.compute import Statement
from core.commission.text import band_name, metric_name, release_how, unit_label
from core.convert import money_str
from core.export import escape_formula
from core.i18n import t

AMOUNT_COL = 6
MONEY_FORMAT = "#,##0.00"


def _num(d: Decimal) -> float | int:
    d = Decimal(d)
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


def statement_xlsx(stmt: Statement, lang: str = "zh") -> bytes:
    """The statement as .xlsx bytes (see the module docstring for the layout)."""
    wb = Workbook()
    ws = wb.active
    ws.title = t("commission.xlsx.sheet", lang)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F3")

    def text(row, col, value, font=None):
        c = ws.cell(row=row, column=col, value=escape_formula(value) if isinstance(value, str) else value)
        if font:
            c.font = font
        return c

    def money_row(row, key, label, amount, how="", font=None):
        text(row, 1, key)
        text(row, 2, label, font)
        if how:
            text(row, 5, how)
        c = ws.cell(row=row, column=AMOUNT_COL, value=_num(amount))
        c.number_format = MONEY_FORMAT
        if font:
            c.font = font

    def quantity_row(row, key, label, ln):
        """An item or deduction line: quantity, unit, how, amount."""
        text(row, 1, key)
        text(row, 2, label)
        ws.cell(row=row, column=3, value=_num(ln.quantity)).number_format = "#,##0.######"
        text(row, 4, unit_label(ln.metric, lang))
        text(row, 5, ln.how(lang))
        ws.cell(row=row, column=AMOUNT_COL, value=_num(ln.amount)).number_format = MONEY_FORMAT

    r = 1
    text(r, 2, t("commission.xlsx.title", lang, period=stmt.period), Font(bold=True, size=14))
    r += 1
    for label, value in (
            (t("word.manager", lang), f"{stmt.employee_id} {stmt.name}"),
            (t("word.team", lang), stmt.team),
            (t("word.grade", lang), stmt.grade),
            (t("commission.xlsx.period", lang), stmt.period),
            (t("commission.xlsx.plan", lang), f"{stmt.plan_name}({stmt.plan_effective_from.isoformat()})"
             if lang == "zh" else f"{stmt.plan_name} (from {stmt.plan_effective_from.isoformat()})"),
            (t("commission.xlsx.settlement", lang), t(f"commission.settlement.{stmt.settlement}", lang))):
        text(r, 2, label, bold)
        text(r, 3, value)
        r += 1
    r += 1
    for col, key in enumerate(("commission.col.item", "commission.col.quantity", "commission.col.unit",
                               "commission.col.how", "commission.col.amount"), start=2):
        c = text(r, col, t(key, lang), bold)
        c.fill = head_fill
    r += 1
    for ln in stmt.lines:
        quantity_row(r, f"line:{ln.metric}", metric_name(ln.metric, lang), ln)
        r += 1
    r += 1
    money_row(r, "gross", t("commission.step.gross", lang), stmt.gross, font=bold)
    r += 1
    text(r, 1, "coefficient")
    text(r, 2, t("commission.step.coefficient", lang))
    text(r, 5, stmt.grade)
    ws.cell(row=r, column=AMOUNT_COL, value=_num(stmt.coefficient))
    r += 1
    factor = ""
    if stmt.attainment is not None or stmt.factor != 1:       # 完成率系数: composite attainment and factor
        text(r, 1, "factor")
        text(r, 2, t("commission.step.attainment", lang))
        text(r, 5, stmt.attainment_how(lang))
        ws.cell(row=r, column=AMOUNT_COL, value=_num(stmt.factor))
        factor = f" × {fmt.exact(stmt.factor)}"
        r += 1
    money_row(r, "performance_before_deductions", t("commission.step.before_deductions", lang),
              stmt.performance_before_deductions,
              how=f"{fmt.exact(stmt.gross)} × {fmt.exact(stmt.coefficient)}{factor}")
    r += 1
    for d in stmt.deduction_lines:
        quantity_row(r, f"deduction:{d.metric}", t("commission.step.deduction", lang,
                                                   metric=metric_name(d.metric, lang)), d)
        r += 1
    money_row(r, "deductions", t("commission.step.deductions", lang), stmt.deductions)
    r += 1
    if stmt.clamp:
        money_row(r, "performance_before_clamp", t("commission.step.before_clamp", lang),
                  stmt.performance_before_clamp, how=t(f"commission.step.clamp_{stmt.clamp}", lang))
        r += 1
    money_row(r, "performance", t("commission.step.performance", lang), stmt.performance, font=bold,
              how=band_name(stmt.pay_band, lang) if stmt.pay_band else "")
    r += 1
    money_row(r, "deferred", t("commission.step.deferred", lang), stmt.deferred)
    r += 1
    for inst in stmt.releases:                                 # reserve instalments paid this period
        money_row(r, f"reserve_released:{inst.period}:{inst.number}", t("commission.step.reserve_released", lang),
                  inst.paid, how=release_how(inst, lang))
        r += 1
    money_row(r, "base_pay", t("commission.step.base_pay", lang), stmt.base_pay,
              how=(f"{fmt.exact(stmt.base_pay_monthly)} × {stmt.months}" if stmt.months > 1 else ""))
    r += 1
    money_row(r, "payable", t("commission.step.payable", lang), stmt.payable, font=Font(bold=True, size=12),
              how=t("commission.step.payable_how_released" if stmt.releases else "commission.step.payable_how", lang))
    r += 2
    text(r, 2, t("commission.xlsx.note", lang))

    ws.column_dimensions["A"].hidden = True
    for col, width in zip("BCDEF", (22, 14, 8, 52, 16)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=1, max_row=r):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")

    days = wb.create_sheet(t("commission.xlsx.days_sheet", lang))
    for col, key in enumerate(("word.date", "word.metric", "commission.col.quantity", "commission.col.unit"), 1):
        c = days.cell(row=1, column=col, value=t(key, lang))
        c.font = bold
        c.fill = head_fill
    rr = 2
    for metric, ds in [(ln.metric, ln.days) for ln in stmt.lines] + [(d.metric, d.days) for d in stmt.deduction_lines]:
        for day, value in ds:
            days.cell(row=rr, column=1, value=day).number_format = "yyyy-mm-dd"
            days.cell(row=rr, column=2, value=escape_formula(metric_name(metric, lang)))
            days.cell(row=rr, column=3, value=_num(value))
            days.cell(row=rr, column=4, value=unit_label(metric, lang))
            rr += 1
    for col, width in zip("ABCD", (12, 16, 14, 8)):
        days.column_dimensions[col].width = width

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_amounts(data: bytes) -> dict[str, str]:
    """Read back a statement workbook's numbers by key (money as two-decimal strings), for checks and tests."""
    ws = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    out = {}
    for row in ws.iter_rows(min_row=1):
        key = row[0].value
        if isinstance(key, str) and key and len(row) >= AMOUNT_COL:
            v = row[AMOUNT_COL - 1].value
            if isinstance(v, (int, float)):
                out[key] = money_str(Decimal(str(v))) if key not in ("coefficient", "factor") \
                    else fmt.exact(Decimal(str(v)), False)
    return out


__all__ = ["statement_xlsx", "xlsx_amounts", "AMOUNT_COL"]
