"""The statement workbook: the same numbers as the statement to the cent; formula text escaped.
"""
from __future__ import annotations

import io

import openpyxl

from core import commission as cm
from core.commission.xlsx import statement_xlsx, xlsx_amounts
from core.scope import SYSTEM
from core.store import logs as store_logs
from tests.core.commission.data import DIRECTOR, ROSTER, plan


def test_xlsx_statement_equals_statement_to_the_cent(bank):
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    values = xlsx_amounts(statement_xlsx(s, "zh"))
    d = s.to_dict("zh")
    for key in ("base_pay", "gross", "deductions", "performance", "deferred", "payable"):
        assert values[key] == d[key], key
    assert values["payable"] == "10502.28"                     # manager A above
    for ln in d["lines"]:
        assert values[f"line:{ln['metric']}"] == ln["amount"]
    assert values["deduction:complaints"] == "200.00"          # 1×200


def test_xlsx_escapes_formula_text(bank):
    store_logs.apply_roster(bank, SYSTEM, ROSTER.assign(name=["=HYPERLINK(1)", "李娜", "王强"]), "r.xlsx", "x" * 64)
    s = cm.statement(bank, DIRECTOR, "A01", "2026-10", plan=plan())
    wb = openpyxl.load_workbook(io.BytesIO(statement_xlsx(s, "en")))
    cells = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in cells)
    assert any("HYPERLINK" in v for v in cells)
