"""Did coaching work? The status of each coaching session and the overdue follow-ups."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from core import calendar as cal
from core.convert import as_date

SESSION_STATUSES = ("pending", "resolved", "persisting", "no_rule", "no_follow_up")


def follow_up_status(sessions: pd.DataFrame, fired: dict[str, set], today: dt.date) -> pd.Series:
    """For each coaching session: did it work?

    ``fired`` maps an ISO week to the set of (employee_id, rule_id) firing that week. A session with a
    follow-up date after `today` is *pending*; one whose follow-up week has been evaluated is *resolved*
    (the prompting flag no longer fires in the week of the follow-up date) or *persisting*; a session not
    prompted by a flag is *no_rule*; a flagged session without a follow-up date is *no_follow_up*.
    """
    out = []
    for row in sessions.to_dict("records"):
        fu = row.get("follow_up")
        if fu is None or pd.isna(fu):
            out.append("no_follow_up" if row.get("rule_id") else "no_rule")
            continue
        fu = as_date(fu)
        if fu > today:
            out.append("pending")
        elif not row.get("rule_id"):
            out.append("no_rule")
        else:
            wk = cal.week_key(fu)
            if wk not in fired:
                out.append("pending")
            else:
                out.append("persisting" if (str(row["employee_id"]), row["rule_id"]) in fired[wk] else "resolved")
    return pd.Series(out, index=sessions.index, dtype="object")


def overdue_mask(sessions: pd.DataFrame, today: dt.date) -> pd.Series:
    """True for sessions whose follow-up date has passed without an outcome recorded."""
    fu = pd.to_datetime(sessions["follow_up"], errors="coerce")
    outcome = sessions["outcome"].fillna("").astype(str).str.strip()
    return pd.Series((fu < pd.Timestamp(today)).to_numpy() & (outcome == "").to_numpy(), index=sessions.index)


def overdue_sessions(sessions: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Sessions whose follow-up date has passed without an outcome recorded, oldest follow-up first."""
    if sessions.empty:
        return sessions
    return sessions[overdue_mask(sessions, today)].sort_values("follow_up").reset_index(drop=True)


def follow_up_weeks(sessions: pd.DataFrame, today: dt.date) -> list[str]:
    """The weeks whose flags decide the flagged sessions already due (their follow-up week)."""
    return [cal.week_key(as_date(d)) for d, r in zip(sessions["follow_up"], sessions["rule_id"])
            if r and d is not None and not pd.isna(d) and as_date(d) <= today]
