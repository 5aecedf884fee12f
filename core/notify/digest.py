"""The jobs cron runs — morning brief, missing-log reminder, alerts — and the "send test" button.

Each job reads with an internal director scope (:func:`core.scope.internal`: the branch's data, for the robots
of the branch and of each team), builds one :class:`core.notify.messages.Message` per robot — a team's robot
gets its team's figures and people, a branch robot the whole branch — and either returns the request bodies
(dry run) or posts them (:func:`core.notify.sender.deliver`), recording every post in the delivery log
(what, where, when, attempts, the platform's answer). Only a director runs them (the CLI acts as the system
director unless ``--as``).

Working days: the morning brief and the reminder do nothing on a day off of the bank's calendar
(``core.calendar`` with the stored overrides), so cron may call them every weekday and the CLI skips 国庆 and
the like, and posts on a 调休 Saturday. Alerts follow the same rule.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from core import calendar as cal
from core.coaching.service import active_rules, flags_for_week
from core.convert import as_date
from core.demo.load import is_demo
from core.errors import AppError
from core.notify import hooks as H
from core.notify.figures import morning_png
from core.notify.messages import (
    Message,
    alert_message,
    morning_message,
    ping_message,
    reminder_message,
)
from core.notify.payloads import bodies_for, signed_url
from core.notify.sender import Answer, deliver
from core.routines.frames import daily_snapshot
from core.routines.morning import morning_page
from core.scope import Scope, internal
from core.store import config as store_config
from core.store import notify as store_notify
from core.store.logs import read_logs, read_roster

JOB_SCOPE = "system:notify"


@dataclass
class Post:
    """One robot's part of a run: the message, its request bodies and (when sent) each body's answer."""
    hook: H.Hook
    message: Message | None
    bodies: list[dict] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    note: str = ""                                   # why nothing was posted (message key), if so

    @property
    def ok(self) -> bool:
        return all(a.ok for a in self.answers)


@dataclass
class Run:
    kind: str
    day: dt.date
    skipped: str = ""                                # message key when the whole run was skipped
    skipped_params: dict = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.posts)


@dataclass
class Sender:
    """How posts go out: `sleep` between retries and `post` (both injectable for tests)."""
    sleep: Callable[[float], None] = time.sleep
    post: Callable | None = None
    backoff: tuple[float, ...] | None = None


def _send(engine: Engine, scope: Scope, hook: H.Hook, msg: Message, bodies: list[dict], sender: Sender) -> list[Answer]:
    answers = []
    for body in bodies:
        kw = {k: v for k, v in (("post", sender.post), ("backoff", sender.backoff)) if v is not None}
        ans = deliver(lambda: signed_url(hook.url, hook.secret) if hook.platform == "dingtalk" else hook.url,
                      body, sleep=sender.sleep, **kw)
        store_notify.record_delivery(engine, hook.id, hook.target, msg.kind, f"{msg.title} [{body['msgtype']}]",
                                     ans.ok, ans.attempts, ans.http_status, ans.errcode, ans.text, scope.username)
        answers.append(ans)
        if not ans.ok:
            break                                  # the rest of this message would arrive without its start
    return answers


def _targets(engine: Engine, team: str | None) -> list[H.Hook]:
    hooks = H.list_hooks(engine, team)
    if not hooks:
        raise AppError("notify.no_webhooks_team" if team else "notify.no_webhooks", team=team or "")
    return hooks


def _workday(engine: Engine, kind: str, day: dt.date) -> Run | None:
    overrides = store_config.calendar_overrides(engine)
    if not cal.is_workday(day, overrides):
        return Run(kind, day, skipped="notify.skipped_dayoff", skipped_params={"date": day.isoformat()})
    return None


def _finish(engine, scope, run: Run, send: bool, sender: Sender) -> Run:
    for p in run.posts:
        if p.message is not None and not p.note:
            p.bodies = bodies_for(p.hook.platform, p.message)
            if send:
                p.answers = _send(engine, scope, p.hook, p.message, p.bodies, sender)
    return run


def morning(engine: Engine, scope: Scope, day=None, team: str | None = None, send: bool = False,
            sender: Sender | None = None) -> Run:
    """The 晨会 brief for each robot (of `team` only, when given) on `day` (default today)."""
    scope.require_director()
    day = as_date(day) if day is not None else dt.date.today()
    run = _workday(engine, "morning", day)
    if run:
        return run
    run, lang, demo = Run("morning", day), H.message_lang(engine), is_demo(engine)
    models: dict = {}
    for hook in _targets(engine, team):
        if hook.team not in models:
            model = morning_page(engine, internal(JOB_SCOPE), day, team=hook.team, lang=lang)
            models[hook.team] = (model, None)
        model, png = models[hook.team]
        if hook.platform == "wecom" and png is None and model.state == "ok":
            png = morning_png(model, lang)
            models[hook.team] = (model, png)
        msg = morning_message(model, lang, demo, team=hook.team, image=png if hook.platform == "wecom" else None)
        run.posts.append(Post(hook, msg))
    return _finish(engine, scope, run, send, sender or Sender())


def missing_for(engine: Engine, day: dt.date, team: str | None) -> list[dict]:
    """Active managers (of `team`, or all) without a daily log on `day`: name, team, employee_id, mobile."""
    everyone = internal(JOB_SCOPE)
    roster = read_roster(engine, everyone, team=team, include_inactive=False)
    if roster.empty:
        return []
    logs = read_logs(engine, everyone, start=day, end=day, team=team)
    snap = daily_snapshot(logs, roster, day)
    phones = store_notify.mobiles(engine, everyone)
    out = []
    for _, r in snap[~snap["logged"].astype(bool)].iterrows():
        out.append({"employee_id": r["employee_id"], "name": r["name"] if isinstance(r["name"], str) else
                    r["employee_id"], "team": r["team"], "mobile": phones.get(r["employee_id"])})
    return out


def reminders(engine: Engine, scope: Scope, day=None, team: str | None = None, send: bool = False,
              sender: Sender | None = None) -> Run:
    """Remind each robot's group of who has not logged the last working day before `day` (default today)."""
    scope.require_director()
    day = as_date(day) if day is not None else dt.date.today()
    run = _workday(engine, "reminder", day)
    if run:
        return run
    overrides = store_config.calendar_overrides(engine)
    yday = cal.previous_workday(day, overrides)
    run, lang, demo = Run("reminder", yday), H.message_lang(engine), is_demo(engine)
    for hook in _targets(engine, team):
        missing = missing_for(engine, yday, hook.team)
        if not missing:
            run.posts.append(Post(hook, None, note="notify.reminder.none"))
            continue
        run.posts.append(Post(hook, reminder_message(missing, yday, lang, demo, team=hook.team)))
    return _finish(engine, scope, run, send, sender or Sender())


