"""What the robots say, before any platform's format: the morning brief, the missing-log reminder, the alert of
new high-severity coaching flags, the connection test.

A :class:`Message` has a head (always kept: the demo banner, the title, the headline figures), items (lines that
give way to one "…and N more" line when the platform's size limit is reached), a foot, and for each item the
mobile number to @-mention (or None). :mod:`core.notify.payloads` turns it into each platform's request bodies.
Markdown is kept to what both platforms render on a phone: ``##`` headings, ``**bold**``, ``>`` quotes and
``-`` list lines, no tables, no colours.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core import fmt
from core.coaching.flags import Flag
from core.i18n import fmt_date, fmt_pct, fmt_week, norm_lang, t
from core.routines.morning import KEY_TILES, MorningModel
from core.schema import metric_label

KINDS = ("morning", "reminder", "alert", "test")


@dataclass
class Message:
    kind: str                                   # morning | reminder | alert | test
    lang: str
    title: str                                  # the first line; DingTalk's title; the delivery log's "what"
    head: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    item_mobiles: list[str | None] = field(default_factory=list)
    foot: list[str] = field(default_factory=list)
    mention_text: str = ""                      # WeCom's text message that carries the @-mentions
    image: bytes | None = None                  # PNG of the key figures (WeCom)

    def __post_init__(self):
        if len(self.item_mobiles) < len(self.items):
            self.item_mobiles = [*self.item_mobiles, *[None] * (len(self.items) - len(self.item_mobiles))]


def _weekday(d: dt.date, lang: str) -> str:
    return t(f"notify.weekday.{d.weekday()}", lang)


def _banner(demo: bool, lang: str) -> list[str]:
    return [t("notify.demo_banner", lang)] if demo else []


def _scope_name(team: str | None, lang: str) -> str:
    return team or t("notify.whole_branch", lang)


def morning_message(model: MorningModel, lang: str, demo: bool, team: str | None = None,
                    image: bytes | None = None) -> Message:
    """The 晨会 brief: yesterday's figures, the month's pace, the talking points (praise first)."""
    lang = norm_lang(lang)
    title = t("notify.morning.title", lang, date=fmt_date(model.day, lang), weekday=_weekday(model.day, lang))
    head = [*_banner(demo, lang), f"## {title}", f"**{_scope_name(team, lang)}**"]
    if model.state != "ok":
        head.append(t("notify.morning.no_data", lang))
        return Message("morning", lang, title, head=head, image=image)
    tot = model.totals
    figures = " · ".join(f"{metric_label(m, lang, with_unit=False)} {fmt.amount(m, tot.get(m, 0.0), lang)}"
                         for m in KEY_TILES)
    head += [f"> {t('notify.morning.yesterday', lang, date=fmt_date(model.yesterday, lang))}{figures}",
             (f"> {t('notify.morning.logged', lang, logged=tot['logged'], total=tot['managers'])} · "
              f"{t('notify.morning.pace', lang, pace=fmt_pct(model.pace), left=model.workdays.get('left', 0))}")]
    items: list[str] = []
    if model.points:
        items.append(f"**{t('notify.morning.points', lang)}**")
        items += [f"{i}. {p}" for i, p in enumerate(model.points, 1)]
    if model.has_targets and len(model.tiles):
        items.append(f"**{t('notify.morning.month', lang)}**")
        for _, r in model.tiles.iterrows():
            status = t(f"notify.status.{r['status']}", lang) if r.get("status") in ("ahead", "on_pace", "behind") \
                else "—"
            items.append(t("notify.morning.tile", lang, metric=metric_label(r["metric"], lang, with_unit=False),
                           actual=fmt.amount(r["metric"], r["actual"], lang), attainment=fmt_pct(r["attainment"]),
                           status=status))
    return Message("morning", lang, title, head=head, items=items, image=image)


def reminder_message(missing: list[dict], day: dt.date, lang: str, demo: bool, team: str | None = None) -> Message:
    """Who has not logged `day` (rows: name, team, mobile or None), each @-mentioned where a mobile is known."""
    lang = norm_lang(lang)
    title = t("notify.reminder.title", lang, date=fmt_date(day, lang), weekday=_weekday(day, lang))
    head = [*_banner(demo, lang), f"## {title}",
            t("notify.reminder.intro", lang, n=len(missing), scope=_scope_name(team, lang),
              date=fmt_date(day, lang))]
    items = [f"- {r['name']}({r['team']})" if lang == "zh" else f"- {r['name']} ({r['team']})" for r in missing]
    mobiles = [r.get("mobile") or None for r in missing]
    return Message("reminder", lang, title, head=head, items=items, item_mobiles=mobiles,
                   foot=[t("notify.reminder.foot", lang)], mention_text=t("notify.reminder.mention", lang))


def alert_message(flags: list[Flag], week: str, lang: str, demo: bool, team: str | None = None) -> Message:
    """New high-severity flags of the rules marked ``alert: true``: who, which rule, and why (the numbers)."""
    lang = norm_lang(lang)
    title = t("notify.alert.title", lang, week=fmt_week(week, lang))
    head = [*_banner(demo, lang), f"## {title}",
            t("notify.alert.intro", lang, n=len(flags), scope=_scope_name(team, lang))]
    items = [t("notify.alert.item", lang, name=f.manager_name or f.employee_id, team=f.team,
               rule=t(f"coaching.rule.{f.rule_id}", lang), reason=f.reason(lang)) for f in flags]
    return Message("alert", lang, title, head=head, items=items, foot=[t("notify.alert.foot", lang)])


def ping_message(label: str, lang: str, demo: bool, at: dt.datetime) -> Message:
    lang = norm_lang(lang)
    title = t("notify.test.title", lang)
    return Message("test", lang, title, head=[*_banner(demo, lang), f"## {title}",
                                              t("notify.test.body", lang, label=label,
                                                at=at.strftime("%Y-%m-%d %H:%M"))])
