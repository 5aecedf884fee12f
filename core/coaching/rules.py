"""The coaching rules, one table: rule id → its parameters (types, defaults, ranges), its check, its reason text.

A check is ``check(data, p, monday, horizon) -> list[Hit]``: `data` is the prepared
:class:`core.coaching.engine.Inputs` of one evaluation, `p` the rule's configured parameters, the review week
starts on `monday` and is judged up to `horizon`. A :class:`Hit` names the manager, the evidence numbers and the
facts the rule's ``reason(hit, lang)`` turns into the parameters of message ``coaching.reason.<id><variant>``.
The engine turns hits into flags (severity and focus from the configuration). The definitions of each rule
are in :mod:`core.coaching` and ``sample_data/coaching_rules.yaml``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import calendar as cal
from core import fmt, measures
from core.i18n import fmt_date, fmt_month, fmt_pct
from core.schema import TARGET_METRICS, metric_label

SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
FOCUS_AREAS: tuple[str, ...] = ("knowledge", "skills", "attitude")


@dataclass(frozen=True)
class Param:
    """One configurable value: its kind, default and allowed range (inclusive; a ratio excludes 0)."""
    kind: str                    # bool | int | ratio | number | severity | focus | metrics
    default: object
    lo: float | None = None
    hi: float | None = None


@dataclass(frozen=True)
class Hit:
    """A rule firing for one manager: evidence numbers and the facts its reason text is built from."""
    employee_id: str
    evidence: dict
    facts: dict = field(default_factory=dict)
    severity: str | None = None        # None: the rule's configured severity
    metric: str | None = None
    period: str | None = None
    variant: str = ""                  # suffix of the reason message key


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str                      # default severity
    focus: str                         # default coaching focus (KSA area)
    own: dict                          # the rule's own parameters
    check: Callable
    reason: Callable                   # (hit, lang) -> message parameters
    alert: bool = False                # default of the rule's `alert` parameter

    @property
    def params(self) -> dict[str, Param]:
        """Every parameter of the rule: enabled, severity, focus, alert (post its new high-severity flags to the
        group robots once, core/notify), then its own."""
        return {"enabled": Param("bool", True), "severity": Param("severity", self.severity),
                "focus": Param("focus", self.focus), "alert": Param("bool", self.alert), **self.own}


def _metrics() -> Param:
    return Param("metrics", list(TARGET_METRICS))


def _lookup(sums: pd.DataFrame, tg: pd.DataFrame) -> np.ndarray:
    """sums[employee_id, metric] for each row of `tg` (its employee_id and metric columns)."""
    rows = sums.index.get_indexer(tg["employee_id"])
    cols = sums.columns.get_indexer(tg["metric"])
    return sums.to_numpy(dtype="float64")[rows, cols]


def _worst(rows: pd.DataFrame, by: str):
    """Per employee (sorted), his row with the smallest `by` (the first such row on ties) and his row count."""
    if rows.empty:
        return []
    order = rows.assign(_pos=np.arange(len(rows))).sort_values(["employee_id", by, "_pos"], kind="mergesort")
    first = order.drop_duplicates("employee_id", keep="first")
    counts = rows.groupby("employee_id").size()
    return [(w.employee_id, w, int(counts[w.employee_id])) for w in first.itertuples(index=False)]


# ---------------------------------------------------------------- behind_pace

def _behind_pace(data, p, monday, horizon):
    month = cal.month_key(horizon)
    total = len(cal.month_workdays(month, data.ov))
    elapsed = cal.elapsed_workdays(month, horizon, data.ov)
    if total == 0 or elapsed < p["min_workdays_into_month"] or elapsed == 0:
        return []
    tg = data.targeted(month, p["metrics"])
    if tg.empty:
        return []
    first, _ = cal.month_bounds(month)
    sums = data.sums(first, horizon)
    tg = tg[tg["employee_id"].isin(data.ids)].copy()
    tg["actual"] = _lookup(sums, tg)
    tg["expected"] = tg["value"] * elapsed / total
    tg["pace"] = tg["actual"] / tg["expected"]
    behind = tg[tg["pace"] < p["ratio"]]
    out = []
    for eid, w, n in _worst(behind, "pace"):
        ev = {"actual": w.actual, "expected": w.expected, "target": w.value, "pace": w.pace,
              "elapsed_workdays": elapsed, "month_workdays": total, "metrics_behind": n}
        out.append(Hit(eid, ev, {"horizon": horizon, "others": n - 1},
                       "high" if w.pace < p["high_ratio"] else None, w.metric, month))
    return out


def _behind_pace_reason(h: Hit, lang: str) -> dict:
    m, ev = h.metric, h.evidence
    return dict(metric=metric_label(m, lang, with_unit=False), date=fmt_date(h.facts["horizon"], lang),
                actual=fmt.figure(m, ev["actual"], lang), expected=fmt.figure(m, ev["expected"], lang),
                target=fmt.figure(m, ev["target"], lang), pct=fmt_pct(ev["pace"], 0), others=h.facts["others"])


# ---------------------------------------------------------------- low_activity

def _low_activity(data, p, monday, horizon):
    k = p["weeks"]
    mondays = [monday - dt.timedelta(weeks=i) for i in range(k - 1, -1, -1)]
    w = data.weekly("visits", mondays)
    fire = pd.Series(True, index=data.ids)
    meds = {}
    for c in w.columns:
        med = data.peer_median(w[c])
        meds[c] = med
        fire &= w[c].notna() & (med > 0) & (w[c] < p["ratio"] * med)
    out = []
    cur, prev = w.columns[-1], w.columns[-2] if k >= 2 else None
    for eid in fire[fire].index:
        v, med = w.at[eid, cur], meds[cur][eid]
        ev = {"visits": v, "peer_median": med, "share_of_median": v / med if med else None, "weeks": k}
        if prev is not None:
            ev.update(visits_prev=w.at[eid, prev], peer_median_prev=meds[prev][eid])
        out.append(Hit(eid, ev, metric="visits", period=cal.week_key(monday),
                       variant="" if prev is not None else "_one"))
    return out


def _low_activity_reason(h: Hit, lang: str) -> dict:
    ev = h.evidence
    return dict(weeks=ev["weeks"], visits=fmt.figure("visits", ev["visits"], lang),
                median=fmt.figure("visits", ev["peer_median"], lang),
                visits_prev=fmt.figure("visits", ev.get("visits_prev", 0), lang),
                median_prev=fmt.figure("visits", ev.get("peer_median_prev", 0), lang))


# ---------------------------------------------------------------- busy_not_converting

def _busy_not_converting(data, p, monday, horizon):
    k = p["weeks"]
    first = monday - dt.timedelta(weeks=k - 1)
    sums = data.sums(first, horizon)
    emp = data.employed(first)
    visits = sums["visits"].where(emp)
    new = sums["new_customers"].where(emp)
    conv = (new / visits).where(visits > 0)
    med_v = data.peer_median(visits)
    med_c = data.peer_median(conv)
    fire = (visits > 0) & (visits >= med_v) & (med_c > 0) & (conv < p["ratio"] * med_c)
    return [Hit(eid, {"visits": visits[eid], "peer_median_visits": med_v[eid], "new_customers": new[eid],
                      "conversion": conv[eid], "peer_conversion": med_c[eid],
                      "share_of_peer": conv[eid] / med_c[eid], "weeks": k},
                metric="new_customers", period=cal.week_key(monday))
            for eid in fire[fire.fillna(False)].index]


def _busy_not_converting_reason(h: Hit, lang: str) -> dict:
    ev = h.evidence
    return dict(weeks=ev["weeks"], visits=fmt.figure("visits", ev["visits"], lang),
                median=fmt.figure("visits", ev["peer_median_visits"], lang),
                new=fmt.figure("new_customers", ev["new_customers"], lang),
                conv=fmt_pct(ev["conversion"], 1), peer_conv=fmt_pct(ev["peer_conversion"], 1))


# ---------------------------------------------------------------- declining

def _declining(data, p, monday, horizon):
    k = p["weeks"]
    mondays = [monday - dt.timedelta(weeks=i) for i in range(k, -1, -1)]   # k+1 points, oldest first
    wdays = np.array([data.week_workdays(m, horizon) for m in mondays], dtype="float64")
    if p["per_workday"] and (wdays == 0).any():
        return []
    tg = data.targeted(cal.month_key(horizon), p["metrics"])
    has = data.has_target(cal.month_key(horizon), TARGET_METRICS)
    candidates = [m for m in TARGET_METRICS if m == "visits" or m in set(tg["metric"])]
    if "visits" not in p["metrics"]:
        candidates = [m for m in candidates if m != "visits"]
    found: dict[str, list] = {}
    for m in candidates:
        w = data.weekly(m, mondays)
        vals = w.to_numpy()
        norm = vals / wdays if p["per_workday"] else vals
        falling = np.all(np.diff(norm, axis=1) < 0, axis=1)
        change = np.divide(norm[:, -1], norm[:, 0], out=np.full(len(norm), np.nan), where=norm[:, 0] > 0)
        ok = falling & (norm[:, 0] > 0) & (change <= p["ratio"]) & ~np.isnan(vals).any(axis=1)
        if m != "visits":
            ok &= has[m].reindex(w.index, fill_value=False).to_numpy()
        for i in np.flatnonzero(ok):
            found.setdefault(w.index[i], []).append((change[i], m, vals[i]))
    out = []
    for eid, items in sorted(found.items()):
        change, m, vals = min(items, key=lambda x: (x[0], TARGET_METRICS.index(x[1])))
        ev = {"first": vals[0], "last": vals[-1], "change": change, "weeks_falling": k,
              "metrics_declining": len(items)}
        ev.update({f"week_{i + 1}": v for i, v in enumerate(vals)})
        out.append(Hit(eid, ev, metric=m, period=cal.week_key(monday)))
    return out


def _declining_reason(h: Hit, lang: str) -> dict:
    m, ev = h.metric, h.evidence
    return dict(metric=metric_label(m, lang, with_unit=False), weeks=ev["weeks_falling"],
                first=fmt.figure(m, ev["first"], lang), last=fmt.figure(m, ev["last"], lang),
                pct=fmt_pct(ev["change"], 0))


# ---------------------------------------------------------------- missing_logs

def _missing_logs(data, p, monday, horizon):
    wd = data.week_days(monday, horizon)
    if wd is None:
        return []
    days, logged, empty, last = wd
    # Cut-off: the last date anyone in the peer group logged this week (an upload not made yet is no flag).
    group_last = last.groupby(data.group).max()
    cutoff = pd.Series(last.max(), index=data.ids).where(~data.big_team, data.group.map(group_last))
    day_ns = np.array([np.datetime64(d, "ns") for d in days], dtype="datetime64[ns]").reshape(1, -1)
    start = data.roster["start"].to_numpy(dtype="datetime64[ns]")
    a = np.where(np.isnat(start) | (start < np.datetime64(monday, "ns")), np.datetime64(monday, "ns"), start)
    cut = pd.to_datetime(cutoff).to_numpy(dtype="datetime64[ns]")
    in_range = (day_ns >= a[:, None]) & (day_ns <= cut[:, None])       # NaT cut-off compares False: no days
    n_days = in_range.sum(axis=1)
    missing = (in_range & ~logged).sum(axis=1)
    n_empty = (in_range & empty).sum(axis=1) if p["count_empty_rows"] else np.zeros(len(n_days), dtype=np.int64)
    fire = (n_days > 0) & (missing + n_empty >= p["min_days"])
    week = cal.week_key(monday)
    return [Hit(eid, {"missing_days": int(missing[i]), "empty_days": int(n_empty[i]), "workdays": int(n_days[i])},
                period=week) for i, eid in zip(np.flatnonzero(fire), data.ids[fire])]


def _missing_logs_reason(h: Hit, lang: str) -> dict:
    ev = h.evidence
    return dict(days=ev["missing_days"] + ev["empty_days"], missing=ev["missing_days"], empty=ev["empty_days"],
                workdays=ev["workdays"])


# ---------------------------------------------------------------- complaints

def _complaints(data, p, monday, horizon):
    s = data.sums(monday, horizon)["complaints"]
    return [Hit(eid, {"complaints": s[eid]}, severity="high" if s[eid] >= p["high_count"] else None,
                metric="complaints", period=cal.week_key(monday))
            for eid in s[s >= p["min_count"]].index]


def _complaints_reason(h: Hit, lang: str) -> dict:
    return dict(count=fmt.number(h.evidence["complaints"], "complaints"))


# ---------------------------------------------------------------- front_loaded

def _front_loaded(data, p, monday, horizon):
    month = data.last_complete_month(horizon)
    return data.per_month("front_loaded", month, lambda: _front_loaded_month(data, p, month))


def _front_loaded_month(data, p, month: str) -> list[Hit]:
    first, last = cal.month_bounds(month)
    days = cal.month_workdays(month, data.ov)
    if len(days) <= p["last_workdays"]:
        return []
    cut = days[-p["last_workdays"]]
    tg = data.targeted(month, p["metrics"])
    emp = data.employed(first)
    tg = tg[tg["employee_id"].isin(emp[emp].index)].copy()
    if tg.empty:
        return []
    total, late = data.sums(first, last), data.sums(cut, last)
    tg["total"] = _lookup(total, tg)
    tg["late"] = _lookup(late, tg)
    tg["attainment"] = tg["total"] / tg["value"]
    tg["share"] = np.where(tg["total"] > 0, tg["late"] / tg["total"].where(tg["total"] > 0, 1), np.nan)
    hit = tg[(tg["attainment"] >= p["min_attainment"]) & (tg["total"] > 0) & (tg["share"] < p["ratio"])]
    out = []
    for eid, w, n in _worst(hit, "share"):
        ev = {"month_total": w.total, "target": w.value, "attainment": w.attainment,
              "last_days_total": w.late, "last_days_share": w.share, "last_workdays": p["last_workdays"],
              "metrics_front_loaded": n}
        out.append(Hit(eid, ev, metric=w.metric, period=month))
    return out


def _front_loaded_reason(h: Hit, lang: str) -> dict:
    m, ev = h.metric, h.evidence
    return dict(metric=metric_label(m, lang, with_unit=False), month=fmt_month(h.period, lang),
                att=fmt_pct(ev["attainment"], 0), days=ev["last_workdays"], share=fmt_pct(ev["last_days_share"], 0),
                total=fmt.figure(m, ev["month_total"], lang), late=fmt.figure(m, ev["last_days_total"], lang))


# ---------------------------------------------------------------- month_end_spike

def _month_end_spike(data, p, monday, horizon):
    sm = data.spike_month(horizon)
    if sm is None:
        return []
    return data.per_month("month_end_spike", sm[0], lambda: _month_end_spike_month(data, p, *sm))


def _month_end_spike_month(data, p, month: str, last_wd: dt.date, after: list[dt.date]) -> list[Hit]:
    first, last = cal.month_bounds(month)
    ids = data.spike_candidates(first, last, last_wd, p["ratio"])
    bal = data.balances(first, after[-1], ids)               # days × managers
    avg = measures.average_daily(bal.loc[:pd.Timestamp(last)])
    b_last = bal.loc[pd.Timestamp(last_wd)]
    b_min = bal.loc[[pd.Timestamp(d) for d in after]].min(axis=0)
    spike = b_last - avg
    gone = b_last - b_min
    # The measure's spike (balance ≥ ratio × 日均), and the rule's conduct condition: part of it flows back.
    fire = (avg > 0) & measures.is_spike(b_last, avg, p["ratio"]) & (spike > 0) & (gone >= p["flowback"] * spike)
    out = []
    for eid in fire[fire.fillna(False)].index:
        ev = {"balance_last_workday": b_last[eid], "avg_daily_balance": avg[eid],
              "ratio_to_avg": b_last[eid] / avg[eid], "min_after": b_min[eid], "flowed_back": gone[eid],
              "flowback_share": gone[eid] / spike[eid], "workdays_after": len(after)}
        # all of the spike flowed back, and more: "(130% of the spike)" would read oddly — say it fell below 日均
        out.append(Hit(eid, ev, metric="deposit_balance", period=month,
                       variant="_all" if gone[eid] >= spike[eid] else ""))
    return out


def _month_end_spike_reason(h: Hit, lang: str) -> dict:
    ev = h.evidence
    return dict(month=fmt_month(h.period, lang), last=fmt.figure("deposit_balance", ev["balance_last_workday"], lang),
                avg=fmt.figure("deposit_balance", ev["avg_daily_balance"], lang), x=f"{ev['ratio_to_avg']:.2f}",
                gone=fmt.figure("deposit_balance", ev["flowed_back"], lang), pct=fmt_pct(ev["flowback_share"], 0),
                low=fmt.figure("deposit_balance", ev["min_after"], lang), days=ev["workdays_after"])


# ---------------------------------------------------------------- new_without_mentor

def _new_without_mentor(data, p, monday, horizon):
    r = data.roster
    start = r["start"]
    known = start.notna() & (start <= pd.Timestamp(horizon))
    y, m, d = start.dt.year, start.dt.month, start.dt.day
    months = (horizon.year - y) * 12 + (horizon.month - m) - (horizon.day < d).astype(int)
    mentor = r["mentor_id"].map(lambda v: "" if v is None or v != v else str(v).strip())
    mentored = (mentor != "") & (mentor != r.index.to_series()) & mentor.isin(data.all_ids)
    fire = known & (months < p["tenure_months"]) & ~mentored
    week = cal.week_key(monday)
    return [Hit(eid, {"tenure_months": int(months[eid]), "tenure_days": (horizon - start[eid].date()).days},
                {"start": start[eid].date(), "mentor": mentor[eid]}, period=week) for eid in r.index[fire.to_numpy()]]


def _new_without_mentor_reason(h: Hit, lang: str) -> dict:
    return dict(months=h.evidence["tenure_months"], start=fmt_date(h.facts["start"], lang),
                mentor=h.facts["mentor"] or "—")


# ---------------------------------------------------------------- the table (evaluation order = this order)

RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("behind_pace", "medium", "skills",
         {"min_workdays_into_month": Param("int", 5, 0, 23), "ratio": Param("ratio", 0.7, 0, 1),
          "high_ratio": Param("ratio", 0.5, 0, 1), "metrics": _metrics()},
         _behind_pace, _behind_pace_reason),
    Rule("low_activity", "medium", "attitude",
         {"weeks": Param("int", 2, 1, 8), "ratio": Param("ratio", 0.6, 0, 1)},
         _low_activity, _low_activity_reason),
    Rule("busy_not_converting", "medium", "skills",
         {"weeks": Param("int", 4, 1, 13), "ratio": Param("ratio", 0.5, 0, 1)},
         _busy_not_converting, _busy_not_converting_reason),
    Rule("declining", "medium", "attitude",
         {"weeks": Param("int", 3, 2, 8), "ratio": Param("ratio", 0.7, 0, 1), "per_workday": Param("bool", True),
          "metrics": _metrics()},
         _declining, _declining_reason),
    Rule("missing_logs", "low", "attitude",
         {"min_days": Param("int", 2, 1, 7), "count_empty_rows": Param("bool", True)},
         _missing_logs, _missing_logs_reason),
    Rule("complaints", "medium", "attitude",
         {"min_count": Param("int", 1, 1, 100), "high_count": Param("int", 2, 1, 100)},
         _complaints, _complaints_reason, alert=True),
    Rule("front_loaded", "low", "attitude",
         {"last_workdays": Param("int", 10, 1, 20), "ratio": Param("ratio", 0.25, 0, 1),
          "min_attainment": Param("ratio", 0.5, 0, 1), "metrics": _metrics()},
         _front_loaded, _front_loaded_reason),
    Rule("month_end_spike", "high", "knowledge",
         {"ratio": Param("number", measures.DEFAULT_SPIKE_RATIO, 1, 10), "flowback": Param("ratio", 0.2, 0, 1),
          "workdays_after": Param("int", 5, 1, 15)},
         _month_end_spike, _month_end_spike_reason, alert=True),
    Rule("new_without_mentor", "medium", "knowledge",
         {"tenure_months": Param("int", 6, 1, 60)},
         _new_without_mentor, _new_without_mentor_reason),
)}
RULE_IDS: tuple[str, ...] = tuple(RULES)
RULE_PARAMS: dict[str, dict[str, Param]] = {rid: r.params for rid, r in RULES.items()}
