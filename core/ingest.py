"""Reading and validating uploads — daily logs (日报), roster (花名册) and monthly targets (目标分解) — and
storing them through ``core.store.logs`` only when nothing is wrong.

Pipeline: :func:`core.safety.check_upload` (hostile-file checks) → :func:`core.readers.read_workbook` (bytes →
grids) → ``parse_*`` (find each sheet's header row by its content, map headers onto the canonical fields of
``core.schema``, parse every cell, validate) → :func:`import_files` (store with ``apply_daily`` /
``apply_roster`` / ``apply_targets`` in one transaction, or nothing at all when there is any error).

Every :class:`Problem` carries the file, sheet, Excel row, the header as written and the value seen, and renders
its message in Chinese or English from ``core/locales/ingest.yaml``. :func:`problems_report_xlsx` gives the
uploaded data back with the bad cells highlighted.

Rows come out in the store's formats: daily ``employee_id, date, <METRICS...>, notes`` (amounts in the storage
units of ``core.schema``; flows 0 when blank, ``deposit_balance`` NaN when blank); roster
``employee_id, name, team, line, grade, start_date, mentor_id``; targets ``month, employee_id, metric, value``.
"""
from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core import calendar as cal
from core.readers import (CellError, Problem, ReadError, Sheet, cell_display, fold, is_blank, is_empty,
                          is_total_label, parse_date, parse_month_cell, parse_number, read_workbook, text_value)
from core.safety import DEFAULT_LIMITS, UploadLimits, check_upload, escape_formula
from core.schema import (DAILY_ALIAS_INDEX, DAILY_FIELDS, FIELDS_BY_NAME, LINE_ALIASES, LOG_COLUMNS, METRICS,
                         ROSTER_ALIAS_INDEX, TARGET_ALIAS_INDEX, TARGET_METRICS, UNIT_YUAN, Field, match_header)
from core.scope import Scope, ScopeError
from core.store.logs import ImportSummary, StoreError

__all__ = ["Problem", "ParseResult", "ImportOutcome", "parse_daily", "parse_roster", "parse_targets",
           "import_files", "problems_report_xlsx", "export_logs", "frame_to_xlsx", "frame_to_csv",
           "frame_to_records", "KINDS", "sha256_of"]

KINDS = ("daily", "roster", "targets")
Files = Sequence[tuple[str, bytes]]

ROSTER_OUT_COLUMNS = ["employee_id", "name", "team", "line", "grade", "start_date", "mentor_id"]
TARGET_OUT_COLUMNS = ["month", "employee_id", "metric", "value"]
INSTRUCTION_SHEET = re.compile(r"(说明|须知|填表|instruction|readme|read me|guide|help|notes?$)", re.I)
# Metrics that may legitimately be negative on a day (net flows); other amounts are warned about.
NET_FLOWS = ("deposits_new", "loans_new")
HOLIDAY_ZH = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
              "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
              "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


# ---------------------------------------------------------------- results

class _Problems(list):
    """A list of problems that keeps count of its errors (checked once per row on long sheets)."""

    def __init__(self, items=()):
        super().__init__()
        self.n_errors = 0
        self.extend(items)

    def append(self, p: Problem) -> None:
        super().append(p)
        self.n_errors += p.severity == "error"

    def extend(self, items) -> None:
        for p in items:
            self.append(p)


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


def _warnings(problems):
    return [p for p in problems if p.severity == "warning"]


class _HasProblems:
    """Errors and warnings of a result that carries `problems`."""
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return _errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return _warnings(self.problems)


