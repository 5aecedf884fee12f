"""Uploads are hostile until proven otherwise: checks that run before any parser sees the bytes.

:func:`check_upload` refuses, with a clear message and never an exception:

* files over the size cap (default 20 MB) or empty;
* extensions other than .xlsx / .xlsm / .xls / .ods / .csv, and content that does not match the extension
  (magic bytes: ZIP for OOXML/ODS, OLE compound file for .xls, text for .csv; HTML saved as ".xls");
* password-protected files: encrypted OOXML is an OLE/CFB file holding an ``EncryptionInfo`` stream, an
  encrypted .xls has a FILEPASS record, an encrypted ZIP member has the encryption flag;
* zip bombs: the declared uncompressed size and the compression ratio of every member are checked before
  parsing, then every member's CRC is verified while counting (a lying header fails there);
* sheets with more rows or columns than the caps: the ``<dimension>`` of each worksheet when it has one, and
  always the rows and cell references streamed from its XML (:func:`core.ingest.budget.scan_worksheet`: a
  missing or lying dimension record, a lone cell at ``XFD1048576``), lines of a CSV;
* uploads whose grids would take more memory than the per-upload budget (``max_memory``, 256 MB by default):
  the dense grids and the shared strings, worked out from the bytes before anything is read
  (:func:`check_upload_sized` returns the estimate, which the importer reserves from the server-wide budget);
* CSV files in UTF-16 without a byte-order mark, with a message saying how to save them.

Macros are never run: .xlsm files are read as values and get a warning saying so. Formulas that refer to
another workbook (external links) are imported with the value saved in the file and get a warning naming the
cells.
(Exports are protected against formula injection by :func:`core.export.escape_formula`.)
"""
from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from dataclasses import dataclass

from core.errors import AppError
from core.ingest import budget
from core.ingest.problems import Problem
from core.ingest.readers import (ALLOWED_EXTENSIONS, HEADER_SCAN_ROWS, OLE_MAGIC, decode_text, extension,
                                 sniff_format)

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 20 * MB
    max_rows: int = 200_000
    max_cols: int = 100
    max_uncompressed: int = 200 * MB
    max_ratio: float = 100.0
    max_members: int = 10_000
    max_memory: int = 256 * MB            # one upload's grids, once read
    max_total_memory: int = 1024 * MB     # all uploads being read at once
    busy_wait: float = 30.0               # seconds an upload waits for room in the total before it is refused


DEFAULT_LIMITS = UploadLimits()

def _err(code: str, filename: str, **params) -> Problem:
    return Problem("error", code, filename, params=params)


def check_upload(filename: str, data: bytes, limits: UploadLimits | None = None) -> list[Problem]:
    """Problems that make `data` unsafe or unreadable (errors) or worth knowing (warnings); [] when fine."""
    return check_upload_sized(filename, data, limits)[0]


def check_upload_sized(filename: str, data: bytes, limits: UploadLimits | None = None) -> tuple[list[Problem], int]:
    """:func:`check_upload` and the bytes reading the file will take (0 when it is refused)."""
    limits = limits or DEFAULT_LIMITS
    try:
        problems, need = _check(filename, data, limits)
    except Exception:  # a checker must never crash on hostile input
        return [_err("upload.corrupt", filename)], 0
    if any(p.severity == "error" for p in problems):
        return problems, 0
    if need > limits.max_memory:
        return [_err("upload.memory_budget", filename, need_mb=f"{need / MB:,.0f}",
                     limit_mb=f"{limits.max_memory / MB:g}")], 0
    return problems, need


def memory_reservation(need: int, limits: UploadLimits | None = None):
    """Hold `need` bytes of the server-wide reading budget while an upload is parsed (yields False when other
    uploads keep it full for ``busy_wait`` seconds)."""
    limits = limits or DEFAULT_LIMITS
    return budget.memory_reservation(need, limits.max_total_memory, limits.busy_wait)


def _check(filename: str, data: bytes, limits: UploadLimits) -> tuple[list[Problem], int]:
    need = [0]      # the checks below add the bytes the grids will take
    problems = _check_content(filename, data, limits, need)
    return problems, need[0]


