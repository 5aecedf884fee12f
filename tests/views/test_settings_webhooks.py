"""Settings → 群机器人 (AppTest, on the demo bank): a director lists robots (masked), adds one, sends a test message
to the local robot server, sees the delivery and the failures, removes one; bad input says what is wrong and
stores nothing."""
from __future__ import annotations

import pytest

from core import notify, store
from core.i18n import t
from core.scope import SYSTEM
from tests.core.notify.robots import Robots
from tests.views.helpers import texts
from tests.views.test_settings import again, button, open_settings

KEY = "73febdcb-1b38-4d1b-a994-790f21fc8d30"
TOKEN = "d1ngtalk0access0token99"
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def robots():
    r = Robots().start()
    yield r
    r.stop()


def _all_text(at) -> str:
    frames = "\n".join(df.value.to_csv() for df in at.dataframe)
    return texts(at) + "\n" + frames


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_director_adds_a_dingtalk_robot_and_sees_it_masked(demo_db_url, robots, lang):
    robots.dingtalk[TOKEN] = SECRET
    at = open_settings(demo_db_url, "demo_director", lang)
    assert not at.exception, at.exception
    assert t("notify.settings.tab", lang) in [tb.label for tb in at.tabs]
    assert t("notify.settings.none", lang) in texts(at)
    at.selectbox(key="hooks_platform").select("dingtalk")
    at.text_input(key="hooks_url").input(robots.dingtalk_url(TOKEN))
    at.text_input(key="hooks_secret").input(SECRET)
    at.selectbox(key="hooks_team").select("对公一队")
    button(at, t("notify.settings.add_button", lang)).click()
    at = again(at, demo_db_url, "demo_director", lang)
    assert not at.exception, at.exception
    body = _all_text(at)
    assert t("notify.settings.added", lang, id=1) in body
    assert TOKEN not in body and SECRET not in body
    assert "access_token=d1ng…en99" in body and "SEC••••••ef" in body
    (hook,) = notify.list_hooks(store.get_engine(demo_db_url))
    assert (hook.platform, hook.team, hook.secret) == ("dingtalk", "对公一队", SECRET)


def test_send_test_succeeds_then_a_failure_is_shown(demo_db_url, robots):
    robots.wecom_keys.add(KEY)
    eng = store.get_engine(demo_db_url)
    notify.add_webhook(eng, SYSTEM, "wecom", robots.wecom_url(KEY), label="晨会群")
    notify.add_webhook(eng, SYSTEM, "wecom", robots.wecom_url("revoked-key-0000"), label="旧群")
    at = open_settings(demo_db_url, "demo_director", "zh")
    button(at, t("notify.settings.test_button", "zh")).click()
    at = again(at, demo_db_url, "demo_director", "zh")
    assert t("notify.settings.test_ok", "zh", attempts=1) in texts(at)
    (req,) = robots.requests
    assert req["body"]["markdown"]["content"].startswith("**【演示数据】**")     # the demo bank says so
    at.selectbox(key="hooks_pick").select(2)
    button(at, t("notify.settings.test_button", "zh")).click()
    at = again(at, demo_db_url, "demo_director", "zh")
    body = _all_text(at)
    assert t("notify.settings.failures", "zh", n=1) in body
    assert "invalid webhook url" in body and KEY not in body
    assert len(at.error) == 1 and "93000" in at.error[0].value


def test_remove_and_bad_input(demo_db_url, robots):
    eng = store.get_engine(demo_db_url)
    notify.add_webhook(eng, SYSTEM, "wecom", robots.wecom_url(KEY))
    at = open_settings(demo_db_url, "demo_director", "en")
    at.text_input(key="hooks_url").input("http://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    button(at, t("notify.settings.add_button", "en")).click()
    at.run()
    errors = [e.value for e in at.error]
    assert any(t("notify.invalid", "en") in e and "https://" in e and "key" in e for e in errors), errors
    assert len(notify.list_hooks(eng)) == 1
    button(at, t("notify.settings.remove_button", "en")).click()
    at = again(at, demo_db_url, "demo_director", "en")
    assert t("notify.settings.removed", "en", id=1) in texts(at)
    assert notify.list_hooks(eng) == []


@pytest.mark.parametrize("username", ["demo_lead", "demo_manager"])
def test_non_directors_cannot_open_it(demo_db_url, username):
    at = open_settings(demo_db_url, username)
    assert [e.value for e in at.error] == [t("settings.directors_only", "zh")]
    assert t("notify.settings.tab", "zh") not in [tb.label for tb in at.tabs]