@dataclass
class ParseResult(_HasProblems):
    rows: pd.DataFrame
    problems: list[Problem]
    sheets: list[str]                                     # 'file › sheet' of every sheet read as data
    sheet_rows: dict[str, int] = field(default_factory=dict)  # rows found per sheet label

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportOutcome(_HasProblems):
    summary: ImportSummary | None
    problems: list[Problem]
    sha256: str
    sheets: list[str] = field(default_factory=list)
    sheet_rows: dict[str, int] = field(default_factory=dict)
    kind: str = "daily"
    filename: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and self.summary is not None

    @property
    def rows(self) -> int:
        return sum(self.sheet_rows.values())

    def as_dict(self, lang: str = "zh") -> dict:
        return {"ok": self.ok, "kind": self.kind, "filename": self.filename, "sha256": self.sha256,
                "summary": self.summary.as_dict() if self.summary else None,
                "rows": self.rows, "sheets": dict(self.sheet_rows),
                "errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [p.as_dict(lang) for p in self.problems]}


# ---------------------------------------------------------------- locating tables in sheets

@dataclass
class _Table:
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


def _header_text(v: object) -> str:
    return re.sub(r"\s+", " ", str(v)).strip() if isinstance(v, str) else cell_display(v)


def _score_row(row: list[object], index: dict[str, Field]) -> dict[str, tuple[int, str | None]]:
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
    from core.readers import HEADER_SCAN_ROWS
    best, best_score = None, 1
    for i in range(min(sheet.n_rows, HEADER_SCAN_ROWS)):
        score = len(_score_row(sheet.rows[i], index))
        if score > best_score:
            best, best_score = i, score
    return best


def _read_files(files: Files, problems: list[Problem],
                limits: UploadLimits) -> list[tuple[str, Sheet, bool]]:
    """Every sheet of every readable file: (file, sheet, is_csv). Unreadable files become problems."""
    out = []
    for name, data in files:
        try:
            sheets = read_workbook(name, data, max_rows=limits.max_rows, max_cols=limits.max_cols)
        except ReadError as exc:
            problems.append(Problem("error", exc.code, name, params=dict(exc.params)))
            continue
        is_csv = len(sheets) == 1 and sheets[0].name == "csv" and name.lower().endswith(".csv")
        for sh in sheets:
            out.append((name, sh, is_csv))
    return out


def _locate(files: Files, index: dict[str, Field], is_candidate, required: list[str | tuple[str, ...]],
            kind: str, problems: list[Problem], limits: UploadLimits) -> list[_Table]:
    """Find the data sheets of an upload and check their columns; sheet-level problems go to `problems`."""
    tables: list[_Table] = []
    per_file: dict[str, int] = {}
    for name, sh, is_csv in _read_files(files, problems, limits):
        per_file.setdefault(name, 0)
        sheet_name = None if is_csv else sh.name
        has_data = any(not is_empty(v) for r in sh.rows for v in r)
        if INSTRUCTION_SHEET.search(sh.name) and not is_csv:
            continue  # an instructions sheet (填写说明 / Instructions) is never data
        hr = _find_header(sh, index)
        found = _score_row(sh.rows[hr], index) if hr is not None else {}
        if hr is None or not is_candidate(set(found)):
            if has_data and not sh.hidden:
                problems.append(Problem("warning", "ingest.sheet_skipped", name, sheet_name,
                                        params={"kind": {"zh": _KIND_ZH[kind], "en": kind}}))
            continue
        per_file[name] += 1
        header = sh.rows[hr]
        cols, units, headers = {}, {}, {}
        dup = False
        for j, v in enumerate(header):
            if is_empty(v):
                continue
            text = _header_text(v)
            headers[j] = text
            f, unit = match_header(v, index) if isinstance(v, str) else (None, None)
            if f is None:
                daily_f = match_header(v, DAILY_ALIAS_INDEX)[0] if kind == "targets" and isinstance(v, str) else None
                if daily_f is not None and daily_f.name == "team":
                    continue  # a team column on a targets sheet is for the reader, not stored
                code = "ingest.not_target_metric" if daily_f is not None else "ingest.unknown_column"
                problems.append(Problem("warning", code, name, sheet_name, hr + 1, text, None, col_index=j))
                continue
            if f.name in cols:
                dup = True
                problems.append(Problem("error", "ingest.duplicate_column", name, sheet_name, hr + 1, text, None,
                                        params={"field": f.name, "first": headers[cols[f.name]]}, col_index=j))
                continue
            cols[f.name], units[f.name] = j, unit
        # Data under a column without a header.
        width = max((len(r) for r in sh.rows[hr + 1:]), default=0)
        for j in range(width):
            if j in headers:
                continue
            if any(not is_empty(r[j]) for r in sh.rows[hr + 1:] if j < len(r)):
                problems.append(Problem("warning", "ingest.unnamed_column", name, sheet_name, hr + 1, None, None,
                                        params={"letter": _letter(j)}, col_index=j))
        missing = []
        for req in required:
            alts = (req,) if isinstance(req, str) else req
            if not any(a in cols for a in alts):
                missing.append("identity" if alts == ("employee_id", "manager_name") or alts == ("employee_id", "name")
                               else alts[0])
        for m in missing:
            problems.append(Problem("error", "ingest.missing_column", name, sheet_name, hr + 1, None, None,
                                    params={"field": m}))
        if missing or dup:
            continue
        tables.append(_Table(name, sheet_name, sh, hr, cols, units, headers))
    for name, n in per_file.items():
        if n == 0 and not any(p.file == name and p.severity == "error" for p in problems):
            problems.append(Problem("error", "ingest.no_sheet", name,
                                    params={"kind": {"zh": _KIND_ZH[kind], "en": _KIND_EN[kind]}}))
    return tables


_KIND_ZH = {"daily": "日报", "roster": "花名册", "targets": "目标分解"}
_KIND_EN = {"daily": "daily log", "roster": "roster", "targets": "monthly targets"}


def _letter(j: int) -> str:
    from core.readers import column_letter
    return column_letter(j)


def _skip_row(tb: _Table, row: list[object], index: dict[str, Field], key_cols: Iterable[str]) -> bool:
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
        if isinstance(v, str) and _is_header_text(v, _INDEX_NAMES[id(index)]):
            return len(_score_row(row, index)) >= 2
    return False


_INDEXES = {"daily": DAILY_ALIAS_INDEX, "roster": ROSTER_ALIAS_INDEX, "targets": TARGET_ALIAS_INDEX}
_INDEX_NAMES = {id(v): k for k, v in _INDEXES.items()}


@lru_cache(maxsize=16384)
def _is_header_text(text: str, index_name: str) -> bool:
    return match_header(text, _INDEXES[index_name])[0] is not None


def _cell(row: list[object], j: int | None) -> object:
    if j is None or j >= len(row):
        return None
    return row[j]


# ---------------------------------------------------------------- who is on the roster

class _Roster:
    """Lookups of the roster for identifying managers in uploaded rows."""

    def __init__(self, roster: pd.DataFrame | None, scope: Scope | None):
        roster = roster if roster is not None else pd.DataFrame(columns=["employee_id", "name", "team"])
        self.scope = scope
        self.by_id: dict[str, dict] = {}
        self.by_name: dict[str, list[str]] = {}
        self.by_stripped: dict[str, list[str]] = {}
        for rec in roster.to_dict("records"):
            eid = str(rec["employee_id"])
            self.by_id[eid] = rec
            self.by_name.setdefault(_name_key(rec.get("name")), []).append(eid)
            self.by_stripped.setdefault(eid.lstrip("0") or "0", []).append(eid)

    def visible(self, eid: str) -> bool:
        rec = self.by_id[eid]
        return self.scope is None or self.scope.can_see_manager(eid, rec.get("team"))

    def may_write(self, eid: str) -> bool:
        if self.scope is None or self.scope.role == "director":
            return True
        if self.scope.role == "team_lead":
            return self.by_id[eid].get("team") == self.scope.team
        return False

    def lookup_id(self, raw: str) -> str | None:
        if raw in self.by_id:
            return raw
        cands = self.by_stripped.get(raw.lstrip("0") or "0", [])
        return cands[0] if len(cands) == 1 else None

    def suggest(self, name: str | None, eid: str | None) -> list[str]:
        """Up to three visible roster entries closest to the name (or the ID), as '张伟(1001)'."""
        visible = [e for e in self.by_id if self.visible(e)]
        out: list[str] = []
        if name:
            names = {_name_key(self.by_id[e].get("name")): e for e in visible}
            for m in difflib.get_close_matches(_name_key(name), list(names), n=3, cutoff=0.3):
                out.append(names[m])
        if eid and len(out) < 3:
            for m in difflib.get_close_matches(eid, visible, n=3, cutoff=0.5):
                if m not in out:
                    out.append(m)
        return [f"{self.by_id[e].get('name')}({e})" for e in out[:3]]


def _name_key(name: object) -> str:
    return re.sub(r"\s+", "", fold(name)).lower() if name is not None else ""


def _identify(tb: _Table, row: list[object], excel_row: int, roster: _Roster, id_field: str, name_field: str,
              problems: list[Problem], team_field: str | None = "team") -> str | None:
    """The employee_id of a row (by ID, or by name through the roster), or None with an error recorded."""
    eid_raw = text_value(_cell(row, tb.cols.get(id_field)))
    name_raw = text_value(_cell(row, tb.cols.get(name_field)))
    team_raw = text_value(_cell(row, tb.cols.get(team_field))) if team_field else None
    return _identify_texts(tb, eid_raw, name_raw, team_raw, excel_row, roster, id_field, name_field, problems,
                           team_field)


def _identify_texts(tb: _Table, eid_raw: str | None, name_raw: str | None, team_raw: str | None, excel_row: int,
                    roster: _Roster, id_field: str, name_field: str, problems: list[Problem],
                    team_field: str | None = "team") -> str | None:
    """:func:`_identify` from the cells' texts (``text_value``): the result depends on the texts only, the
    problems' row on `excel_row` only."""

    def err(code, column_field, value, **params):
        problems.append(Problem("error", code, tb.file, tb.sheet, excel_row, tb.header_of(column_field), value,
                                params=params, col_index=tb.cols.get(column_field)))

    if eid_raw is None and name_raw is None:
        err("ingest.missing_manager", id_field if id_field in tb.cols else name_field, None)
        return None
    if eid_raw is not None:
        eid = roster.lookup_id(eid_raw)
        if eid is None:
            sugg = roster.suggest(name_raw, eid_raw)
            err("ingest.unknown_manager" if sugg else "ingest.unknown_manager_none", id_field, eid_raw,
                suggestions=sugg)
            return None
        if name_raw is not None and _name_key(name_raw) != _name_key(roster.by_id[eid].get("name")):
            err("ingest.id_name_mismatch", name_field, name_raw, employee_id=eid,
                roster_name=str(roster.by_id[eid].get("name")))
            return None
    else:
        ids = roster.by_name.get(_name_key(name_raw), [])
        if len(ids) > 1 and team_raw:
            ids = [e for e in ids if roster.by_id[e].get("team") == team_raw] or ids
        if len(ids) > 1:
            ids_active = [e for e in ids if bool(roster.by_id[e].get("active", True))]
            ids = ids_active if len(ids_active) == 1 else ids
        if not ids:
            sugg = roster.suggest(name_raw, None)
            err("ingest.unknown_manager" if sugg else "ingest.unknown_manager_none", name_field, name_raw,
                suggestions=sugg)
            return None
        if len(ids) > 1:
            err("ingest.ambiguous_name", name_field, name_raw, ids=sorted(ids))
            return None
        eid = ids[0]
    if not roster.may_write(eid):
        rec = roster.by_id[eid]
        col = id_field if id_field in tb.cols and eid_raw is not None else name_field
        err("ingest.out_of_scope", col, eid_raw or name_raw, employee_id=eid, name=str(rec.get("name")),
            team=str(rec.get("team")))
        return None
    if team_raw and team_field and roster.by_id[eid].get("team") not in (None, team_raw):
        problems.append(Problem("warning", "ingest.team_mismatch", tb.file, tb.sheet, excel_row,
                                tb.header_of(team_field), team_raw,
                                params={"roster_team": str(roster.by_id[eid].get("team"))},
                                col_index=tb.cols.get(team_field)))
    return eid


def _number(tb: _Table, row, excel_row: int, name: str, problems: list[Problem],
            allow_negative: bool = True) -> tuple[float | None, bool]:
    """(value in storage units or None, ok)."""
    f = FIELDS_BY_NAME[name]
    j = tb.cols.get(name)
    raw = _cell(row, j)
    loc = dict(file=tb.file, sheet=tb.sheet, row=excel_row, column=tb.header_of(name), value=cell_display(raw),
               col_index=j)
    try:
        v = parse_number(raw, f, tb.units.get(name))
    except CellError as exc:
        problems.append(Problem("error", exc.code, **loc, params={"field": name}))
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


def _location(tb: _Table, excel_row: int) -> dict:
    """Where a row is, in both languages (a message parameter)."""
    return {"zh": f"{tb.label} 第{excel_row}行", "en": f"{tb.label} row {excel_row}"}


# ---------------------------------------------------------------- daily log

def _daily_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and ("date" in found or any(m in found for m in METRICS)) and \
        bool(found & {"employee_id", "manager_name", "date"})


def parse_daily(files: Files, roster: pd.DataFrame, scope: Scope | None = None, overrides=None,
                limits: UploadLimits | None = None) -> ParseResult:
    """Validate daily-log uploads against the roster.

    `roster` should be the whole roster (``read_roster(engine, SYSTEM)``) so that another team's manager is
    reported as out of scope rather than unknown; name suggestions only show managers the `scope` may see.
    `overrides` are the bank's calendar overrides (``store.config.calendar_overrides``).

    Sheets are checked column by column (see :func:`_daily_table`); the problems come out in the order of a
    row-by-row reading: by row, and within a row date, manager, metrics (``METRICS`` order), day off,
    duplicate.
    """
    with _gc_paused():
        return _parse_daily(files, roster, scope, overrides, limits or DEFAULT_LIMITS)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a long upload is read and checked.

    A 100,000-row sheet is a few million cells and tens of thousands of problems that all live until the end;
    every full collection would walk them again (about a third of the time spent). Reference counting still
    frees everything at once; the collector resumes afterwards (it is process-wide: a concurrent pause in
    another thread only ends the pause earlier)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_daily(files: Files, roster: pd.DataFrame, scope: Scope | None, overrides,
                 limits: UploadLimits) -> ParseResult:
    problems = _Problems()
    tables = _locate(files, DAILY_ALIAS_INDEX, _daily_candidate, ["date", ("employee_id", "manager_name")],
                     "daily", problems, limits)
    rr = _Roster(roster, scope)
    seen: dict[tuple[str, dt.date], tuple[_Table, int]] = {}
    day_memo: dict[dt.date, list[Problem]] = {}
    sheet_rows: dict[str, int] = {}
    parts: list[dict] = []
    for tb in tables:
        n, found, part = _daily_table(tb, rr, overrides, seen, day_memo)
        problems.extend(found)
        parts.append(part)
        sheet_rows[tb.label] = n
    cols: dict[str, object] = {}
    for c in LOG_COLUMNS:
        pieces = [pt[c] for pt in parts]
        if c in METRICS:
            cols[c] = np.concatenate(pieces) if pieces else np.empty(0, dtype="float64")
        else:  # object columns, as from records (also when there is no row at all)
            cols[c] = pd.Series([v for pc in pieces for v in pc], dtype=object)
    rows = pd.DataFrame(cols, columns=list(LOG_COLUMNS))
    rows["date"] = pd.to_datetime(rows["date"])
    for m in METRICS:
        rows[m] = rows[m].astype("float64")
    rows["notes"] = rows["notes"].astype(object).where(rows["notes"].notna(), None)
    if not tables and not problems:
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files) or "—"))
    elif tables and not sum(sheet_rows.values()) and not _errors(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)


