"""A coaching flag (one manager, one rule, one review week), its ordering and its acknowledgement."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from core import calendar as cal
from core.coaching.rules import RULE_IDS, RULES, SEVERITIES, Hit
from core.i18n import t

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
HISTORIES: tuple[str, ...] = ("new", "continuing", "resolved")


class _Reason:
    """A flag's reason sentence in one language, written when first read: an evaluation of a branch makes
    thousands of flags (every manager, this week and last) and a page reads the reasons of the few it shows.
    Set explicitly (``Flag(..., reason_zh="…")``) it is that text; left out, it is built from the flag's rule
    hit (``Flag.hit``) and kept."""

    def __init__(self, lang: str):
        self.lang = lang

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            return None                  # the dataclass default: build from the hit
        text = obj.__dict__.get(self.slot)
        if text is None:
            hit = obj.hit
            if hit is None:
                return ""
            text = t(f"coaching.reason.{obj.rule_id}{hit.variant}", self.lang,
                     **RULES[obj.rule_id].reason(hit, self.lang))
            obj.__dict__[self.slot] = text
        return text

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


@dataclass
class Flag:
    employee_id: str
    manager_name: str
    team: str
    rule_id: str
    severity: str                      # high | medium | low
    evidence: dict                     # numbers
    reason_zh: str = _Reason("zh")     # one sentence; built from `hit` when not given
    reason_en: str = _Reason("en")
    focus: str = ""                    # knowledge | skills | attitude
    focus_zh: str = ""                 # short coaching topic
    focus_en: str = ""
    metric: str | None = None          # the metric the evidence is about, when there is one
    period: str | None = None          # the week ('2026-W44') or month ('2026-10') the evidence is about
    history: str = "new"               # new | continuing | resolved
    weeks: int = 1                     # consecutive weeks the flag has fired (up to this week / last week)
    acknowledged: bool = False
    ack_note: str = ""
    ack_until: str | None = None
    # What the reasons are written from (set by :meth:`of_hit`); not a field: a flag's content is its fields.
    hit: ClassVar[Hit | None] = None

    @classmethod
    def of_hit(cls, hit: Hit, **fields) -> "Flag":
        """The flag of a rule's hit, its reason sentences written from the hit when first read."""
        flag = cls(**fields)
        flag.hit = hit
        return flag

    @property
    def key(self) -> tuple[str, str]:
        return (self.employee_id, self.rule_id)

    @property
    def active(self) -> bool:
        return self.history != "resolved"

    def reason(self, lang: str = "zh") -> str:
        return self.reason_zh if lang == "zh" else self.reason_en

    def focus_topic(self, lang: str = "zh") -> str:
        return self.focus_zh if lang == "zh" else self.focus_en

    def to_dict(self) -> dict:
        return {"employee_id": self.employee_id, "manager_name": self.manager_name, "team": self.team,
                "rule_id": self.rule_id, "severity": self.severity, "metric": self.metric, "period": self.period,
                "evidence": dict(self.evidence), "reason_zh": self.reason_zh, "reason_en": self.reason_en,
                "focus": {"area": self.focus, "topic_zh": self.focus_zh, "topic_en": self.focus_en},
                "history": self.history, "weeks": self.weeks,
                "acknowledged": self.acknowledged, "ack_note": self.ack_note, "ack_until": self.ack_until}


def sort_flags(flags: list[Flag]) -> list[Flag]:
    """Active flags first, most severe first, then by rule order, team and manager; resolved ones last."""
    order = {r: i for i, r in enumerate(RULE_IDS)}
    return sorted(flags, key=lambda f: (not f.active, f.acknowledged, SEVERITY_RANK.get(f.severity, 9),
                                        order.get(f.rule_id, 99), f.team or "", f.manager_name or "",
                                        f.employee_id))


def group_by_manager(flags: list[Flag]) -> list[tuple[str, list[Flag]]]:
    """Active flags grouped by manager, managers ordered by their most severe unacknowledged flag."""
    groups: dict[str, list[Flag]] = {}
    for f in sort_flags([f for f in flags if f.active]):
        groups.setdefault(f.employee_id, []).append(f)

    def rank(item):
        fl = item[1]
        loud = [f for f in fl if not f.acknowledged] or fl
        return (all(f.acknowledged for f in fl), min(SEVERITY_RANK[f.severity] for f in loud), -len(loud),
                fl[0].manager_name or "", item[0])
    return sorted(groups.items(), key=rank)


def apply_acks(flags: list[Flag], acks: pd.DataFrame | None, week: str) -> list[Flag]:
    """Mark flags acknowledged when an ack for (employee_id, rule_id) covers `week` (week ≤ W ≤ until_week)."""
    if acks is None or acks.empty:
        return flags
    w = cal.week_bounds(week)[0]
    index: dict[tuple, dict] = {}
    for row in acks.sort_values("id").to_dict("records"):
        start = cal.week_bounds(row["week"])[0]
        until = cal.week_bounds(row["until_week"] or row["week"])[0]
        if start <= w <= until:
            index[(str(row["employee_id"]), row["rule_id"])] = row
    for f in flags:
        row = index.get(f.key)
        if row is not None:
            f.acknowledged, f.ack_note, f.ack_until = True, str(row["note"] or ""), row["until_week"] or row["week"]
    return flags
