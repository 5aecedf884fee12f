"""``python -m core users ...``: create, list, disable, enable, unlock accounts and reset passwords.

    python -m core users add zhangwei --role team_lead --team 对公一队 --employee CM001 --password-stdin
    python -m core users add li.na --role manager --employee CM007 --email li.na@bank.example   (single sign-on)
    python -m core users list [--json]
    python -m core users disable zhangwei
    python -m core users enable zhangwei
    python -m core users reset zhangwei [--password-stdin]
    python -m core users unlock zhangwei

Passwords are never echoed nor printed: give them on standard input (``--password-stdin``, first line), or type
them at the prompt (asked twice) when standard input is a terminal. ``--password P`` exists for scripts but
leaves the password in the shell history. Acts as the system (a director) unless ``--as USERNAME``.
Exit codes: 0 done, 1 rejected (message on stderr, or ``{"ok": false, "error": ...}`` with ``--json``).
"""
from __future__ import annotations

import getpass
import json
import sys

from core import auth
from core.errors import AppError
from core.i18n import t
from core.scope import ROLES


def register(sub) -> None:
    p = sub.add_parser("users", help="accounts: add, list, disable, enable, reset, unlock",
                       description="Manage dashboard accounts (directors only).")
    cmd = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    a = cmd.add_parser("add", help="create an account")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--team", default=None, help="team led (team leads)")
    a.add_argument("--employee", default=None, help="own roster entry (required for managers)")
    a.add_argument("--name", default=None, help="display name (default: roster name, else the username)")
    a.add_argument("--email", default=None, help="e-mail used to match single sign-on")
    pw = a.add_mutually_exclusive_group()
    pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    pw.add_argument("--password", default=None, help="the password (visible in shell history; prefer stdin)")
    a.set_defaults(func=cmd_add)

    ls = cmd.add_parser("list", help="list accounts")
    ls.add_argument("--json", dest="list_json", action="store_true", help="JSON output")
    ls.set_defaults(func=cmd_list)

    for name, func, helptext in (("disable", cmd_disable, "disable an account (its sessions end at once)"),
                                 ("enable", cmd_enable, "enable a disabled account"),
                                 ("unlock", cmd_unlock, "lift a sign-in lock after too many wrong passwords")):
        c = cmd.add_parser(name, help=helptext)
        c.add_argument("username")
        c.set_defaults(func=func)

    r = cmd.add_parser("reset", help="set a new password")
    r.add_argument("username")
    r.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    r.set_defaults(func=cmd_reset)


# ---------------------------------------------------------------- passwords

def _read_stdin_password(lang: str) -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise AppError("auth.cli_password_empty")
    return password


def _prompt_password(lang: str) -> str:
    first = getpass.getpass(t("auth.cli_password_prompt", lang))
    second = getpass.getpass(t("auth.cli_password_again", lang))
    if first != second:
        raise AppError("auth.password_mismatch")
    if not first:
        raise AppError("auth.cli_password_empty")
    return first


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- commands

def _done(ctx, key: str, **params) -> int:
    msg = t(key, ctx.lang, **params)
    ctx.emit({"ok": True, "message": msg, **params}, msg)
    return 0


def cmd_add(args, ctx) -> int:
    if args.password_stdin:
        password = _read_stdin_password(ctx.lang)
    elif args.password is not None:
        password = args.password
    elif _stdin_is_tty():
        password = _prompt_password(ctx.lang)
    else:
        password = None
    if password is not None:
        auth.check_password_policy(password, auth.normalise_username(args.username))
    user = auth.create_user(ctx.engine, ctx.scope, args.username, args.name, args.role, password=password,
                            team=args.team, employee_id=args.employee, email=args.email)
    rc = _done(ctx, "auth.cli_created", username=user["username"], role=user["role"])
    if password is None and not ctx.json:
        print(t("auth.cli_no_password", ctx.lang, username=user["username"]), file=sys.stderr)
    return rc


def cmd_list(args, ctx) -> int:
    users = auth.list_users(ctx.engine, ctx.scope)
    if ctx.json or args.list_json:
        records = []
        for r in users.to_dict(orient="records"):
            records.append({k: (None if v is None or v != v else v.isoformat() if hasattr(v, "isoformat") else v)
                            for k, v in r.items()})
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
        return 0
    if users.empty:
        print(t("auth.cli_no_users", ctx.lang))
        return 0
    rows = [("username", "role", "team", "employee", "status", "sign-in", "name")]
    for r in users.itertuples(index=False):
        status = "locked" if r.locked else "active" if r.active else "disabled"
        how = "demo" if r.is_demo else "password" if r.has_password else "sso" if r.email else "-"
        rows.append((r.username, r.role, r.team or "-", r.employee_id or "-", status, how, r.display_name))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(_pad(v, w) for v, w in zip(row, widths)) + "  " + row[-1])
    return 0


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(s))


def _pad(s: str, width: int) -> str:
    return str(s) + " " * (width - _width(s))


def cmd_disable(args, ctx) -> int:
    changed = auth.set_active(ctx.engine, ctx.scope, args.username, False)
    uname = auth.normalise_username(args.username)
    return _done(ctx, "auth.cli_disabled" if changed else "auth.cli_unchanged", username=uname)


def cmd_enable(args, ctx) -> int:
    changed = auth.set_active(ctx.engine, ctx.scope, args.username, True)
    uname = auth.normalise_username(args.username)
    return _done(ctx, "auth.cli_enabled" if changed else "auth.cli_unchanged", username=uname)


def cmd_unlock(args, ctx) -> int:
    auth.unlock_user(ctx.engine, ctx.scope, args.username)
    return _done(ctx, "auth.cli_unlocked", username=auth.normalise_username(args.username))


def cmd_reset(args, ctx) -> int:
    if args.password_stdin:
        password = _read_stdin_password(ctx.lang)
    elif _stdin_is_tty():
        password = _prompt_password(ctx.lang)
    else:
        raise AppError("auth.cli_password_empty")
    auth.reset_password(ctx.engine, ctx.scope, args.username, password)
    return _done(ctx, "auth.cli_reset", username=auth.normalise_username(args.username))
