"""Message builders and each platform's bodies: size limits, truncation with "…and N more", @-mentions, the
image's base64 + md5, DingTalk's signature, the demo banner, masking and the webhook checks. Pure: no database."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

import pytest

from core import notify
from core.i18n import t
from core.notify.messages import Message, reminder_message
from core.notify.payloads import cut_bytes, nbytes

DAY = dt.date(2026, 11, 20)


def _missing(n: int, mobile_every: int = 1) -> list[dict]:
    return [{"name": f"经理{i:03d}", "team": "对公一队", "mobile": f"138{i:08d}" if i % mobile_every == 0 else None}
            for i in range(n)]


# ---------------------------------------------------------------- fit: head and foot kept, items give way

@pytest.mark.parametrize("items, limit, shown, more", [
    # head "H" (1 byte) + "\n" + items of 9 bytes each ("item-00x" is 8 + "\n"); foot "F".
    (["item-001", "item-002", "item-003"], 100, 3, None),                 # 1+1 + 3*9 + 1 = 30 bytes: all fit
    # limit 30: 3 items = 30 bytes exactly → all fit (the limit is inclusive)
    (["item-001", "item-002", "item-003"], 30, 3, None),
    # limit 29: 2 items + "…and 1 more" (11 bytes + \n) = 2 + 18 + 12 + 1 = 33 > 29 → 1 item + "…and 2 more"
    # = 2 + 9 + 12 + 1 = 24 ≤ 29
    (["item-001", "item-002", "item-003"], 29, 1, 2),
    # limit 14: nothing but "…and 3 more": 2 + 12 + 1 = 15 > 14 → cut with '…' (head/foot kept as far as they go)
    (["item-001", "item-002", "item-003"], 14, 0, 3),
])
def test_fit_replaces_the_last_items_by_one_more_line(items, limit, shown, more):
    text, n = notify.fit(["H"], items, ["F"], limit, lambda k: f"…and {k} more")
    assert n == shown
    assert nbytes(text) <= limit
    if more is not None and nbytes(text) < limit:
        assert f"…and {more} more" in text
    if more is None:
        assert text == "\n".join(["H", *items, "F"])


def test_cut_bytes_never_splits_a_character():
    # "晨会" is 6 bytes; a 5-byte cut keeps 2 bytes for the text → nothing of 晨 (3 bytes) fits, then "…" (3 bytes)
    assert cut_bytes("晨会", 6) == "晨会"
    assert cut_bytes("晨会", 5) == "…"
    assert cut_bytes("晨会简报", 9) == "晨会…"   # 9 − 3 = 6 bytes → 晨会 (6), then … (3) = 9 bytes
    assert cut_bytes("晨会简报", 8) == "晨…"     # 8 − 3 = 5 bytes → 晨 + 2 bytes of 会 → 晨, then … = 6 bytes


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_reminder_stays_within_4096_bytes_with_a_more_line(platform, lang):
    msg = reminder_message(_missing(400), DAY, lang, demo=False, team="对公一队")
    body = notify.bodies_for(platform, msg)[0]
    text = body["markdown"].get("content") or body["markdown"]["text"]
    assert nbytes(text) <= notify.MARKDOWN_LIMIT
    shown = sum(1 for line in text.split("\n") if line.startswith("- 经理"))
    more = t("notify.more", lang, n=400 - shown)
    assert more in text and 0 < shown < 400
    assert text.rstrip().endswith(t("notify.reminder.foot", lang))        # the foot survives the cut


def test_wecom_mentions_by_mobile_in_a_text_message_and_only_those_shown():
    msg = reminder_message(_missing(400, mobile_every=2), DAY, "zh", demo=False)
    md, text = notify.bodies_for("wecom", msg)
    shown = [line[2:7] for line in md["markdown"]["content"].split("\n") if line.startswith("- 经理")]
    assert "@" not in md["markdown"]["content"]                       # markdown cannot @ by mobile
    expected = [f"138{int(n[2:]):08d}" for n in shown if int(n[2:]) % 2 == 0]
    assert text == {"msgtype": "text", "text": {"content": t("notify.reminder.mention", "zh"),
                                                "mentioned_mobile_list": expected}}


def test_dingtalk_mentions_in_the_text_and_in_at_mobiles():
    missing = [{"name": "张伟", "team": "对公一队", "mobile": "13800138001"},
               {"name": "王强", "team": "对公一队", "mobile": None}]
    (body,) = notify.bodies_for("dingtalk", reminder_message(missing, DAY, "zh", demo=False, team="对公一队"))
    assert body["at"] == {"atMobiles": ["13800138001"], "isAtAll": False}
    assert "- 张伟(对公一队) @13800138001" in body["markdown"]["text"]
    assert "- 王强(对公一队)\n" in body["markdown"]["text"] + "\n"
    assert body["markdown"]["title"] == t("notify.reminder.title", "zh", date="2026年11月20日", weekday="周五")
    assert "\n\n" in body["markdown"]["text"]                    # DingTalk paragraphs: blank-line separated


def test_reminder_without_mobiles_has_no_mention_message():
    msg = reminder_message(_missing(3, mobile_every=99), DAY, "zh", demo=False)
    # i = 0 is a multiple of 99 → only 经理000 has a mobile
    _, text = notify.bodies_for("wecom", msg)
    assert text["text"]["mentioned_mobile_list"] == ["13800000000"]
    msg = reminder_message([{"name": "王强", "team": "A", "mobile": None}], DAY, "zh", demo=False)
    assert [b["msgtype"] for b in notify.bodies_for("wecom", msg)] == ["markdown"]


@pytest.mark.parametrize("size, sent", [(1000, True), (2 * 1024 * 1024, True), (2 * 1024 * 1024 + 1, False)])
def test_wecom_image_is_base64_with_the_md5_of_the_raw_bytes_up_to_2_mb(size, sent):
    png = bytes(range(256)) * (size // 256) + bytes(size % 256)
    msg = Message("morning", "zh", "晨会简报", head=["## 晨会简报"], image=png)
    bodies = notify.bodies_for("wecom", msg)
    images = [b for b in bodies if b["msgtype"] == "image"]
    assert bool(images) is sent
    if sent:
        assert base64.b64decode(images[0]["image"]["base64"]) == png
        assert images[0]["image"]["md5"] == hashlib.md5(png).hexdigest()
    assert all(b["msgtype"] != "image" for b in notify.bodies_for("dingtalk", msg))   # DingTalk: URL images only


@pytest.mark.parametrize("demo, lang", [(True, "zh"), (True, "en"), (False, "zh")])
def test_demo_messages_say_so_at_the_top(demo, lang):
    msg = reminder_message(_missing(2), DAY, lang, demo=demo)
    for platform in ("wecom", "dingtalk"):
        body = notify.bodies_for(platform, msg)[0]
        text = body["markdown"].get("content") or body["markdown"]["text"]
        assert text.startswith(t("notify.demo_banner", lang)) is demo
        assert ("演示数据" in text) is demo


def test_dingtalk_signature_is_hmac_sha256_base64_urlencoded():
    secret, ts = "SEC0123456789abcdef", 1_763_600_000_000
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    assert notify.sign(secret, ts) == urllib.parse.quote_plus(base64.b64encode(mac).decode())
    url = notify.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["timestamp"] == [str(ts)] and q["sign"] == [base64.b64encode(mac).decode()]
    assert notify.signed_url("https://x/robot/send?access_token=abc", None, ts) == "https://x/robot/send?access_token=abc"


# ---------------------------------------------------------------- masking and the webhook checks

@pytest.mark.parametrize("url, masked", [
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=73febdcb-1b38-4d1b-a994-790f21fc8d30",
     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=73fe…8d30"),
    ("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123",
     "https://oapi.dingtalk.com/robot/send?access_token=0123…0123"),
    ("https://oapi.dingtalk.com/robot/send?access_token=short", "https://oapi.dingtalk.com/robot/send?access_token=••••••"),
])
def test_urls_are_masked(url, masked):
    assert notify.mask_url(url) == masked


@pytest.mark.parametrize("secret, masked", [("SEC0123456789abcdef", "SEC••••••ef"), (None, ""), ("", "")])
def test_secrets_are_masked(secret, masked):
    assert notify.mask_secret(secret) == masked


WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=73febdcb-1b38"
DING = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"


@pytest.mark.parametrize("platform, url, secret, keys", [
    ("wecom", WECOM, None, []),
    ("dingtalk", DING, "SEC0123456789", []),
    ("dingtalk", DING, None, []),
    ("wecom", "http://127.0.0.1:8080/cgi-bin/webhook/send?key=k", None, []),          # a local relay
    ("feishu", WECOM, None, ["notify.bad_platform"]),
    ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", None, ["notify.not_https"]),
    ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", None, ["notify.no_key"]),
    ("dingtalk", WECOM, None, ["notify.no_key"]),                                      # key= is not access_token=
    ("wecom", WECOM, "SEC0123456789", ["notify.secret_wecom"]),
    ("dingtalk", DING, "0123456789", ["notify.bad_secret"]),
    ("wecom", "", None, ["notify.bad_url"]),
    ("dingtalk", "ftp://oapi.dingtalk.com/robot/send", "x", ["notify.not_https", "notify.no_key",
                                                             "notify.bad_secret"]),
])
def test_webhook_checks_report_every_problem(platform, url, secret, keys):
    assert [k for k, _ in notify.check(platform, url, secret, None, None)] == keys
