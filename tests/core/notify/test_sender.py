"""Posting to the local robot server: retries with back-off on the rate limits (45009 / 130101), 5xx and network
errors; no retry when the platform refuses (bad key, bad signature, too long); DingTalk's signature and timestamp
window checked by the server. The waits are recorded, not slept."""
from __future__ import annotations

import socket
import time

import pytest

from core import notify
from core.notify.messages import Message

MD = {"msgtype": "markdown", "markdown": {"content": "## 晨会简报"}}
DING_MD = {"msgtype": "markdown", "markdown": {"title": "晨会简报", "text": "## 晨会简报"},
           "at": {"atMobiles": [], "isAtAll": False}}


def _send(url_for, body, **kw):
    waits: list[float] = []
    ans = notify.deliver(url_for, body, sleep=waits.append, **kw)
    return ans, waits


@pytest.mark.parametrize("script, ok, attempts, waits, errcode", [
    ([], True, 1, [], 0),
    ([45009], True, 2, [5.0], 0),                          # rate-limited once: wait 5 s, then delivered
    ([45009, 45009, 45009], True, 4, [5.0, 20.0, 60.0], 0),
    ([45009, 45009, 45009, 45009], False, 4, [5.0, 20.0, 60.0], 45009),   # given up after 4 attempts
    ([500, 45009], True, 3, [5.0, 20.0], 0),               # HTTP 500 is retried too
])
def test_wecom_rate_limit_is_retried_with_back_off(robots, script, ok, attempts, waits, errcode):
    robots.wecom_keys.add("good")
    robots.script = list(script)
    ans, slept = _send(lambda: robots.wecom_url("good"), MD)
    assert (ans.ok, ans.attempts, slept, ans.errcode) == (ok, attempts, waits, errcode)
    assert len(robots.requests) == attempts
    assert robots.requests[0]["content_type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("script, ok, attempts, errcode", [
    ([130101, 130101], True, 3, 0),
    ([130101] * 4, False, 4, 130101),
])
def test_dingtalk_rate_limit_is_retried_and_resigned(robots, script, ok, attempts, errcode):
    robots.dingtalk["tok"] = "SEC0123456789abcdef"
    robots.script = list(script)
    ans, _ = _send(lambda: notify.signed_url(robots.dingtalk_url("tok"), "SEC0123456789abcdef"), DING_MD)
    assert (ans.ok, ans.attempts, ans.errcode) == (ok, attempts, errcode)
    # every attempt carries its own timestamp and sign
    assert all("timestamp" in r["query"] and "sign" in r["query"] for r in robots.requests)


@pytest.mark.parametrize("platform, setup, body, errcode", [
    ("wecom", lambda r: None, MD, 93000),                                              # unknown key
    ("wecom", lambda r: r.wecom_keys.add("good"),
     {"msgtype": "markdown", "markdown": {"content": "字" * 1366}}, 40058),             # 4,098 bytes > 4,096
    ("wecom", lambda r: r.wecom_keys.add("good"),
     {"msgtype": "image", "image": {"base64": "aGVsbG8=", "md5": "0" * 32}}, 301019),   # md5 not of "hello"
    ("dingtalk", lambda r: None, DING_MD, 300001),                                     # unknown token
    ("dingtalk", lambda r: r.dingtalk.update(tok=None),
     {"msgtype": "markdown", "markdown": {"text": "x"}}, 40035),                        # no title
])
def test_refusals_are_not_retried(robots, platform, setup, body, errcode):
    setup(robots)
    url = robots.wecom_url("good") if platform == "wecom" else robots.dingtalk_url("tok")
    ans, slept = _send(lambda: url, body)
    assert (ans.ok, ans.attempts, slept, ans.errcode) == (False, 1, [], errcode)
    assert str(errcode) in ans.text


def test_wecom_accepts_exactly_4096_bytes_and_the_right_md5(robots):
    robots.wecom_keys.add("good")
    ans, _ = _send(lambda: robots.wecom_url("good"), {"msgtype": "markdown", "markdown": {"content": "字" * 1365 + "a"}})
    assert ans.ok                                       # 1365 × 3 + 1 = 4,096 bytes
    msg = Message("morning", "zh", "t", head=["## t"], image=b"\x89PNG fake image bytes")
    image = notify.bodies_for("wecom", msg)[-1]
    assert _send(lambda: robots.wecom_url("good"), image)[0].ok


@pytest.mark.parametrize("secret_used, skew_ms, errmsg", [
    ("SEC0123456789abcdef", 0, None),
    ("SEC0123456789abcdef", 3_500_000, None),                 # 58 minutes off: inside the hour
    ("SEC0123456789abcdef", 3_700_000, "invalid timestamp"),  # 62 minutes off: refused
    ("SECwrongwrongwrong", 0, "sign not match"),
])
def test_dingtalk_signature_and_timestamp_window(robots, secret_used, skew_ms, errmsg):
    robots.dingtalk["tok"] = "SEC0123456789abcdef"
    now = int(time.time() * 1000)
    robots.clock_ms = now + skew_ms
    ans, _ = _send(lambda: notify.signed_url(robots.dingtalk_url("tok"), secret_used, now), DING_MD)
    assert ans.ok is (errmsg is None)
    if errmsg:
        assert ans.errcode == 310000 and errmsg in ans.text and ans.attempts == 1


def test_network_errors_are_retried_then_reported():
    with socket.socket() as s:                           # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ans, slept = _send(lambda: f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k", MD)
    assert (ans.ok, ans.attempts, slept, ans.http_status) == (False, 4, [5.0, 20.0, 60.0], None)
    assert "Error" in ans.text