# Order of a row's problems (a row-by-row reading): date, manager, each metric, day off, duplicate.
_SLOT_DATE, _SLOT_ID, _SLOT_METRIC, _SLOT_DAY, _SLOT_DUP = 0, 1, 2, 2 + len(METRICS), 3 + len(METRICS)
_SLOTS = 4 + len(METRICS)
_BLANK_STATE = "blank"


def _copy_params(params: dict) -> dict:
    return {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v for k, v in params.items()}


def _moved(p: Problem, row: int) -> Problem:
    """A copy of a problem found for the same cells on another row."""
    return Problem(p.severity, p.code, p.file, p.sheet, row, p.column, p.value, _copy_params(p.params), p.col_index)


# Cell types whose equal values are equal in every respect (no 1 == 1.0 == True, no 0.0 == -0.0).
_PLAIN_TYPES = frozenset({str, type(None), dt.date, dt.datetime})


def _memo_map(col: Sequence[object], fn) -> list:
    """``[fn(v) for v in col]``, calling `fn` once per distinct value of the column (per distinct
    (type, value) when the column mixes types that compare equal across types, such as 1, 1.0 and True)."""
    try:
        if set(map(type, col)) <= _PLAIN_TYPES:
            memo = {v: fn(v) for v in set(col)}
            return list(map(memo.__getitem__, col))
        keys = list(zip(map(type, col), col))
        memo = {k: fn(k[1]) for k in set(keys)}
        return list(map(memo.__getitem__, keys))
    except (TypeError, KeyError):  # an unhashable cell (never from the readers): no memo
        return [fn(v) for v in col]


