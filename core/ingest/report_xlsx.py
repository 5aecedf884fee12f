"""The problem report: the uploaded data given back as .xlsx with every bad cell highlighted.

A Problems sheet first (severity, file, sheet, row, column, cell, value, message), then each uploaded sheet with
its bad cells filled red (errors) or amber (warnings) and a comment giving the message. Every text cell is
formula-escaped (:func:`core.export.escape_formula`).
"""
from __future__ import annotations

import io
import re

from core.errors import AppError
from core.export import escape_formula
from core.i18n import norm_lang, t
from core.ingest.locate import Files, read_sheets
from core.ingest.problems import Problem, errors_of
from core.ingest.readers import column_letter
from core.ingest.safety import DEFAULT_LIMITS, UploadLimits, check_upload

RED = "FFC7CE"
AMBER = "FFEB9C"


def _safe_sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "_", title).strip("'") or "Sheet"
    base = base[:31]
    out, i = base, 2
    while out.lower() in used:
        suffix = f"~{i}"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out.lower())
    return out


def problems_report_xlsx(files: Files, problems: list[Problem], lang: str = "zh",
                         limits: UploadLimits | None = None) -> bytes:
    """The uploaded data with every bad cell filled red (errors) or amber (warnings) and a comment giving the
    message, preceded by a Problems sheet (severity, file, sheet, row, column, cell, value, message).

    Files that failed the safety checks are not opened; their problems are listed on the Problems sheet.
    """
    # openpyxl takes ~0.2 s to import: loaded when a report is written, not with the package
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell  # lazy, as above
    from openpyxl.comments import Comment  # lazy, as above
    from openpyxl.styles import Font, PatternFill  # lazy, as above

    lang = norm_lang(lang)
    limits = limits or DEFAULT_LIMITS
    wb = Workbook(write_only=True)
    used: set[str] = set()
    fills = {"error": PatternFill("solid", fgColor=RED), "warning": PatternFill("solid", fgColor=AMBER)}
    bold = Font(bold=True)
    ws = wb.create_sheet(_safe_sheet_title(t("ingest.report.sheet", lang), used))
    heads = ["severity", "file", "sheet", "row", "column", "cell", "value", "message"]
    ws.append([_styled(WriteOnlyCell(ws, value=t(f"ingest.report.col.{h}", lang)), font=bold) for h in heads])
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["H"].width = 80
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.file, p.sheet or "", p.row or 0))
    for p in ordered:
        cells = [t(f"ingest.severity.{p.severity}", lang), p.file, p.sheet, p.row, p.column, p.cell, p.value,
                 p.message(lang)]
        row = []
        for k, v in enumerate(cells):
            c = WriteOnlyCell(ws, value=escape_formula(v))
            if k == 0:
                c.fill = fills.get(p.severity, fills["warning"])
            row.append(c)
        ws.append(row)
    # Index problems by cell.
    marks: dict[tuple[str, str | None, int, int], list[Problem]] = {}
    for p in problems:
        if p.row is not None and p.col_index is not None:
            marks.setdefault((p.file, p.sheet, p.row, p.col_index), []).append(p)
    for name, data in files:
        if errors_of(check_upload(name, data, limits)):
            continue
        try:
            sheets = read_sheets(name, data, limits)
        except AppError:
            continue
        for sh, sheet_key in sheets:
            title = name if sheet_key is None else (sh.name if len(files) == 1 else f"{name}-{sh.name}")
            out = wb.create_sheet(_safe_sheet_title(title, used))
            for j in range(sh.n_cols):
                out.column_dimensions[column_letter(j)].width = 16
            for i, src in enumerate(sh.rows):
                row = []
                for j in range(max(len(src), 1) if src else 0):
                    v = src[j]
                    c = WriteOnlyCell(out, value=escape_formula(v))
                    here = marks.get((name, sheet_key, i + 1, j))
                    if here:
                        worst = "error" if any(p.severity == "error" for p in here) else "warning"
                        c.fill = fills[worst]
                        text = "\n".join(f"[{t(f'ingest.severity.{p.severity}', lang)}] {p.message(lang)}"
                                         for p in here)
                        c.comment = Comment(text, "ingest")
                    row.append(c)
                # highlight problems located beyond the written cells (e.g. an empty required cell at the end)
                extra = sorted(j for (f, s, r, j) in marks if f == name and s == sheet_key and r == i + 1
                               and j >= len(row))
                for j in extra:
                    while len(row) < j:
                        row.append(WriteOnlyCell(out, value=None))
                    here = marks[(name, sheet_key, i + 1, j)]
                    c = WriteOnlyCell(out, value=None)
                    c.fill = fills["error" if any(p.severity == "error" for p in here) else "warning"]
                    c.comment = Comment("\n".join(p.message(lang) for p in here), "ingest")
                    row.append(c)
                out.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _styled(cell, font=None):
    if font is not None:
        cell.font = font
    return cell
