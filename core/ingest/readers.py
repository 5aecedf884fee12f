"""Reading uploaded spreadsheets into plain grids, and parsing the cell values people actually type.

Formats: ``.xlsx`` / ``.xlsm`` (read as values: macros are never run), ``.xls`` (Excel 97–2003), ``.ods`` and
``.csv`` (UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16 with BOM; comma, semicolon or tab separated; UTF-16
without a BOM is recognised and refused with a message saying how to save it). Text cells lose control
characters (NUL ...), the same whatever database stores them.
Workbooks are read with calamine (``python-calamine``, the reader behind pandas' ``engine="calamine"``), used
directly so that every cell keeps its Excel position: ``Sheet.rows[i][j]`` is Excel row ``i + 1``, column
``j + 1``. Formulas come back as their cached values.

Cell parsers turn ``5户``, ``3 张``, ``12.5万``, ``1,234.50``, ``—`` and Excel serial dates, ``2026/11/2``,
``2026年11月2日`` ... into numbers and dates, or raise :class:`core.errors.AppError` with a message key (``ingest.bad_number``...).

Nothing here talks to the database; ``core.ingest.locate`` maps grids onto the canonical fields.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from core.errors import AppError
from core.schema import TOTAL_MARKERS, UNIT_YUAN, Field

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_EXTENSIONS = (".csv",)
ALLOWED_EXTENSIONS = WORKBOOK_EXTENSIONS + TEXT_EXTENSIONS

ZIP_MAGIC = b"PK\x03\x04"
# Rows above the header (titles, notes) and the header itself, allowed on top of the row cap.
HEADER_SCAN_ROWS = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA'."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Sheet:
    """One sheet as a grid of cell values (None for empty). ``rows[i]`` is Excel row ``i + 1``."""
    name: str
    rows: list[list[object]] = field(default_factory=list)
    hidden: bool = False

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> object:
        """Value at 0-based (row, col), None outside the grid."""
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None


# ---------------------------------------------------------------- file level

def extension(filename: str) -> str:
    name = str(filename or "").strip().lower()
    i = name.rfind(".")
    return name[i:] if i >= 0 else ""


def sniff_format(filename: str, data: bytes) -> str:
    """The container format by content: 'zip' (xlsx/xlsm/ods), 'ole' (xls or encrypted OOXML) or 'text'."""
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "text"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: BOMs first (UTF-8, UTF-16), then strict UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise AppError("upload.bad_encoding") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise AppError("upload.bad_encoding") from None
    if b"\x00" in data:
        raise AppError("upload.utf16_no_bom" if looks_utf16(data) else "upload.not_text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise AppError("upload.bad_encoding") from None


_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_utf16(data: bytes) -> bool:
    """UTF-16 text without a byte-order mark: decodes as UTF-16 (LE or BE) into lines of text — line breaks or
    separators, no control characters."""
    if len(data) < 4 or len(data) % 2:
        return False
    sample = data[:65536]
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if any(c in text for c in "\n,\t;") and not _TEXT_CONTROL.search(text):
            return True
    return False


def _csv_dialect(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    counts = {d: sample.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, max_rows: int | None = None, max_cols: int | None = None) -> Sheet:
    text, _ = decode_text(data)
    delim = _csv_dialect(text)
    rows: list[list[object]] = []
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if max_rows is not None and len(rows) >= max_rows + HEADER_SCAN_ROWS:
                raise AppError("upload.too_many_rows", limit=max_rows)
            if max_cols is not None and len(rec) > max_cols and any(str(v).strip() for v in rec[max_cols:]):
                raise AppError("upload.too_many_columns", limit=max_cols)
            rows.append([v if v.strip() else None for v in rec])
    except csv.Error:
        raise AppError("upload.corrupt") from None
    return Sheet(name="csv", rows=rows)


def read_workbook(filename: str, data: bytes, max_rows: int | None = None,
                  max_cols: int | None = None) -> list[Sheet]:
    """Every worksheet of an uploaded file as a grid (a CSV is one sheet named 'csv').

    Raises :class:`AppError` (``upload.*``) for anything unreadable (corrupt, encrypted, too many rows/columns), never a
    library exception.
    """
    ext = extension(filename)
    fmt = sniff_format(filename, data)
    if ext in TEXT_EXTENSIONS and fmt == "text":
        return [read_csv(data, max_rows, max_cols)]
    if fmt == "text":
        raise AppError("upload.corrupt")
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise AppError("upload.encrypted") from None
    except BaseException as exc:  # calamine errors, and pyo3 panics (a BaseException) on corrupt input
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise AppError("upload.encrypted") from None
        raise AppError("upload.corrupt") from None
    sheets: list[Sheet] = []
    try:
        metas = list(wb.sheets_metadata)
        for meta in metas:
            if meta.typ not in (SheetTypeEnum.WorkSheet,):
                continue
            sh = wb.get_sheet_by_name(meta.name)
            if max_rows is not None and sh.height > max_rows + HEADER_SCAN_ROWS:
                raise AppError("upload.too_many_rows", limit=max_rows)
            if max_cols is not None and sh.width > max_cols:
                raise AppError("upload.too_many_columns", limit=max_cols)
            # calamine gives "" for an empty cell; "" and NaN become None (inline: this runs once per cell)
            grid = [[None if v == "" or (v != v and isinstance(v, float)) else v for v in row]
                    for row in sh.to_python(skip_empty_area=False)]
            while grid and all(v is None for v in grid[-1]):
                grid.pop()
            sheets.append(Sheet(name=meta.name, rows=grid, hidden=meta.visible != SheetVisibleEnum.Visible))
    except AppError:
        raise
    except PasswordError:
        raise AppError("upload.encrypted") from None
    except BaseException as exc:  # see above: a panic inside calamine must not escape
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise AppError("upload.corrupt") from None
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return sheets


# ---------------------------------------------------------------- cell values

_BLANK_TEXT = {"", "-", "—", "——", "–", "－", "―", "/", "\\", "无", "n/a", "na", "null", "none", "nil", "空"}
COUNT_SUFFIXES = ("户", "张", "笔", "个", "起", "次", "人", "家", "份", "单", "件", "位", "条", "项", "场")
# Money units that may be typed in a cell, longest first.
CELL_MONEY_UNITS = (("万元", "wan"), ("亿元", "yi"), ("万", "wan"), ("亿", "yi"), ("元", "yuan"), ("w", "wan"),
                    ("rmb", "yuan"), ("cny", "yuan"), ("yuan", "yuan"))


def fold(value: object) -> str:
    """Text of a cell, NFKC-folded (full-width → half-width) and stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    """Empty, whitespace or one of the dashes people type for 'nothing' (—, -, 无 ...)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return fold(value).lower() in _BLANK_TEXT
    return False


def is_empty(value: object) -> bool:
    """Truly empty (None or whitespace only): a blank row has only these."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_total_label(value: object) -> bool:
    """合计 / 小计 / 总计 / 汇总 / Total (optionally followed by ':' or more words)."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    return _total_text(value)


_TOTAL_STRIP = re.compile(r"[\s:：]+")
_TOTAL_EN = re.compile(r"^(grand)?(sub)?totals?\b")
_TOTAL_KEYS = tuple(m.replace(" ", "") for m in TOTAL_MARKERS)


@lru_cache(maxsize=16384)
def _total_text(value: str) -> bool:
    folded = fold(value).lower()
    s = _TOTAL_STRIP.sub("", folded)
    if not s:
        return False
    for key in _TOTAL_KEYS:
        if s == key or (key[0] > "\u3000" and s.startswith(key)):
            return True
    return bool(_TOTAL_EN.match(folded))


def cell_display(value: object) -> str:
    """The value as a person would read it in the report ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