def _columns(rows: list[list[object]], js: Iterable[int]) -> dict[int, list[object]]:
    """The cells of columns `js` (0-based) of `rows`, column by column; a short row reads as None."""
    real = sorted(set(js))
    if not real or not rows:
        return {j: [None] * len(rows) for j in real}
    width = real[-1] + 1
    if min(map(len, rows)) < width:
        rows = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in rows]
    return {j: list(map(itemgetter(j), rows)) for j in real}


def _skipped_rows(tb: _Table, rows: list[list[object]], cells: dict[int, list[object]],
                  key_cols: Iterable[str]) -> set[int]:
    """Positions (in `rows`) that :func:`_skip_row` skips: blank, totals and repeated header rows — worked out
    per column on the distinct values instead of per row."""
    out: set[int] = set()
    col0 = cells[0]
    for i, v in enumerate(col0):
        if (v is None or (isinstance(v, str) and not v.strip())) and all(is_empty(x) for x in rows[i]):
            out.add(i)
    check = sorted({tb.cols[k] for k in key_cols if k in tb.cols} | {0})
    header_rows: set[int] = set()
    for j in check:
        col = cells[j]
        texts = {v for v in set(col) if isinstance(v, str)}
        totals = {v for v in texts if is_total_label(v)}
        heads = {v for v in texts if _is_header_text(v, "daily")}
        if totals:
            out.update(i for i, v in enumerate(col) if v in totals)
        if heads:
            header_rows.update(i for i, v in enumerate(col) if v in heads)
    for i in header_rows - out:
        if len(_score_row(rows[i], DAILY_ALIAS_INDEX)) >= 2:
            out.add(i)
    return out


# Per-cell states of a metric column.
_OK, _BAD_NUMBER, _NEGATIVE_COUNT, _FRACTIONAL_COUNT = 0, 1, 2, 3
_STATE_CODES = {_BAD_NUMBER: "ingest.bad_number", _NEGATIVE_COUNT: "ingest.negative_count",
                _FRACTIONAL_COUNT: "ingest.fractional_count"}


