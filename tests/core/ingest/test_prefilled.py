"""core/ingest/prefilled.py: the week's daily template pre-filled with a team's roster and working days, read
back by the importer as the blank template is."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from core.errors import AppError
from core.ingest.prefilled import prefilled_daily_xlsx, prefilled_rows

ROSTER = pd.DataFrame([
    {"employee_id": "E2", "name": "李娜", "team": "A", "active": True, "start_date": pd.Timestamp("2020-01-01")},
    {"employee_id": "E1", "name": "张伟", "team": "A", "active": True, "start_date": pd.NaT},
    {"employee_id": "E3", "name": "王芳", "team": "A", "active": False, "start_date": pd.Timestamp("2020-01-01")},
    {"employee_id": "E4", "name": "赵强", "team": "A", "active": True, "start_date": pd.Timestamp("2026-12-01")},
    {"employee_id": "E5", "name": "钱敏", "team": "B", "active": True, "start_date": pd.Timestamp("2020-01-01")},
])


@pytest.mark.parametrize("week, overrides, days", [
    ("2026-W47", None, 5),                                       # Mon 11-16 … Fri 11-20
    ("2026-W08", None, 0),                                       # Spring Festival week: no working day
    ("2026-W47", {dt.date(2026, 11, 20): False}, 4),            # the bank closes Friday
    ("2026-W47", {dt.date(2026, 11, 21): True}, 6),             # and works Saturday
])
def test_rows_are_active_members_times_working_days(week, overrides, days):
    rows = prefilled_rows(ROSTER, "A", week, overrides)
    assert len(rows) == 2 * days                                 # E1, E2 (E3 left, E4 starts in December)
    if days:
        assert rows["employee_id"].tolist()[:2] == ["E1", "E2"] and rows["manager_name"].tolist()[:2] == ["张伟", "李娜"]


def test_workbook_has_the_rows_under_the_template_headers():
    data = prefilled_daily_xlsx(ROSTER, "A", "2026-W47")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert "日期" in ws["A1"].value and "工号" in ws["B1"].value
    assert ws["A2"].value.date() == dt.date(2026, 11, 16) and ws["B2"].value == "E1" and ws["C2"].value == "张伟"
    assert ws["A11"].value.date() == dt.date(2026, 11, 20) and ws["B11"].value == "E2"
    assert ws["A12"].value is None


def test_nobody_to_prefill_is_a_clear_error():
    with pytest.raises(AppError) as e:
        prefilled_daily_xlsx(ROSTER, "A", "2026-W08")
    assert e.value.key == "ingest.template.prefill_empty"
    assert "2026-W08" in e.value.message("en") and "2026-W08" in e.value.message("zh")
