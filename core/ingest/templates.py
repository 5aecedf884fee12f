"""Blank upload templates (.xlsx): daily log (日报), roster (花名册) and monthly targets (目标分解).

Each template has one data sheet whose header row carries the bilingual header with its unit
(``新增存款(万元) New deposits (CNY 10k)``, exactly what ``core.schema.match_header`` reads back), data
validation on every column (dates, whole non-negative counts, amounts, 对公/零售, months), and an instructions
sheet (填写说明 Instructions — ignored by the importer) explaining every column in both languages.
"""
from __future__ import annotations

import datetime as dt
import io

from core.i18n import t
from core.ingest.locate import KINDS
from core.schema import (DAILY_FIELDS, FIELDS_BY_NAME, ROSTER_FIELDS, TARGET_METRICS, TARGET_MONTH_FIELD, UNIT_LABEL,
                         Field)

DATA_ROWS = 1000          # rows that get data validation
_FIXED_TIME = dt.datetime(2026, 1, 1)

_EXAMPLES = {
    "date": "2026-11-02", "employee_id": "1001", "manager_name": "张伟", "name": "张伟", "team": "公司业务一部",
    "visits": 5, "new_customers": 1, "deposits_new": 120.5, "deposit_balance": 8600, "loans_new": 300,
    "credit_cards": 2, "mobile_banking": 3, "wealth_sales": 50, "fee_income": 1200, "post_loan_checks": 1,
    "complaints": 0, "notes": "拜访XX公司,洽谈代发工资", "line": "对公", "grade": "客户经理",
    "start_date": "2021-07-01", "mentor_id": "0901", "month": "2026-11",
}


def template_fields(kind: str) -> list[Field]:
    """The columns of a template, in order."""
    if kind == "daily":
        return list(DAILY_FIELDS)
    if kind == "roster":
        return list(ROSTER_FIELDS)
    if kind == "targets":
        return [TARGET_MONTH_FIELD, FIELDS_BY_NAME["employee_id"], FIELDS_BY_NAME["manager_name"]] + \
            [FIELDS_BY_NAME[m] for m in TARGET_METRICS]
    raise ValueError(f"unknown template kind {kind!r} (expected one of {', '.join(KINDS)})")


def _bi(key: str) -> str:
    return f"{t(key, 'zh')} {t(key, 'en')}"


def _required(kind: str, f: Field) -> bool:
    if kind == "daily":
        return f.name == "date" or f.name == "employee_id"
    if kind == "targets":
        return f.name in ("month", "employee_id")
    return f.required


def _validation(kind: str, f: Field):
    # openpyxl takes ~0.2 s to import: loaded when a template is written, not with the package
    from openpyxl.worksheet.datavalidation import DataValidation
    if f.kind == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2099,12,31)",
                            allow_blank=True)
        dv.error = "请填写日期,如 2026-11-02 / Enter a date such as 2026-11-02"
    elif f.kind == "count":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.error = "请填写不小于 0 的整数 / Enter a whole number, 0 or more"
    elif f.kind == "amount":
        low = "0" if kind == "targets" or f.name not in ("deposits_new", "loans_new") else "-1000000000"
        dv = DataValidation(type="decimal", operator="between", formula1=low, formula2="1000000000", allow_blank=True)
        unit = UNIT_LABEL[f.unit]
        dv.error = f"请填写金额(单位:{unit['zh']})/ Enter an amount in {unit['en']}"
    elif f.name == "line":
        dv = DataValidation(type="list", formula1='"对公,零售"', allow_blank=True)
        dv.error = "请选择 对公 或 零售 / Choose 对公 (corporate) or 零售 (retail)"
    elif f.name == "month":
        dv = DataValidation(type="textLength", operator="between", formula1="6", formula2="10", allow_blank=True)
        dv.error = "月份写成 2026-11 / Write the month as 2026-11"
    else:
        return None
    dv.errorTitle = "输入有误 / Invalid entry"
    dv.showErrorMessage = True
    dv.promptTitle = f.header("zh")
    dv.prompt = f"{f.header('zh')} / {f.header('en')}"
    dv.showInputMessage = True
    return dv


def template_xlsx(kind: str) -> bytes:
    """A blank template for `kind` ('daily' | 'roster' | 'targets') as .xlsx bytes."""
    # openpyxl takes ~0.2 s to import: loaded when a template is written, not with the package
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # lazy, as above
    from openpyxl.utils import get_column_letter  # lazy, as above

    fields = template_fields(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{t(f'ingest.template.sheet.{kind}', 'zh')} {t(f'ingest.template.sheet.{kind}', 'en')}"[:31]
    head_fill = PatternFill("solid", fgColor="1F4E78")
    req_fill = PatternFill("solid", fgColor="C00000")
    thin = Side(style="thin", color="BFBFBF")
    for j, f in enumerate(fields, start=1):
        c = ws.cell(row=1, column=j, value=f.bilingual_header())
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = req_fill if _required(kind, f) else head_fill
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = 40 if f.name == "notes" else max(14, min(30, len(f.bilingual_header())))
        dv = _validation(kind, f)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
        if f.kind == "text" or f.name == "month":
            for r in range(2, DATA_ROWS + 2):
                ws.cell(row=r, column=j).number_format = "@"   # IDs keep leading zeros
        elif f.kind == "date":
            for r in range(2, DATA_ROWS + 2):
                ws.cell(row=r, column=j).number_format = "yyyy-mm-dd"
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet(_bi("ingest.template.sheet.help")[:31])
    help_ws.column_dimensions["A"].width = 38
    help_ws.column_dimensions["B"].width = 14
    help_ws.column_dimensions["C"].width = 14
    help_ws.column_dimensions["D"].width = 24
    help_ws.column_dimensions["E"].width = 90
    help_ws.append([t(f"ingest.template.title.{kind}", "zh")])
    help_ws.append([t(f"ingest.template.title.{kind}", "en")])
    help_ws["A1"].font = Font(bold=True, size=14)
    help_ws["A2"].font = Font(bold=True, size=12)
    help_ws.append([])
    keys = ["general"] + (["identity", "units", "counts", "dates"] if kind == "daily" else
                          ["roster"] if kind == "roster" else ["identity", "targets", "units"])
    for k in keys:
        help_ws.append([f"• {t(f'ingest.template.help.{k}', 'zh')}"])
        help_ws.append([f"  {t(f'ingest.template.help.{k}', 'en')}"])
    help_ws.append([])
    help_ws.append([_bi("ingest.template.help.columns"), "", "", _bi("ingest.template.help.example")])
    help_ws.cell(row=help_ws.max_row, column=1).font = Font(bold=True)
    for f in fields:
        req = "ingest.template.help.required" if _required(kind, f) else "ingest.template.help.optional"
        unit = UNIT_LABEL[f.unit] if f.unit else None
        help_ws.append([f.bilingual_header(), t(req, "zh"), t(req, "en"), _EXAMPLES.get(f.name, ""),
                        f"{unit['zh']} / {unit['en']}" if unit else ""])
    for wb_ws in (ws, help_ws):
        wb_ws.sheet_view.zoomScale = 100
    wb.properties.creator = "customer-manager dashboard"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
