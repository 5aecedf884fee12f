"""``python -m core demo [--end YYYY-MM-DD] [--seed N] [--force]``: load the demo bank (城南支行) into the database.

Refused (exit code 1) when the database already holds managers, unless ``--force``. After loading, the demo sign-in
accounts are created when ``core.auth`` provides ``ensure_demo_accounts``.
"""
from __future__ import annotations

import argparse
import datetime as dt

from core import auth, demo

_TEXT = {
    "help": {"zh": "加载演示支行数据(仅限空数据库)", "en": "load the demo sub-branch (into an empty database)"},
    "loaded": {"zh": "已加载演示数据:{branch},{teams} 个团队、{managers} 名客户经理,"
                     "日报 {log_rows} 行({start} 至 {end}),目标 {target_rows} 条({m0} 至 {m1})。",
               "en": "Loaded the demo bank: {branch}, {teams} teams, {managers} managers, {log_rows} daily rows "
                     "({start} to {end}), {target_rows} targets ({m0} to {m1})."},
    "week": {"zh": "周小结复盘周:{week}。预置的辅导信号:", "en": "Review week: {week}. Planted coaching patterns:"},
    "accounts": {"zh": "新建演示账号 {n} 个:{names}", "en": "Demo accounts created: {n} ({names})"},
}


def _t(key: str, lang: str, **kw) -> str:
    return _TEXT[key]["zh" if lang == "zh" else "en"].format(**kw)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def register(sub) -> None:
    p = sub.add_parser("demo", help=_TEXT["help"]["en"], description=f"{_TEXT['help']['en']} / {_TEXT['help']['zh']}")
    p.add_argument("--end", type=_date, default=None,
                   help="last logged day (default: the last working day before today)")
    p.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help=f"random seed (default {demo.DEFAULT_SEED})")
    p.add_argument("--force", action="store_true", help="load even if the database already holds data")
    p.set_defaults(func=run)


def run(args, ctx) -> int:
    ctx.scope.require_director()
    bank = demo.load_demo(ctx.engine, args.end, force=args.force, seed=args.seed)   # AppError → exit 1 in main
    info = bank.summary()
    accounts = auth.ensure_demo_accounts(ctx.engine)
    created = sorted(accounts) if isinstance(accounts, (list, tuple, set)) else None
    info["accounts"] = created
    lines = [_t("loaded", ctx.lang, branch=info["branch"], teams=info["teams"], managers=info["managers"],
                log_rows=info["log_rows"], start=info["start"], end=info["end"], target_rows=info["target_rows"],
                m0=info["months"][0], m1=info["months"][-1]),
             _t("week", ctx.lang, week=info["review_week"])]
    names = bank.roster.set_index("employee_id")["name"]
    for pattern, eid in info["planted"].items():
        lines.append(f"  {pattern:<20} {eid} {names[eid]}")
    if created is not None:
        lines.append(_t("accounts", ctx.lang, n=len(created), names=", ".join(created) or "—"))
    ctx.emit({"ok": True, **info}, "\n".join(lines))
    return 0
