"""The week's daily template (日报) pre-filled for a team: one row per manager per working day, date, employee ID
and name already written, so the team lead only types the figures.

It is :func:`core.ingest.templates.template_xlsx` ('daily') with the rows filled in (same headers, validation and
instructions sheet), so what comes back is read by the importer exactly as the blank template is. Rows are the
team's active managers (started by the week's end) × the week's working days (China's calendar and the bank's
overrides), ordered by date then employee ID.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from core import calendar as cal
from core.errors import AppError
from core.export import escape_formula
from core.ingest.templates import DATA_ROWS, template_fields, template_xlsx


def prefilled_rows(roster: pd.DataFrame, team: str, week: str, overrides: dict | None = None) -> pd.DataFrame:
    """date, employee_id, manager_name for each active manager of `team` on each working day of ISO `week`."""
    mon, sun = cal.week_bounds(week)
    members = roster[roster["team"] == team]
    start = pd.to_datetime(members["start_date"])
    started = start.isna() | (start <= pd.Timestamp(sun))
    members = members[members["active"].astype(bool) & started].sort_values("employee_id")
    days = [mon + dt.timedelta(days=i) for i in range(7) if cal.is_workday(mon + dt.timedelta(days=i), overrides)]
    rows = [{"date": d, "employee_id": str(r.employee_id), "manager_name": str(r.name)}
            for d in days for r in members.itertuples()]
    return pd.DataFrame(rows, columns=["date", "employee_id", "manager_name"])


def prefilled_daily_xlsx(roster: pd.DataFrame, team: str, week: str, overrides: dict | None = None) -> bytes:
    """The daily template of `week` for `team` with its rows written (see the module doc). Raises AppError
    ``ingest.template.prefill_empty`` when the team has nobody active or the week no working day."""
    # openpyxl takes ~0.2 s to import: loaded when a template is written, not with the package
    from openpyxl import load_workbook

    rows = prefilled_rows(roster, team, week, overrides)
    if rows.empty:
        raise AppError("ingest.template.prefill_empty", team=team, week=week)
    if len(rows) > DATA_ROWS:
        raise AppError("ingest.template.prefill_too_many", team=team, n=len(rows), limit=DATA_ROWS)
    wb = load_workbook(io.BytesIO(template_xlsx("daily")))
    ws = wb.worksheets[0]
    col = {f.name: j for j, f in enumerate(template_fields("daily"), start=1)}
    for i, r in enumerate(rows.itertuples(), start=2):
        ws.cell(row=i, column=col["date"], value=r.date)
        ws.cell(row=i, column=col["employee_id"], value=escape_formula(r.employee_id))
        ws.cell(row=i, column=col["manager_name"], value=escape_formula(r.manager_name))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
