"""The one YAML loader for configuration a bank edits (commission plans, coaching rules, mappings...).

``load(text)`` parses a YAML text into :class:`Node` values that remember their 1-based line (and, for
mappings, each key's line), refusing syntax errors, duplicate keys and non-text keys with a located
:class:`core.errors.AppError`. A :class:`Checker` then walks the nodes, collecting every problem as a
:class:`core.errors.Located` (line, dotted path, message key) instead of stopping at the first; ``raise_if_any``
raises them together, sorted by line. Feature modules add their own checks on top (``checker.add(...)``) with
their own message keys.

Generic message keys live in ``core/locales/common.yaml`` under ``config.``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

import yaml

from core.errors import AppError, Located


class Node:
    """A parsed YAML value with the line of its node; mappings keep each key's line in ``key_lines``."""

    __slots__ = ("value", "line", "key_lines")

    def __init__(self, value, line: int, key_lines: dict | None = None):
        self.value, self.line, self.key_lines = value, line, key_lines or {}

    def get(self, key: str) -> "Node":
        """The child under `key`, or a null node on this node's line (so checks can still point somewhere)."""
        if isinstance(self.value, dict) and key in self.value:
            return self.value[key]
        return Node(None, self.line)

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def plain(self):
        """The value with every nested Node unwrapped (dicts, lists, scalars)."""
        v = self.value
        if isinstance(v, dict):
            return {k: n.plain() for k, n in v.items()}
        if isinstance(v, list):
            return [n.plain() for n in v]
        return v


def decode(text: str | bytes) -> str:
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AppError("config.invalid", [Located(None, "", "config.not_utf8")]) from None
    return text


def load(text: str | bytes, *, allow_empty: bool = False) -> Node:
    """Parse `text`; an empty text is an error unless `allow_empty` (then a null node on line 1)."""
    text = decode(text)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:   # a NUL or other non-printable character: refused before parsing
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        raise AppError("config.invalid", [Located(line, "", "config.yaml_error",
                                                  (("detail", f"character #x{exc.character:04x}"),))]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            if allow_empty:
                return Node(None, 1)
            raise AppError("config.invalid", [Located(1, "", "config.empty")])
        return _convert(node, loader, "")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = str(exc.problem or exc.context or exc)
        raise AppError("config.invalid", [Located(line, "", "config.yaml_error", (("detail", detail),))]) from None
    except yaml.YAMLError as exc:
        raise AppError("config.invalid", [Located(None, "", "config.yaml_error", (("detail", str(exc)),))]) from None
    finally:
        loader.dispose()


def _convert(node, loader, path: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out, key_lines = {}, {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            kline = k_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise AppError("config.invalid", [Located(kline, path, "config.bad_key", (("name", str(key)),))])
            key = str(key)
            if key in out:
                raise AppError("config.invalid", [Located(kline, join(path, key), "config.duplicate_key",
                                                          (("name", key), ("first", key_lines[key])))])
            out[key] = _convert(v_node, loader, join(path, key))
            key_lines[key] = kline
        return Node(out, line, key_lines)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(n, loader, join(path, i)) for i, n in enumerate(node.value)], line)
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError):  # e.g. 2026-13-01 looks like a date but is not one
        value = node.value
    return Node(value, line)


def show(v) -> str:
    """A value as the person typed it, for messages."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class Checker:
    """Collects located problems while a feature module validates its nodes."""

    def __init__(self):
        self.problems: list[Located] = []

    def add(self, line: int | None, path: str, key: str, **params) -> None:
        self.problems.append(Located(line, path, key, tuple(params.items())))

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_any(self, headline: str = "config.invalid", **params) -> None:
        if self.problems:
            raise AppError(headline, sorted(self.problems, key=lambda p: (p.line or 0)), **params)

    # ------------------------------------------------------------------ shapes
    def mapping(self, node: Node, path: str, allowed: Iterable[str] | None = None,
                required: Iterable[str] = (), key_message: str = "config.unknown_key") -> dict | None:
        """The node's dict of child nodes, after reporting unknown and missing keys; None if not a mapping."""
        if not isinstance(node.value, dict):
            self.add(node.line, path, "config.not_mapping")
            return None
        if allowed is not None:
            allowed = tuple(allowed)
            for k in node.value:
                if k not in allowed:
                    self.add(node.key_line(k), join(path, k), key_message, name=k, allowed=", ".join(allowed))
        for k in required:
            if k not in node.value:
                self.add(node.line, path, "config.missing_key", name=k)
        return node.value

    def sequence(self, node: Node, path: str, min_len: int = 0) -> list[Node] | None:
        if not isinstance(node.value, list):
            self.add(node.line, path, "config.not_list")
            return None
        if len(node.value) < min_len:
            self.add(node.line, path, "config.too_short", n=min_len)
            return None
        return node.value

    # ------------------------------------------------------------------ scalars
    def number(self, node: Node, path: str, *, lo: Decimal | float | None = None, hi: Decimal | float | None = None,
               lo_open: bool = False, integer: bool = False) -> Decimal | None:
        """A finite number within [lo, hi] (lo excluded when `lo_open`), as an exact Decimal of what was typed."""
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add(node.line, path, "config.not_integer" if integer else "config.not_number", value=show(v))
            return None
        if isinstance(v, float) and not math.isfinite(v):
            self.add(node.line, path, "config.not_number", value=show(v))
            return None
        d = Decimal(str(v))
        if integer and d != d.to_integral_value():
            self.add(node.line, path, "config.not_integer", value=show(v))
            return None
        below = lo is not None and (d < Decimal(str(lo)) or (lo_open and d == Decimal(str(lo))))
        above = hi is not None and d > Decimal(str(hi))
        if below or above:
            left = "(" if lo_open else "["
            rng = f"{left}{'-∞' if lo is None else show(lo)}, {'∞' if hi is None else show(hi)}]"
            self.add(node.line, path, "config.out_of_range", value=show(v), range=rng)
            return None
        return d

    def boolean(self, node: Node, path: str) -> bool | None:
        if not isinstance(node.value, bool):
            self.add(node.line, path, "config.not_bool", value=show(node.value))
            return None
        return node.value

    def choice(self, node: Node, path: str, choices: Sequence[str], key: str = "config.bad_choice") -> str | None:
        v = node.value
        if not isinstance(v, str) or v not in choices:
            self.add(node.line, path, key, value=show(v), choices=", ".join(choices))
            return None
        return v

    def text(self, node: Node, path: str, max_len: int = 200) -> str | None:
        v = node.value
        if v is None or isinstance(v, (dict, list)) or str(v).strip() == "":
            self.add(node.line, path, "config.not_text", value=show(v))
            return None
        s = str(v).strip()
        if len(s) > max_len:
            self.add(node.line, path, "config.too_long", n=max_len)
            return None
        return s

    def choices(self, node: Node, path: str, choices: Sequence[str]) -> list[str] | None:
        """A list of strings, each one of `choices`; duplicates dropped, order kept."""
        v = node.value
        if not isinstance(v, list) or not all(isinstance(n.value, str) for n in v):
            self.add(node.line, path, "config.not_list_of", choices=", ".join(choices))
            return None
        bad = [n.value for n in v if n.value not in choices]
        if bad:
            self.add(node.line, path, "config.bad_choice", value=", ".join(bad), choices=", ".join(choices))
            return None
        return list(dict.fromkeys(n.value for n in v))