def _check_content(filename: str, data: bytes, limits: UploadLimits, need: list[int]) -> list[Problem]:
    if not data:
        return [_err("upload.empty", filename)]
    if len(data) > limits.max_bytes:
        return [_err("upload.too_large", filename, size_mb=f"{len(data) / MB:.1f}",
                     limit_mb=f"{limits.max_bytes / MB:g}")]
    ext = extension(filename)
    if ext not in ALLOWED_EXTENSIONS:
        return [_err("upload.bad_extension", filename, ext=ext or "—", allowed=" ".join(ALLOWED_EXTENSIONS))]
    fmt = sniff_format(filename, data)
    if fmt == "ole":
        # BIFF: the cells and strings of an .xls are at most its size; a record expands to a few cells
        need[0] = len(data) * budget.SST_BYTE_FACTOR * 4
        return _check_ole(filename, data, ext)
    if fmt == "zip":
        if ext == ".csv":
            return [_err("upload.wrong_content", filename, ext=ext)]
        return _check_zip(filename, data, ext, limits, need)
    # text
    head = data[:2048].lstrip().lower()
    if ext != ".csv":
        if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")) or b"<table" in head:
            return [_err("upload.html_disguised", filename, ext=ext)]
        return [_err("upload.wrong_content", filename, ext=ext)]
    try:
        text, _ = decode_text(data)
    except AppError as exc:
        return [_err(exc.key, filename)]
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > limits.max_rows + HEADER_SCAN_ROWS:
        return [_err("upload.too_many_rows", filename, limit=limits.max_rows)]
    cells = lines + sum(text.count(d) for d in (",", "\t", ";"))
    need[0] = budget.grid_bytes(cells, 1, cells) + budget.text_bytes(len(data))
    return []


# ---------------------------------------------------------------- ZIP containers (xlsx, xlsm, ods)

_DIM_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")


def _col_number(letters: str | bytes) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _check_zip(filename: str, data: bytes, ext: str, limits: UploadLimits, need: list[int]) -> list[Problem]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return [_err("upload.corrupt", filename)]
    if len(infos) > limits.max_members:
        return [_err("upload.zip_bomb", filename)]
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            return [_err("upload.encrypted", filename)]
        total += info.file_size
        if info.file_size and (info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio):
            return [_err("upload.zip_bomb", filename)]
    if total > limits.max_uncompressed:
        return [_err("upload.zip_bomb", filename)]
    names = {i.filename for i in infos}
    is_ooxml = "[Content_Types].xml" in names and any(n.startswith("xl/workbook") for n in names)
    is_ods = "mimetype" in names and "content.xml" in names
    if not (is_ooxml or is_ods):
        return [_err("upload.wrong_content", filename, ext=ext)]
    if is_ods:
        try:
            if zf.read("mimetype").strip() != b"application/vnd.oasis.opendocument.spreadsheet":
                return [_err("upload.wrong_content", filename, ext=ext)]
        except Exception:
            return [_err("upload.corrupt", filename)]
    sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
    if is_ooxml:
        for info in sheets:
            with zf.open(info) as fh:
                head = fh.read(8192)
            m = _DIM_RE.search(head)
            if m:
                last_col = m.group(3) or m.group(1)
                last_row = m.group(4) or m.group(2)
                if last_row and int(last_row) > limits.max_rows + HEADER_SCAN_ROWS:
                    return [_err("upload.too_many_rows", filename, limit=limits.max_rows)]
                if last_col and _col_number(last_col) > limits.max_cols:
                    return [_err("upload.too_many_columns", filename, limit=limits.max_cols)]
        # the shared strings by their declared size (a lie fails the CRC check below), then every sheet's real
        # extent, streamed: refused before anything is read into memory
        need[0] = sum(budget.text_bytes(i.file_size) for i in infos if i.filename.lower() == "xl/sharedstrings.xml")
        if need[0] > limits.max_memory:
            return []      # check_upload_sized refuses it on the estimate
        for info in sheets:
            try:
                with zf.open(info) as fh:
                    ext_ = budget.scan_worksheet(fh, limits.max_rows + HEADER_SCAN_ROWS, limits.max_cols)
            except Exception:
                return [_err("upload.corrupt", filename)]
            if ext_.rows > limits.max_rows + HEADER_SCAN_ROWS:
                return [_err("upload.too_many_rows", filename, limit=limits.max_rows)]
            if ext_.cols > limits.max_cols:
                return [_err("upload.too_many_columns", filename, limit=limits.max_cols)]
            need[0] += budget.grid_bytes(ext_.rows, ext_.cols, ext_.text_cells)
            if need[0] > limits.max_memory:
                return []
    else:   # ODS: the content's size stands for its cells (repeated rows and columns are expanded by the reader)
        need[0] = sum(budget.text_bytes(i.file_size) * 4 for i in infos if i.filename == "content.xml")
        if need[0] > limits.max_memory:
            return []
    try:
        bad = zf.testzip()  # reads every member (bounded by the declared sizes checked above) and checks CRCs
    except Exception:
        return [_err("upload.corrupt", filename)]
    if bad is not None:
        return [_err("upload.corrupt", filename)]
    problems: list[Problem] = []
    if is_ooxml:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            problems.append(Problem("warning", "upload.macros_ignored", filename))
        if any(n.startswith("xl/externalLinks/") for n in names):
            cells = external_link_cells(zf, sheets)
            if cells:
                shown = cells[:20] + (["…"] if len(cells) > 20 else [])
                problems.append(Problem("warning", "upload.external_links", filename,
                                        params={"cells": ", ".join(shown)}))
    return problems


