"""``python -m core inquiries list [--open] [--team T]``: questions on statements (申诉 / 疑问) in the caller's scope.

JSON: a list of {"id", "employee_id", "team", "period", "line", "text", "status", "answer", "raised_by",
"raised_at", "answered_by", "answered_at", "adjustment_id"}; status open | answered | explained | corrected.
"""
from __future__ import annotations

from core.commission import inquiries as inq
from core.i18n import t


def register(sub) -> None:
    p = sub.add_parser("inquiries", help="questions managers raised on their statements")
    pc = p.add_subparsers(dest="inquiries_command", required=True, metavar="ACTION")
    ls = pc.add_parser("list", help="questions in your scope, newest first")
    ls.add_argument("--open", dest="open_only", action="store_true", help="only those not yet resolved")
    ls.add_argument("--team", default=None, help="only this team")
    ls.set_defaults(func=cmd_list)


def _clean(v):
    if v is None or v != v:
        return None
    return v.isoformat(sep=" ") if hasattr(v, "isoformat") else v


def cmd_list(args, ctx) -> int:
    df = inq.questions(ctx.engine, ctx.scope, open_only=args.open_only, team=args.team)
    rows = [{k: _clean(v) for k, v in r.items()} for r in df.to_dict("records")]
    for r in rows:
        for k in ("id", "adjustment_id"):
            r[k] = None if r[k] is None else int(r[k])
    if ctx.json:
        ctx.emit(rows)
    elif not rows:
        print(t("commission.pay.cli.no_questions", ctx.lang))
    else:
        for r in rows:
            status = t(f"commission.pay.q.status.{r['status']}", ctx.lang)
            print(f"#{r['id']:<4} {r['period']:<8} {r['employee_id']:<8} {r['line'] or '—':<14} {status:<6} "
                  f"{r['text']}" + (f"  → {r['answer']}" if r["answer"] else ""))
    return 0
