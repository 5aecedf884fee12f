"""What reading an upload will cost in memory, worked out from the bytes before any reader builds a grid, and the
server-wide budget that several uploads at once share.

A workbook is read into a dense grid (every cell up to the last used row and column) plus its shared-strings
table, so a 5 MB .xlsx can expand to gigabytes: 190 MB of shared strings, or one cell at ``XFD1048576``, or a
million ``<row>`` elements with no ``<dimension>`` record. :func:`scan_worksheet` streams a worksheet's XML
(decompressing as it goes, stopping as soon as a limit is passed) and returns its real extent;
:func:`grid_bytes` turns extents into the bytes the grids will take. :func:`memory_reservation` then holds that
many bytes of the server's budget (``UploadLimits.max_total_memory``) while the upload is parsed and stored, and
waits (up to ``UploadLimits.busy_wait`` seconds) when other uploads hold it.
"""
from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

# Bytes a cell takes once read: calamine's cell (~32), the Python object and the list slots (~32).
CELL_BYTES = 64
# A text cell's own Python string on top of that, and each byte of the shared-strings XML (Rust + Python).
TEXT_CELL_BYTES = 64
SST_BYTE_FACTOR = 2
CHUNK = 1 << 20

_ROW_RE = re.compile(rb"<(?:\w+:)?row[\s>/]")
_ROW_REF_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=\"(\d{1,9})\"")
_CELL_REF_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=\"([A-Z]{1,4})(\d{1,9})\"")


@dataclass
class Extent:
    """A worksheet's real size: rows and columns of its dense grid, and how many cells hold shared text."""
    rows: int = 0
    cols: int = 0
    text_cells: int = 0


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def scan_worksheet(fh, max_rows: int | None = None, max_cols: int | None = None) -> Extent:
    """Stream a worksheet's XML from the file object `fh` and return its extent, stopping early once it has
    more rows than `max_rows` or columns than `max_cols` (the caller refuses it then)."""
    ext = Extent()
    counted_rows = 0
    carry = b""
    while True:
        chunk = fh.read(CHUNK)
        buf = carry + chunk
        if chunk:
            cut = buf.rfind(b"<")
            if cut <= 0 or len(buf) - cut > 4096:
                cut = len(buf)
            buf, carry = buf[:cut], buf[cut:]
        else:
            carry = b""
        counted_rows += len(_ROW_RE.findall(buf))
        refs = _ROW_REF_RE.findall(buf)
        if refs:
            ext.rows = max(ext.rows, max(map(int, refs)))
        cells = _CELL_REF_RE.findall(buf)
        if cells:
            letters = {c for c, _ in cells}
            ext.cols = max(ext.cols, max(map(_col_number, letters)))
            ext.rows = max(ext.rows, max(int(r) for _, r in cells))
        ext.text_cells += buf.count(b't="s"')
        ext.rows = max(ext.rows, counted_rows)
        if (max_rows is not None and ext.rows > max_rows) or (max_cols is not None and ext.cols > max_cols):
            return ext
        if not chunk:
            return ext


def grid_bytes(rows: int, cols: int, text_cells: int = 0) -> int:
    """Bytes the dense grid of a sheet will take once read."""
    return rows * cols * CELL_BYTES + text_cells * TEXT_CELL_BYTES


def text_bytes(n_bytes: int) -> int:
    """Bytes the shared strings (or a CSV's text) take once read, from their size in the file."""
    return n_bytes * SST_BYTE_FACTOR


# ---------------------------------------------------------------- the server-wide budget

_lock = threading.Condition()
_in_use = 0


def in_use() -> int:
    """Bytes currently reserved by uploads being read."""
    with _lock:
        return _in_use


@contextmanager
def memory_reservation(need: int, total: int, wait: float):
    """Hold `need` bytes of the `total` budget while the block runs; yields False (nothing held) when the
    budget stays full for `wait` seconds."""
    global _in_use
    need = max(0, min(int(need), total))
    deadline = time.monotonic() + wait
    with _lock:
        while _in_use + need > total:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _lock.wait(left)
        granted = _in_use + need <= total
        if granted:
            _in_use += need
    try:
        yield granted
    finally:
        if granted:
            with _lock:
                _in_use -= need
                _lock.notify_all()
