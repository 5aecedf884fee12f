"""Shared fixtures of the ingest tests, built in code: a roster with a repeated name and a leading-zero ID, a
team lead of 一队, and workbooks written with openpyxl."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd

from core.scope import Scope

ROSTER = pd.DataFrame({
    "employee_id": ["1001", "1002", "1003", "2001", "2002", "00123"],
    "name": ["张伟", "李娜", "王芳", "王强", "李娜", "赵敏"],
    "team": ["一队", "一队", "一队", "二队", "二队", "一队"],
    "line": ["retail", "retail", "retail", "corporate", "corporate", "retail"],
    "grade": ["客户经理"] * 6,
    "active": [True] * 6,
})
LEAD1 = Scope("team_lead", "lead1", team="一队")


def xlsx(sheets: dict[str, list[list]], title: str | None = None, merge: str | None = None) -> bytes:
    """A workbook of `sheets` (name → rows). `title`: a merged title row and a blank row above each sheet's
    rows; `merge`: a range merged after the rows are written."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
            ws.append([])
        for r in rows:
            ws.append(r)
        if merge:
            ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
