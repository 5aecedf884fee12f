"""Each platform's documented request bodies, limits and signing (sources in docs/NOTIFICATIONS.md).

WeCom (企业微信) group robot, ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY``:

* ``{"msgtype": "markdown", "markdown": {"content": ...}}`` — content at most 4,096 bytes of UTF-8; markdown
  cannot @-mention by mobile number;
* ``{"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list": [...]}}`` — content at most 2,048
  bytes; the mobile list @-mentions those members;
* ``{"msgtype": "image", "image": {"base64": ..., "md5": ...}}`` — JPG/PNG at most 2 MB before base64; md5 of
  the raw bytes (hex);
* at most 20 messages a minute per robot (errcode 45009 beyond).

DingTalk (钉钉) custom robot, ``POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN``:

* ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}, "at": {"atMobiles": [...], "isAtAll":
  false}}`` — a mentioned mobile must also appear as ``@mobile`` in the text;
* with 加签 (a ``SEC...`` secret) the URL gets ``&timestamp=<ms>&sign=<urlencode(base64(HmacSHA256(secret,
  timestamp + "\\n" + secret)))>``; the timestamp must be within one hour of DingTalk's clock (errcode 310000
  otherwise, and for a wrong signature);
* at most 20 messages a minute per robot (errcode 130101 beyond, throttled for 10 minutes);
* images only by public URL: the dashboard publishes nothing on the internet, so DingTalk gets the figures as
  text (the same lines the WeCom message carries).

Messages are kept within :data:`MARKDOWN_LIMIT` bytes on both platforms (DingTalk documents no markdown size in
the sources we found; 4,096 bytes is also what reads well on a phone): lines that do not fit are replaced by
one "…and N more" line.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from core.i18n import t
from core.notify.messages import Message

MARKDOWN_LIMIT = 4096           # bytes of UTF-8 (WeCom markdown.content; applied to DingTalk too)
TEXT_LIMIT = 2048               # bytes of UTF-8 (WeCom text.content)
IMAGE_LIMIT = 2 * 1024 * 1024   # bytes before base64 (WeCom image)
RATE_LIMIT_ERRCODES = {"wecom": 45009, "dingtalk": 130101}


def nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 on a character boundary, with '…' when cut."""
    if nbytes(text) <= limit:
        return text
    raw = text.encode("utf-8")[:max(limit - 3, 0)]
    return raw.decode("utf-8", errors="ignore") + "…"


def fit(head: list[str], items: list[str], foot: list[str], limit: int, more, sep: str = "\n") -> tuple[str, int]:
    """Join head + items + foot with `sep` within `limit` bytes: the last items give way to one `more(n)` line.

    Returns (text, number of items shown). Head and foot are always kept (cut only if they alone are too long).
    """
    def join(shown: list[str], left: int) -> str:
        return sep.join([*head, *shown, *([more(left)] if left else []), *foot])

    n = len(items)
    text = join(items, 0)
    while nbytes(text) > limit and n > 0:
        n -= 1
        text = join(items[:n], len(items) - n)
    return cut_bytes(text, limit), n


def _more(msg: Message):
    return lambda n: t("notify.more", msg.lang, n=n)


def sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: urlencode(base64(HmacSHA256(key=secret, msg=timestamp + "\\n" + secret)))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str | None, now_ms: int | None = None) -> str:
    """The DingTalk URL with ``timestamp`` and ``sign`` appended (unchanged without a secret)."""
    if not secret:
        return url
    ts = int(time.time() * 1000) if now_ms is None else int(now_ms)
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign(secret, ts)}"


def image_body(png: bytes) -> dict:
    """WeCom's image message: base64 of the bytes and the hex md5 of the same raw bytes."""
    return {"msgtype": "image", "image": {"base64": base64.b64encode(png).decode("ascii"),
                                          "md5": hashlib.md5(png).hexdigest()}}


def wecom_bodies(msg: Message) -> list[dict]:
    """WeCom: the markdown; then, when someone is to be @-mentioned, a short text message that mentions them by
    mobile (markdown cannot); then the image when there is one (and it is within 2 MB)."""
    content, shown = fit(msg.head, msg.items, msg.foot, MARKDOWN_LIMIT, _more(msg))
    bodies = [{"msgtype": "markdown", "markdown": {"content": content}}]
    mobiles = [m for m in msg.item_mobiles[:shown] if m]
    if mobiles:
        bodies.append({"msgtype": "text", "text": {"content": cut_bytes(msg.mention_text, TEXT_LIMIT),
                                                   "mentioned_mobile_list": mobiles}})
    if msg.image is not None and len(msg.image) <= IMAGE_LIMIT:
        bodies.append(image_body(msg.image))
    return bodies


def dingtalk_bodies(msg: Message) -> list[dict]:
    """DingTalk: one markdown message; mentioned members as ``@mobile`` in the text and in ``at.atMobiles``.
    Paragraphs are separated by a blank line (DingTalk joins single line breaks)."""
    items = [f"{line} @{m}" if m else line for line, m in zip(msg.items, msg.item_mobiles)]
    text, shown = fit(msg.head, items, msg.foot, MARKDOWN_LIMIT, _more(msg), sep="\n\n")
    mobiles = [m for m in msg.item_mobiles[:shown] if m]
    return [{"msgtype": "markdown", "markdown": {"title": cut_bytes(msg.title, 100), "text": text},
             "at": {"atMobiles": mobiles, "isAtAll": False}}]


def bodies_for(platform: str, msg: Message) -> list[dict]:
    return wecom_bodies(msg) if platform == "wecom" else dingtalk_bodies(msg)


def describe(body: dict) -> str:
    """A body as the dry run prints it: the text itself, an image by size and md5."""
    kind = body["msgtype"]
    if kind == "image":
        raw = base64.b64decode(body["image"]["base64"])
        return f"[image] PNG {len(raw):,} bytes, md5 {body['image']['md5']}"
    if kind == "text":
        return f"[text] {body['text']['content']}  → @ {', '.join(body['text']['mentioned_mobile_list'])}"
    text = body["markdown"].get("content") or body["markdown"].get("text")
    at = body.get("at", {}).get("atMobiles")
    return f"[markdown] {nbytes(text):,} bytes" + (f", @ {', '.join(at)}" if at else "") + "\n" + text
