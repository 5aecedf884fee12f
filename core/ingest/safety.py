"""Uploads are hostile until proven otherwise: checks that run before any parser sees the bytes.

:func:`check_upload` refuses, with a clear message and never an exception:

* files over the size cap (default 20 MB) or empty;
* extensions other than .xlsx / .xlsm / .xls / .ods / .csv, and content that does not match the extension
  (magic bytes: ZIP for OOXML/ODS, OLE compound file for .xls, text for .csv; HTML saved as ".xls");
* password-protected files: encrypted OOXML is an OLE/CFB file holding an ``EncryptionInfo`` stream, an
  encrypted .xls has a FILEPASS record, an encrypted ZIP member has the encryption flag;
* zip bombs: the declared uncompressed size and the compression ratio of every member are checked before
  parsing, then every member's CRC is verified while counting (a lying header fails there);
* sheets declaring more rows or columns than the caps (``<dimension>`` of each worksheet, lines of a CSV).

Macros are never run: .xlsm files are read as values and get a warning saying so.
(Exports are protected against formula injection by :func:`core.export.escape_formula`.)
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from core.errors import AppError
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


DEFAULT_LIMITS = UploadLimits()

def _err(code: str, filename: str, **params) -> Problem:
    return Problem("error", code, filename, params=params)


def check_upload(filename: str, data: bytes, limits: UploadLimits | None = None) -> list[Problem]:
    """Problems that make `data` unsafe or unreadable (errors) or worth knowing (warnings); [] when fine."""
    limits = limits or DEFAULT_LIMITS
    try:
        return _check(filename, data, limits)
    except Exception:  # a checker must never crash on hostile input
        return [_err("upload.corrupt", filename)]


def _check(filename: str, data: bytes, limits: UploadLimits) -> list[Problem]:
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
        return _check_ole(filename, data, ext)
    if fmt == "zip":
        if ext == ".csv":
            return [_err("upload.wrong_content", filename, ext=ext)]
        return _check_zip(filename, data, ext, limits)
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


def _check_zip(filename: str, data: bytes, ext: str, limits: UploadLimits) -> list[Problem]:
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
    try:
        bad = zf.testzip()  # reads every member (bounded by the declared sizes checked above) and checks CRCs
    except Exception:
        return [_err("upload.corrupt", filename)]
    if bad is not None:
        return [_err("upload.corrupt", filename)]
    problems: list[Problem] = []
    if is_ooxml:
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
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
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            problems.append(Problem("warning", "upload.macros_ignored", filename))
    return problems


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
