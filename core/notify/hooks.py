"""Group robots as configuration: a WeCom (企业微信) or DingTalk (钉钉) webhook per branch or team, validated.

A webhook URL carries the robot's key (WeCom ``?key=``, DingTalk ``?access_token=``) and DingTalk's signing
secret (``SEC...``) signs every post: whoever has them can post to the group. Both are stored server-side
(``core.store.notify``) and only ever shown masked (:func:`mask_url`, :func:`mask_secret`). Only a director
configures them (:meth:`core.scope.Scope.require_director`), and every change is audited.

The URL must be ``https`` (plain ``http`` only to this machine, 127.0.0.1/localhost: a local relay or a test
server) and carry its platform's key parameter. Every problem is reported at once as
``AppError("notify.invalid", problems=...)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import Engine

from core.errors import AppError
from core.i18n import LANGS, t
from core.scope import Scope
from core.store import config as store_config
from core.store import notify as store_notify

PLATFORMS = ("wecom", "dingtalk")
KEY_PARAM = {"wecom": "key", "dingtalk": "access_token"}
OFFICIAL_HOST = {"wecom": "qyapi.weixin.qq.com", "dingtalk": "oapi.dingtalk.com"}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
LANG_SETTING = "notify_lang"          # the branch's language for messages (zh default)
SECRET_RE = re.compile(r"^SEC[0-9A-Za-z]{8,}$")
MAX_URL = 1000


@dataclass(frozen=True)
class Hook:
    """A stored webhook. ``url`` and ``secret`` are for the sender only; show :attr:`masked` and
    :attr:`secret_masked`."""
    id: int
    platform: str
    url: str
    secret: str | None
    team: str | None
    label: str

    @property
    def masked(self) -> str:
        return mask_url(self.url)

    @property
    def secret_masked(self) -> str:
        return mask_secret(self.secret)

    @property
    def target(self) -> str:
        """Where a delivery went, as the delivery log keeps it: platform, label, masked URL."""
        return f"{self.platform} · {self.label} · {self.masked}"

    def public(self) -> dict:
        """What may be shown back (CLI list, Settings): never the full URL or secret."""
        return {"id": self.id, "platform": self.platform, "label": self.label, "team": self.team,
                "url": self.masked, "secret": self.secret_masked}


def _mask(value: str, keep: int = 4) -> str:
    if len(value) <= 2 * keep + 2:
        return "•" * 6
    return f"{value[:keep]}…{value[-keep:]}"


def mask_url(url: str) -> str:
    """The URL with its query values masked: ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=73fe…8d30``."""
    parts = urlsplit(url)
    query = "&".join(f"{k}={_mask(v[0])}" for k, v in parse_qs(parts.query, keep_blank_values=True).items())
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def mask_secret(secret: str | None) -> str:
    return "" if not secret else f"{secret[:3]}{'•' * 6}{secret[-2:]}"


def check(platform: str, url: str, secret: str | None, team: str | None, label: str | None) -> list[tuple]:
    """Every problem of a webhook to be added, as (message key, params) pairs; empty when it is fine."""
    problems: list[tuple] = []
    if platform not in PLATFORMS:
        return [("notify.bad_platform", {"platform": platform, "allowed": " / ".join(PLATFORMS)})]
    url = (url or "").strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not url or len(url) > MAX_URL or not host:
        problems.append(("notify.bad_url", {"url": mask_url(url)[:80]}))
    elif not (parts.scheme == "https" or (parts.scheme == "http" and host in LOCAL_HOSTS)):
        problems.append(("notify.not_https", {"url": mask_url(url)[:80]}))
    if host and not parse_qs(parts.query).get(KEY_PARAM[platform], [""])[0].strip():
        problems.append(("notify.no_key", {"param": KEY_PARAM[platform], "platform": platform}))
    if secret:
        if platform != "dingtalk":
            problems.append(("notify.secret_wecom", {}))
        elif not SECRET_RE.match(secret):
            problems.append(("notify.bad_secret", {}))
    if label is not None and len(label) > 100:
        problems.append(("notify.long_label", {"n": 100}))
    return problems


def _hook(row: dict) -> Hook:
    return Hook(id=int(row["id"]), platform=row["platform"], url=row["url"], secret=row["secret"], team=row["team"],
                label=row["label"])


def add_webhook(engine: Engine, scope: Scope, platform: str, url: str, secret: str | None = None,
                team: str | None = None, label: str | None = None) -> Hook:
    """Validate and store a webhook (director only). The label defaults to the team (or 全行 / branch)."""
    scope.require_director()
    platform = (platform or "").strip().lower()
    url, secret = (url or "").strip(), (secret or "").strip() or None
    team = (team or "").strip() or None
    label = (label or "").strip() or None
    problems = check(platform, url, secret, team, label)
    if problems:
        raise AppError("notify.invalid", problems=[AppError(k, **p) for k, p in problems])
    label = label or team or t("notify.whole_branch", message_lang(engine))
    wid = store_notify.add_webhook(engine, scope, platform, url, secret, team, label, mask_url(url))
    return _hook(store_notify.get_webhook(engine, wid))


def remove_webhook(engine: Engine, scope: Scope, webhook_id: int) -> Hook:
    scope.require_director()
    return _hook(store_notify.remove_webhook(engine, scope, int(webhook_id)))


def list_hooks(engine: Engine, team: str | None = None) -> list[Hook]:
    return [_hook(r) for r in store_notify.list_webhooks(engine, team)]


def get_hook(engine: Engine, webhook_id: int) -> Hook:
    return _hook(store_notify.get_webhook(engine, int(webhook_id)))


def webhooks_view(engine: Engine, scope: Scope) -> list[dict]:
    """The webhooks as a director may see them (masked). Others are refused."""
    scope.require_director()
    return [h.public() for h in list_hooks(engine)]


def message_lang(engine: Engine) -> str:
    """The branch's language for robot messages (setting ``notify_lang``; zh by default)."""
    value = (store_config.get_setting(engine, LANG_SETTING) or "").strip()
    return value if value in LANGS else "zh"


def set_message_lang(engine: Engine, scope: Scope, lang: str) -> None:
    scope.require_director()
    if lang not in LANGS:
        raise AppError("notify.bad_lang", lang=lang, allowed=" / ".join(LANGS))
    store_config.set_setting(engine, scope, LANG_SETTING, lang)
