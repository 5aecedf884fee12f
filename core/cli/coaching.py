"""Coaching commands: this week's flags, the rules file, the coaching log.

    python -m core coaching --week 2026-W44 [--team NAME] [--as-of DATE] [--rules FILE] [--json]
    python -m core coaching-rules [FILE] [--save] [--json]
    python -m core coaching-log [--team NAME] [--overdue] [--today DATE] [--json]

``coaching --json`` prints a JSON array of flags, most severe first (resolved ones last), each with
employee_id, manager_name, team, rule_id (the rule ids of ``core.coaching.RULE_IDS``), severity, metric,
period, evidence (numbers), reason_zh, reason_en, focus {area, topic_zh, topic_en}, history
(new | continuing | resolved), weeks, acknowledged, ack_note, ack_until.

``coaching-rules FILE`` validates a rules file (exit 1 and every problem with its line when invalid);
``--save`` also stores it as the rules in force (director only). Without FILE it prints the rules in force.

The commands act with the CLI's scope (the system director, or ``--as USERNAME``): a team lead sees his team's
flags, a manager his own.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from core import calendar as cal
from core import coaching
from core.errors import AppError
from core.i18n import t


def _week(text: str) -> str:
    try:
        return cal.week_key(cal.week_bounds(text)[0])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected e.g. 2026-11-02)") from None


def register(sub) -> None:
    p = sub.add_parser("coaching", help="this week's coaching flags (辅导提示)")
    p.add_argument("--week", required=True, type=_week, metavar="YYYY-Www", help="review week, e.g. 2026-W44")
    p.add_argument("--team", default=None, metavar="NAME", help="only this team's managers")
    p.add_argument("--as-of", dest="as_of", type=_date, default=None, metavar="DATE",
                   help="evaluate up to this date inside the week (default: the week's Sunday, or today)")
    p.add_argument("--rules", default=None, metavar="FILE", help="a rules YAML file instead of the rules in force")
    p.set_defaults(func=cmd_flags)

    r = sub.add_parser("coaching-rules", help="validate (and --save) a coaching rules file; no FILE: print the rules")
    r.add_argument("file", nargs="?", default=None, metavar="FILE")
    r.add_argument("--save", action="store_true", help="store FILE as the rules in force (director only)")
    r.set_defaults(func=cmd_rules)

    lg = sub.add_parser("coaching-log", help="coaching sessions with follow-up status (did coaching work?)")
    lg.add_argument("--team", default=None, metavar="NAME")
    lg.add_argument("--overdue", action="store_true", help="only overdue follow-ups")
    lg.add_argument("--today", type=_date, default=None, metavar="DATE", help="today's date (default: the clock)")
    lg.set_defaults(func=cmd_log)


def _read_rules(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return p.read_text(encoding="utf-8")


def _load_rules(ctx, text: str):
    """The validated rules of `text`, or None after printing every problem (JSON: line, key path, message)."""
    try:
        return coaching.load_rules(text)
    except AppError as exc:
        _rules_error(ctx, exc)
        return None


def _rules_error(ctx, exc: AppError) -> None:
    if ctx.json:
        print(json.dumps({"ok": False, "errors": [{"line": p.line, "key": p.path, "message": p.message(ctx.lang)}
                                                  for p in exc.problems]}, ensure_ascii=False, indent=2))
    else:
        for m in exc.messages(ctx.lang) or [exc.headline(ctx.lang)]:
            print(f"error: {m}", file=sys.stderr)


def cmd_flags(args, ctx) -> int:
    rules = None
    if args.rules:
        rules = _load_rules(ctx, _read_rules(args.rules))
        if rules is None:
            return 1
    flags = coaching.flags_for_week(ctx.engine, ctx.scope, args.week, team=args.team, rules=rules, as_of=args.as_of)
    if ctx.json:
        print(json.dumps([f.to_dict() for f in flags], ensure_ascii=False, indent=2, default=str))
        return 0
    if not flags:
        print(t("coaching.cli.none", ctx.lang, week=args.week))
        return 0
    for f in flags:
        hist = t(f"coaching.history.{f.history}", ctx.lang, weeks=f.weeks)
        ack = " [ack]" if f.acknowledged else ""
        print(f"{t(f'coaching.severity.{f.severity}', ctx.lang):<6} {f.employee_id:<8} {f.manager_name} ({f.team}) "
              f"{f.rule_id} · {hist}{ack}\n       {f.reason(ctx.lang)}\n       "
              f"{t('coaching.ksa.' + f.focus, ctx.lang)}: {f.focus_topic(ctx.lang)}")
    return 0


def cmd_rules(args, ctx) -> int:
    if args.file is None:
        if args.save:
            raise AppError("coaching.cli.save_needs_file")
        text = coaching.active_rules_text(ctx.engine)
        if ctx.json:
            print(json.dumps(coaching.load_rules(text).to_dict(), ensure_ascii=False, indent=2))
        else:
            print(text, end="" if text.endswith("\n") else "\n")
        return 0
    text = _read_rules(args.file)
    rules = _load_rules(ctx, text)
    if rules is None:
        return 1
    if args.save:
        coaching.save_rules(ctx.engine, ctx.scope, text)
    if ctx.json:
        print(json.dumps({"ok": True, "saved": bool(args.save), "rules": rules.to_dict()}, ensure_ascii=False,
                         indent=2))
    else:
        print(t("coaching.cli.rules_ok", ctx.lang))
    return 0


def cmd_log(args, ctx) -> int:
    today = args.today or dt.date.today()
    df = coaching.session_review(ctx.engine, ctx.scope, today, team=args.team)
    if args.overdue and not df.empty:
        df = df[df["overdue"]]
    recs = [{k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in r.items()}
            for r in df.to_dict("records")] if not df.empty else []
    recs = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in recs]
    if ctx.json:
        print(json.dumps(recs, ensure_ascii=False, indent=2, default=str))
        return 0
    if not recs:
        print(t("coaching.log.none", ctx.lang))
        return 0
    for r in recs:
        status = t(f"coaching.status.{r['status']}", ctx.lang)
        overdue = f" · {t('coaching.overdue.header', ctx.lang)}" if r["overdue"] else ""
        print(f"#{r['id']} {r['date']} {r['coach']} → {r['manager_name']} ({r['employee_id']}): {r['topic']} "
              f"| {r['follow_up'] or '—'} | {status}{overdue}")
    return 0
