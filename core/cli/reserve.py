"""``python -m core reserve ...``: the risk reserve's forfeits (追索扣回, directors).

    python -m core reserve forfeit CM002 --amount 1200.50 --reason "贷款 XD-2026-118 逾期转不良" [--month 2026-11]
    python -m core reserve list [--manager CM002] [--json]

``forfeit`` records that part or all of a manager's unreleased reserve is taken (audited; never released
afterwards) and prints ``{"ok": true, "id", "employee_id", "month", "amount", "held"}`` with ``--json`` (money as
strings with two decimals; ``held`` is what remains unreleased as of that month). ``list`` prints the forfeits
the caller may see: id, employee_id, month, amount, reason, created_by, created_at.
Exit codes: 0 done; 1 rejected (not a director, unknown manager, no reason, an amount that is not a positive
number of yuan with at most two decimals, or more than the reserve holds) with the message; 2 usage.
"""
from __future__ import annotations

import json

from core.commission import forfeits
from core.convert import money_str
from core.i18n import t


def register(sub) -> None:
    p = sub.add_parser("reserve", help="risk reserve (风险补偿金): forfeits (追索扣回)",
                       description="Forfeit part of a manager's unreleased risk reserve, and list forfeits.")
    pc = p.add_subparsers(dest="reserve_command", required=True, metavar="ACTION")
    f = pc.add_parser("forfeit", help="forfeit part or all of a manager's unreleased reserve (directors)")
    f.add_argument("employee_id")
    f.add_argument("--amount", required=True, help="yuan, e.g. 1200.50")
    f.add_argument("--reason", required=True, help="why (kept in the audit trail and shown on the statement)")
    f.add_argument("--month", default=None, help="the month it is recorded in (default: this month), e.g. 2026-11")
    f.set_defaults(func=cmd_forfeit)
    ls = pc.add_parser("list", help="forfeits you may see")
    ls.add_argument("--manager", default=None, help="one manager's employee ID")
    ls.set_defaults(func=cmd_list)


def cmd_forfeit(args, ctx) -> int:
    fid = forfeits.forfeit_reserve(ctx.engine, ctx.scope, args.employee_id, args.amount, args.reason,
                                   month=args.month)
    row = forfeits.list_forfeits(ctx.engine, ctx.scope, args.employee_id)
    row = row[row["id"] == fid].iloc[0]
    held = forfeits.unreleased(ctx.engine, ctx.scope, args.employee_id, row["month"])
    out = {"ok": True, "id": fid, "employee_id": row["employee_id"], "month": row["month"],
           "amount": money_str(row["amount"]), "held": money_str(held)}
    ctx.emit(out, t("commission.reserve.cli.recorded", ctx.lang, id=fid, employee_id=out["employee_id"],
                    amount=out["amount"], month=out["month"], held=out["held"]))
    return 0


def cmd_list(args, ctx) -> int:
    df = forfeits.list_forfeits(ctx.engine, ctx.scope, args.manager)
    recs = [{"id": int(r["id"]), "employee_id": r["employee_id"], "month": r["month"],
             "amount": money_str(r["amount"]), "reason": r["reason"], "created_by": r["created_by"],
             "created_at": r["created_at"].isoformat(sep=" ") if r["created_at"] is not None else None}
            for r in df.to_dict("records")]
    if ctx.json:
        print(json.dumps(recs, ensure_ascii=False, indent=2))
    elif not recs:
        print(t("commission.reserve.cli.none", ctx.lang))
    else:
        for r in recs:
            print(f"{r['id']:>4}  {r['employee_id']:<8} {r['month']}  {r['amount']:>12}  {r['reason']}  "
                  f"({r['created_by']} {r['created_at']})")
    return 0
