"""``python -m core display ...``: the director's display links for the morning-meeting projector.

    python -m core display create --scope branch --label 三楼会议室 [--days 365] [--base-url https://dash.bank]
    python -m core display create --scope team --team 对公一队 --label 对公一队晨会
    python -m core display list [--json]
    python -m core display revoke ID

The address (with its token) is printed once by ``create``: only the token's hash is stored, so it cannot be shown
again (revoke and create a new link if it is lost). ``--base-url`` defaults to DASH_BASE_URL, else
http://localhost:8501. Acts as the system (a director) unless ``--as USERNAME``.
"""
from __future__ import annotations

import os

from core import display
from core.i18n import t


def register(sub) -> None:
    p = sub.add_parser("display", help="display links for the morning-meeting projector: create, list, revoke",
                       description="Password-free, read-only projector links (directors only).")
    cmd = p.add_subparsers(dest="display_command", required=True, metavar="ACTION")
    c = cmd.add_parser("create", help="create a display link (its address is printed once)")
    c.add_argument("--scope", required=True, choices=display.SCOPES)
    c.add_argument("--team", default=None, help="the team of a team link")
    c.add_argument("--label", required=True, help="a name, e.g. the meeting room")
    c.add_argument("--days", type=int, default=display.DEFAULT_DAYS, help="days the link works (default 365)")
    c.add_argument("--base-url", default=None, help="the dashboard's address (default DASH_BASE_URL)")
    c.set_defaults(func=cmd_create)
    ls = cmd.add_parser("list", help="list display links")
    ls.set_defaults(func=cmd_list)
    r = cmd.add_parser("revoke", help="revoke a display link (its screen shows only a message)")
    r.add_argument("id", type=int)
    r.set_defaults(func=cmd_revoke)


def cmd_create(args, ctx) -> int:
    link_id, token = display.create(ctx.engine, ctx.scope, args.scope, args.label, team=args.team, days=args.days)
    url = display.link_url(args.base_url or os.environ.get("DASH_BASE_URL") or "http://localhost:8501", token)
    msg = t("display.cli_created", ctx.lang, id=link_id, label=args.label.strip(), url=url)
    ctx.emit({"ok": True, "id": link_id, "url": url, "scope": args.scope, "team": args.team,
              "label": args.label.strip()}, msg)
    return 0


def _iso(v):
    return v.isoformat() if v is not None else None


def cmd_list(args, ctx) -> int:
    links = display.list_links(ctx.engine, ctx.scope)
    if ctx.json:
        ctx.emit([{**r, **{k: _iso(r[k]) for k in ("created_at", "expires_at", "revoked_at", "last_opened_at")}}
                  for r in links])
        return 0
    if not links:
        print(t("display.cli_none", ctx.lang))
        return 0
    for r in links:
        print(f"{r['id']:>4}  {r['status']:<8}  {r['scope']:<6}  {r['team'] or '-':<10}  "
              f"{_iso(r['expires_at']) or '-':<19}  {r['label']}")
    return 0


def cmd_revoke(args, ctx) -> int:
    done = display.revoke(ctx.engine, ctx.scope, args.id)
    key = "display.cli_revoked" if done else "display.cli_already"
    ctx.emit({"ok": True, "id": args.id, "revoked": done}, t(key, ctx.lang, id=args.id))
    return 0
