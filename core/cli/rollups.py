"""``python -m core rollups ...``: the week and month rollups the database keeps (core/store/rollups.py).

    python -m core rollups rebuild [--json]     recompute every rollup from the daily logs (one transaction)
    python -m core rollups check [--json]       compare them with a from-scratch recomputation

Exit codes: 0 done / consistent, 1 differences found (each printed with its table, manager, period and column).
"""
from __future__ import annotations

from core.i18n import t
from core.store import rollups as store_rollups


def register(sub) -> None:
    p = sub.add_parser("rollups", help="week and month rollups: rebuild, check",
                       description="Aggregates per manager × ISO week and × month, kept with every import and undo.")
    cmd = p.add_subparsers(dest="rollups_command", required=True, metavar="ACTION")
    cmd.add_parser("rebuild", help="recompute every rollup from the daily logs").set_defaults(func=cmd_rebuild)
    cmd.add_parser("check", help="compare the rollups with a recomputation (exit 1 on a difference)") \
        .set_defaults(func=cmd_check)


def cmd_rebuild(args, ctx) -> int:
    rows = store_rollups.rebuild(ctx.engine)
    msg = t("rollups.cli.rebuilt", ctx.lang, weeks=rows["week_rollups"], months=rows["month_rollups"])
    ctx.emit({"ok": True, "message": msg, "rows": rows}, msg)
    return 0


def _value(v, lang: str) -> str:
    if v is None:
        return t("rollups.cli.missing", lang)
    if v == "row":
        return t("rollups.cli.row", lang)
    return str(v)


def cmd_check(args, ctx) -> int:
    diffs = store_rollups.check(ctx.engine)
    lang = ctx.lang
    if not diffs:
        msg = t("rollups.cli.consistent", lang)
        ctx.emit({"ok": True, "message": msg, "differences": []}, msg)
        return 0
    lines = [t("rollups.cli.differences", lang, count=len(diffs))]
    for d in diffs:
        column = t("rollups.cli.whole_row", lang) if d.column == "*" else d.column
        lines.append("  " + t("rollups.cli.difference", lang, table=t(f"rollups.table.{d.table}", lang),
                              employee_id=d.employee_id, period=d.period, column=column,
                              stored=_value(d.stored, lang), expected=_value(d.expected, lang)))
    ctx.emit({"ok": False, "message": lines[0], "differences": [d.as_dict() for d in diffs]}, "\n".join(lines))
    return 1