_FORMULA_CELL_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,4}\d{1,9})\"[^>]*>(?:(?!</(?:\w+:)?c>).){0,2000}?"
                              rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>", re.S)
_EXTERNAL_REF_RE = re.compile(rb"\[\d+\]")


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part ('xl/worksheets/sheet1.xml') → sheet name, from the workbook and its relationships."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]+)"', m.group()), re.search(r'\bTarget="([^"]+)"', m.group())
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    out = {}
    for m in re.finditer(r'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', wb):
        target = targets.get(m.group(2), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = html.unescape(m.group(1))
    return out


def external_link_cells(zf: zipfile.ZipFile, sheets: list[zipfile.ZipInfo]) -> list[str]:
    """'Sheet!B2' of every cell whose formula refers to another workbook (``[1]Sheet1!A1``)."""
    names = _sheet_names(zf)
    out = []
    for info in sheets:
        xml = zf.read(info)
        for m in _FORMULA_CELL_RE.finditer(xml):
            if _EXTERNAL_REF_RE.search(m.group(2)):
                out.append(f"{names.get(info.filename, info.filename.rsplit('/', 1)[-1])}!{m.group(1).decode()}")
    return out


# ---------------------------------------------------------------- OLE compound files (xls, encrypted OOXML)

class _CFBError(Exception):
    pass


ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF


class CompoundFile:
    """A minimal, defensive reader of OLE/CFB compound files: directory entry names and stream bytes."""

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            raise _CFBError("not a compound file")
        self.data = data
        shift = struct.unpack_from("<H", data, 30)[0]
        mini_shift = struct.unpack_from("<H", data, 32)[0]
        if shift not in (9, 12) or mini_shift != 6:
            raise _CFBError("bad sector size")
        self.ss = 1 << shift
        self.mss = 1 << mini_shift
        (n_fat, first_dir, _txn, self.mini_cutoff, first_minifat, n_minifat, first_difat,
         n_difat) = struct.unpack_from("<IIIIIIII", data, 44)
        self.n_sectors = max(0, (len(data) - self.ss) // self.ss)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s not in (FREESECT, ENDOFCHAIN)]
        sect, guard = first_difat, 0
        while sect not in (FREESECT, ENDOFCHAIN) and guard <= n_difat and guard < self.n_sectors:
            vals = struct.unpack_from(f"<{self.ss // 4}I", self._sector(sect))
            fat_sectors += [s for s in vals[:-1] if s not in (FREESECT, ENDOFCHAIN)]
            sect, guard = vals[-1], guard + 1
        fat: list[int] = []
        for s in fat_sectors[: max(n_fat, 0) or len(fat_sectors)]:
            fat += struct.unpack_from(f"<{self.ss // 4}I", self._sector(s))
        self.fat = fat
        self.entries = []
        dir_bytes = self._chain(first_dir, self.fat)
        for off in range(0, len(dir_bytes) - 127, 128):
            name_len = struct.unpack_from("<H", dir_bytes, off + 64)[0]
            typ = dir_bytes[off + 66]
            if typ == 0 or name_len < 2 or name_len > 64:
                continue
            name = dir_bytes[off: off + name_len - 2].decode("utf-16-le", errors="replace")
            start, size = struct.unpack_from("<II", dir_bytes, off + 116)
            self.entries.append((name, typ, start, size))
        self.minifat: list[int] = []
        if n_minifat and first_minifat not in (FREESECT, ENDOFCHAIN):
            raw = self._chain(first_minifat, self.fat)
            self.minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))

    def _sector(self, n: int) -> bytes:
        off = (n + 1) * self.ss
        if n >= self.n_sectors or off + self.ss > len(self.data):
            raise _CFBError("sector out of range")
        return self.data[off: off + self.ss]

    def _chain(self, start: int, fat: list[int], limit: int | None = None) -> bytes:
        out, sect, seen = [], start, 0
        while sect not in (ENDOFCHAIN, FREESECT):
            if sect >= len(fat) or seen > self.n_sectors:
                raise _CFBError("broken chain")
            out.append(self._sector(sect))
            seen += 1
            if limit is not None and seen * self.ss >= limit:
                break
            sect = fat[sect]
        return b"".join(out)

    def names(self) -> list[str]:
        return [e[0] for e in self.entries]

    def stream(self, name: str, limit: int | None = None) -> bytes:
        for ename, typ, start, size in self.entries:
            if ename.lower() == name.lower() and typ == 2:
                if size < self.mini_cutoff:
                    root = next((e for e in self.entries if e[1] == 5), None)
                    if root is None:
                        raise _CFBError("no root entry")
                    mini = self._chain(root[2], self.fat)
                    out, sect, seen = [], start, 0
                    while sect not in (ENDOFCHAIN, FREESECT):
                        if sect >= len(self.minifat) or seen > len(self.minifat):
                            raise _CFBError("broken mini chain")
                        out.append(mini[sect * self.mss: (sect + 1) * self.mss])
                        seen += 1
                        sect = self.minifat[sect]
                    return b"".join(out)[:size]
                return self._chain(start, self.fat, limit)[: size if limit is None else min(size, limit)]
        raise KeyError(name)


