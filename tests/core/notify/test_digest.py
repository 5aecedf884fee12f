"""The jobs against the local robot server on SQLite and PostgreSQL: the morning brief (markdown + PNG on WeCom,
signed markdown on DingTalk), working days only, the missing-log reminder with @-mentions, alerts posted once,
failures recorded, the demo banner, the branch's language, and who may run or configure them.

The bank (conftest): on Fri 20 Nov 2026 only C1 (对公一队) and R1 (零售一队) logged 4 visits, 1 new customer and
10 万元 deposits each; C2 and C3 (对公一队) did not.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest

from core import notify
from core.coaching.flags import Flag
from core.errors import ScopeError
from core.i18n import t
from core.notify import digest
from core.scope import SYSTEM, Scope
from core.store import config as store_config
from core.store import notify as store_notify
from tests.core.notify.conftest import MONDAY

SECRET = "SEC0123456789abcdef"
KEY = "73febdcb-1b38-4d1b-a994-790f21fc8d30"
TOKEN = "d1ngtalk0access0token99"
NO_WAIT = notify.Sender(sleep=lambda s: None)


def _hooks(engine, robots, wecom_team=None, ding_team="对公一队"):
    robots.wecom_keys.add(KEY)
    robots.dingtalk[TOKEN] = SECRET
    w = notify.add_webhook(engine, SYSTEM, "wecom", robots.wecom_url(KEY), team=wecom_team)
    d = notify.add_webhook(engine, SYSTEM, "dingtalk", robots.dingtalk_url(TOKEN), secret=SECRET, team=ding_team)
    return w, d


def test_morning_brief_posts_markdown_and_png_to_wecom_and_signed_markdown_to_dingtalk(bank, robots):
    _hooks(bank, robots)
    run = notify.morning(bank, SYSTEM, MONDAY, send=True, sender=NO_WAIT)
    assert run.ok and [p.hook.platform for p in run.posts] == ["wecom", "dingtalk"]
    md = robots.of("markdown")
    wecom_md = next(r for r in md if r["path"] == "/cgi-bin/webhook/send")["body"]["markdown"]["content"]
    ding = next(r for r in md if r["path"] == "/robot/send")
    # branch: C1 + R1 logged → 8 visits, 2 new customers, 20.00 万元; 2 of 4 logged
    assert "拜访客户数 8 户 · 新增客户数 2 户 · 新增存款 20.00 万元 · 信用卡 0 张" in wecom_md
    assert "日报提交 2/4 人" in wecom_md and "**全行**" in wecom_md
    # 对公一队: only C1 → 4 visits, 1 new customer, 10.00 万元; 1 of 3 logged
    text = ding["body"]["markdown"]["text"]
    assert "拜访客户数 4 户 · 新增客户数 1 户 · 新增存款 10.00 万元" in text and "日报提交 1/3 人" in text
    assert ding["body"]["markdown"]["title"] == t("notify.morning.title", "zh", date="2026年11月23日", weekday="周一")
    assert set(ding["query"]) == {"access_token", "timestamp", "sign"}
    (img,) = robots.of("image")
    raw = base64.b64decode(img["body"]["image"]["base64"])
    assert raw[:8] == b"\x89PNG\r\n\x1a\n" and img["body"]["image"]["md5"] == hashlib.md5(raw).hexdigest()
    assert len(raw) <= notify.IMAGE_LIMIT
    rows = store_notify.list_deliveries(bank)
    assert [(r["kind"], r["ok"], r["attempts"], r["errcode"]) for r in rows] == [("morning", True, 1, 0)] * 3
    assert all(KEY not in r["target"] and TOKEN not in r["target"] for r in rows)     # stored masked


@pytest.mark.parametrize("day, override, sent", [
    (dt.date(2026, 11, 23), None, True),                # Monday
    (dt.date(2026, 11, 21), None, False),               # Saturday
    (dt.date(2026, 10, 1), None, False),                # 国庆节 (a Thursday)
    (dt.date(2026, 11, 28), True, True),                # a Saturday the bank made a working day
    (dt.date(2026, 11, 24), False, False),              # a Tuesday the bank gave off
])
@pytest.mark.parametrize("job", ["morning", "reminders", "alerts"])
def test_jobs_run_on_working_days_only(bank, robots, day, override, sent, job):
    _hooks(bank, robots)
    if override is not None:
        store_config.set_calendar_override(bank, SYSTEM, day, override)
    run = getattr(notify, job)(bank, SYSTEM, day, send=False)
    assert (run.skipped == "") is sent
    if not sent:
        assert run.skipped == "notify.skipped_dayoff" and run.posts == []


def test_reminder_names_who_did_not_log_and_mentions_them_by_mobile(bank, robots):
    robots.wecom_keys.add(KEY)
    robots.dingtalk[TOKEN] = SECRET
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY), team="对公一队")
    notify.add_webhook(bank, SYSTEM, "dingtalk", robots.dingtalk_url(TOKEN), secret=SECRET, team="对公一队")
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY), team="零售一队")
    run = notify.reminders(bank, SYSTEM, MONDAY, send=True, sender=NO_WAIT)
    assert run.day == dt.date(2026, 11, 20) and run.ok
    assert [p.note for p in run.posts] == ["", "", "notify.reminder.none"]       # 零售一队: everyone logged
    wecom = [r["body"] for r in robots.requests if r["path"] == "/cgi-bin/webhook/send"]
    assert "- 李娜(对公一队)\n- 王强(对公一队)" in wecom[0]["markdown"]["content"]
    assert wecom[1] == {"msgtype": "text", "text": {"content": t("notify.reminder.mention", "zh"),
                                                    "mentioned_mobile_list": ["13800138002"]}}
    ding = next(r["body"] for r in robots.requests if r["path"] == "/robot/send")
    assert ding["at"]["atMobiles"] == ["13800138002"] and "@13800138002" in ding["markdown"]["text"]
    assert "张伟" not in ding["markdown"]["text"]                                  # C1 logged


def _flag(eid, rule, severity="high", weeks=1, acknowledged=False):
    team = "零售一队" if eid.startswith("R") else "对公一队"
    return Flag(employee_id=eid, manager_name={"C1": "张伟", "R1": "赵敏"}.get(eid, eid), team=team, rule_id=rule,
                severity=severity, evidence={}, reason_zh=f"{rule} 的原因", reason_en=f"{rule} reason", focus="attitude",
                focus_zh="态度", focus_en="attitude", history="new" if weeks == 1 else "continuing", weeks=weeks,
                acknowledged=acknowledged)


def test_a_new_high_severity_flag_is_posted_once(bank, robots, monkeypatch):
    robots.wecom_keys.add(KEY)
    branch = notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY))
    retail = notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY), team="零售一队")
    weeks = {  # the flags each Monday's evaluation returns
        dt.date(2026, 11, 23): [_flag("C1", "complaints"),                          # new, alerting → posted
                                _flag("C1", "behind_pace"),                          # alert: false by default
                                _flag("R1", "complaints", severity="medium"),        # not high
                                _flag("R1", "month_end_spike", acknowledged=True)],  # acknowledged
        dt.date(2026, 11, 30): [_flag("C1", "complaints", weeks=2)],                # continuing → not again
        dt.date(2026, 12, 7): [_flag("C1", "complaints", weeks=3)],
        dt.date(2026, 12, 14): [],                                                   # resolved
        dt.date(2026, 12, 21): [_flag("C1", "complaints"),                          # fires again: new episode
                                _flag("R1", "month_end_spike")],
    }
    monkeypatch.setattr(digest, "flags_for_week", lambda engine, scope, week, rules=None, as_of=None: weeks[as_of])
    posted = {}
    for day in weeks:
        run = notify.alerts(bank, SYSTEM, day, send=True, sender=NO_WAIT)
        posted[day] = {p.hook.id: [ln for ln in p.message.items] if p.message else [] for p in run.posts}
    assert [len(posted[d][branch.id]) for d in weeks] == [1, 0, 0, 0, 2]
    assert [len(posted[d][retail.id]) for d in weeks] == [0, 0, 0, 0, 1]            # its team's flags only
    assert posted[dt.date(2026, 11, 23)][branch.id] == [t("notify.alert.item", "zh", name="张伟", team="对公一队",
                                                          rule="客户投诉", reason="complaints 的原因")]
    assert len(robots.of("markdown")) == 3                                           # W48 branch, W52 both


def test_an_alert_that_failed_is_posted_on_the_next_run(bank, robots, monkeypatch):
    robots.wecom_keys.add(KEY)
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY))
    monkeypatch.setattr(digest, "flags_for_week", lambda *a, **k: [_flag("C1", "complaints")])
    robots.script = [45009] * 4                                                       # rate-limited throughout
    assert not notify.alerts(bank, SYSTEM, MONDAY, send=True, sender=NO_WAIT).ok
    run = notify.alerts(bank, SYSTEM, MONDAY, send=True, sender=NO_WAIT)
    assert run.ok and len(run.posts[0].message.items) == 1
    assert len(notify.alerts(bank, SYSTEM, MONDAY, send=True, sender=NO_WAIT).posts[0].message or []) == 0


def test_failures_are_recorded_with_the_platform_answer(bank, robots):
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url("revoked"))           # the server knows no such key
    post = notify.send_test(bank, SYSTEM, 1, sender=NO_WAIT)
    assert not post.ok
    (row,) = store_notify.list_deliveries(bank, failed_only=True)
    assert (row["kind"], row["ok"], row["attempts"], row["errcode"], row["http_status"]) == ("test", False, 1, 93000, 200)
    assert "invalid webhook url" in row["answer"]
    view = notify.settings_view(bank, SYSTEM)
    assert view["failed"] == 1 and view["deliveries"][0]["id"] == row["id"]


@pytest.mark.parametrize("lang, demo, first", [("zh", True, "**【演示数据】**"), ("en", False, "## Morning brief"),
                                               ("en", True, "**[演示数据 · DEMO DATA]**")])
def test_language_and_demo_banner(bank, robots, lang, demo, first):
    robots.wecom_keys.add(KEY)
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY))
    notify.set_message_lang(bank, SYSTEM, lang)
    if demo:
        store_config.set_setting(bank, SYSTEM, "demo_mode", "true")
    run = notify.morning(bank, SYSTEM, MONDAY, send=False)
    assert run.posts[0].bodies[0]["markdown"]["content"].startswith(first)


LEAD = Scope("team_lead", username="lead", team="对公一队")
CM = Scope("manager", username="cm", employee_id="C1")


@pytest.mark.parametrize("scope", [LEAD, CM])
@pytest.mark.parametrize("call", [
    lambda e, s: notify.add_webhook(e, s, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"),
    lambda e, s: notify.remove_webhook(e, s, 1),
    lambda e, s: notify.send_test(e, s, 1),
    lambda e, s: notify.webhooks_view(e, s),
    lambda e, s: notify.settings_view(e, s),
    lambda e, s: notify.set_message_lang(e, s, "en"),
    lambda e, s: notify.morning(e, s, MONDAY),
    lambda e, s: notify.reminders(e, s, MONDAY),
    lambda e, s: notify.alerts(e, s, MONDAY),
])
def test_only_directors_configure_or_send(bank, robots, scope, call):
    robots.wecom_keys.add(KEY)
    notify.add_webhook(bank, SYSTEM, "wecom", robots.wecom_url(KEY))
    with pytest.raises(ScopeError):
        call(bank, scope)
    assert len(notify.list_hooks(bank)) == 1 and robots.requests == []


def test_a_webhook_for_an_unknown_team_is_refused_and_nothing_stored(bank):
    with pytest.raises(Exception) as exc:
        notify.add_webhook(bank, SYSTEM, "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                           team="不存在的队")
    assert exc.value.message("zh") == t("notify.unknown_team", "zh", team="不存在的队")
    assert notify.list_hooks(bank) == []


@pytest.mark.parametrize("lang, title", [("zh", "辅导预警 · 2026年第47周(11/16–11/22)"),
                                         ("en", "Coaching alert · 2026-W47 (Nov 16–Nov 22)")])
def test_alert_title_names_the_week_as_people_say_it(lang, title):
    from core.notify.messages import alert_message
    msg = alert_message([_flag("R1", "month_end_spike")], "2026-W47", lang, demo=False)
    assert msg.title == title and f"## {title}" in msg.head
