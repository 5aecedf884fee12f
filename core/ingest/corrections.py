"""Fixing an upload in its validation report: the rows with problems as an editable table, and the upload rebuilt
with the corrected cells so that the very same checks run again.

:func:`problem_rows` gives, per sheet, the rows that have a problem: their cells as text (as a person reads them),
the header of each column and the problems of the row. :func:`apply_corrections` writes the edited texts back
into the uploaded grids and returns new files — a workbook as .xlsx (every sheet, hidden ones hidden, text never
turned into a formula) or a CSV as CSV — that go through :func:`core.ingest.import_files` like any upload:
safety checks, header finding, every cell parsed and validated, stored only when nothing is wrong. Nothing is
changed that the person did not edit.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from core.errors import AppError
from core.export import escape_formula
from core.i18n import norm_lang
from core.ingest.locate import INDEXES, Files, read_sheets, score_row
from core.ingest.problems import Problem, errors_of
from core.ingest.readers import HEADER_SCAN_ROWS, Sheet, cell_display, column_letter
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits, check_upload

MAX_ROWS = 500          # problem rows offered for editing at once (the rest: fix the file)


@dataclass
class SheetFix:
    """The problem rows of one sheet, ready for an editable table."""
    file: str
    sheet: str | None                  # None for a CSV
    header_row: int                    # Excel row of the header
    columns: list[int]                 # 0-based columns shown
    labels: list[str]                  # 'C 拜访客户数' per column shown (unique: the letter leads)
    rows: list[int]                    # Excel rows
    values: list[list[str]]            # the cells as text, per row and column shown
    problems: list[str]                # the row's problems, one text per row
    total: int = 0                     # rows with problems in the sheet (rows may be fewer: MAX_ROWS)

    @property
    def label(self) -> str:
        return self.file if self.sheet is None else f"{self.file} › {self.sheet}"


@dataclass
class Corrected:
    """The rebuilt upload: the files to check again and how many cells changed."""
    files: list[tuple[str, bytes]]
    changed: int
    cells: list[tuple[str, str | None, str, str, str]] = field(default_factory=list)  # where, cell, before, after


def _header_row(sheet: Sheet, kind: str) -> int | None:
    """0-based header row as ``locate`` finds it: the row among the first ones matching most known headers."""
    best, best_score = None, 1
    for i in range(min(sheet.n_rows, HEADER_SCAN_ROWS)):
        score = len(score_row(sheet.rows[i], INDEXES[kind]))
        if score > best_score:
            best, best_score = i, score
    return best


def problem_rows(files: Files, problems: list[Problem], kind: str, lang: str = "zh",
                 limits: UploadLimits | None = None, max_rows: int = MAX_ROWS) -> list[SheetFix]:
    """Per sheet, the data rows that have a problem (errors and warnings), with every headed column."""
    lang = norm_lang(lang)
    limits = limits or DEFAULT_LIMITS
    by_sheet: dict[tuple[str, str | None], dict[int, list[Problem]]] = {}
    for p in problems:
        if p.row is not None:
            by_sheet.setdefault((p.file, p.sheet), {}).setdefault(p.row, []).append(p)
    out: list[SheetFix] = []
    for name, data in files:
        if not any(k[0] == name for k in by_sheet) or errors_of(check_upload(name, data, limits)):
            continue
        try:
            sheets = read_sheets(name, data, limits)
        except AppError:
            continue
        for sh, sheet_key in sheets:
            rows = by_sheet.get((name, sheet_key))
            hr = _header_row(sh, kind) if rows else None
            if hr is None:
                continue
            header = sh.rows[hr]
            cols = [j for j, v in enumerate(header) if v is not None and str(v).strip()]
            excel_rows = sorted(r for r in rows if r > hr + 1 and r <= sh.n_rows)
            if not excel_rows:
                continue
            shown = excel_rows[:max_rows]
            fix = SheetFix(name, sheet_key, hr + 1, cols,
                           [f"{column_letter(j)} {cell_display(header[j])}" for j in cols], shown,
                           [[cell_display(sh.cell(r - 1, j)) for j in cols] for r in shown],
                           ["\n".join(p.message(lang) for p in rows[r]) for r in shown], len(excel_rows))
            out.append(fix)
    return out


def _blank(text: object) -> bool:
    return text is None or (isinstance(text, float) and text != text) or not str(text).strip()


def apply_corrections(files: Files, fixes: list[SheetFix], edited: list[list[list[object]]],
                      limits: UploadLimits | None = None) -> Corrected:
    """The upload with the edited cells written back: `edited[k][i][c]` is the text now in row `i`, column `c`
    of `fixes[k]`. A cell whose text did not change keeps its original value (a number stays a number, a date
    a date); an emptied cell becomes empty; an edited one is the text typed, parsed again by the same checks."""
    limits = limits or DEFAULT_LIMITS
    changes: dict[tuple[str, str | None], dict[tuple[int, int], object]] = {}
    log = []
    for fix, rows in zip(fixes, edited):
        for i, r in enumerate(fix.rows):
            for c, j in enumerate(fix.columns):
                before = fix.values[i][c]
                after = rows[i][c] if i < len(rows) and c < len(rows[i]) else before
                after = "" if _blank(after) else str(after).strip()
                if after == before:
                    continue
                changes.setdefault((fix.file, fix.sheet), {})[(r - 1, j)] = after or None
                log.append((fix.label, f"{column_letter(j)}{r}", fix.labels[c], before, after))
    if not changes:
        return Corrected([(n, d) for n, d in files], 0, [])
    out = []
    for name, data in files:
        if not any(k[0] == name for k in changes):
            out.append((name, data))
            continue
        sheets = read_sheets(name, data, limits)
        for sh, key in sheets:
            for (i, j), v in changes.get((name, key), {}).items():
                while len(sh.rows) <= i:
                    sh.rows.append([])
                row = sh.rows[i]
                while len(row) <= j:
                    row.append(None)
                row[j] = v
        if len(sheets) == 1 and sheets[0][1] is None:
            out.append((name, _csv_bytes(sheets[0][0])))
        else:
            out.append((_xlsx_name(name), _xlsx_bytes(sheets)))
    return Corrected(out, len(log), log)


def download_bytes(name: str, data: bytes) -> bytes:
    """The corrected file as offered for download: a CSV goes through the formula guard (text a spreadsheet would
    run gets a leading apostrophe; numbers such as -5 stay numbers); a workbook is already safe (its text cells are
    written as text, never formulas). The bytes kept for re-checking the upload are not changed."""
    if PurePath(name).suffix.lower() != ".csv":
        return data
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow([v if _is_number(v) else escape_formula(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _xlsx_name(name: str) -> str:
    p = PurePath(name)
    return name if p.suffix.lower() == ".xlsx" else f"{p.stem}.xlsx"


def _csv_bytes(sh: Sheet) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in sh.rows:
        w.writerow(["" if v is None else cell_display(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def _xlsx_bytes(sheets: list[tuple[Sheet, str | None]]) -> bytes:
    # openpyxl takes ~0.2 s to import: loaded when a corrected workbook is written, not with the package
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell  # lazy, as above

    wb = Workbook(write_only=True)
    for sh, _key in sheets:
        ws = wb.create_sheet(sh.name[:31])
        if sh.hidden:
            ws.sheet_state = "hidden"
        for src in sh.rows:
            row = []
            for v in src:
                c = WriteOnlyCell(ws, value=v)
                if isinstance(v, str):
                    c.data_type = "s"     # text stays text: '=…' typed in a cell is never a formula
                row.append(c)
            ws.append(row)
    if not sheets:
        wb.create_sheet("Sheet")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
