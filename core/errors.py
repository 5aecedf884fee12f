"""The one error type every layer raises: a message key with parameters, rendered in the reader's language.

``AppError("ingest.not_on_roster", names="CM001")`` carries no text of its own: ``exc.message("zh")`` and
``exc.message("en")`` render the catalogue entry (``core/locales/*.yaml``) with the parameters, so a Chinese
page never shows an English ``str(exc)``. Problems with a location (a YAML line, a spreadsheet cell) travel in
``exc.problems``: each has ``message(lang)``; ``exc.messages(lang)`` lists them after the headline.

``ScopeError`` is the same type, marked as a permission refusal (so the CLI and pages can say "not allowed"
and tests can assert a refusal rather than any failure). Nothing else subclasses it.

A parameter may itself be an ``AppError`` or anything with ``message(lang)``: it is rendered in the same
language (``AppError("store.cannot", reason=other_error)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.i18n import t


class Renderable(Protocol):
    def message(self, lang: str = "zh") -> str: ...


def _render(value: Any, lang: str) -> Any:
    msg = getattr(value, "message", None)
    if callable(msg):
        return msg(lang)
    return value


class AppError(Exception):
    """A failure a person can act on, in both languages. ``key`` names a catalogue entry."""

    def __init__(self, key: str, problems: list | tuple = (), **params):
        self.key = key
        self.params = params
        self.problems = list(problems)
        super().__init__(key)

    # --- rendering -------------------------------------------------------------------------------------
    def headline(self, lang: str = "zh") -> str:
        return t(self.key, lang, **{k: _render(v, lang) for k, v in self.params.items()})

    def messages(self, lang: str = "zh") -> list[str]:
        """The located problems, one line each (empty when the error has none)."""
        return [p.message(lang) for p in self.problems]

    def message(self, lang: str = "zh") -> str:
        """The headline, then each located problem on its own line."""
        lines = [self.headline(lang), *self.messages(lang)]
        return "\n".join(lines)

    def __str__(self) -> str:  # logs and tracebacks: English, never shown on a page
        try:
            return self.message("en")
        except Exception:  # noqa: BLE001 - a broken catalogue must not hide the original error
            return f"{self.key} {self.params}"

    def __reduce__(self):  # pickles (st.cache_data, multiprocessing) by key and params
        return (_rebuild, (type(self), self.key, self.problems, self.params))


def _rebuild(cls, key, problems, params):
    return cls(key, problems, **params)


class ScopeError(AppError, PermissionError):
    """A refusal: the caller asked for data or an action outside his scope."""


@dataclass(frozen=True)
class Located:
    """One problem in a configuration text: the 1-based line (None when unknown), the dotted path, a message
    key and its parameters as (name, value) pairs."""

    line: int | None
    path: str
    key: str
    params: tuple = ()

    def message(self, lang: str = "zh") -> str:
        text = t(self.key, lang, **{k: _render(v, lang) for k, v in self.params})
        where = self.path or "(root)"
        if self.line is None:
            return t("config.where", lang, path=where, message=text)
        return t("config.where_line", lang, line=self.line, path=where, message=text)
