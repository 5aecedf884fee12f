"""``python -m core mappings ...``: saved column mappings of daily-log uploads (see core/ingest/mappings.py).

    python -m core mappings list [--json]
    python -m core mappings add 本周走访数 visits                     (branch-wide, as the system: a director)
    python -m core mappings add ETC ignore --team 对公一队
    python -m core --as li.lead mappings add "信用卡(张)新" credit_cards   (a team lead: for his own team)
    python -m core mappings remove 3

FIELD is a canonical field name of the daily log (``date``, ``employee_id``, ``visits``, ``deposits_new``...) or
``ignore``. Without ``--team`` a director saves branch-wide and a team lead for his own team; ``--branch`` asks for
branch-wide explicitly (directors only). Exit codes: 0 done, 1 refused (the message says why).
"""
from __future__ import annotations

from core.i18n import t
from core.ingest import mappings as mp


def register(sub) -> None:
    p = sub.add_parser("mappings", help="saved column mappings of uploads: list, add, remove",
                       description="Headers the schema does not know, read as a field (or ignored) on upload.")
    cmd = p.add_subparsers(dest="mappings_command", required=True, metavar="ACTION")

    ls = cmd.add_parser("list", help="list the mappings in your scope")
    ls.set_defaults(func=cmd_list)

    a = cmd.add_parser("add", help="save a mapping (replaces the one of the same header and team)")
    a.add_argument("header", help="the header as written in the file, e.g. 本周走访数")
    a.add_argument("field", help=f"one of: {', '.join(mp.choices_of('daily'))}")
    where = a.add_mutually_exclusive_group()
    where.add_argument("--team", default=None, help="for this team (a team lead: only his own)")
    where.add_argument("--branch", action="store_true", help="branch-wide (directors only)")
    a.set_defaults(func=cmd_add)

    r = cmd.add_parser("remove", help="remove a mapping by its ID (see list)")
    r.add_argument("id", type=int)
    r.set_defaults(func=cmd_remove)


def cmd_list(args, ctx) -> int:
    found = mp.list_mappings(ctx.engine, ctx.scope)
    if ctx.json:
        ctx.emit([m.as_dict(ctx.lang) for m in found])
        return 0
    if not found:
        print(t("mappings.list_empty", ctx.lang))
        return 0
    for m in found:
        print(f"{m.id:>4}  {m.whose(ctx.lang)}  {m.header_text} → {m.field} ({mp.choice_label(m.field, ctx.lang)})"
              f"  {m.created_by} {m.created_at:%Y-%m-%d %H:%M}")
    return 0


def cmd_add(args, ctx) -> int:
    team = None if args.branch else (args.team or (None if ctx.scope.may_configure else ctx.scope.home_team()))
    m = mp.add_mapping(ctx.engine, ctx.scope, args.header, args.field, team)
    msg = t("mappings.cli.added", ctx.lang, id=m.id, header=m.header_text, field=m.field, whose=m.whose(ctx.lang))
    ctx.emit({"ok": True, "message": msg, **m.as_dict(ctx.lang)}, msg)
    return 0


def cmd_remove(args, ctx) -> int:
    m = mp.remove_mapping(ctx.engine, ctx.scope, args.id)
    msg = t("mappings.cli.removed", ctx.lang, id=m.id, header=m.header_text, field=m.field, whose=m.whose(ctx.lang))
    ctx.emit({"ok": True, "message": msg, **m.as_dict(ctx.lang)}, msg)
    return 0
