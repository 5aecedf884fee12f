"""Finding the data tables in uploaded sheets: the header row (by its content, among the first rows), the
columns mapped onto the canonical fields of ``core.schema``, and the rows that are not data.

:func:`locate` reads every file (unreadable ones become problems), skips instruction sheets, finds each sheet's
header row, checks its columns (unknown, duplicate, unnamed, missing required ones) and returns the usable
sheets as :class:`Table`. :func:`skip_row` tells blank, totals and repeated header rows apart from data.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.errors import AppError
from core.ingest.problems import Problem
from core.ingest.readers import (HEADER_SCAN_ROWS, Sheet, cell_display, column_letter, is_empty, is_total_label,
                                 read_workbook)
from core.ingest.safety import UploadLimits
from core.schema import DAILY_ALIAS_INDEX, ROSTER_ALIAS_INDEX, TARGET_ALIAS_INDEX, Field, match_header

Files = Sequence[tuple[str, bytes]]

INSTRUCTION_SHEET = re.compile(r"(说明|须知|填表|instruction|readme|read me|guide|help|notes?$)", re.I)
INDEXES = {"daily": DAILY_ALIAS_INDEX, "roster": ROSTER_ALIAS_INDEX, "targets": TARGET_ALIAS_INDEX}
KINDS = tuple(INDEXES)      # what can be uploaded: "daily", "roster", "targets"
KIND_ZH = {"daily": "日报", "roster": "花名册", "targets": "目标分解"}
KIND_EN = {"daily": "daily log", "roster": "roster", "targets": "monthly targets"}


@dataclass
class Table:
    file: str
    sheet: str | None              # None for a CSV
    grid: Sheet
    header_row: int                # 0-based
    cols: dict[str, int]           # field name → 0-based column
    units: dict[str, str | None]   # field name → unit written in the header
    headers: dict[int, str]        # column → header text as written

    @property
    def label(self) -> str:
        return self.file if self.sheet is None else f"{self.file} › {self.sheet}"

    def header_of(self, name: str) -> str | None:
        c = self.cols.get(name)
        return None if c is None else self.headers.get(c)

    def location(self, excel_row: int) -> dict:
        """Where a row is, in both languages (a message parameter)."""
        return {"zh": f"{self.label} 第{excel_row}行", "en": f"{self.label} row {excel_row}"}

    def data_rows(self, kind: str, key_cols: Iterable[str]) -> Iterator[tuple[int, list[object]]]:
        """(Excel row, cells) of every data row under the header (see :func:`skip_row`)."""
        for i in range(self.header_row + 1, self.grid.n_rows):
            row = self.grid.rows[i]
            if not skip_row(self, row, kind, key_cols):
                yield i + 1, row

    def problem(self, severity: str, code: str, excel_row: int, field_name: str | None, value, **params) -> Problem:
        """A problem in the cell of `field_name` on `excel_row` (the header as written, the column's index)."""
        return Problem(severity, code, self.file, self.sheet, excel_row, self.header_of(field_name), value,
                       params=params, col_index=self.cols.get(field_name))


def cell(row: list[object], j: int | None) -> object:
    """The cell in column `j` of a row; None past its end or when the column is absent."""
    if j is None or j >= len(row):
        return None
    return row[j]


def _header_text(v: object) -> str:
    return re.sub(r"\s+", " ", str(v)).strip() if isinstance(v, str) else cell_display(v)


def score_row(row: list[object], index: dict[str, Field]) -> dict[str, tuple[int, str | None]]:
    """The known headers of a row: field name → (0-based column, unit written in the header)."""
    found: dict[str, tuple[int, str | None]] = {}
    for j, v in enumerate(row):
        if not isinstance(v, str) or not v.strip():
            continue
        f, unit = match_header(v, index)
        if f is not None and f.name not in found:
            found[f.name] = (j, unit)
    return found


def _find_header(sheet: Sheet, index: dict[str, Field]) -> int | None:
    """The 0-based header row: the row among the first 30 matching the most known headers (at least 2)."""
    best, best_score = None, 1
    for i in range(min(sheet.n_rows, HEADER_SCAN_ROWS)):
        score = len(score_row(sheet.rows[i], index))
        if score > best_score:
            best, best_score = i, score
    return best


def read_sheets(name: str, data: bytes, limits: UploadLimits) -> list[tuple[Sheet, str | None]]:
    """Every sheet of one file with the sheet name problems carry (None for a CSV); raises AppError."""
    sheets = read_workbook(name, data, max_rows=limits.max_rows, max_cols=limits.max_cols)
    is_csv = len(sheets) == 1 and sheets[0].name == "csv" and name.lower().endswith(".csv")
    return [(sh, None if is_csv else sh.name) for sh in sheets]


def _read_files(files: Files, problems: list[Problem], limits: UploadLimits) -> list[tuple[str, Sheet, str | None]]:
    """Every sheet of every readable file: (file, sheet, sheet name or None). Unreadable files become problems."""
    out = []
    for name, data in files:
        try:
            sheets = read_sheets(name, data, limits)
        except AppError as exc:
            problems.append(Problem("error", exc.key, name, params=dict(exc.params)))
            continue
        out.extend((name, sh, sheet_name) for sh, sheet_name in sheets)
    return out


def locate(files: Files, kind: str, is_candidate: Callable[[set[str]], bool],
           required: list[str | tuple[str, ...]], problems: list[Problem], limits: UploadLimits,
           saved=None) -> list[Table]:
    """Find the data sheets of an upload of `kind` and check their columns; sheet-level problems go to
    `problems`. `saved` (a :class:`core.ingest.mappings.SavedMappings`) adds the uploader's saved column
    mappings and records what they did."""
    index = INDEXES[kind] if saved is None else saved.index(INDEXES[kind])
    tables: list[Table] = []
    per_file: dict[str, int] = {}
    for name, sh, sheet_name in _read_files(files, problems, limits):
        per_file.setdefault(name, 0)
        has_data = any(not is_empty(v) for r in sh.rows for v in r)
        if sheet_name is not None and INSTRUCTION_SHEET.search(sh.name):
            continue  # an instructions sheet (填写说明 / Instructions) is never data
        hr = _find_header(sh, index)
        found = score_row(sh.rows[hr], index) if hr is not None else {}
        if hr is None or not is_candidate(set(found)):
            if has_data and not sh.hidden:
                problems.append(Problem("warning", "ingest.sheet_skipped", name, sheet_name,
                                        params={"kind": {"zh": KIND_ZH[kind], "en": kind}}))
            continue
        per_file[name] += 1
        table = _columns_of(name, sheet_name, sh, hr, kind, index, required, problems, saved)
        if table is not None:
            tables.append(table)
    for name, n in per_file.items():
        if n == 0 and not any(p.file == name and p.severity == "error" for p in problems):
            problems.append(Problem("error", "ingest.no_sheet", name,
                                    params={"kind": {"zh": KIND_ZH[kind], "en": KIND_EN[kind]}}))
    return tables


def _columns_of(name: str, sheet_name: str | None, sh: Sheet, hr: int, kind: str, index: dict[str, Field],
                required: list[str | tuple[str, ...]], problems: list[Problem], saved=None) -> Table | None:
    """The table under header row `hr`, or None when a required column is missing or a field appears twice."""
    cols, units, headers = {}, {}, {}
    dup = False
    for j, v in enumerate(sh.rows[hr]):
        if is_empty(v):
            continue
        text = _header_text(v)
        headers[j] = text
        f, unit = match_header(v, index) if isinstance(v, str) else (None, None)
        if f is not None and saved is not None:   # a saved mapping: recorded; None for a column to ignore
            f = saved.seen(name, sheet_name, hr, j, text, v, f, INDEXES[kind])
            if f is None:
                continue
        if f is None:
            daily_f = match_header(v, DAILY_ALIAS_INDEX)[0] if kind == "targets" and isinstance(v, str) else None
            if daily_f is not None and daily_f.name == "team":
                continue  # a team column on a targets sheet is for the reader, not stored
            code = "ingest.not_target_metric" if daily_f is not None else "ingest.unknown_column"
            problems.append(Problem("warning", code, name, sheet_name, hr + 1, text, None, col_index=j))
            continue
        if f.name in cols:
            dup = True
            by_mapping = saved is not None and saved.is_mapped(name, sheet_name, j, cols[f.name])
            problems.append(Problem("error", "mappings.duplicate_in_file" if by_mapping else "ingest.duplicate_column",
                                    name, sheet_name, hr + 1, text, None,
                                    params={"field": f.name, "first": headers[cols[f.name]]}, col_index=j))
            continue
        cols[f.name], units[f.name] = j, unit
    if saved is not None:
        saved.fields_seen[(name, sheet_name)] = set(cols)
    # Data under a column without a header.
    width = max((len(r) for r in sh.rows[hr + 1:]), default=0)
    for j in range(width):
        if j in headers:
            continue
        if any(not is_empty(r[j]) for r in sh.rows[hr + 1:] if j < len(r)):
            problems.append(Problem("warning", "ingest.unnamed_column", name, sheet_name, hr + 1, None, None,
                                    params={"letter": column_letter(j)}, col_index=j))
    missing = []
    for req in required:
        alts = (req,) if isinstance(req, str) else req
        if not any(a in cols for a in alts):
            missing.append("identity" if alts in (("employee_id", "manager_name"), ("employee_id", "name"))
                           else alts[0])
    for m in missing:
        problems.append(Problem("error", "ingest.missing_column", name, sheet_name, hr + 1, None, None,
                                params={"field": m}))
    if missing or dup:
        return None
    return Table(name, sheet_name, sh, hr, cols, units, headers)


@lru_cache(maxsize=16384)
def is_header_text(text: str, kind: str) -> bool:
    """`text` reads as one of the headers of `kind` (a repeated header row further down a sheet)."""
    return match_header(text, INDEXES[kind])[0] is not None


def skip_row(tb: Table, row: list[object], kind: str, key_cols: Iterable[str]) -> bool:
    """Blank rows, totals rows (合计/小计/总计/Total) and repeated header rows are not data."""
    if all(is_empty(v) for v in row):
        return True
    check = {tb.cols[k] for k in key_cols if k in tb.cols} | {0}
    for j in sorted(check):
        if j < len(row) and is_total_label(row[j]):
            return True
    # A header row repeated further down (sheets pasted one under another): checked only when a key cell
    # reads as a header, to keep long sheets fast.
    for j in sorted(check):
        v = row[j] if j < len(row) else None
        if isinstance(v, str) and is_header_text(v, kind):
            return len(score_row(row, INDEXES[kind])) >= 2
    return False