_SPACES = re.compile(r"\s+")


def text_value(value: object) -> str | None:
    """A text cell (employee ID, name, team ...): numbers lose a trailing '.0', blanks become None."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return cell_display(value)
    s = unicodedata.normalize("NFKC", str(value))
    s = _SPACES.sub(" ", _TEXT_CONTROL.sub("", s)).strip()     # NUL and other control characters dropped
    return s or None


_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$")


def parse_number(value: object, field_: Field, header_unit: str | None = None) -> float | None:
    """A number in the field's storage unit, or None for blank / '—'.

    A unit typed in the cell (``12.5万``) wins over the header's unit, which wins over the field's default:
    ``12.5万`` in a 万元 column is 12.5, in a 元 column 125000 (yuan); count suffixes (``5户``, ``3 张``) are
    dropped. Raises AppError('ingest.bad_number') for anything else (text, Excel errors, booleans).
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise AppError("ingest.bad_number")
    cell_unit = None
    if isinstance(value, (int, float)):
        num = float(value)
        if math.isinf(num):
            raise AppError("ingest.bad_number")
    elif isinstance(value, str):
        num, cell_unit = _number_text(value, field_.kind == "count")
    else:
        raise AppError("ingest.bad_number")
    if field_.unit:
        unit = cell_unit or header_unit or field_.unit
        num = num * UNIT_YUAN[unit] / UNIT_YUAN[field_.unit]
    elif cell_unit in ("wan", "yi"):  # 1.2万 visits: a multiplier, not money
        num = num * UNIT_YUAN[cell_unit]
    return num


