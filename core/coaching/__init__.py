"""Coaching flags (辅导): which managers need help this week, why (in numbers) and what to coach.

Banks hand down targets but do not coach (重指标下达、轻绩效辅导). Every week the rules turn the daily logs,
the roster and the monthly targets into *flags*: one per manager and rule that fires, with the evidence
numbers, a one-sentence reason in Chinese and English, the coaching focus from the KSA competency model
(knowledge / skills / attitude) and its history (new this week, continuing for N weeks, or resolved since last
week).

Where things are
----------------
* :mod:`~core.coaching.rules` — the table: each rule's parameters, check, reason text and default focus.
* :mod:`~core.coaching.rules_yaml` — the rules as validated configuration (:class:`Rules`, :func:`load_rules`).
* :mod:`~core.coaching.engine` — :func:`evaluate` (pure): the inputs prepared once, the table run per week,
  the history of each flag. :mod:`~core.coaching.flags` — :class:`Flag`, ordering, acknowledgements.
* :mod:`~core.coaching.evidence` (chart series), :mod:`~core.coaching.praise` (who improved),
  :mod:`~core.coaching.followup` (did coaching work?), :mod:`~core.coaching.sessions` (validated writes of
  sessions and acknowledgements).
* :mod:`~core.coaching.reads` — :class:`StoreInputs`: the same inputs from SQL ``GROUP BY`` reads
  (:mod:`core.store.coaching_reads`: weekly sums per manager, period sums, logged weekdays, balances), so the
  rules run over all managers at once without reading raw daily rows.
  :mod:`~core.coaching.shared` — :class:`SharedReads`: those reads made once per service call and shared by
  the Inputs it builds (each follow-up week of "did coaching work?" judged on its own inputs, from one read).
* :mod:`~core.coaching.service` — the scoped services pages and the CLI call; :func:`flag_evidence` builds one
  flag's evidence series when a person opens it.

Rules
-----
For a review week W (Monday–Sunday) evaluated up to its *horizon* (the Sunday of W, or ``as_of`` when that
is earlier):

``behind_pace``     ≥ ``min_workdays_into_month`` working days into the horizon's month, month-to-date actual
                    of a targeted metric < ``ratio`` × expected-to-date (``high`` below ``high_ratio``).
                    Expected-to-date = target × elapsed working days / working days in the month.
``low_activity``    visits in each of the last ``weeks`` weeks < ``ratio`` × the peer median of that week.
``busy_not_converting`` over the last ``weeks`` weeks: visits ≥ the peer median and new customers ÷ visits <
                    ``ratio`` × the peer group's conversion (the median of the peers' own conversions).
``declining``       a metric (visits, and each targeted metric) fell ``weeks`` weeks running and the last week
                    is ≤ ``ratio`` × the week ``weeks`` weeks earlier. With ``per_workday`` the weekly totals are
                    divided by the week's working days first, so a holiday week is not a "decline".
``missing_logs``    no row (or, with ``count_empty_rows``, an empty row) on ≥ ``min_days`` working days of W.
``complaints``      ≥ ``min_count`` complaints in W (``high`` from ``high_count``).
``front_loaded``    last complete month: < ``ratio`` of a targeted metric's month total achieved in the month's
                    last ``last_workdays`` working days, with the month ≥ ``min_attainment`` of target.
``month_end_spike`` a month-end spike (:func:`core.measures.is_spike`: balance on the month's last working day
                    ≥ ``ratio`` × its 日均) of which ≥ ``flowback`` (of balance − 日均) is gone within
                    ``workdays_after`` working days after. The month is the latest one whose ``workdays_after``
                    days are all on or before the horizon.
``new_without_mentor`` tenure < ``tenure_months`` months and no (active) mentor on the roster.

Definitions
-----------
* **Peer group**: the manager's team when it has ≥ ``peer_group_min_size`` active managers, else the whole
  branch (every active manager in the data given). The peer median includes the manager.
* A manager counts for a week only when employed for the whole week (start date ≤ its Monday); weeks before
  that are *no history*, so a new manager is never compared on weeks he was not there.
* **Targeted metric**: a metric with a target > 0 for that manager and month.
* **日均**: :func:`core.measures.carried_balances` averaged over the month's calendar days.
* **missing_logs** counts working days from Monday (or the start date) up to the last date any manager of the
  peer group logged (≤ horizon), so a week the team lead has not uploaded yet does not flag everyone.
"""
from core.coaching.engine import Inputs, evaluate, evaluate_week
from core.coaching.evidence import flag_series
from core.coaching.flags import HISTORIES, SEVERITY_RANK, Flag, apply_acks, group_by_manager, sort_flags
from core.coaching.followup import SESSION_STATUSES, follow_up_status, overdue_sessions
from core.coaching.praise import IMPROVEMENT_COLUMNS, improvements
from core.coaching.rules import FOCUS_AREAS, RULE_IDS, RULE_PARAMS, RULES, SEVERITIES, Param, Rule
from core.coaching.rules_yaml import SAMPLE_RULES_PATH, Rules, default_rules_text, load_rules
from core.coaching.service import (Review, active_rules, active_rules_text, default_as_of, fired_by_week,
                                   flag_evidence, flags_for_week, prepare_week, reset_rules, review_for_week,
                                   rules_stored, save_rules, session_review)
from core.coaching.sessions import (ACK_WEEKS_AHEAD, FOLLOW_UP_DAYS, MAX_COACH, MAX_TEXT, MAX_TOPIC, ack_flag,
                                    ack_until_choices, add_session, coachable, default_follow_up,
                                    default_session_date, delete_session, read_acks, record_outcome, remove_ack)
from core.store.coaching import SETTING_KEY

__all__ = [
    "Inputs", "evaluate", "evaluate_week", "flag_series", "HISTORIES", "SEVERITY_RANK", "Flag", "apply_acks",
    "group_by_manager", "sort_flags", "SESSION_STATUSES", "follow_up_status", "overdue_sessions",
    "IMPROVEMENT_COLUMNS", "improvements", "FOCUS_AREAS", "RULE_IDS", "RULE_PARAMS", "RULES", "SEVERITIES", "Param",
    "Rule", "SAMPLE_RULES_PATH", "Rules", "default_rules_text", "load_rules", "Review", "active_rules",
    "active_rules_text", "default_as_of", "fired_by_week", "flag_evidence", "flags_for_week", "prepare_week", "reset_rules",
    "review_for_week", "rules_stored", "save_rules", "session_review", "ACK_WEEKS_AHEAD", "FOLLOW_UP_DAYS",
    "MAX_COACH", "MAX_TEXT",
    "MAX_TOPIC", "ack_flag", "ack_until_choices", "add_session", "coachable", "default_follow_up",
    "default_session_date", "delete_session", "read_acks", "record_outcome", "remove_ack", "SETTING_KEY",
]
