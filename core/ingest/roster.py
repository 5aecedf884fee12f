"""The roster (花名册): one row per person — employee ID, name, team, line (对公/零售), grade, start date, mentor.

Rows come out as ``employee_id, name, team, line, grade, start_date, mentor_id`` (plus ``mobile`` when the upload
has a 手机号 column); a row with any error is left out. A team lead may only list people of his own team (:meth:`core.scope.Scope.may_write_for`).
"""
from __future__ import annotations

import re

import pandas as pd

from core.errors import AppError
from core.ingest.locate import Files, Table, cell, locate
from core.ingest.problems import ParseResult, Problem, Problems, errors_of
from core.ingest.readers import cell_display, is_blank, parse_date, text_value
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits
from core.schema import LINE_ALIASES
from core.scope import Scope

ROSTER_OUT_COLUMNS = ["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id"]


def mobile_number(text: str | None) -> str | None:
    """A mainland China mobile as 11 digits ('138 0013 8000', '+86-13800138000' → '13800138000'), else None."""
    digits = re.sub(r"[\s\-()()]", "", text or "")
    digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 11 else digits
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def _roster_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and bool(found & {"employee_id", "name"}) and \
        bool(found & {"line", "grade", "start_date", "mentor_id"})


def parse_roster(files: Files, existing: pd.DataFrame | None = None, scope: Scope | None = None,
                 limits: UploadLimits | None = None) -> ParseResult:
    """Validate roster uploads. `existing` (the stored roster) lets mentors be checked; a team lead's `scope`
    may only list people of his own team."""
    limits = limits or DEFAULT_LIMITS
    problems = Problems()
    required = ["employee_id", "name", "team", "line", "grade"]
    tables = locate(files, "roster", _roster_candidate, required, problems, limits)
    out: list[dict] = []
    seen: dict[str, dict] = {}
    mentors: list[tuple[Table, int, str, str | None]] = []
    sheet_rows: dict[str, int] = {}
    for tb in tables:
        n = 0
        for excel_row, row in tb.data_rows("roster", ("employee_id", "name", "team")):
            n += 1
            before = problems.n_errors
            rec: dict = {}

            def err(code, col_field, value, **params):
                problems.append(tb.problem("error", code, excel_row, col_field, value, **params))

            for fname in ("employee_id", "name", "team", "grade"):
                v = text_value(cell(row, tb.cols[fname]))
                if v is None:
                    err("ingest.missing_value", fname, None, field=fname)
                rec[fname] = v
            raw_line = cell(row, tb.cols["line"])
            line_text = text_value(raw_line)
            if line_text is None:
                err("ingest.missing_value", "line", None, field="line")
                rec["line"] = None
            else:
                key = re.sub(r"(条线|业务|客户经理|line)$", "", line_text.lower()).strip() or line_text.lower()
                rec["line"] = LINE_ALIASES.get(line_text.lower()) or LINE_ALIASES.get(key)
                if rec["line"] is None:
                    err("ingest.bad_line", "line", line_text)
            rec["start_date"] = None
            if "start_date" in tb.cols and not is_blank(cell(row, tb.cols["start_date"])):
                raw = cell(row, tb.cols["start_date"])
                try:
                    rec["start_date"] = parse_date(raw)
                except AppError as exc:
                    err(exc.key, "start_date", cell_display(raw))
            rec["mentor_id"] = text_value(cell(row, tb.cols.get("mentor_id"))) if "mentor_id" in tb.cols else None
            if "mobile" in tb.cols:         # optional 手机号: a bad one is a warning and left out, the row stays
                raw_mobile = text_value(cell(row, tb.cols["mobile"]))
                rec["mobile"] = mobile_number(raw_mobile)
                if raw_mobile is not None and rec["mobile"] is None:
                    problems.append(tb.problem("warning", "notify.bad_mobile", excel_row, "mobile", raw_mobile))
            eid = rec["employee_id"]
            if eid is not None:
                if eid in seen:
                    err("ingest.duplicate_employee", "employee_id", eid, first=seen[eid])
                else:
                    seen[eid] = tb.location(excel_row)
                if scope is not None and not scope.may_import:
                    err("ingest.role_cannot_import", "employee_id", eid)
                elif scope is not None and rec["team"] is not None and not scope.may_write_for(eid, rec["team"]):
                    err("ingest.out_of_scope", "team", rec["team"], employee_id=eid, name=str(rec["name"]),
                        team=str(rec["team"]))
            if rec["mentor_id"]:
                mentors.append((tb, excel_row, rec["mentor_id"], eid))
            if problems.n_errors == before:
                out.append(rec)
        sheet_rows[tb.label] = n
    known = set(seen) | (set(existing["employee_id"].astype(str)) if existing is not None and len(existing) else set())
    for tb, excel_row, mentor, eid in mentors:
        loc = dict(file=tb.file, sheet=tb.sheet, row=excel_row, column=tb.header_of("mentor_id"), value=mentor,
                   col_index=tb.cols.get("mentor_id"))
        if mentor == eid:
            problems.append(Problem("warning", "ingest.self_mentor", **loc))
        elif mentor not in known:
            problems.append(Problem("warning", "ingest.unknown_mentor", **loc))
    with_mobile = any("mobile" in tb.cols for tb in tables)
    rows = pd.DataFrame(out, columns=ROSTER_OUT_COLUMNS + (["mobile"] if with_mobile else []))
    rows["start_date"] = pd.to_datetime(rows["start_date"])
    rows = rows.astype({"mentor_id": object})
    rows["mentor_id"] = rows["mentor_id"].where(rows["mentor_id"].notna(), None)
    if tables and not sum(sheet_rows.values()) and not errors_of(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)
