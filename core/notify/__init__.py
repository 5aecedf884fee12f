"""Group robots (企业微信 / 钉钉 webhooks): the morning brief, missing-log reminders and coaching alerts in the
team's chat. See docs/NOTIFICATIONS.md.

hooks.py     the webhook configuration (validated, masked, director only) and the branch's message language
messages.py  what is said, before any platform's format (Message; morning, reminder, alert, test)
payloads.py  each platform's documented bodies, limits and DingTalk's signature
figures.py   the morning page's key figures as one PNG
sender.py    posting with retries and back-off
digest.py    the jobs (morning, reminders, alerts, send test) and the delivery log
"""
from core.notify.digest import (
                                Post,
                                Run,
                                Sender,
                                alert_candidates,
                                alerts,
                                deliveries_view,
                                missing_for,
                                morning,
                                reminders,
                                send_test,
                                settings_view,
)
from core.notify.hooks import (
                                PLATFORMS,
                                Hook,
                                add_webhook,
                                check,
                                get_hook,
                                list_hooks,
                                mask_secret,
                                mask_url,
                                message_lang,
                                remove_webhook,
                                set_message_lang,
                                webhooks_view,
)
from core.notify.messages import (
                                Message,
                                alert_message,
                                morning_message,
                                ping_message,
                                reminder_message,
)
from core.notify.payloads import (
                                IMAGE_LIMIT,
                                MARKDOWN_LIMIT,
                                TEXT_LIMIT,
                                bodies_for,
                                describe,
                                fit,
                                sign,
                                signed_url,
)
from core.notify.sender import BACKOFF, RETRY_ERRCODES, Answer, deliver

__all__ = [
                                "BACKOFF",
                                "IMAGE_LIMIT",
                                "MARKDOWN_LIMIT",
                                "PLATFORMS",
                                "RETRY_ERRCODES",
                                "TEXT_LIMIT",
                                "Answer",
                                "Hook",
                                "Message",
                                "Post",
                                "Run",
                                "Sender",
                                "add_webhook",
                                "alert_candidates",
                                "alert_message",
                                "alerts",
                                "bodies_for",
                                "check",
                                "deliver",
                                "deliveries_view",
                                "describe",
                                "fit",
                                "get_hook",
                                "list_hooks",
                                "mask_secret",
                                "mask_url",
                                "message_lang",
                                "missing_for",
                                "morning",
                                "morning_message",
                                "ping_message",
                                "reminder_message",
                                "reminders",
                                "remove_webhook",
                                "send_test",
                                "set_message_lang",
                                "settings_view",
                                "sign",
                                "signed_url",
                                "webhooks_view",
]
