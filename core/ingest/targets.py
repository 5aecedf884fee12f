"""Monthly targets (目标分解): one row per manager per month, one column per target metric, read into the long
format ``month, employee_id, metric, value``. A blank cell means no target for that metric; a negative one is
an error. A row with any error is left out.
"""
from __future__ import annotations

import pandas as pd

from core.errors import AppError
from core.ingest.identify import Roster, identify
from core.ingest.locate import Files, Table, cell, locate
from core.ingest.problems import ParseResult, Problem, Problems, errors_of
from core.ingest.readers import cell_display, is_blank, parse_month_cell, parse_number
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits
from core.schema import FIELDS_BY_NAME, TARGET_METRICS
from core.scope import Scope

TARGET_OUT_COLUMNS = ["month", "employee_id", "metric", "value"]


def _targets_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and ("month" in found or (bool(found & set(TARGET_METRICS))
                                                       and bool(found & {"employee_id", "manager_name"})))


def parse_targets(files: Files, roster: pd.DataFrame, scope: Scope | None = None,
                  limits: UploadLimits | None = None) -> ParseResult:
    """Validate monthly targets (one row per manager per month, one column per target metric) into the long
    format month, employee_id, metric, value. A blank cell means no target for that metric."""
    limits = limits or DEFAULT_LIMITS
    problems = Problems()
    tables = locate(files, "targets", _targets_candidate, ["month", ("employee_id", "manager_name")], problems,
                    limits)
    for tb in list(tables):
        if not any(m in tb.cols for m in TARGET_METRICS):
            problems.append(Problem("error", "ingest.no_target_metrics", tb.file, tb.sheet, tb.header_row + 1))
            tables.remove(tb)
    rr = Roster(roster, scope)
    out: list[dict] = []
    seen: dict[tuple[str, str, str], dict] = {}
    sheet_rows: dict[str, int] = {}
    for tb in tables:
        n = 0
        metrics = [m for m in TARGET_METRICS if m in tb.cols]
        for excel_row, row in tb.data_rows("targets", ("month", "employee_id", "manager_name")):
            n += 1
            before = problems.n_errors
            raw_month = cell(row, tb.cols["month"])
            month = None
            if is_blank(raw_month):
                problems.append(Problem("error", "ingest.missing_value", tb.file, tb.sheet, excel_row,
                                        tb.header_of("month"), None, params={"field": "month"},
                                        col_index=tb.cols["month"]))
            else:
                try:
                    month = parse_month_cell(raw_month)
                except AppError as exc:
                    problems.append(Problem("error", exc.key, tb.file, tb.sheet, excel_row, tb.header_of("month"),
                                            cell_display(raw_month), col_index=tb.cols["month"]))
            eid = identify(tb, row, excel_row, rr, "employee_id", "manager_name", problems, team_field=None)
            recs = []
            for m in metrics:
                v, ok = number(tb, row, excel_row, m, problems, allow_negative=False)
                if v is None:
                    continue
                recs.append({"month": month, "employee_id": eid, "metric": m, "value": v})
                if eid is not None and month is not None:
                    key = (month, eid, m)
                    if key in seen:
                        problems.append(Problem("error", "ingest.duplicate_target", tb.file, tb.sheet, excel_row,
                                                tb.header_of(m), cell_display(cell(row, tb.cols[m])),
                                                params={"first": seen[key], "month": month, "employee_id": eid},
                                                col_index=tb.cols[m]))
                    else:
                        seen[key] = tb.location(excel_row)
            if problems.n_errors == before:
                out.extend(recs)
        sheet_rows[tb.label] = n
    rows = pd.DataFrame(out, columns=TARGET_OUT_COLUMNS)
    rows["value"] = rows["value"].astype("float64")
    if tables and not len(rows) and not errors_of(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)


def number(tb: Table, row, excel_row: int, name: str, problems: list[Problem],
           allow_negative: bool = True) -> tuple[float | None, bool]:
    """The cell of metric `name` on a row: (value in storage units or None when blank, ok); a bad cell
    records its error."""
    f = FIELDS_BY_NAME[name]
    j = tb.cols.get(name)
    raw = cell(row, j)
    loc = dict(file=tb.file, sheet=tb.sheet, row=excel_row, column=tb.header_of(name), value=cell_display(raw),
               col_index=j)
    try:
        v = parse_number(raw, f, tb.units.get(name))
    except AppError as exc:
        problems.append(Problem("error", exc.key, **loc, params={"field": name}))
        return None, False
    if v is None:
        return None, True
    if f.kind == "count":
        if v < 0:
            problems.append(Problem("error", "ingest.negative_count", **loc))
            return None, False
        if abs(v - round(v)) > 1e-9:
            problems.append(Problem("error", "ingest.fractional_count", **loc))
            return None, False
        v = float(round(v))
    elif v < 0 and not allow_negative:
        problems.append(Problem("error", "ingest.negative_value", **loc))
        return None, False
    return v, True
