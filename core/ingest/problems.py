"""What is wrong with an upload, located as precisely as the person needs to fix it, and the results that carry
those problems (:class:`ParseResult` of a parser, :class:`ImportOutcome` of :func:`core.ingest.import_files`).

A :class:`Problem` renders its message in Chinese or English from ``core/locales/ingest.yaml``; a parameter
may be a ``{zh, en}`` pair, a field name (shown as its header label), a list, or anything with
``message(lang)`` (an :class:`core.errors.AppError` from the store, say).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.i18n import norm_lang, t
from core.ingest.readers import column_letter
from core.schema import DAILY_FIELDS, ROSTER_FIELDS, TARGET_MONTH_FIELD
from core.store.logs import ImportSummary


@dataclass
class Problem:
    """One thing wrong with an upload.

    ``row`` is the Excel row number (1-based), ``column`` the header as written in the file, ``value`` the
    cell as seen; ``col_index`` (0-based) locates the cell for the highlighted report.
    """
    severity: str                  # "error" | "warning"
    code: str                      # message key in core/locales/ingest.yaml, e.g. "ingest.bad_date"
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict = field(default_factory=dict)
    col_index: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def cell(self) -> str | None:
        """Excel cell reference such as 'D7' when both the row and the column are known."""
        if self.row is None or self.col_index is None:
            return None
        return f"{column_letter(self.col_index)}{self.row}"

    def message(self, lang: str = "zh") -> str:
        lang = norm_lang(lang)
        params = {k: _localize(k, v, lang) for k, v in self.params.items()}
        params.setdefault("value", self.value if self.value is not None else "")
        params.setdefault("column", self.column or "")
        return t(self.code, lang, **params)

    def where(self, lang: str = "zh") -> str:
        """'周报.xlsx › 第44周 › 第7行 › 拜访客户数' — the location in words."""
        lang = norm_lang(lang)
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None:
            parts.append(f"第{self.row}行" if lang == "zh" else f"row {self.row}")
        if self.column:
            parts.append(self.column)
        return " › ".join(p for p in parts if p)

    def moved(self, row: int) -> Problem:
        """A copy of this problem, found for the same cells on another row (parameters copied)."""
        return Problem(self.severity, self.code, self.file, self.sheet, row, self.column, self.value,
                       copy_params(self.params), self.col_index)

    def as_dict(self, lang: str = "zh") -> dict:
        return {"severity": self.severity, "code": self.code, "file": self.file, "sheet": self.sheet,
                "row": self.row, "column": self.column, "cell": self.cell, "value": self.value,
                "message": self.message(lang)}


def copy_params(params: dict) -> dict:
    return {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v for k, v in params.items()}


def _localize(key: str, value: object, lang: str) -> object:
    """Render a message parameter in `lang`: {zh, en} dicts pick one, field names become labels, lists join,
    errors render themselves."""
    if isinstance(value, dict) and set(value) >= {"zh", "en"}:
        return value[lang]
    if key in ("field", "fields"):
        items = value if isinstance(value, (list, tuple)) else [value]
        labels = [field_label(v, lang) for v in items]
        return ("、" if lang == "zh" else ", ").join(labels)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(str(v) for v in value)
    render = getattr(value, "message", None)
    if callable(render):
        return render(lang)
    return value


def field_label(name: str, lang: str = "zh") -> str:
    """Header label of a canonical field name (daily log, roster or targets), with its unit."""
    for f in (*DAILY_FIELDS, *ROSTER_FIELDS, TARGET_MONTH_FIELD):
        if f.name == name:
            return f.header(lang)
    if name == "identity":
        return t("ingest.label.identity", lang)
    return name


class Problems(list):
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


def errors_of(problems) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_of(problems) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


class _HasProblems:
    """Errors and warnings of a result that carries `problems`."""
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return errors_of(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return warnings_of(self.problems)


@dataclass
class ParseResult(_HasProblems):
    rows: pd.DataFrame
    problems: list[Problem]
    sheets: list[str]                                     # 'file › sheet' of every sheet read as data
    sheet_rows: dict[str, int] = field(default_factory=dict)  # rows found per sheet label
    present: pd.DataFrame | None = None   # daily logs: per row, which value columns the sheet has (bool)

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
    mappings: object = None   # the core.ingest.mappings.SavedMappings the upload was read with (daily logs)
    closed_effects: object = None   # core.commission.effects.Effects on closed pay periods (dry runs; issue 11)

    @property
    def ok(self) -> bool:
        return not self.errors and self.summary is not None

    @property
    def rows(self) -> int:
        return sum(self.sheet_rows.values())

    def change_lines(self, lang: str = "zh") -> list[str]:
        """Per column, how many stored values the import changes and clears, and the columns it keeps (absent
        from the file), as sentences for the validation report."""
        s = self.summary
        if s is None:
            return []
        order = {f.name: i for i, f in enumerate(DAILY_FIELDS)}
        out = [t("ingest.changes.column", lang, column=field_label(c, lang), n=n)
               for c, n in sorted(s.changed.items(), key=lambda kv: order.get(kv[0], 99))]
        out += [t("ingest.changes.cleared", lang, column=field_label(c, lang), n=n)
                for c, n in sorted(s.cleared.items(), key=lambda kv: order.get(kv[0], 99))]
        if s.kept and (s.updated or s.unchanged):
            out.append(t("ingest.changes.kept", lang,
                         columns=("、" if lang == "zh" else ", ").join(field_label(c, lang) for c in s.kept)))
        return out

    def as_dict(self, lang: str = "zh") -> dict:
        return {"ok": self.ok, "kind": self.kind, "filename": self.filename, "sha256": self.sha256,
                "summary": self.summary.as_dict() if self.summary else None,
                "rows": self.rows, "sheets": dict(self.sheet_rows),
                "errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [p.as_dict(lang) for p in self.problems]}