@lru_cache(maxsize=16384)
def _number_text(value: str, count: bool) -> tuple[float, str | None]:
    """(number, unit typed in the cell) of a text cell; raises AppError."""
    cell_unit = None
    s = fold(value).lower().replace(" ", "").replace("_", "")
    s = s.replace(",", "").replace("'", "")
    negative = False
    if s.startswith("(") and s.endswith(")"):  # accounting negative: (1,234)
        negative, s = True, s[1:-1]
    if count:
        for suf in COUNT_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s = s[: -len(suf)]
                break
    for word, code in CELL_MONEY_UNITS:
        if s.endswith(word) and len(s) > len(word):
            s, cell_unit = s[: -len(word)], code
            break
    if s.startswith(("¥", "￥", "$")):
        s = s[1:]
    if not _NUM_RE.match(s):
        raise AppError("ingest.bad_number")
    num = float(s)
    if negative:
        num = -num
    if math.isinf(num) or math.isnan(num):
        raise AppError("ingest.bad_number")
    return num, cell_unit


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2099, 12, 31)


def excel_serial_to_date(n: float) -> dt.date:
    if isinstance(n, bool) or not (1 <= float(n) < 2958466):
        raise AppError("ingest.bad_date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(math.floor(float(n))))


def parse_date(value: object) -> dt.date:
    """Excel date cells and serials, ``2026-11-02``, ``2026/11/2``, ``2026年11月2日``, ``2026.11.02``,
    ``20261102``. Raises AppError('ingest.bad_date') otherwise (also outside 2000–2099)."""
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    elif isinstance(value, bool):
        raise AppError("ingest.bad_date")
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise AppError("ingest.bad_date")
        d = excel_serial_to_date(value)
    elif isinstance(value, str):
        d = _date_text(value)
    else:
        raise AppError("ingest.bad_date")
    if not MIN_DATE <= d <= MAX_DATE:
        raise AppError("ingest.bad_date")
    return d


@lru_cache(maxsize=16384)
def _date_text(value: str) -> dt.date:
    s = fold(value)
    m = _DATE_RE.match(s) or _DATE_COMPACT_RE.match(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise AppError("ingest.bad_date") from None
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # a serial number stored as text
        return excel_serial_to_date(float(s))
    raise AppError("ingest.bad_date")


_MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})|(\d{2}))\s*(?:月份?)?$")


def parse_month_cell(value: object) -> str:
    """'2026-11', '2026年11月', '2026/11', '2026.11', '202611', a date or a date cell → '2026-11'."""
    if isinstance(value, (dt.date, dt.datetime)):
        d = parse_date(value)
        return f"{d.year:04d}-{d.month:02d}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            raise AppError("ingest.bad_month")
        if float(value).is_integer() and 200001 <= value <= 209912:  # 202611 typed as a number
            y, m = divmod(int(value), 100)
            if 1 <= m <= 12:
                return f"{y:04d}-{m:02d}"
        try:
            d = parse_date(value)
        except AppError:
            raise AppError("ingest.bad_month") from None
        return f"{d.year:04d}-{d.month:02d}"
    if isinstance(value, str):
        s = fold(value)
        m = _MONTH_RE.match(s)
        if m:
            y, mo = int(m.group(1)), int(m.group(2) or m.group(3))
            if 1 <= mo <= 12 and 2000 <= y <= 2099:
                return f"{y:04d}-{mo:02d}"
            raise AppError("ingest.bad_month")
        try:
            d = parse_date(s)
        except AppError:
            raise AppError("ingest.bad_month") from None
        return f"{d.year:04d}-{d.month:02d}"
    raise AppError("ingest.bad_month")
