"""Group robots from the command line (director only), see docs/NOTIFICATIONS.md:

    python -m core webhooks add --platform wecom|dingtalk --url URL [--secret S] [--team T] [--label NAME]
    python -m core webhooks list | remove ID | test ID | lang zh|en | log [--failed]
    python -m core digest morning   [--team T] [--day D] --send|--dry-run
    python -m core digest reminders [--team T] [--day D] --send|--dry-run
    python -m core digest alerts    [--team T] [--day D] --send|--dry-run

The digests skip days off of the bank's calendar (exit 0, nothing sent), so cron can run them every weekday.
Exit code 1 when a post failed after its retries (it is in the delivery log).
"""
from __future__ import annotations

import argparse
import datetime as dt

from core import notify
from core.i18n import t


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def register(sub) -> None:
    w = sub.add_parser("webhooks", help="group robots (WeCom / DingTalk webhooks) / 群机器人")
    ws = w.add_subparsers(dest="webhooks_cmd", required=True, metavar="ACTION")
    a = ws.add_parser("add", help="add a group robot")
    a.add_argument("--platform", required=True, choices=notify.PLATFORMS)
    a.add_argument("--url", required=True, help="the robot's webhook URL (kept on the server, shown masked)")
    a.add_argument("--secret", default=None, help="DingTalk 加签 secret (SEC...)")
    a.add_argument("--team", default=None, help="the team whose chat this is (default: the whole branch)")
    a.add_argument("--label", default=None, help="a name for it (default: the team)")
    a.set_defaults(func=cmd_add)
    ws.add_parser("list", help="list the group robots (masked)").set_defaults(func=cmd_list)
    r = ws.add_parser("remove", help="remove a group robot")
    r.add_argument("id", type=int)
    r.set_defaults(func=cmd_remove)
    te = ws.add_parser("test", help="post a test message")
    te.add_argument("id", type=int)
    te.set_defaults(func=cmd_test)
    lg = ws.add_parser("lang", help="the language of robot messages (default zh)")
    lg.add_argument("value", choices=("zh", "en"))
    lg.set_defaults(func=cmd_lang)
    lo = ws.add_parser("log", help="recent deliveries")
    lo.add_argument("--failed", action="store_true", help="failures only")
    lo.add_argument("--limit", type=int, default=30)
    lo.set_defaults(func=cmd_log)

    d = sub.add_parser("digest", help="post the morning brief, reminders or alerts / 晨会简报、日报提醒、辅导预警")
    ds = d.add_subparsers(dest="digest_cmd", required=True, metavar="KIND")
    for name, job in (("morning", notify.morning), ("reminders", notify.reminders), ("alerts", notify.alerts)):
        p = ds.add_parser(name, help=f"{name}: --send to post, --dry-run to print what would be posted")
        p.add_argument("--team", default=None, help="only this team's robots")
        p.add_argument("--day", type=_date, default=None, help="the day (default today)")
        mode = p.add_mutually_exclusive_group(required=True)
        mode.add_argument("--send", action="store_true")
        mode.add_argument("--dry-run", action="store_true")
        p.set_defaults(func=cmd_digest, job=job)


def cmd_add(args, ctx) -> int:
    hook = notify.add_webhook(ctx.engine, ctx.scope, args.platform, args.url, args.secret, args.team, args.label)
    ctx.emit({"ok": True, **hook.public()}, t("notify.cli.added", ctx.lang, id=hook.id, target=hook.target))
    return 0


def cmd_list(args, ctx) -> int:
    rows = notify.webhooks_view(ctx.engine, ctx.scope)
    lines = [f"#{r['id']}  {r['platform']:<8} {r['label']:<12} {r['team'] or t('notify.whole_branch', ctx.lang):<10} "
             f"{r['url']}" + (f"  secret {r['secret']}" if r["secret"] else "") for r in rows]
    ctx.emit({"ok": True, "webhooks": rows}, "\n".join(lines) or t("notify.cli.none", ctx.lang))
    return 0


def cmd_remove(args, ctx) -> int:
    hook = notify.remove_webhook(ctx.engine, ctx.scope, args.id)
    ctx.emit({"ok": True, "id": hook.id}, t("notify.cli.removed", ctx.lang, id=hook.id, label=hook.label))
    return 0


def _answer(post, lang: str) -> str:
    if post.note:
        return t(post.note, lang)
    last = post.answers[-1] if post.answers else None
    if last is None:
        return ""
    if post.ok:
        return t("notify.cli.sent_ok", lang, attempts=sum(a.attempts for a in post.answers))
    return t("notify.cli.sent_failed", lang, attempts=last.attempts, answer=last.text[:300])


def cmd_test(args, ctx) -> int:
    post = notify.send_test(ctx.engine, ctx.scope, args.id)
    ctx.emit({"ok": post.ok, "id": post.hook.id, "answers": [a.__dict__ for a in post.answers]},
             f"#{post.hook.id} {post.hook.target}: {_answer(post, ctx.lang)}")
    return 0 if post.ok else 1


def cmd_lang(args, ctx) -> int:
    notify.set_message_lang(ctx.engine, ctx.scope, args.value)
    ctx.emit({"ok": True, "lang": args.value}, t("notify.cli.lang_set", ctx.lang, lang=args.value))
    return 0


def cmd_log(args, ctx) -> int:
    rows = notify.deliveries_view(ctx.engine, ctx.scope, limit=args.limit, failed_only=args.failed)
    lines = [f"{r['at']:%Y-%m-%d %H:%M}  {'ok ' if r['ok'] else 'FAIL'} ×{r['attempts']}  {r['kind']:<8} "
             f"{r['target']}  {r['summary']}" + ("" if r["ok"] else f"  ← {(r['answer'] or '')[:200]}")
             for r in rows]
    ctx.emit({"ok": True, "deliveries": rows}, "\n".join(lines) or t("notify.settings.no_deliveries", ctx.lang))
    return 0


def cmd_digest(args, ctx) -> int:
    run = args.job(ctx.engine, ctx.scope, day=args.day, team=args.team, send=args.send)
    if run.skipped:
        ctx.emit({"ok": True, "skipped": t(run.skipped, ctx.lang, **run.skipped_params)},
                 t(run.skipped, ctx.lang, **run.skipped_params))
        return 0
    out, lines = [], []
    for post in run.posts:
        head = f"#{post.hook.id} {post.hook.target}"
        entry = {"id": post.hook.id, "target": post.hook.target, "ok": post.ok, "note": post.note,
                 "bodies": post.bodies if args.dry_run else len(post.bodies),
                 "answers": [a.__dict__ for a in post.answers]}
        out.append(entry)
        if args.dry_run:
            lines.append(f"=== {head} {t('notify.cli.dry_run', ctx.lang)}")
            lines += [notify.describe(b) for b in post.bodies] or [t(post.note, ctx.lang)]
        else:
            lines.append(f"{head}: {_answer(post, ctx.lang)}")
    ctx.emit({"ok": run.ok, "kind": run.kind, "day": run.day.isoformat(), "posts": out}, "\n".join(lines))
    return 0 if run.ok else 1
