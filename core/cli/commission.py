"""``python -m core commission ...`` (pay statements) and ``python -m core plans ...`` (plan versions).

    python -m core commission --period 2026-10 [--manager CM001] [--team 零售一队] [--plan FILE] [--days] --json
    python -m core commission --period 2026-Q3 --plan quarterly.yaml            (quarterly plans)
    python -m core commission --period 2026-10 --manager CM001 --xlsx statement.xlsx
    python -m core plans list [--json]
    python -m core plans check FILE [--month 2026-10]    validate, then every manager's pay old vs new (dry run)
    python -m core plans upload FILE [--activate]
    python -m core plans activate ID | deactivate ID | show ID

``commission --json`` prints a JSON array of statements: employee_id, period, base_pay, lines (metric,
quantity, amount, how, measure, ...; 日均 items add avg_daily and base / base_of / base_value), gross,
coefficient, attainment (the composite attainment as a string, null without a multiplier or targets), factor
(完成率系数), deductions (the total; ``deduction_lines`` has each), performance, deferred, reserve_released
(the reserve instalments paid this period; ``reserve_released_lines`` has each), payable = base pay +
performance − deferred + reserve_released + adjustments — money as strings with two decimals. Without ``--plan`` the plan in force for
the period is used (the sample plan while none is activated). Acts as the system (a director) unless
``--as USERNAME``; a manager account gets only his own statement.
Exit codes: 0 done; 1 rejected (invalid plan, period not fitting the plan, manager not visible or not on the
roster, grade missing from the plan: an AppError, reported by core.cli.main) with the message on stderr or
``{"ok": false, "error": ...}``;
2 usage errors (e.g. a period that is neither a month nor a quarter).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from core import calendar as cal
from core import commission as cm
from core.cli.period import settled_lines
from core.commission import effects as plan_effects
from core.commission import lifecycle
from core.commission.xlsx import statement_xlsx
from core.errors import AppError
from core.i18n import t
from core.store import logs as store_logs


def _period(text: str) -> cm.Period:
    try:
        return cm.parse_period(text)
    except AppError as exc:
        raise argparse.ArgumentTypeError(exc.message("en")) from None


def _month(text: str) -> str:
    p = _period(text)
    if p.kind != "monthly":
        raise argparse.ArgumentTypeError(f"not a month: {text!r} (expected e.g. 2026-10)")
    return p.key


def register(sub) -> None:
    c = sub.add_parser("commission", help="pay statements (绩效测算) for a month or quarter",
                       description="Compute performance-pay statements under the plan in force (or --plan FILE).")
    c.add_argument("--period", required=True, type=_period, help="2026-10 (monthly plans) or 2026-Q3 (quarterly)")
    c.add_argument("--manager", default=None, help="one manager's employee ID (default: everyone you may see)")
    c.add_argument("--team", default=None, help="only this team")
    c.add_argument("--plan", default=None, help="a plan YAML file instead of the plan in force")
    c.add_argument("--days", action="store_true", help="include the days each quantity came from")
    c.add_argument("--xlsx", default=None, metavar="FILE", help="also write the statement workbook (needs --manager)")
    c.set_defaults(func=cmd_commission)

    p = sub.add_parser("plans", help="commission plans: list, check (dry run), upload, activate",
                       description="Commission plan versions (directors).")
    pc = p.add_subparsers(dest="plans_command", required=True, metavar="ACTION")
    ls = pc.add_parser("list", help="stored plan versions")
    ls.set_defaults(func=cmd_list)
    ck = pc.add_parser("check", help="validate a plan file and compare every manager's pay with the plan in force")
    ck.add_argument("file")
    ck.add_argument("--month", type=_month, default=None, help="month to compare (default: the latest logged)")
    ck.set_defaults(func=cmd_check)
    up = pc.add_parser("upload", help="store a new plan version")
    up.add_argument("file")
    up.add_argument("--activate", action="store_true", help="activate it at once")
    up.set_defaults(func=cmd_upload)
    for name, func, helptext in (("activate", cmd_activate, "activate a stored version"),
                                 ("deactivate", cmd_deactivate, "withdraw an activated version"),
                                 ("show", cmd_show, "print a stored version's YAML")):
        a = pc.add_parser(name, help=helptext)
        a.add_argument("plan_id", type=int)
        a.set_defaults(func=func)
        if name == "activate":
            a.add_argument("--retroactive", action="store_true",
                           help="allow a plan whose effective_from falls in a closed period (paid as adjustments)")


def _text_statement(s: cm.Statement, lang: str) -> str:
    d = s.to_dict(lang)
    out = [f"{s.employee_id} {s.name} · {s.team} · {s.grade} · {s.period} · {s.plan_name}"]
    w = max([len(cm.metric_name(ln.metric, lang)) for ln in s.lines] + [4])
    for ln, row in zip(s.lines, d["lines"]):
        out.append(f"  {cm.metric_name(ln.metric, lang):<{w}}  {row['how']:<48} {row['amount']:>12}")
    for ded, row in zip(s.deduction_lines, d["deduction_lines"]):
        label = t("commission.step.deduction", lang, metric=cm.metric_name(ded.metric, lang))
        shown = row["amount"] if ded.amount == 0 else "-" + row["amount"]
        out.append(f"  {label:<{w}}  {row['how']:<48} {shown:>12}")
    def step(key: str, value: str) -> None:
        out.append(f"  {t('commission.step.' + key, lang):<{w + 50}} {value:>12}")

    step("gross", d["gross"])
    step("coefficient", d["coefficient"])
    if s.attainment is not None or s.factor != 1:          # 完成率系数: the composite and the factor
        out.append(f"  {t('commission.step.attainment', lang):<{w}}  {s.attainment_how(lang):<48} {d['factor']:>12}")
    step("performance", d["performance"])
    step("deferred", d["deferred"])
    for row in d["reserve_released_lines"]:
        out.append(f"  {t('commission.step.reserve_released', lang):<{w}}  {row['how']:<48} {row['amount']:>12}")
    step("base_pay", d["base_pay"])
    step("payable", d["payable"])
    if s.pay_band:
        out.append(f"  {t('commission.label.pay_band', lang)}: {cm.band_name(s.pay_band, lang)}")
    return "\n".join(out)


def cmd_commission(args, ctx) -> int:
    lang = ctx.lang
    plan = cm.load_plan_file(args.plan) if args.plan else None
    if args.xlsx and not args.manager:
        print("error: --xlsx needs --manager", file=sys.stderr)
        return 2
    settled = None
    if plan is None:   # issue 11: statements as paid (a closed period from its snapshot, adjustments added)
        settled = ([lifecycle.settled_statement(ctx.engine, ctx.scope, args.manager, args.period)] if args.manager
                   else lifecycle.settled_statements(ctx.engine, ctx.scope, args.period, team=args.team))
        stmts = [x.statement for x in settled]
    elif args.manager:
        stmts = [cm.statement(ctx.engine, ctx.scope, args.manager, args.period, plan=plan)]
    else:
        stmts = cm.statements(ctx.engine, ctx.scope, args.period, plan=plan, team=args.team)
    if args.xlsx:
        Path(args.xlsx).write_bytes(statement_xlsx(stmts[0], lang))
    if ctx.json:
        docs = ([x.to_dict(lang, with_days=args.days) for x in settled] if settled is not None else
                [{**s.to_dict(lang, with_days=args.days), "status": "open", "adjustments": []} for s in stmts])
        print(json.dumps(docs, ensure_ascii=False, indent=2))
    else:
        if not stmts:
            print(t("commission.cli.none", lang))
        extra = [settled_lines(x, lang) for x in settled] if settled is not None else [[] for _ in stmts]
        print("\n\n".join("\n".join([_text_statement(s, lang)] + x) for s, x in zip(stmts, extra)))
    return 0


def cmd_list(args, ctx) -> int:
    df = cm.list_plans(ctx.engine, ctx.scope)
    recs = [{k: (v.isoformat() if hasattr(v, "isoformat") and v is not None and v == v else
                 (None if v != v else v)) for k, v in r.items()} for r in df.to_dict("records")]
    if ctx.json:
        print(json.dumps(recs, ensure_ascii=False, indent=2, default=str))
    elif not recs:
        print(t("commission.cli.no_plans", lang=ctx.lang))
    else:
        for r in recs:
            flag = "*" if r["active"] else " "
            print(f"{flag} {r['id']:>4}  {r['effective_from']}  {r['settlement'] or '?':<9}  {r['name']}  "
                  f"({r['uploaded_by']} {r['uploaded_at']})")
    return 0


def _latest_month(ctx) -> str:
    _first, last = store_logs.log_date_range(ctx.engine, ctx.scope)
    return cal.month_key(last or dt.date.today())


def cmd_check(args, ctx) -> int:
    lang = ctx.lang
    plan = cm.load_plan_file(args.file)
    month = args.month or _latest_month(ctx)
    frame, errors, span = cm.compare_plans(ctx.engine, ctx.scope, plan, month)

    def s(v):
        return None if v is None else cm.money_str(v)
    rows = [{"employee_id": r["employee_id"], "name": r["name"], "team": r["team"], "grade": r["grade"],
             "old_payable": s(r["old_payable"]), "new_payable": s(r["new_payable"]), "delta": s(r["delta"])}
            for r in frame.to_dict("records")]
    errs = [e.message(lang) for e in errors]
    if ctx.json:
        print(json.dumps({"ok": not errs, "plan": plan.name, "effective_from": plan.effective_from.isoformat(),
                          "period": span, "managers": rows, "errors": errs}, ensure_ascii=False, indent=2))
    else:
        print(t("commission.cli.valid", lang, name=plan.name, date=plan.effective_from.isoformat()))
        print(t("commission.cli.compare_head", lang, period=span))
        for r in rows:
            print(f"  {r['employee_id']:<8} {r['name']:<8} {r['team']:<10} {r['old_payable'] or '—':>12} "
                  f"{r['new_payable'] or '—':>12} {r['delta'] or '—':>12}")
        for e in errs:
            print(f"error: {e}", file=sys.stderr)
    return 1 if errs else 0


def cmd_upload(args, ctx) -> int:
    p = Path(args.file)
    if not p.exists():
        raise FileNotFoundError(f"plan file not found: {p}")
    plan_id = cm.upload_plan(ctx.engine, ctx.scope, p.read_bytes(), activate=args.activate)
    ctx.emit({"ok": True, "plan_id": plan_id, "active": bool(args.activate)},
             t("commission.cli.uploaded", ctx.lang, plan_id=plan_id) +
             (" " + t("commission.cli.activated", ctx.lang, plan_id=plan_id) if args.activate else ""))
    return 0


def cmd_activate(args, ctx) -> int:
    # issue 11: refused when it reaches into a closed period unless --retroactive; effects paid as adjustments
    replaced, effects = plan_effects.activate_plan(ctx.engine, ctx.scope, args.plan_id,
                                                   retroactive=getattr(args, "retroactive", False))
    ctx.emit({"ok": True, "plan_id": args.plan_id, "replaced": replaced,
              "closed_period_effects": effects.to_list()},
             "\n".join([t("commission.cli.activated", ctx.lang, plan_id=args.plan_id)]
                       + effects.sentences(ctx.lang, "plan")))
    return 0


def cmd_deactivate(args, ctx) -> int:
    cm.deactivate_plan(ctx.engine, ctx.scope, args.plan_id)
    ctx.emit({"ok": True, "plan_id": args.plan_id}, t("commission.cli.deactivated", ctx.lang, plan_id=args.plan_id))
    return 0


def cmd_show(args, ctx) -> int:
    body = cm.plan_body(ctx.engine, args.plan_id)
    ctx.emit({"ok": True, "plan_id": args.plan_id, "body": body}, body)
    return 0
