"""The command line: ``python -m core [--db URL] [--json] [--lang zh|en] [--as USERNAME] COMMAND ...``.

Thin: each area registers its sub-commands from its own module in this package (``register(sub)``), listed
explicitly in :data:`AREAS`, and every command calls the library. The global options are accepted before the
command and after it (``python -m core import FILE --json``). Exit codes: 0 success, 1 the data or input was
rejected (errors reported), 2 usage errors.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from core import auth, store
from core.cli import coaching, commission, data, demo, mappings, users, notify
from core.cli import reserve
from core.cli import inquiries, period
from core.cli import display
from core.cli import rollups
from core.errors import AppError
from core.i18n import t
from core.scope import SYSTEM, Scope

# Areas that add sub-commands; each module defines register(subparsers).
AREAS = (data, users, commission, period, inquiries, demo, coaching, notify, mappings, reserve, display,
         rollups)


@dataclass
class Context:
    engine: Engine
    scope: Scope
    json: bool
    lang: str

    def emit(self, obj, text: str | None = None) -> None:
        """Print `obj` as JSON in --json mode, else `text` (or a readable rendering of obj)."""
        if self.json:
            print(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
        else:
            print(text if text is not None else json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _add_globals(p: argparse.ArgumentParser, top: bool) -> None:
    """The global options; on sub-commands they default to SUPPRESS so a value given before the command stays."""
    def dflt(v):
        return v if top else argparse.SUPPRESS
    have = set(p._option_string_actions)
    if "--db" not in have:
        p.add_argument("--db", default=dflt(None),
                       help="database URL (default: $DATABASE_URL, then sqlite:///data/dashboard.db)")
    if "--json" not in have:
        p.add_argument("--json", action="store_true", default=dflt(False), help="machine-readable JSON output")
    if "--lang" not in have:
        p.add_argument("--lang", choices=("zh", "en"), default=dflt("zh"), help="language of messages (default zh)")
    if "--as" not in have:
        p.add_argument("--as", dest="as_user", default=dflt(None),
                       help="act with this account's scope instead of as the system (a director)")


def _subparsers(p: argparse.ArgumentParser):
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.values()


def _add_globals_everywhere(p: argparse.ArgumentParser) -> None:
    for child in _subparsers(p):
        _add_globals(child, top=False)
        _add_globals_everywhere(child)


def build_parser(areas=None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="Customer-manager sales dashboard: core library CLI")
    _add_globals(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in (AREAS if areas is None else areas):
        area.register(sub)
    _add_globals_everywhere(p)
    return p


def make_context(args) -> Context:
    engine = store.get_engine(args.db)
    store.init_db(engine)
    scope = SYSTEM
    if args.as_user:
        scope = auth.scope_for_username(engine, args.as_user)
    return Context(engine=engine, scope=scope, json=args.json, lang=args.lang)


def main(argv: list[str] | None = None, areas=None) -> int:
    parser = build_parser(areas)
    args = parser.parse_args(argv)
    ctx = None
    try:
        ctx = make_context(args)
        return int(args.func(args, ctx) or 0)
    except (AppError, FileNotFoundError, DBAPIError) as exc:  # a clear message, never a traceback
        if isinstance(exc, DBAPIError):   # disk full, server restarted, connection lost: the transaction rolled back
            msg = t("error.database", args.lang, detail=type(exc.orig or exc).__name__)
        else:
            msg = exc.message(args.lang) if isinstance(exc, AppError) else str(exc)
        if args.json:
            print(json.dumps({"ok": False, "error": msg}, ensure_ascii=False))
        else:
            print(f"error: {msg}", file=sys.stderr)
        return 1
