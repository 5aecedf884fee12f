"""The command line: ``python -m core [--db URL] [--json] [--lang zh|en] [--as USERNAME] COMMAND ...``.

Thin: each area registers its sub-commands from its own ``core/cli_<area>.py`` module (``register(sub)``), and
every command calls the library. Exit codes: 0 success, 1 the data or input was rejected (errors reported),
2 usage errors.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass

from sqlalchemy import Engine

from core import store
from core.scope import SYSTEM, Scope

# Areas that add sub-commands; each module defines register(subparsers).
CLI_MODULES = ("core.cli_data", "core.cli_users", "core.cli_commission", "core.cli_demo", "core.cli_coaching")


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core", description="Customer-manager sales dashboard: core library CLI")
    p.add_argument("--db", default=None, help="database URL (default: $DATABASE_URL, then sqlite:///data/dashboard.db)")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of messages (default zh)")
    p.add_argument("--as", dest="as_user", default=None,
                   help="act with this account's scope instead of as the system (a director)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in CLI_MODULES:
        importlib.import_module(name).register(sub)
    return p


def make_context(args) -> Context:
    engine = store.get_engine(args.db)
    store.init_db(engine)
    scope = SYSTEM
    if args.as_user:
        from core import auth
        scope = auth.scope_for_username(engine, args.as_user)
    return Context(engine=engine, scope=scope, json=args.json, lang=args.lang)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = None
    try:
        ctx = make_context(args)
        return int(args.func(args, ctx) or 0)
    except Exception as exc:  # a clear one-line message, never a traceback, for expected failures
        from core.scope import ScopeError
        from core.store.logs import StoreError
        if isinstance(exc, StoreError):
            msg = exc.message(args.lang)
        elif isinstance(exc, (ScopeError, ValueError, FileNotFoundError)):
            msg = str(exc)
        else:
            raise
        if args.json:
            print(json.dumps({"ok": False, "error": msg}, ensure_ascii=False))
        else:
            print(f"error: {msg}", file=sys.stderr)
        return 1