def _biff_has_filepass(stream: bytes) -> bool:
    """True when the workbook globals of a BIFF stream contain a FILEPASS (0x002F) record."""
    pos, n = 0, 0
    while pos + 4 <= len(stream) and n < 100_000:
        typ, ln = struct.unpack_from("<HH", stream, pos)
        if typ == 0x002F:
            return True
        if typ == 0x000A:  # EOF of the globals substream
            return False
        pos += 4 + ln
        n += 1
    return False


def _check_ole(filename: str, data: bytes, ext: str) -> list[Problem]:
    try:
        cfb = CompoundFile(data)
        names = {n.lower() for n in cfb.names()}
    except (_CFBError, struct.error, ValueError, IndexError):
        return [_err("upload.corrupt", filename)]
    if "encryptioninfo" in names or "encryptedpackage" in names:
        return [_err("upload.encrypted", filename)]
    if ext not in (".xls",):
        if {"workbook", "book"} & names:
            return []  # an .xls saved with another workbook extension: readable by content
        return [_err("upload.wrong_content", filename, ext=ext)]
    stream_name = "workbook" if "workbook" in names else "book" if "book" in names else None
    if stream_name is None:
        return [_err("upload.wrong_content", filename, ext=ext)]
    try:
        wb = cfb.stream(stream_name, limit=1 << 20)
    except (_CFBError, KeyError, struct.error, ValueError, IndexError):
        return [_err("upload.corrupt", filename)]
    if _biff_has_filepass(wb):
        return [_err("upload.encrypted", filename)]
    return []
