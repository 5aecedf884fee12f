"""``python -m core period ...``: settlement periods open → in review → closed (结账), for directors.

    python -m core period list [--json]            → [{"period": "2026-10", "status": "open" | "in_review" | "closed"}]
    python -m core period close 2026-10
    python -m core period reopen 2026-10 --reason TEXT
    python -m core period review 2026-10 --until 2026-11-05

Closing freezes every manager's statement of the period; later changes are paid as adjustments in the next
open period (core/commission/lifecycle.py). Exit codes: 0 done; 1 refused (an earlier period still open, not the
latest closed period, not a director...: the message on stderr or ``{"ok": false, "error": ...}``); 2 usage.
"""
from __future__ import annotations


import argparse

from core.cli.data import _date
from core.commission import lifecycle, periods_state
from core.commission.periods import Period, parse_period
from core.errors import AppError
from core.i18n import fmt_yuan, t


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except AppError as exc:
        raise argparse.ArgumentTypeError(exc.message("en")) from None


def register(sub) -> None:
    p = sub.add_parser("period", help="settlement periods: list, close (结账), reopen, review (复核)",
                       description="Settlement periods: open → in review → closed (directors).")
    pc = p.add_subparsers(dest="period_command", required=True, metavar="ACTION")
    ls = pc.add_parser("list", help="every period with its status")
    ls.set_defaults(func=cmd_list)
    cl = pc.add_parser("close", help="freeze every statement of the period")
    cl.add_argument("period", type=_period)
    cl.set_defaults(func=cmd_close)
    ro = pc.add_parser("reopen", help="reopen the latest closed period (its snapshot is discarded)")
    ro.add_argument("period", type=_period)
    ro.add_argument("--reason", required=True, help="why (audited)")
    ro.set_defaults(func=cmd_reopen)
    rv = pc.add_parser("review", help="mark the period in review (复核) until a date")
    rv.add_argument("period", type=_period)
    rv.add_argument("--until", required=True, type=_date, metavar="DATE")
    rv.set_defaults(func=cmd_review)


def cmd_list(args, ctx) -> int:
    rows = [s.to_dict() for s in periods_state.listing(ctx.engine)]
    if ctx.json:
        ctx.emit(rows)
        return 0
    for r in rows:
        extra = r["closed_at"] and f"{r['closed_at']} {r['closed_by']}" or (r["review_until"] or "")
        print(f"{r['period']:<8} {t('commission.pay.status.' + r['status'], ctx.lang):<12} {extra}")
    return 0


def cmd_close(args, ctx) -> int:
    at = lifecycle.close(ctx.engine, ctx.scope, args.period)
    count = len(lifecycle.settled_statements(ctx.engine, ctx.scope, args.period))
    ctx.emit({"ok": True, "period": args.period.key, "status": "closed", "closed_at": at.isoformat(sep=" "),
              "statements": count}, t("commission.pay.cli.closed", ctx.lang, period=args.period.key, count=count))
    return 0


def cmd_reopen(args, ctx) -> int:
    lifecycle.reopen(ctx.engine, ctx.scope, args.period, args.reason)
    ctx.emit({"ok": True, "period": args.period.key, "status": "open"},
             t("commission.pay.cli.reopened", ctx.lang, period=args.period.key))
    return 0


def cmd_review(args, ctx) -> int:
    lifecycle.mark_review(ctx.engine, ctx.scope, args.period, args.until)
    ctx.emit({"ok": True, "period": args.period.key, "status": "in_review", "review_until": args.until.isoformat()},
             t("commission.pay.cli.review", ctx.lang, period=args.period.key, date=args.until.isoformat()))
    return 0


def settled_lines(settled: lifecycle.Settled, lang: str) -> list[str]:
    """The status and adjustment lines printed under a statement (``commission`` without --json)."""
    st = settled.state
    if st.is_closed:
        out = [t("commission.pay.badge.closed", lang, date=st.closed_at.isoformat(sep=" "), by=st.closed_by)]
    elif st.status == "in_review":
        out = [t("commission.pay.badge.in_review", lang, date=st.review_until.isoformat())]
    else:
        out = [t("commission.pay.badge.open", lang)]
    for a in settled.adjustments:
        key = "commission.pay.adj.recovery" if a.amount < 0 else "commission.pay.adj.line"
        out.append(f"  {t(key, lang, period=a.period):<40} {fmt_yuan(a.amount, lang):>16}")
    return out

