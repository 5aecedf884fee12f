"""Posting to a group robot: JSON over HTTPS, retried with back-off when the platform says "too fast" or the
network fails, given up at once when the platform refuses the request (bad key, bad signature, bad body).

Both platforms answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}`` on success and a non-zero errcode
otherwise. Retried: the rate limits (WeCom 45009, DingTalk 130101), HTTP 5xx and 429, network errors and
timeouts. Waits come from :data:`BACKOFF` (seconds, one per retry); `sleep` is injectable so tests record the
waits instead of sleeping. A DingTalk URL is re-signed for every attempt (the signature's timestamp must be
fresh).
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

RETRY_ERRCODES = frozenset({45009, 130101})
BACKOFF = (5.0, 20.0, 60.0)          # seconds before the 2nd, 3rd and 4th attempt
TIMEOUT = 15.0
USER_AGENT = "cm-dashboard-notify/1"


@dataclass
class Answer:
    """What the platform said to one message (after retries)."""
    ok: bool
    attempts: int
    http_status: int | None = None
    errcode: int | None = None
    text: str = ""                    # the platform's answer, or the network error

    @property
    def rate_limited(self) -> bool:
        return self.errcode in RETRY_ERRCODES


def post_json(url: str, body: dict, timeout: float = TIMEOUT) -> tuple[int, str]:
    """POST `body` as UTF-8 JSON; (HTTP status, response text). Network failures raise OSError."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8",
                                          "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(65536).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(65536).decode("utf-8", errors="replace")


def _errcode(text: str) -> int | None:
    try:
        value = json.loads(text).get("errcode")
    except (ValueError, AttributeError):
        return None
    return int(value) if isinstance(value, (int, float)) else None


def deliver(url_for: Callable[[], str], body: dict, sleep: Callable[[float], None] = time.sleep,
            backoff: tuple[float, ...] = BACKOFF, post: Callable = post_json) -> Answer:
    """Post `body` to ``url_for()`` (called per attempt), retrying per the module rules."""
    answer = Answer(ok=False, attempts=0)
    for attempt in range(len(backoff) + 1):
        if attempt:
            sleep(backoff[attempt - 1])
        answer.attempts = attempt + 1
        try:
            status, text = post(url_for(), body)
        except OSError as exc:           # refused, unreachable, timed out: worth another try
            answer.http_status, answer.errcode, answer.text = None, None, f"{type(exc).__name__}: {exc}"[:500]
            continue
        answer.http_status, answer.text, answer.errcode = status, text, _errcode(text)
        if status == 200 and answer.errcode == 0:
            answer.ok = True
            return answer
        if not (answer.errcode in RETRY_ERRCODES or status >= 500 or status == 429):
            return answer                # refused: a bad key, signature or body will not get better
    return answer