def _episode_start(week: str, weeks: int) -> str:
    monday, _ = cal.week_bounds(week)
    return cal.week_key(monday - dt.timedelta(weeks=max(weeks, 1) - 1))


def _previous_week(week: str) -> str:
    monday, _ = cal.week_bounds(week)
    return cal.week_key(monday - dt.timedelta(weeks=1))


def alert_candidates(engine: Engine, day: dt.date) -> tuple[str, list]:
    """This week's active, unacknowledged high-severity flags of rules marked ``alert: true`` (the whole branch)."""
    rules = active_rules(engine)
    week = cal.week_key(day)
    flags = flags_for_week(engine, internal(JOB_SCOPE), week, rules=rules, as_of=day)
    return week, [f for f in flags if f.active and f.severity == "high" and not f.acknowledged
                  and rules.rules[f.rule_id].get("alert")]


def alerts(engine: Engine, scope: Scope, day=None, team: str | None = None, send: bool = False,
           sender: Sender | None = None) -> Run:
    """Post each new high-severity flag of an alerting rule once per robot: a flag that continues week after
    week is not posted again; one that resolved and fires again is a new episode and is posted."""
    scope.require_director()
    day = as_date(day) if day is not None else dt.date.today()
    run = _workday(engine, "alert", day)
    if run:
        return run
    week, candidates = alert_candidates(engine, day)
    run, lang, demo = Run("alert", day), H.message_lang(engine), is_demo(engine)
    prev = _previous_week(week)
    plans = []
    for hook in _targets(engine, team):
        sent = store_notify.sent_alerts(engine, hook.id)
        new, seen = [], []
        for f in candidates:
            if hook.team is not None and f.team != hook.team:
                continue
            since = _episode_start(week, f.weeks)
            mine = [s for s in sent if s["employee_id"] == f.employee_id and s["rule_id"] == f.rule_id]
            same = [s["id"] for s in mine if s["since_week"] == since or s["last_week"] >= prev]
            if same:
                seen += same
            else:
                new.append((f, since))
        post = Post(hook, alert_message([f for f, _ in new], week, lang, demo, team=hook.team) if new else None,
                    note="" if new else "notify.alert.none")
        run.posts.append(post)
        plans.append((post, new, seen))
    _finish(engine, scope, run, send, sender or Sender())
    if send:
        for post, new, seen in plans:
            if post.message is None:
                store_notify.mark_alerts(engine, post.hook.id, [], seen, week)
            elif post.ok:
                store_notify.mark_alerts(engine, post.hook.id, [(f.employee_id, f.rule_id, s) for f, s in new],
                                         seen, week)
    return run


def send_test(engine: Engine, scope: Scope, webhook_id: int, sender: Sender | None = None,
              now: dt.datetime | None = None) -> Post:
    """Post a short test message to one robot and record it (director only)."""
    scope.require_director()
    hook = H.get_hook(engine, webhook_id)
    msg = ping_message(hook.label, H.message_lang(engine), is_demo(engine), now or dt.datetime.now())
    post = Post(hook, msg, bodies_for(hook.platform, msg))
    post.answers = _send(engine, scope, hook, msg, post.bodies, sender or Sender())
    return post


def deliveries_view(engine: Engine, scope: Scope, limit: int = 50, failed_only: bool = False) -> list[dict]:
    """The delivery log for the Settings page and the CLI (director only); targets are stored masked."""
    scope.require_director()
    return store_notify.list_deliveries(engine, limit=limit, failed_only=failed_only)


def settings_view(engine: Engine, scope: Scope, limit: int = 50) -> dict:
    """Everything the Settings tab shows, in one call (director only): the robots (masked), the message language
    and the latest deliveries, failures first."""
    scope.require_director()
    rows = store_notify.list_deliveries(engine, limit=limit)
    return {"hooks": H.webhooks_view(engine, scope), "lang": H.message_lang(engine),
            "deliveries": [r for r in rows if not r["ok"]] + [r for r in rows if r["ok"]],
            "failed": sum(1 for r in rows if not r["ok"])}