def _number_column(col: list[object], name: str,
                   header_unit: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_number` (daily: negatives allowed) over a whole column: (values in storage units, NaN where
    blank or bad; blank mask; state per cell). Float cells are converted with numpy, every other cell
    (text, int, bool, date ...) goes through :func:`parse_number` once per distinct value."""
    f = FIELDS_BY_NAME[name]
    n = len(col)
    state = np.zeros(n, dtype=np.int8)
    blank = np.zeros(n, dtype=bool)
    slow = [i for i, v in enumerate(col) if v.__class__ is not float] if set(map(type, col)) != {float} else []
    if slow:
        nums = list(col)
        for i in slow:
            nums[i] = np.nan
    else:
        nums = col
    with np.errstate(over="ignore", invalid="ignore"):
        vals = np.array(nums, dtype=np.float64)
        # float cells: NaN is blank, ±inf is not a number, the header's unit converts (as parse_number does)
        blank_f = np.isnan(vals)
        inf = np.isinf(vals)
        if f.unit:
            unit = header_unit or f.unit
            vals = vals * UNIT_YUAN[unit] / UNIT_YUAN[f.unit]
    if inf.any():
        state[inf] = _BAD_NUMBER
        vals[inf] = np.nan
    if slow:
        def parse(v):
            try:
                return parse_number(v, f, header_unit)
            except CellError:
                return _BAD_NUMBER
        got = _memo_map([col[i] for i in slow], parse)
        for i, g in zip(slow, got):
            if g is None:
                vals[i] = np.nan
            elif g.__class__ is int:          # a state (parse_number returns floats only)
                state[i] = g
                vals[i] = np.nan
            else:
                vals[i] = g
                blank_f[i] = False
        sl = np.fromiter((g is None for g in got), dtype=bool, count=len(got))
        blank[np.asarray(slow, dtype=np.intp)[sl]] = True
        blank_f[np.asarray(slow, dtype=np.intp)] = False
    blank |= blank_f
    if f.kind == "count":
        good = (state == _OK) & ~blank
        with np.errstate(invalid="ignore"):
            v = vals[good]
            if np.isinf(v).any():
                round(float("inf"))  # raises OverflowError, as _number does on an infinite count
            neg = v < 0
            frac = ~neg & (np.abs(v - np.rint(v)) > 1e-9)
        idx = np.flatnonzero(good)
        state[idx[neg]] = _NEGATIVE_COUNT
        state[idx[frac]] = _FRACTIONAL_COUNT
        v = np.rint(v) + 0.0
        v[neg | frac] = np.nan
        vals[idx] = v
    return vals, blank, state


def _daily_table(tb: _Table, rr: _Roster, overrides, seen: dict, day_memo: dict) -> tuple[int, list[Problem], dict]:
    """One daily-log sheet: (rows counted, problems in row order, the good rows' columns)."""
    start = tb.header_row + 1
    grid = tb.grid.rows[start:]
    key_cols = ("date", "employee_id", "manager_name", "team")
    metrics = [m for m in METRICS if m in tb.cols]
    text_fields = [k for k in ("employee_id", "manager_name", "team", "notes") if k in tb.cols]
    need = {0} | {tb.cols[k] for k in key_cols if k in tb.cols} | {tb.cols[m] for m in metrics} | \
        {tb.cols[k] for k in text_fields}
    cells = _columns(grid, need)
    skipped = _skipped_rows(tb, grid, cells, key_cols)
    pos = [i for i in range(len(grid)) if i not in skipped] if skipped else list(range(len(grid)))
    if skipped:
        cells = {j: [c[i] for i in pos] for j, c in cells.items()}
    n0 = len(pos)
    none_col = [None] * n0

    def col(fname: str) -> list[object]:
        j = tb.cols.get(fname)
        return none_col if j is None else cells[j]

    # metrics, dates and notes: blank masks for the pre-filled-name rows (no date, no number, no notes)
    parsed = {m: _number_column(col(m), m, tb.units.get(m)) for m in metrics}
    raw_dates = col("date")
    date_state = _memo_map(raw_dates, _date_state)
    prefilled = np.fromiter((s is _BLANK_STATE for s in date_state), dtype=bool, count=n0)
    for m in metrics:
        prefilled &= parsed[m][1]
    if prefilled.any():
        prefilled &= np.fromiter(_memo_map(col("notes"), is_blank), dtype=bool, count=n0)
    if prefilled.any():
        keep = np.flatnonzero(~prefilled)
        pos = [pos[k] for k in keep]
        cells = {j: [c[k] for k in keep] for j, c in cells.items()}
        parsed = {m: (v[keep], b[keep], s[keep]) for m, (v, b, s) in parsed.items()}
        raw_dates = cells[tb.cols["date"]]
        date_state = [date_state[k] for k in keep]
        none_col = [None] * len(pos)
    n = len(pos)
    base = start + 1                      # Excel row of grid position 0
    found: list[Problem] = []
    order: list[int] = []                  # row position × slots + slot, per problem found
    bad = np.zeros(n, dtype=bool)

    def add(k: int, slot: int, p: Problem) -> None:
        found.append(p)
        order.append(k * _SLOTS + slot)
        if p.severity == "error":
            bad[k] = True

    # dates
    date_col, date_head = tb.cols["date"], tb.header_of("date")
    # a state is a date, or an error code / _BLANK_STATE (text)
    bad_states = {st for st in set(date_state) if st.__class__ is str}
    dates: list[dt.date | None] = [None if st in bad_states else st for st in date_state] if bad_states \
        else date_state
    for k in ([k for k, st in enumerate(date_state) if st in bad_states] if bad_states else ()):
        st = date_state[k]
        if st is _BLANK_STATE:
            add(k, _SLOT_DATE, Problem("error", "ingest.missing_value", tb.file, tb.sheet, base + pos[k], date_head,
                                       None, params={"field": "date"}, col_index=date_col))
        else:
            add(k, _SLOT_DATE, Problem("error", st, tb.file, tb.sheet, base + pos[k], date_head,
                                       cell_display(raw_dates[k]), col_index=date_col))
    # managers: identified once per distinct (ID, name, team) texts
    texts = {k: _memo_map(col(k), text_value) for k in ("employee_id", "manager_name", "team")}
    who = list(zip(texts["employee_id"], texts["manager_name"], texts["team"]))
    ident: dict[tuple, str | None] = {}
    said: dict[tuple, list[Problem]] = {}   # the problems of a manager's cells, found on a first row
    for key in set(who):
        got: list[Problem] = []
        ident[key] = _identify_texts(tb, key[0], key[1], key[2], base, rr, "employee_id", "manager_name", got)
        if got:
            said[key] = got
    eids: list[str | None] = list(map(ident.__getitem__, who))
    if said:
        for k, key in enumerate(who):
            for p in said.get(key, ()):
                add(k, _SLOT_ID, _moved(p, base + pos[k]))
    # metrics
    out_metrics: dict[str, np.ndarray] = {}
    for slot, m in enumerate(METRICS):
        if m not in tb.cols:
            out_metrics[m] = np.full(n, np.nan if m == "deposit_balance" else 0.0)
            continue
        vals, blank, state = parsed[m]
        f = FIELDS_BY_NAME[m]
        j, head, raw = tb.cols[m], tb.header_of(m), cells[tb.cols[m]]
        for k in np.flatnonzero(state).tolist():
            code = _STATE_CODES[int(state[k])]
            params = {"field": m} if code == "ingest.bad_number" else {}
            add(k, _SLOT_METRIC + slot, Problem("error", code, tb.file, tb.sheet, base + pos[k], head,
                                                cell_display(raw[k]), params=params, col_index=j))
        good = (state == _OK) & ~blank
        with np.errstate(invalid="ignore"):
            implausible = good & (vals > f.max_plausible) if f.max_plausible is not None else np.zeros(n, bool)
            negative = good & ~implausible & (vals < 0) if f.kind == "amount" and m not in NET_FLOWS \
                else np.zeros(n, bool)
        for k in np.flatnonzero(implausible).tolist():
            add(k, _SLOT_METRIC + slot, Problem("warning", "ingest.implausible", tb.file, tb.sheet, base + pos[k], head,
                                                cell_display(raw[k]),
                                                params={"limit": f"{f.max_plausible:g}", "field": m}, col_index=j))
        for k in np.flatnonzero(negative).tolist():
            add(k, _SLOT_METRIC + slot, Problem("warning", "ingest.negative_amount", tb.file, tb.sheet, base + pos[k],
                                                head, cell_display(raw[k]), params={"field": m}, col_index=j))
        out = vals.copy()
        out[blank] = np.nan if m == "deposit_balance" else 0.0
        out_metrics[m] = out
    # days off (once per date) and duplicates
    dup_col = tb.cols.get("employee_id", tb.cols.get("manager_name"))
    dup_head = tb.header_of("employee_id") or tb.header_of("manager_name")
    off = set()
    for d in set(dates):
        if d is None:
            continue
        if d not in day_memo:
            tpl: list[Problem] = []
            _day_warnings(tb, base, d, None, overrides, tpl)
            day_memo[d] = tpl
        if day_memo[d]:
            off.add(d)
    if off:
        for k in [k for k, d in enumerate(dates) if d in off]:
            for p in day_memo[dates[k]]:
                add(k, _SLOT_DAY, Problem(p.severity, p.code, tb.file, tb.sheet, base + pos[k], date_head,
                                          cell_display(raw_dates[k]), _copy_params(p.params), date_col))
    keyed = [k for k, (e, d) in enumerate(zip(eids, dates)) if e is not None and d is not None] \
        if None in eids or None in dates else range(n)
    keys = list(zip(eids, dates)) if len(keyed) == n else [(eids[k], dates[k]) for k in keyed]
    if len(set(keys)) == len(keys) and seen.keys().isdisjoint(keys):
        seen.update(zip(keys, [(tb, base + pos[k]) for k in keyed]))     # no duplicate: the common case
    else:
        for k, key in zip(keyed, keys):
            first = seen.get(key)
            if first is None:
                seen[key] = (tb, base + pos[k])
            else:
                add(k, _SLOT_DUP, Problem("error", "ingest.duplicate_row", tb.file, tb.sheet, base + pos[k], dup_head,
                                          key[0], params={"first": _location(*first), "date": key[1].isoformat()},
                                          col_index=dup_col))
    found = [found[i] for i in sorted(range(len(found)), key=order.__getitem__)]
    good_rows = np.flatnonzero(~bad)
    all_good = len(good_rows) == n
    notes = _memo_map(col("notes"), text_value)
    part = {"employee_id": eids if all_good else [eids[k] for k in good_rows],
            "date": dates if all_good else [dates[k] for k in good_rows],
            "notes": notes if all_good else [notes[k] for k in good_rows]}
    for m in METRICS:
        part[m] = out_metrics[m] if all_good else out_metrics[m][good_rows]
    return n, found, part


def _date_state(v: object):
    """A date cell: the date, the error code, or _BLANK_STATE."""
    if is_blank(v):
        return _BLANK_STATE
    try:
        return parse_date(v)
    except CellError as exc:
        return exc.code


def _day_warnings(tb: _Table, excel_row: int, d: dt.date, raw, overrides, problems: list[Problem]) -> None:
    """A row on a day off: a statutory holiday or a weekend (a make-up working day, 调休, is fine)."""
    if cal.is_workday(d, overrides):
        return
    loc = dict(file=tb.file, sheet=tb.sheet, row=excel_row, column=tb.header_of("date"), value=cell_display(raw),
               col_index=tb.cols.get("date"))
    name = cal.holiday_name(d, overrides)
    if name:
        problems.append(Problem("warning", "ingest.holiday", **loc,
                                params={"holiday": {"zh": HOLIDAY_ZH.get(name, name), "en": name},
                                        "date": d.isoformat()}))
    elif d.weekday() >= 5:
        problems.append(Problem("warning", "ingest.weekend", **loc,
                                params={"weekday": {"zh": ("周六", "周日")[d.weekday() - 5],
                                                    "en": ("Saturday", "Sunday")[d.weekday() - 5]},
                                        "date": d.isoformat()}))
    else:
        problems.append(Problem("warning", "ingest.day_off", **loc, params={"date": d.isoformat()}))


# ---------------------------------------------------------------- roster

def _roster_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and bool(found & {"employee_id", "name"}) and \
        bool(found & {"line", "grade", "start_date", "mentor_id"})


def parse_roster(files: Files, existing: pd.DataFrame | None = None, scope: Scope | None = None,
                 limits: UploadLimits | None = None) -> ParseResult:
    """Validate roster uploads. `existing` (the stored roster) lets mentors be checked; a team lead's `scope`
    may only list people of his own team."""
    limits = limits or DEFAULT_LIMITS
    problems = _Problems()
    required = ["employee_id", "name", "team", "line", "grade"]
    tables = _locate(files, ROSTER_ALIAS_INDEX, _roster_candidate, required, "roster", problems, limits)
    out: list[dict] = []
    seen: dict[str, dict] = {}
    mentors: list[tuple[_Table, int, str]] = []
    sheet_rows: dict[str, int] = {}
    for tb in tables:
        n = 0
        for i in range(tb.header_row + 1, tb.grid.n_rows):
            row = tb.grid.rows[i]
            excel_row = i + 1
            if _skip_row(tb, row, ROSTER_ALIAS_INDEX, ("employee_id", "name", "team")):
                continue
            n += 1
            before = problems.n_errors
            rec: dict = {}

            def err(code, col_field, value, **params):
                problems.append(Problem("error", code, tb.file, tb.sheet, excel_row, tb.header_of(col_field), value,
                                        params=params, col_index=tb.cols.get(col_field)))

            for fname in ("employee_id", "name", "team", "grade"):
                v = text_value(_cell(row, tb.cols[fname]))
                if v is None:
                    err("ingest.missing_value", fname, None, field=fname)
                rec[fname] = v
            raw_line = _cell(row, tb.cols["line"])
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
            if "start_date" in tb.cols and not is_blank(_cell(row, tb.cols["start_date"])):
                raw = _cell(row, tb.cols["start_date"])
                try:
                    rec["start_date"] = parse_date(raw)
                except CellError as exc:
                    err(exc.code, "start_date", cell_display(raw))
            rec["mentor_id"] = text_value(_cell(row, tb.cols.get("mentor_id"))) if "mentor_id" in tb.cols else None
            eid = rec["employee_id"]
            if eid is not None:
                if eid in seen:
                    err("ingest.duplicate_employee", "employee_id", eid, first=seen[eid])
                else:
                    seen[eid] = _location(tb, excel_row)
                if scope is not None and scope.role == "manager":
                    err("ingest.role_cannot_import", "employee_id", eid)
                elif scope is not None and scope.role == "team_lead" and rec["team"] not in (None, scope.team):
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
    rows = pd.DataFrame(out, columns=ROSTER_OUT_COLUMNS)
    rows["start_date"] = pd.to_datetime(rows["start_date"])
    rows = rows.astype({"mentor_id": object})
    rows["mentor_id"] = rows["mentor_id"].where(rows["mentor_id"].notna(), None)
    if tables and not sum(sheet_rows.values()) and not _errors(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)


# ---------------------------------------------------------------- targets

_TARGET_INDEX = TARGET_ALIAS_INDEX


def _targets_candidate(found: set[str]) -> bool:
    return len(found) >= 2 and ("month" in found or (bool(found & set(TARGET_METRICS))
                                                       and bool(found & {"employee_id", "manager_name"})))


def parse_targets(files: Files, roster: pd.DataFrame, scope: Scope | None = None,
                  limits: UploadLimits | None = None) -> ParseResult:
    """Validate monthly targets (one row per manager per month, one column per target metric) into the long
    format month, employee_id, metric, value. A blank cell means no target for that metric."""
    limits = limits or DEFAULT_LIMITS
    problems = _Problems()
    tables = _locate(files, _TARGET_INDEX, _targets_candidate, ["month", ("employee_id", "manager_name")],
                     "targets", problems, limits)
    for tb in list(tables):
        if not any(m in tb.cols for m in TARGET_METRICS):
            problems.append(Problem("error", "ingest.no_target_metrics", tb.file, tb.sheet, tb.header_row + 1))
            tables.remove(tb)
    rr = _Roster(roster, scope)
    out: list[dict] = []
    seen: dict[tuple[str, str, str], dict] = {}
    sheet_rows: dict[str, int] = {}
    for tb in tables:
        n = 0
        metrics = [m for m in TARGET_METRICS if m in tb.cols]
        for i in range(tb.header_row + 1, tb.grid.n_rows):
            row = tb.grid.rows[i]
            excel_row = i + 1
            if _skip_row(tb, row, _TARGET_INDEX, ("month", "employee_id", "manager_name")):
                continue
            n += 1
            before = problems.n_errors
            raw_month = _cell(row, tb.cols["month"])
            month = None
            if is_blank(raw_month):
                problems.append(Problem("error", "ingest.missing_value", tb.file, tb.sheet, excel_row,
                                        tb.header_of("month"), None, params={"field": "month"},
                                        col_index=tb.cols["month"]))
            else:
                try:
                    month = parse_month_cell(raw_month)
                except CellError as exc:
                    problems.append(Problem("error", exc.code, tb.file, tb.sheet, excel_row, tb.header_of("month"),
                                            cell_display(raw_month), col_index=tb.cols["month"]))
            eid = _identify(tb, row, excel_row, rr, "employee_id", "manager_name", problems, team_field=None)
            recs = []
            for m in metrics:
                v, ok = _number(tb, row, excel_row, m, problems, allow_negative=False)
                if v is None:
                    continue
                recs.append({"month": month, "employee_id": eid, "metric": m, "value": v})
                if eid is not None and month is not None:
                    key = (month, eid, m)
                    if key in seen:
                        problems.append(Problem("error", "ingest.duplicate_target", tb.file, tb.sheet, excel_row,
                                                tb.header_of(m), cell_display(_cell(row, tb.cols[m])),
                                                params={"first": seen[key], "month": month, "employee_id": eid},
                                                col_index=tb.cols[m]))
                    else:
                        seen[key] = _location(tb, excel_row)
            if problems.n_errors == before:
                out.extend(recs)
        sheet_rows[tb.label] = n
    rows = pd.DataFrame(out, columns=TARGET_OUT_COLUMNS)
    rows["value"] = rows["value"].astype("float64")
    if tables and not len(rows) and not _errors(problems):
        problems.append(Problem("error", "ingest.no_rows", ", ".join(n for n, _ in files)))
    return ParseResult(rows.reset_index(drop=True), list(problems), [tb.label for tb in tables], sheet_rows)


# ---------------------------------------------------------------- import

def sha256_of(files: Files) -> str:
    """SHA-256 of the uploaded bytes (for one file, the file's own SHA-256)."""
    h = hashlib.sha256()
    for _, data in files:
        h.update(data)
    return h.hexdigest()


def import_files(engine: Engine, scope: Scope, kind: str, files: Files, dry_run: bool = False,
                 limits: UploadLimits | None = None) -> ImportOutcome:
    """Check, parse and validate uploaded files, then store them — only when there is no error at all.

    Returns the store's summary (inserted/updated/unchanged; ``None`` when nothing was stored) and every
    problem. Never raises for bad input: unsafe or unreadable files, scope refusals and store refusals come
    back as problems. `dry_run` validates and counts what would change without writing.
    """
    from core.scope import SYSTEM
    from core.store import config as store_config
    from core.store import logs as store_logs

    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r} (expected one of {', '.join(KINDS)})")
    limits = limits or DEFAULT_LIMITS
    files = [(str(n), bytes(d)) for n, d in files]
    filename = ", ".join(n for n, _ in files)
    outcome = ImportOutcome(None, [], sha256_of(files), kind=kind, filename=filename)
    if scope.role == "manager":
        outcome.problems.append(Problem("error", "ingest.role_cannot_import", filename or "—"))
        return outcome
    if not files:
        outcome.problems.append(Problem("error", "ingest.no_files", "—"))
        return outcome
    safe: list[tuple[str, bytes]] = []
    for name, data in files:
        found = check_upload(name, data, limits)
        outcome.problems.extend(found)
        if not _errors(found):
            safe.append((name, data))
    if _errors(outcome.problems):
        return outcome
    try:
        if kind == "daily":
            roster = store_logs.read_roster(engine, SYSTEM)
            res = parse_daily(safe, roster, scope, overrides=store_config.calendar_overrides(engine), limits=limits)
        elif kind == "roster":
            res = parse_roster(safe, store_logs.read_roster(engine, SYSTEM), scope, limits=limits)
        else:
            res = parse_targets(safe, store_logs.read_roster(engine, SYSTEM), scope, limits=limits)
    except Exception:  # a parser bug must not become a traceback for the user; nothing was stored
        import logging
        logging.getLogger(__name__).exception("parsing %s upload %s failed", kind, filename)
        outcome.problems.append(Problem("error", "ingest.parse_failed", filename))
        return outcome
    outcome.problems.extend(res.problems)
    outcome.sheets, outcome.sheet_rows = res.sheets, res.sheet_rows
    if not res.ok:
        return outcome
    apply = {"daily": store_logs.apply_daily, "roster": store_logs.apply_roster,
             "targets": store_logs.apply_targets}[kind]
    try:
        outcome.summary = apply(engine, scope, res.rows, filename, outcome.sha256, dry_run=dry_run)
    except StoreError as exc:
        outcome.problems.append(Problem("error", "ingest.store_refused", filename,
                                        params={"detail": {"zh": exc.zh, "en": exc.en}}))
    except ScopeError as exc:
        outcome.problems.append(Problem("error", "ingest.scope_refused", filename, params={"detail": str(exc)}))
    return outcome


# ---------------------------------------------------------------- the highlighted report

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
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from core.i18n import norm_lang, t

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
        if _errors(check_upload(name, data, limits)):
            continue
        try:
            sheets = read_workbook(name, data, max_rows=limits.max_rows, max_cols=limits.max_cols)
        except ReadError:
            continue
        is_csv = len(sheets) == 1 and sheets[0].name == "csv" and name.lower().endswith(".csv")
        for sh in sheets:
            sheet_key = None if is_csv else sh.name
            title = name if is_csv else (sh.name if len(files) == 1 else f"{name}-{sh.name}")
            out = wb.create_sheet(_safe_sheet_title(title, used))
            width = sh.n_cols
            for j in range(width):
                from core.readers import column_letter
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


# ---------------------------------------------------------------- export of stored daily rows

EXPORT_COLUMNS = [f.name for f in DAILY_FIELDS]


def export_logs(engine: Engine, scope: Scope, start=None, end=None, team: str | None = None) -> pd.DataFrame:
    """Stored daily rows in the caller's scope with the canonical field names (``core.schema.DAILY_FIELDS``
    order: date, employee_id, manager_name, team, metrics, notes) and the storage units."""
    from core.store.logs import read_logs
    df = read_logs(engine, scope, start=start, end=end, team=team)
    df = df[EXPORT_COLUMNS].copy()
    df["date"] = df["date"].dt.date
    return df.reset_index(drop=True)


def _cell_out(v):
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, (np.floating,)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, pd.Timestamp):
        return v.date()
    return escape_formula(v)


def frame_to_xlsx(df: pd.DataFrame, sheet: str = "daily_logs") -> bytes:
    """A DataFrame as .xlsx; text starting with = + - @ is escaped against formula injection."""
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    ws.append([str(c) for c in df.columns])
    for rec in df.itertuples(index=False, name=None):
        ws.append([_cell_out(v) for v in rec])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_to_csv(df: pd.DataFrame) -> bytes:
    """A DataFrame as UTF-8 CSV with a BOM (Excel opens Chinese text correctly), formula-escaped."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: escape_formula(v) if isinstance(v, str) else v)
    return out.to_csv(index=False).encode("utf-8-sig")


def frame_to_records(df: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: dates as ISO text, NaN as null."""
    recs = []
    for rec in df.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if isinstance(v, (dt.date, dt.datetime)):
                v = v.isoformat()
            elif isinstance(v, float) and np.isnan(v):
                v = None
            elif isinstance(v, (np.floating,)):
                v = None if np.isnan(v) else float(v)
            row[k] = v
        recs.append(row)
    return recs
