"""core.ingest.templates: every template round-trips through the importer, with validation and instructions."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from core import ingest
from core.ingest import templates
from core.ingest.safety import check_upload

ROSTER = pd.DataFrame({"employee_id": ["1001"], "name": ["张伟"], "team": ["一队"], "line": ["retail"],
                       "grade": ["客户经理"], "active": [True]})


def _fill(data: bytes, values: dict[str, object]) -> bytes:
    """Write one data row under the headers whose text starts with the given Chinese label."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for cell in ws[1]:
        for label, v in values.items():
            if cell.value.split(" ")[0].split("(")[0] == label:
                ws.cell(row=2, column=cell.column, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind,n_cols,first,validations", [
    # daily: 16 DAILY_FIELDS; validations: 1 date + 6 counts + 5 amounts = 12
    ("daily", 16, "日期 Date", 12),
    # roster: 8 fields (with the optional 手机号 for the group robots' @-mentions); validations: start date +
    # line list = 2
    ("roster", 8, "工号 Employee ID", 2),
    # targets: month + ID + name + 8 target metrics; validations: month + 3 counts... visits, new customers,
    # credit cards, mobile banking (4 counts) + deposits, loans, wealth, fee (4 amounts) = 9
    ("targets", 11, "月份 Month", 9),
])
def test_template_structure(kind, n_cols, first, validations):
    data = templates.template_xlsx(kind)
    assert check_upload(f"{kind}.xlsx", data) == []
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert len(wb.sheetnames) == 2 and "填写说明" in wb.sheetnames[1]
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert len(headers) == n_cols and headers[0] == first
    assert len(ws.data_validations.dataValidation) == validations
    assert ws.freeze_panes == "A2"
    text = "\n".join(str(c.value) for r in wb.worksheets[1].iter_rows() for c in r if c.value)
    assert "Instructions" in wb.sheetnames[1] and "填写" in text and "Enter data" in text


def test_daily_template_headers_carry_units():
    ws = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx("daily"))).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert "新增存款(万元) New deposits (CNY 10k)" in headers
    assert "中间业务收入(元) Fee income (CNY)" in headers


@pytest.mark.parametrize("kind,values,expected", [
    ("daily", {"日期": "2026-11-02", "工号": "1001", "拜访客户数": 5, "新增存款": 12.5, "中间业务收入": 800},
     {"visits": 5.0, "deposits_new": 12.5, "fee_income": 800.0}),
    ("roster", {"工号": "1001", "姓名": "张伟", "团队": "一队", "条线": "对公", "职级": "客户经理"},
     {"line": "corporate", "grade": "客户经理"}),
    ("targets", {"月份": "2026-11", "工号": "1001", "新增存款": 500, "信用卡": 20}, None),
])
def test_filled_template_imports(kind, values, expected):
    data = _fill(templates.template_xlsx(kind), values)
    files = [(f"{kind}.xlsx", data)]
    if kind == "daily":
        res = ingest.parse_daily(files, ROSTER)
    elif kind == "roster":
        res = ingest.parse_roster(files)
    else:
        res = ingest.parse_targets(files, ROSTER)
    assert res.problems == []
    if kind == "targets":
        assert sorted(zip(res.rows["metric"], res.rows["value"])) == [("credit_cards", 20.0), ("deposits_new", 500.0)]
    else:
        assert len(res.rows) == 1
        for k, v in expected.items():
            assert res.rows.iloc[0][k] == v


def test_blank_template_has_no_rows_to_import():
    res = ingest.parse_daily([("d.xlsx", templates.template_xlsx("daily"))], ROSTER)
    assert [p.code for p in res.problems] == ["ingest.no_rows"]


def test_unknown_kind():
    with pytest.raises(ValueError):
        templates.template_xlsx("payroll")
