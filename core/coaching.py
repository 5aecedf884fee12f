"""Coaching flags (辅导): which managers need help this week, why (in numbers) and what to coach.

Banks hand down targets but do not coach (重指标下达、轻绩效辅导). Every week this module turns the daily logs,
the roster and the monthly targets into *flags*: one per manager and rule that fires, with the evidence
numbers, a one-sentence reason in Chinese and English, the coaching focus from the KSA competency model
(knowledge / skills / attitude, ``seeds/000``) and its history (new this week, continuing for N weeks, or
resolved since last week).

Rules
-----
The rules are configuration (YAML, validated by :func:`load_rules`, defaults documented in
``sample_data/coaching_rules.yaml``). For a review week W (Monday–Sunday) evaluated up to its *horizon*
(the Sunday of W, or ``as_of`` when that is earlier):

================== ===========================================================================================
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
``month_end_spike`` deposit balance on a month's last working day ≥ ``ratio`` × that month's 日均 and ≥
                    ``flowback`` of the spike (balance − 日均) gone within ``workdays_after`` working days after.
                    The month is the latest one whose ``workdays_after`` days are all on or before the horizon.
``new_without_mentor`` tenure < ``tenure_months`` months and no (active) mentor on the roster.
================== ===========================================================================================

Definitions
-----------
* **Peer group**: the manager's team when it has ≥ ``peer_group_min_size`` active managers, else the whole
  branch (every active manager in the data given). The peer median includes the manager.
* A manager counts for a week only when employed for the whole week (start date ≤ its Monday); weeks before
  that are *no history*, so a new manager is never compared on weeks he was not there.
* **Targeted metric**: a metric with a target > 0 for that manager and month.
* **日均** (average daily balance): mean over the month's calendar days of the balance, each day carrying the
  last logged balance forward (days before any logged balance are left out).
* **missing_logs** counts working days from Monday (or the start date) up to the last date any manager of the
  peer group logged (≤ horizon), so a week the team lead has not uploaded yet does not flag everyone.

:func:`evaluate` is pure (DataFrames in, flags out). :func:`flags_for_week` and :func:`review_for_week` are the
scoped services the pages and the CLI call: they read *all* managers with a director scope inside core (the
peer medians need the whole team/branch), then return only what the caller's scope may see.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from core import calendar as cal
from core.i18n import fmt_date, fmt_month, fmt_pct, t
from core.schema import FIELDS_BY_NAME, FLOW_METRICS, METRICS, TARGET_METRICS, metric_label

log = logging.getLogger(__name__)

RULE_IDS: tuple[str, ...] = ("behind_pace", "low_activity", "busy_not_converting", "declining", "missing_logs",
                             "complaints", "front_loaded", "month_end_spike", "new_without_mentor")
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
FOCUS_AREAS: tuple[str, ...] = ("knowledge", "skills", "attitude")
HISTORIES: tuple[str, ...] = ("new", "continuing", "resolved")
SETTING_KEY = "coaching_rules"
SAMPLE_RULES_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "coaching_rules.yaml"
_BRANCH = "\x00branch"


# ============================================================================================ rules (config)

@dataclass(frozen=True)
class Param:
    """One configurable value: its kind, default and allowed range (inclusive)."""
    kind: str                    # bool | int | ratio | number | severity | focus | metrics
    default: object
    lo: float | None = None
    hi: float | None = None


def _common(severity: str, focus: str) -> dict[str, Param]:
    return {"enabled": Param("bool", True), "severity": Param("severity", severity),
            "focus": Param("focus", focus)}


RULE_PARAMS: dict[str, dict[str, Param]] = {
    "behind_pace": {**_common("medium", "skills"),
                    "min_workdays_into_month": Param("int", 5, 0, 23),
                    "ratio": Param("ratio", 0.7, 0, 1), "high_ratio": Param("ratio", 0.5, 0, 1),
                    "metrics": Param("metrics", list(TARGET_METRICS))},
    "low_activity": {**_common("medium", "attitude"),
                     "weeks": Param("int", 2, 1, 8), "ratio": Param("ratio", 0.6, 0, 1)},
    "busy_not_converting": {**_common("medium", "skills"),
                            "weeks": Param("int", 4, 1, 13), "ratio": Param("ratio", 0.5, 0, 1)},
    "declining": {**_common("medium", "attitude"),
                  "weeks": Param("int", 3, 2, 8), "ratio": Param("ratio", 0.7, 0, 1),
                  "per_workday": Param("bool", True),
                  "metrics": Param("metrics", list(TARGET_METRICS))},
    "missing_logs": {**_common("low", "attitude"),
                     "min_days": Param("int", 2, 1, 7), "count_empty_rows": Param("bool", True)},
    "complaints": {**_common("medium", "attitude"),
                   "min_count": Param("int", 1, 1, 100), "high_count": Param("int", 2, 1, 100)},
    "front_loaded": {**_common("low", "attitude"),
                     "last_workdays": Param("int", 10, 1, 20), "ratio": Param("ratio", 0.25, 0, 1),
                     "min_attainment": Param("ratio", 0.5, 0, 1),
                     "metrics": Param("metrics", list(TARGET_METRICS))},
    "month_end_spike": {**_common("high", "knowledge"),
                        "ratio": Param("number", 1.3, 1, 10), "flowback": Param("ratio", 0.2, 0, 1),
                        "workdays_after": Param("int", 5, 1, 15)},
    "new_without_mentor": {**_common("medium", "knowledge"),
                           "tenure_months": Param("int", 6, 1, 60)},
}
TOP_PARAMS: dict[str, Param] = {
    "peer_group_min_size": Param("int", 3, 1, 100),
    "history_weeks": Param("int", 8, 0, 26),
}
PRAISE_PARAMS: dict[str, Param] = {
    "top_n": Param("int", 5, 1, 50),
    "min_improvement": Param("number", 0.1, 0, 10),
}


@dataclass(frozen=True)
class Rules:
    """Validated coaching rules. ``rules[rule_id]`` holds every parameter of that rule (defaults filled in)."""
    rules: dict = field(default_factory=dict)
    peer_group_min_size: int = 3
    history_weeks: int = 8
    praise_top_n: int = 5
    praise_min_improvement: float = 0.1

    @classmethod
    def default(cls) -> "Rules":
        return cls(rules={rid: {k: (list(p.default) if isinstance(p.default, list) else p.default)
                                for k, p in spec.items()} for rid, spec in RULE_PARAMS.items()},
                   peer_group_min_size=int(TOP_PARAMS["peer_group_min_size"].default),
                   history_weeks=int(TOP_PARAMS["history_weeks"].default),
                   praise_top_n=int(PRAISE_PARAMS["top_n"].default),
                   praise_min_improvement=float(PRAISE_PARAMS["min_improvement"].default))

    def enabled(self, rule_id: str) -> bool:
        return bool(self.rules[rule_id]["enabled"])

    def p(self, rule_id: str, name: str):
        return self.rules[rule_id][name]

    def replace(self, **changes) -> "Rules":
        """A copy with top-level fields changed and/or ``rule_id={param: value}`` overrides."""
        top = {k: v for k, v in changes.items() if k not in RULE_PARAMS}
        rules = {rid: dict(v) for rid, v in self.rules.items()}
        for rid, params in changes.items():
            if rid in RULE_PARAMS:
                rules[rid].update(params)
        return dataclasses.replace(self, rules=rules, **top)

    def to_dict(self) -> dict:
        return {"peer_group_min_size": self.peer_group_min_size, "history_weeks": self.history_weeks,
                "praise": {"top_n": self.praise_top_n, "min_improvement": self.praise_min_improvement},
                "rules": {rid: dict(v) for rid, v in self.rules.items()}}


@dataclass(frozen=True)
class RuleProblem:
    line: int | None          # 1-based line in the YAML text, when known
    key: str                  # dotted path, e.g. rules.behind_pace.ratio
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class RulesError(ValueError):
    """The rules text is not valid; ``problems`` names each key and line, in Chinese and English."""

    def __init__(self, problems: list[RuleProblem]):
        self.problems = problems
        super().__init__("; ".join(p.en for p in problems))

    def message(self, lang: str = "zh") -> str:
        sep = ";" if lang == "zh" else "; "
        return sep.join(p.message(lang) for p in self.problems)


def _problem(line: int | None, key: str, msg: str, **params) -> RuleProblem:
    where = {lang: (t("coaching.rules.where_line", lang, line=line, path=key) if line
                    else t("coaching.rules.where", lang, path=key)) for lang in ("zh", "en")}
    return RuleProblem(line, key, where["zh"] + t(f"coaching.rules.{msg}", "zh", **params),
                       where["en"] + t(f"coaching.rules.{msg}", "en", **params))


def _node_lines(node, path: tuple = (), out: dict | None = None, dups: list | None = None):
    """Map each key path of a composed YAML node to its 1-based line; collect duplicate keys."""
    out = {} if out is None else out
    dups = [] if dups is None else dups
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k.value)
            p = path + (key,)
            if key in seen:
                dups.append((p, k.start_mark.line + 1))
            seen.add(key)
            out[p] = k.start_mark.line + 1
            _node_lines(v, p, out, dups)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out[path + (i,)] = v.start_mark.line + 1
            _node_lines(v, path + (i,), out, dups)
    return out, dups


def _check_param(spec: Param, value, key: str, line: int | None, problems: list):
    """The value converted to the parameter's type, or None after recording a problem."""
    k = spec.kind
    if k == "bool":
        if not isinstance(value, bool):
            problems.append(_problem(line, key, "wrong_type", expected="true/false", value=value))
            return None
        return value
    if k == "severity" or k == "focus":
        choices = SEVERITIES if k == "severity" else FOCUS_AREAS
        if value not in choices:
            problems.append(_problem(line, key, "bad_choice", value=value, choices=", ".join(choices)))
            return None
        return value
    if k == "metrics":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(_problem(line, key, "wrong_type", expected="[metric, ...]", value=value))
            return None
        bad = [v for v in value if v not in TARGET_METRICS]
        if bad:
            problems.append(_problem(line, key, "bad_metric", value=", ".join(bad),
                                     choices=", ".join(TARGET_METRICS)))
            return None
        return list(dict.fromkeys(value))
    # numbers
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(_problem(line, key, "wrong_type",
                                 expected="integer" if k == "int" else "number", value=value))
        return None
    if k == "int" and not (isinstance(value, int) or float(value).is_integer()):
        problems.append(_problem(line, key, "wrong_type", expected="integer", value=value))
        return None
    if not math.isfinite(float(value)):
        problems.append(_problem(line, key, "wrong_type", expected="number", value=value))
        return None
    lo, hi = spec.lo, spec.hi
    bad = (lo is not None and value < lo) or (hi is not None and value > hi)
    if k == "ratio" and value <= 0:
        bad = True
    if bad:
        rng = f"({lo:g}, {hi:g}]" if k == "ratio" else f"[{lo:g}, {hi:g}]"
        problems.append(_problem(line, key, "out_of_range", value=value, range=rng))
        return None
    return int(value) if k == "int" else float(value)


def load_rules(text: str | None) -> Rules:
    """Parse and validate a rules YAML text. Keys left out keep their defaults; an empty text is the defaults.

    Raises :class:`RulesError` listing every problem (unknown rule id or key, wrong type, value out of range,
    duplicate key, YAML syntax) with its key and line, in Chinese and English.
    """
    text = text or ""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RulesError([_problem(line, "yaml", "syntax", detail=getattr(exc, "problem", None) or str(exc))])
    if data is None:
        return Rules.default()
    if not isinstance(data, dict):
        raise RulesError([_problem(1, "(root)", "not_mapping")])
    lines, dups = _node_lines(node)
    problems: list[RuleProblem] = [_problem(ln, ".".join(map(str, p)), "duplicate_key") for p, ln in dups]
    base = Rules.default()
    top = {"peer_group_min_size": base.peer_group_min_size, "history_weeks": base.history_weeks,
           "top_n": base.praise_top_n, "min_improvement": base.praise_min_improvement}
    rules = {rid: dict(v) for rid, v in base.rules.items()}

    for key, value in data.items():
        path = (key,)
        if key in TOP_PARAMS:
            v = _check_param(TOP_PARAMS[key], value, key, lines.get(path), problems)
            if v is not None:
                top[key] = v
        elif key == "praise":
            if not isinstance(value, dict):
                problems.append(_problem(lines.get(path), key, "not_mapping_key"))
                continue
            for k2, v2 in value.items():
                dotted = f"praise.{k2}"
                if k2 not in PRAISE_PARAMS:
                    problems.append(_problem(lines.get((key, k2)), dotted, "unknown_key",
                                             choices=", ".join(PRAISE_PARAMS)))
                    continue
                v = _check_param(PRAISE_PARAMS[k2], v2, dotted, lines.get((key, k2)), problems)
                if v is not None:
                    top[k2] = v
        elif key == "rules":
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(_problem(lines.get(path), key, "not_mapping_key"))
                continue
            for rid, params in value.items():
                rpath = ("rules", rid)
                if rid not in RULE_PARAMS:
                    problems.append(_problem(lines.get(rpath), f"rules.{rid}", "unknown_rule",
                                             choices=", ".join(RULE_IDS)))
                    continue
                if params is None:
                    continue
                if not isinstance(params, dict):
                    problems.append(_problem(lines.get(rpath), f"rules.{rid}", "not_mapping_key"))
                    continue
                for pname, pval in params.items():
                    dotted = f"rules.{rid}.{pname}"
                    ln = lines.get(rpath + (pname,))
                    if pname not in RULE_PARAMS[rid]:
                        problems.append(_problem(ln, dotted, "unknown_key", choices=", ".join(RULE_PARAMS[rid])))
                        continue
                    v = _check_param(RULE_PARAMS[rid][pname], pval, dotted, ln, problems)
                    if v is not None:
                        rules[rid][pname] = v
        else:
            problems.append(_problem(lines.get(path), str(key), "unknown_key",
                                     choices=", ".join([*TOP_PARAMS, "praise", "rules"])))

    # Cross-field checks.
    bp = rules["behind_pace"]
    if bp["high_ratio"] > bp["ratio"]:
        problems.append(_problem(lines.get(("rules", "behind_pace", "high_ratio")), "rules.behind_pace.high_ratio",
                                 "order", low="high_ratio", high="ratio"))
    cp = rules["complaints"]
    if cp["high_count"] < cp["min_count"]:
        problems.append(_problem(lines.get(("rules", "complaints", "high_count")), "rules.complaints.high_count",
                                 "order", low="min_count", high="high_count"))
    if problems:
        problems.sort(key=lambda p: (p.line or 0))
        raise RulesError(problems)
    return Rules(rules=rules, peer_group_min_size=top["peer_group_min_size"], history_weeks=top["history_weeks"],
                 praise_top_n=top["top_n"], praise_min_improvement=top["min_improvement"])


def default_rules_text() -> str:
    """The documented default rules file (sample_data/coaching_rules.yaml)."""
    return SAMPLE_RULES_PATH.read_text(encoding="utf-8")


def active_rules_text(engine) -> str:
    """The rules text in force: setting ``coaching_rules`` if stored, else the sample file."""
    from core.store.config import get_setting
    stored = get_setting(engine, SETTING_KEY)
    return stored if stored and stored.strip() else default_rules_text()


def active_rules(engine) -> Rules:
    """The rules in force. A stored text that no longer validates falls back to the defaults (and is logged)."""
    text = active_rules_text(engine)
    try:
        return load_rules(text)
    except RulesError as exc:
        log.error("stored coaching rules are invalid, using defaults: %s", exc)
        return load_rules(default_rules_text())


# ============================================================================================ flags

@dataclass
class Flag:
    employee_id: str
    manager_name: str
    team: str
    rule_id: str
    severity: str                      # high | medium | low
    evidence: dict                     # numbers
    reason_zh: str
    reason_en: str
    focus: str                         # knowledge | skills | attitude
    focus_zh: str                      # short coaching topic
    focus_en: str
    metric: str | None = None          # the metric the evidence is about, when there is one
    period: str | None = None          # the week ('2026-W44') or month ('2026-10') the evidence is about
    history: str = "new"               # new | continuing | resolved
    weeks: int = 1                     # consecutive weeks the flag has fired (up to this week / last week)
    acknowledged: bool = False
    ack_note: str = ""
    ack_until: str | None = None

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


# ---------------------------------------------------------------- number formatting for reasons

def _fmt_num(v: float, decimals: int | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if decimals is None:
        decimals = 0 if float(v).is_integer() else (1 if abs(v) >= 10 else 2)
    return f"{v:,.{decimals}f}"


def fmt_value(metric: str, v: float, lang: str) -> str:
    """A metric value with its unit, as a manager reads it (9户 / 1,234.50万元 / CNY 3,000)."""
    f = FIELDS_BY_NAME.get(metric)
    if f is None:
        return _fmt_num(v)
    if f.kind == "amount":
        if f.unit == "yuan":
            return f"{_fmt_num(v, 0)}元" if lang == "zh" else f"CNY {_fmt_num(v, 0)}"
        return f"{_fmt_num(v, 2)}万元" if lang == "zh" else f"{_fmt_num(v, 2)} (10k CNY)"
    unit = f.count_unit_zh or "个"
    return f"{_fmt_num(v)}{unit}" if lang == "zh" else _fmt_num(v)


def _texts(key: str, build) -> tuple[str, str]:
    return t(key, "zh", **build("zh")), t(key, "en", **build("en"))


def _r(x, nd: int = 4):
    """A JSON-friendly number: ints stay ints, floats are rounded, NaN becomes None."""
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    return None if math.isnan(x) else round(x, nd)


# ============================================================================================ evaluation

def _as_date(d) -> dt.date:
    return cal._as_date(d)


class _Data:
    """The inputs prepared once for every week a call evaluates (the review week and its history)."""

    def __init__(self, logs: pd.DataFrame, roster: pd.DataFrame, targets: pd.DataFrame, rules: Rules,
                 overrides, horizon: dt.date):
        self.rules = rules
        self.ov = overrides or None
        self.horizon = horizon
        r = roster.copy() if roster is not None else pd.DataFrame()
        for c in ("employee_id", "name", "team", "start_date", "mentor_id", "active"):
            if c not in r:
                r[c] = None if c != "active" else True
        r["employee_id"] = r["employee_id"].astype(str)
        r["active"] = r["active"].fillna(True).astype(bool)
        r = r[r["active"]].drop_duplicates("employee_id", keep="last")
        r["start"] = pd.to_datetime(r["start_date"], errors="coerce")
        r = r[r["start"].isna() | (r["start"] <= pd.Timestamp(horizon))]
        self.all_ids = set(r["employee_id"])
        self.roster = r.set_index("employee_id")
        self.ids = self.roster.index
        self.team = self.roster["team"].fillna("").astype(str)
        sizes = self.team.map(self.team.value_counts())
        self.big_team = sizes >= rules.peer_group_min_size
        self.group = self.team.where(self.big_team, _BRANCH)

        lg = logs if logs is not None else pd.DataFrame()
        need = ["employee_id", "date", *METRICS, "notes"]
        lg = lg.reindex(columns=need).copy()
        lg["employee_id"] = lg["employee_id"].astype(str)
        lg["date"] = pd.to_datetime(lg["date"]).dt.normalize()
        lg = lg[lg["employee_id"].isin(self.all_ids) & (lg["date"] <= pd.Timestamp(horizon))]
        for m in FLOW_METRICS:
            lg[m] = pd.to_numeric(lg[m], errors="coerce").fillna(0.0).astype("float64")
        lg["deposit_balance"] = pd.to_numeric(lg["deposit_balance"], errors="coerce").astype("float64")
        notes_blank = lg["notes"].isna() | (lg["notes"].astype(str).str.strip() == "")
        lg["empty"] = (lg[list(FLOW_METRICS)] == 0).all(axis=1) & lg["deposit_balance"].isna() & notes_blank
        lg["monday"] = lg["date"] - pd.to_timedelta(lg["date"].dt.weekday, unit="D")
        self.logs = lg.reset_index(drop=True)
        wk = lg.groupby(["employee_id", "monday"])[list(FLOW_METRICS)].sum()
        wk["logged_days"] = lg.groupby(["employee_id", "monday"]).size()
        self.wk = wk

        tg = targets if targets is not None else pd.DataFrame()
        tg = tg.reindex(columns=["month", "employee_id", "metric", "value"]).copy()
        tg["employee_id"] = tg["employee_id"].astype(str)
        tg["value"] = pd.to_numeric(tg["value"], errors="coerce")
        self.targets = tg[(tg["value"] > 0) & tg["employee_id"].isin(self.all_ids)
                          & tg["metric"].isin(TARGET_METRICS)].reset_index(drop=True)
        self._wd_cache: dict = {}
        self._wide: dict = {}
        self._sums: dict = {}
        self._monthly: dict = {}

    # ---------------------------------------------------------------- helpers
    def name(self, eid: str) -> str:
        n = self.roster.at[eid, "name"]
        return str(n) if n is not None and n == n else eid

    def workdays(self, a: dt.date, b: dt.date) -> list[dt.date]:
        key = (a, b)
        if key not in self._wd_cache:
            self._wd_cache[key] = cal.workdays(a, b, self.ov)
        return self._wd_cache[key]

    def employed(self, monday: dt.date) -> pd.Series:
        """Managers employed for the whole week starting `monday` (bool by employee_id)."""
        s = self.roster["start"]
        return s.isna() | (s <= pd.Timestamp(monday))

    def weekly(self, metric: str, mondays: list[dt.date]) -> pd.DataFrame:
        """employee_id × monday weekly totals (0 when nothing logged), NaN for weeks not fully employed."""
        cols = pd.DatetimeIndex([pd.Timestamp(m) for m in mondays])
        wide = self._wide.get(metric)
        if wide is None:
            if metric in self.wk.columns and len(self.wk):
                wide = self.wk[metric].unstack("monday")
            else:
                wide = pd.DataFrame(index=pd.Index([], name="employee_id"))
            self._wide[metric] = wide
        w = wide.reindex(index=self.ids, columns=cols).fillna(0.0).astype("float64")
        start = self.roster["start"].to_numpy(dtype="datetime64[ns]")
        not_yet = start[:, None] > cols.to_numpy()[None, :]          # NaT compares False: employed
        return w.mask(not_yet)

    def peer_median(self, values: pd.Series) -> pd.Series:
        """For each manager, the median of `values` over his peer group (NaN values are not in the group)."""
        values = values.reindex(self.ids)
        valid = values.dropna()
        team_med = valid.groupby(self.team.reindex(valid.index)).median()
        branch_med = valid.median() if len(valid) else np.nan
        out = self.team.map(team_med).where(self.big_team, branch_med)
        return out.astype("float64")

    def sums(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Flow totals per manager from `start` to `end` inclusive (0 when nothing logged)."""
        key = (start, end)
        if key not in self._sums:
            lg = self.logs
            sel = lg[(lg["date"] >= pd.Timestamp(start)) & (lg["date"] <= pd.Timestamp(end))]
            self._sums[key] = sel.groupby("employee_id")[list(FLOW_METRICS)].sum().reindex(self.ids).fillna(0.0)
        return self._sums[key]

    def per_month(self, rule_id: str, month: str, compute) -> list[Flag]:
        """Monthly rules give the same flags for every week judged on the same month: compute once, copy."""
        key = (rule_id, month)
        if key not in self._monthly:
            self._monthly[key] = compute()
        return [dataclasses.replace(f, evidence=dict(f.evidence)) for f in self._monthly[key]]

    def targeted(self, month: str, metrics) -> pd.DataFrame:
        tg = self.targets
        return tg[(tg["month"] == month) & tg["metric"].isin(list(metrics))][["employee_id", "metric", "value"]]

    def flag(self, eid: str, rule_id: str, evidence: dict, texts: tuple[str, str], severity: str | None = None,
             metric: str | None = None, period: str | None = None) -> Flag:
        p = self.rules.rules[rule_id]
        return Flag(employee_id=eid, manager_name=self.name(eid), team=str(self.team.get(eid, "")),
                    rule_id=rule_id, severity=severity or p["severity"],
                    evidence={k: _r(v) if isinstance(v, (int, float, np.floating, np.integer)) else v
                              for k, v in evidence.items()},
                    reason_zh=texts[0], reason_en=texts[1], focus=p["focus"],
                    focus_zh=t(f"coaching.focus.{rule_id}", "zh"), focus_en=t(f"coaching.focus.{rule_id}", "en"),
                    metric=metric, period=period)

    # ---------------------------------------------------------------- one week
    def evaluate_week(self, monday: dt.date, horizon: dt.date) -> list[Flag]:
        out: list[Flag] = []
        if not len(self.ids):
            return out
        for rid in RULE_IDS:
            if self.rules.enabled(rid):
                out.extend(getattr(self, f"_rule_{rid}")(monday, horizon))
        return out

    def _rule_behind_pace(self, monday, horizon):
        p = self.rules.rules["behind_pace"]
        month = cal.month_key(horizon)
        total = len(cal.month_workdays(month, self.ov))
        elapsed = cal.elapsed_workdays(month, horizon, self.ov)
        if total == 0 or elapsed < p["min_workdays_into_month"] or elapsed == 0:
            return []
        tg = self.targeted(month, p["metrics"])
        if tg.empty:
            return []
        first, _ = cal.month_bounds(month)
        sums = self.sums(first, horizon)
        tg = tg[tg["employee_id"].isin(self.ids)].copy()
        tg["actual"] = [sums.at[e, m] for e, m in zip(tg["employee_id"], tg["metric"])]
        tg["expected"] = tg["value"] * elapsed / total
        tg["pace"] = tg["actual"] / tg["expected"]
        behind = tg[tg["pace"] < p["ratio"]]
        out = []
        for eid, g in behind.groupby("employee_id", sort=True):
            w = g.loc[g["pace"].idxmin()]
            sev = "high" if w["pace"] < p["high_ratio"] else None
            m = w["metric"]
            ev = {"actual": w["actual"], "expected": w["expected"], "target": w["value"], "pace": w["pace"],
                  "elapsed_workdays": elapsed, "month_workdays": total, "metrics_behind": len(g)}
            texts = _texts("coaching.reason.behind_pace", lambda lang: dict(
                metric=metric_label(m, lang, with_unit=False), date=fmt_date(horizon, lang),
                actual=fmt_value(m, w["actual"], lang), expected=fmt_value(m, w["expected"], lang),
                target=fmt_value(m, w["value"], lang), pct=fmt_pct(w["pace"], 0),
                others=len(g) - 1))
            out.append(self.flag(eid, "behind_pace", ev, texts, sev, m, month))
        return out

    def _rule_low_activity(self, monday, horizon):
        p = self.rules.rules["low_activity"]
        k = p["weeks"]
        mondays = [monday - dt.timedelta(weeks=i) for i in range(k - 1, -1, -1)]
        w = self.weekly("visits", mondays)
        fire = pd.Series(True, index=self.ids)
        meds = {}
        for c in w.columns:
            med = self.peer_median(w[c])
            meds[c] = med
            fire &= w[c].notna() & (med > 0) & (w[c] < p["ratio"] * med)
        out = []
        cur, prev = w.columns[-1], w.columns[-2] if k >= 2 else None
        for eid in fire[fire].index:
            v, med = w.at[eid, cur], meds[cur][eid]
            ev = {"visits": v, "peer_median": med, "share_of_median": v / med if med else None, "weeks": k}
            if prev is not None:
                ev.update(visits_prev=w.at[eid, prev], peer_median_prev=meds[prev][eid])
            texts = _texts("coaching.reason.low_activity" + ("" if prev is not None else "_one"), lambda lang: dict(
                weeks=k, visits=fmt_value("visits", v, lang), median=fmt_value("visits", med, lang),
                visits_prev=fmt_value("visits", ev.get("visits_prev", 0), lang),
                median_prev=fmt_value("visits", ev.get("peer_median_prev", 0), lang)))
            out.append(self.flag(eid, "low_activity", ev, texts, metric="visits", period=cal.week_key(monday)))
        return out

    def _rule_busy_not_converting(self, monday, horizon):
        p = self.rules.rules["busy_not_converting"]
        k = p["weeks"]
        first = monday - dt.timedelta(weeks=k - 1)
        sums = self.sums(first, horizon)
        emp = self.employed(first)
        visits = sums["visits"].where(emp)
        new = sums["new_customers"].where(emp)
        conv = (new / visits).where(visits > 0)
        med_v = self.peer_median(visits)
        med_c = self.peer_median(conv)
        fire = (visits > 0) & (visits >= med_v) & (med_c > 0) & (conv < p["ratio"] * med_c)
        out = []
        for eid in fire[fire.fillna(False)].index:
            ev = {"visits": visits[eid], "peer_median_visits": med_v[eid], "new_customers": new[eid],
                  "conversion": conv[eid], "peer_conversion": med_c[eid],
                  "share_of_peer": conv[eid] / med_c[eid], "weeks": k}
            texts = _texts("coaching.reason.busy_not_converting", lambda lang: dict(
                weeks=k, visits=fmt_value("visits", visits[eid], lang),
                median=fmt_value("visits", med_v[eid], lang), new=fmt_value("new_customers", new[eid], lang),
                conv=fmt_pct(conv[eid], 1), peer_conv=fmt_pct(med_c[eid], 1)))
            out.append(self.flag(eid, "busy_not_converting", ev, texts, metric="new_customers",
                                 period=cal.week_key(monday)))
        return out

    def _week_workdays(self, m: dt.date, horizon: dt.date) -> int:
        return len(self.workdays(m, min(m + dt.timedelta(days=6), horizon)))

    def _rule_declining(self, monday, horizon):
        p = self.rules.rules["declining"]
        k = p["weeks"]
        mondays = [monday - dt.timedelta(weeks=i) for i in range(k, -1, -1)]   # k+1 points, oldest first
        wdays = np.array([self._week_workdays(m, horizon) for m in mondays], dtype="float64")
        if p["per_workday"] and (wdays == 0).any():
            return []
        month = cal.month_key(horizon)
        tg = self.targeted(month, p["metrics"])
        targeted = tg.groupby("employee_id")["metric"].agg(set).to_dict()
        candidates = [m for m in TARGET_METRICS if m == "visits" or m in set(tg["metric"])]
        if "visits" not in p["metrics"]:
            candidates = [m for m in candidates if m != "visits"]
        found: dict[str, list] = {}
        for m in candidates:
            w = self.weekly(m, mondays)
            vals = w.to_numpy()
            norm = vals / wdays if p["per_workday"] else vals
            falling = np.all(np.diff(norm, axis=1) < 0, axis=1)
            change = np.divide(norm[:, -1], norm[:, 0], out=np.full(len(norm), np.nan), where=norm[:, 0] > 0)
            ok = falling & (norm[:, 0] > 0) & (change <= p["ratio"]) & ~np.isnan(vals).any(axis=1)
            for i in np.flatnonzero(ok):
                eid = w.index[i]
                if m != "visits" and m not in targeted.get(eid, set()):
                    continue
                found.setdefault(eid, []).append((change[i], m, vals[i]))
        out = []
        for eid, items in sorted(found.items()):
            change, m, vals = min(items, key=lambda x: (x[0], TARGET_METRICS.index(x[1])))
            ev = {"first": vals[0], "last": vals[-1], "change": change, "weeks_falling": k,
                  "metrics_declining": len(items)}
            ev.update({f"week_{i + 1}": v for i, v in enumerate(vals)})
            texts = _texts("coaching.reason.declining", lambda lang: dict(
                metric=metric_label(m, lang, with_unit=False), weeks=k,
                first=fmt_value(m, vals[0], lang), last=fmt_value(m, vals[-1], lang), pct=fmt_pct(change, 0)))
            out.append(self.flag(eid, "declining", ev, texts, metric=m, period=cal.week_key(monday)))
        return out

    def _rule_missing_logs(self, monday, horizon):
        p = self.rules.rules["missing_logs"]
        sunday = monday + dt.timedelta(days=6)
        lg = self.logs[(self.logs["date"] >= pd.Timestamp(monday)) & (self.logs["date"] <= pd.Timestamp(horizon))]
        if lg.empty:
            return []
        # Cut-off: the last date anyone in the peer group logged this week (an upload not made yet is no flag).
        last = lg.groupby("employee_id")["date"].max().reindex(self.ids)
        group_last = last.groupby(self.group).max()
        branch_last = last.max()
        out = []
        by_eid = {e: g for e, g in lg.groupby("employee_id")}
        for eid in self.ids:
            cutoff = branch_last if not self.big_team[eid] else group_last.get(self.group[eid], pd.NaT)
            if pd.isna(cutoff):
                continue
            start = self.roster.at[eid, "start"]
            a = max(monday, start.date()) if not pd.isna(start) else monday
            b = min(cutoff.date(), horizon, sunday)
            days = self.workdays(a, b) if a <= b else []
            if not days:
                continue
            g = by_eid.get(eid)
            logged = set() if g is None else set(g["date"].dt.date)
            empty = set() if g is None or not p["count_empty_rows"] else set(g.loc[g["empty"], "date"].dt.date)
            missing = sum(1 for d in days if d not in logged)
            n_empty = sum(1 for d in days if d in empty)
            if missing + n_empty >= p["min_days"]:
                ev = {"missing_days": missing, "empty_days": n_empty, "workdays": len(days)}
                texts = _texts("coaching.reason.missing_logs", lambda lang: dict(
                    days=missing + n_empty, missing=missing, empty=n_empty, workdays=len(days)))
                out.append(self.flag(eid, "missing_logs", ev, texts, period=cal.week_key(monday)))
        return out

    def _rule_complaints(self, monday, horizon):
        p = self.rules.rules["complaints"]
        s = self.sums(monday, horizon)["complaints"]
        out = []
        for eid in s[s >= p["min_count"]].index:
            n = s[eid]
            sev = "high" if n >= p["high_count"] else None
            texts = _texts("coaching.reason.complaints", lambda lang: dict(count=_fmt_num(n)))
            out.append(self.flag(eid, "complaints", {"complaints": n}, texts, sev, metric="complaints",
                                 period=cal.week_key(monday)))
        return out

    def _last_complete_month(self, horizon: dt.date) -> str:
        month = cal.month_key(horizon)
        return month if horizon >= cal.month_bounds(month)[1] else cal.add_months(month, -1)

    def _rule_front_loaded(self, monday, horizon):
        month = self._last_complete_month(horizon)
        return self.per_month("front_loaded", month, lambda: self._front_loaded(month))

    def _front_loaded(self, month: str) -> list[Flag]:
        p = self.rules.rules["front_loaded"]
        first, last = cal.month_bounds(month)
        days = cal.month_workdays(month, self.ov)
        if len(days) <= p["last_workdays"]:
            return []
        cut = days[-p["last_workdays"]]
        tg = self.targeted(month, p["metrics"])
        emp = self.employed(first)
        tg = tg[tg["employee_id"].isin(emp[emp].index)].copy()
        if tg.empty:
            return []
        total, late = self.sums(first, last), self.sums(cut, last)
        tg["total"] = [total.at[e, m] for e, m in zip(tg["employee_id"], tg["metric"])]
        tg["late"] = [late.at[e, m] for e, m in zip(tg["employee_id"], tg["metric"])]
        tg["attainment"] = tg["total"] / tg["value"]
        tg["share"] = np.where(tg["total"] > 0, tg["late"] / tg["total"].where(tg["total"] > 0, 1), np.nan)
        hit = tg[(tg["attainment"] >= p["min_attainment"]) & (tg["total"] > 0) & (tg["share"] < p["ratio"])]
        out = []
        for eid, g in hit.groupby("employee_id", sort=True):
            w = g.loc[g["share"].idxmin()]
            m = w["metric"]
            ev = {"month_total": w["total"], "target": w["value"], "attainment": w["attainment"],
                  "last_days_total": w["late"], "last_days_share": w["share"], "last_workdays": p["last_workdays"],
                  "metrics_front_loaded": len(g)}
            texts = _texts("coaching.reason.front_loaded", lambda lang: dict(
                metric=metric_label(m, lang, with_unit=False), month=fmt_month(month, lang),
                att=fmt_pct(w["attainment"], 0), days=p["last_workdays"], share=fmt_pct(w["share"], 0),
                total=fmt_value(m, w["total"], lang), late=fmt_value(m, w["late"], lang)))
            out.append(self.flag(eid, "front_loaded", ev, texts, metric=m, period=month))
        return out

    def spike_month(self, horizon: dt.date) -> tuple[str, dt.date, list[dt.date]] | None:
        """The latest month whose `workdays_after` working days after its last working day are ≤ horizon."""
        n = self.rules.rules["month_end_spike"]["workdays_after"]
        month = cal.month_key(horizon)
        for _ in range(3):
            days = cal.month_workdays(month, self.ov)
            if days:
                last_wd = days[-1]
                after = self.workdays(last_wd + dt.timedelta(days=1), last_wd + dt.timedelta(days=45))[:n]
                if len(after) == n and after[-1] <= horizon:
                    return month, last_wd, after
            month = cal.add_months(month, -1)
        return None

    def balances(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """employee_id × calendar day deposit balance, carried forward over days without a logged balance."""
        lg = self.logs[self.logs["deposit_balance"].notna() & (self.logs["date"] <= pd.Timestamp(end))]
        days = pd.date_range(start, end, freq="D")
        if lg.empty:
            return pd.DataFrame(index=self.ids, columns=days, dtype="float64")
        piv = lg.pivot_table(index="employee_id", columns="date", values="deposit_balance", aggfunc="last")
        before = piv.loc[:, piv.columns < pd.Timestamp(start)]
        seed = before.ffill(axis=1).iloc[:, -1] if before.shape[1] else None
        piv = piv.reindex(columns=days)
        if seed is not None:
            piv.iloc[:, 0] = piv.iloc[:, 0].fillna(seed)
        return piv.ffill(axis=1).reindex(self.ids)

    def _rule_month_end_spike(self, monday, horizon):
        sm = self.spike_month(horizon)
        if sm is None:
            return []
        return self.per_month("month_end_spike", sm[0], lambda: self._month_end_spike(*sm))

    def _month_end_spike(self, month: str, last_wd: dt.date, after: list[dt.date]) -> list[Flag]:
        p = self.rules.rules["month_end_spike"]
        first, last = cal.month_bounds(month)
        bal = self.balances(first, after[-1])
        month_cols = [c for c in bal.columns if c <= pd.Timestamp(last)]
        avg = bal[month_cols].mean(axis=1, skipna=True)
        b_last = bal[pd.Timestamp(last_wd)]
        b_min = bal[[pd.Timestamp(d) for d in after]].min(axis=1)
        spike = b_last - avg
        gone = b_last - b_min
        fire = (avg > 0) & (b_last >= p["ratio"] * avg) & (spike > 0) & (gone >= p["flowback"] * spike)
        out = []
        for eid in fire[fire.fillna(False)].index:
            ev = {"balance_last_workday": b_last[eid], "avg_daily_balance": avg[eid],
                  "ratio_to_avg": b_last[eid] / avg[eid], "min_after": b_min[eid], "flowed_back": gone[eid],
                  "flowback_share": gone[eid] / spike[eid], "workdays_after": len(after)}
            texts = _texts("coaching.reason.month_end_spike", lambda lang: dict(
                month=fmt_month(month, lang), last=fmt_value("deposit_balance", b_last[eid], lang),
                avg=fmt_value("deposit_balance", avg[eid], lang), x=f"{b_last[eid] / avg[eid]:.2f}",
                gone=fmt_value("deposit_balance", gone[eid], lang), pct=fmt_pct(gone[eid] / spike[eid], 0),
                days=len(after)))
            out.append(self.flag(eid, "month_end_spike", ev, texts, metric="deposit_balance", period=month))
        return out

    def _rule_new_without_mentor(self, monday, horizon):
        p = self.rules.rules["new_without_mentor"]
        out = []
        for eid, row in self.roster.iterrows():
            start = row["start"]
            if pd.isna(start):
                continue
            start = start.date()
            months = (horizon.year - start.year) * 12 + (horizon.month - start.month) - (horizon.day < start.day)
            if start > horizon or months >= p["tenure_months"]:
                continue
            mentor = row["mentor_id"]
            mentor = "" if mentor is None or mentor != mentor else str(mentor).strip()
            if mentor and mentor != eid and mentor in self.all_ids:
                continue
            days = (horizon - start).days
            ev = {"tenure_months": months, "tenure_days": days}
            texts = _texts("coaching.reason.new_without_mentor", lambda lang: dict(
                months=months, start=fmt_date(start, lang),
                mentor=mentor or "—"))
            out.append(self.flag(eid, "new_without_mentor", ev, texts, period=cal.week_key(monday)))
        return out


def _horizon(week: str, as_of) -> tuple[dt.date, dt.date, dt.date]:
    monday, sunday = cal.week_bounds(week)
    horizon = sunday if as_of is None else min(sunday, _as_date(as_of))
    if horizon < monday:
        raise ValueError(t("coaching.err.as_of_before_week", "en", as_of=_as_date(as_of), week=week))
    return monday, sunday, horizon


def _with_history(data: _Data, monday: dt.date, horizon: dt.date, history_weeks: int) -> list[Flag]:
    per_week: list[dict] = []       # index k = k weeks before W
    for k in range(history_weeks + 1):
        m = monday - dt.timedelta(weeks=k)
        hz = horizon if k == 0 else m + dt.timedelta(days=6)
        per_week.append({f.key: f for f in data.evaluate_week(m, hz)})
    out = []
    for key, f in per_week[0].items():
        n = 1
        while n < len(per_week) and key in per_week[n]:
            n += 1
        f.history, f.weeks = ("new" if n == 1 else "continuing"), n
        out.append(f)
    if len(per_week) > 1:
        for key, f in per_week[1].items():
            if key in per_week[0]:
                continue
            n = 1
            while n + 1 < len(per_week) and key in per_week[n + 1]:
                n += 1
            f.history, f.weeks = "resolved", n
            out.append(f)
    return sort_flags(out)


def evaluate(logs: pd.DataFrame, roster: pd.DataFrame, targets: pd.DataFrame, week: str,
             rules: Rules | None = None, overrides=None, as_of=None) -> list[Flag]:
    """Flags for review week `week` ('2026-W44'), with their history. Pure: no database, no clock.

    `as_of` (a date) cuts the data and the month-to-date at that day when it falls inside the week; by default
    the week is evaluated up to its Sunday. History compares with the previous ``rules.history_weeks`` weeks:
    a flag firing in W is *new* or *continuing* (``weeks`` = consecutive weeks, W included); a flag that fired
    last week and not in W is returned with history *resolved*.
    """
    rules = rules or Rules.default()
    monday, _, horizon = _horizon(week, as_of)
    data = _Data(logs, roster, targets, rules, overrides, horizon)
    return _with_history(data, monday, horizon, rules.history_weeks)


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


# ============================================================================================ evidence charts

def _series_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["order", "x", "series", "value"])


def flag_series(data: _Data, flag: Flag, monday: dt.date, horizon: dt.date, weeks: int = 8) -> pd.DataFrame:
    """The evidence of one flag as a small chart: columns order, x (label), series, value.

    Weekly rules: the manager's weekly series (``manager``) against the peer median (``peer_median``) for the
    last `weeks` weeks. month_end_spike: the daily balance (``balance``) against the month's 日均
    (``avg_daily``). new_without_mentor has no series.
    """
    eid, rid = flag.employee_id, flag.rule_id
    rows: list[dict] = []
    if rid == "new_without_mentor" or eid not in data.ids:
        return _series_frame(rows)
    if rid == "month_end_spike":
        sm = data.spike_month(horizon)
        if sm is None:
            return _series_frame(rows)
        month, last_wd, after = sm
        first, last = cal.month_bounds(month)
        bal = data.balances(first, after[-1])
        avg = bal[[c for c in bal.columns if c <= pd.Timestamp(last)]].loc[eid].mean(skipna=True)
        for i, (c, v) in enumerate(bal.loc[eid].items()):
            if not cal.is_workday(c.date(), data.ov):
                continue
            rows.append({"order": i, "x": c.date().isoformat(), "series": "balance", "value": _r(v, 2)})
            rows.append({"order": i, "x": c.date().isoformat(), "series": "avg_daily", "value": _r(avg, 2)})
        return _series_frame(rows)
    mondays = [monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    if rid == "busy_not_converting":
        v = data.weekly("visits", mondays)
        n = data.weekly("new_customers", mondays)
        w = (n / v.where(v > 0)).where(v.notna())
    elif rid == "missing_logs":
        w = data.weekly("logged_days", mondays)
    else:
        w = data.weekly(flag.metric or "visits", mondays)
    for i, c in enumerate(w.columns):
        med = data.peer_median(w[c])
        label = cal.week_key(c.date())
        rows.append({"order": i, "x": label, "series": "manager", "value": _r(w.at[eid, c])})
        rows.append({"order": i, "x": label, "series": "peer_median", "value": _r(med[eid])})
    return _series_frame(rows)


# ============================================================================================ praise

IMPROVEMENT_COLUMNS = ["employee_id", "manager_name", "team", "score", "metric", "before", "after", "resolved"]


def improvements(data: _Data, monday: dt.date, horizon: dt.date, flags: list[Flag] | None = None) -> pd.DataFrame:
    """Who improved most week-on-week (praise first), best first.

    For visits, new customers and each metric the manager has a target for this month, the manager's weekly
    total relative to the peer median (capped at 3×) is compared between W and the week before;
    ``score`` = the mean change of that relative level over the metrics (0.25 = a quarter of a peer median
    better on average). ``metric``/``before``/``after`` name the metric that rose most. ``resolved`` lists the
    rule ids resolved since last week. Only scores ≥ ``praise.min_improvement`` are kept, at most ``top_n``.
    """
    prev = monday - dt.timedelta(weeks=1)
    month = cal.month_key(horizon)
    tg = data.targeted(month, TARGET_METRICS)
    targeted = tg.groupby("employee_id")["metric"].agg(set).to_dict()
    metrics = [m for m in TARGET_METRICS if m in ("visits", "new_customers") or m in set(tg["metric"])]
    deltas = {}
    raw = {}
    for m in metrics:
        w = data.weekly(m, [prev, monday])
        rel = pd.DataFrame({c: (w[c] / data.peer_median(w[c]).where(lambda s: s > 0)).clip(upper=3.0)
                            for c in w.columns})
        deltas[m] = rel.iloc[:, 1] - rel.iloc[:, 0]
        raw[m] = w
    resolved: dict[str, list[str]] = {}
    for f in flags or []:
        if f.history == "resolved":
            resolved.setdefault(f.employee_id, []).append(f.rule_id)
    rows = []
    for eid in data.ids:
        own = [m for m in metrics if m in ("visits", "new_customers") or m in targeted.get(eid, set())]
        d = {m: deltas[m][eid] for m in own if not pd.isna(deltas[m][eid])}
        if not d:
            continue
        score = float(np.mean(list(d.values())))
        best = max(d, key=lambda m: (d[m], -TARGET_METRICS.index(m)))
        rows.append({"employee_id": eid, "manager_name": data.name(eid), "team": str(data.team[eid]),
                     "score": round(score, 4), "metric": best, "before": _r(raw[best].iat[raw[best].index.get_loc(eid), 0]),
                     "after": _r(raw[best].iat[raw[best].index.get_loc(eid), 1]),
                     "resolved": sorted(resolved.get(eid, []), key=RULE_IDS.index)})
    df = pd.DataFrame(rows, columns=IMPROVEMENT_COLUMNS)
    if df.empty:
        return df
    df = df[df["score"] >= data.rules.praise_min_improvement]
    return df.sort_values(["score", "employee_id"], ascending=[False, True]).head(data.rules.praise_top_n) \
             .reset_index(drop=True)


# ============================================================================================ did coaching work?

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
        fu = _as_date(fu)
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


def overdue_sessions(sessions: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Sessions whose follow-up date has passed without an outcome recorded, oldest follow-up first."""
    if sessions.empty:
        return sessions
    fu = pd.to_datetime(sessions["follow_up"], errors="coerce")
    outcome = sessions["outcome"].fillna("").astype(str).str.strip()
    sel = sessions[(fu < pd.Timestamp(today)).to_numpy() & (outcome == "").to_numpy()]
    return sel.sort_values("follow_up").reset_index(drop=True)


# ============================================================================================ scoped services

@dataclass
class Review:
    """Everything the coaching page shows for one week, already filtered to the caller's scope."""
    week: str
    as_of: dt.date
    flags: list[Flag]
    series: dict = field(default_factory=dict)          # (employee_id, rule_id) -> DataFrame (flag_series)
    improved: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=IMPROVEMENT_COLUMNS))

    @property
    def active(self) -> list[Flag]:
        return [f for f in self.flags if f.active]

    @property
    def resolved(self) -> list[Flag]:
        return [f for f in self.flags if not f.active]


def default_as_of(week: str, today: dt.date | None = None) -> dt.date:
    """The horizon of a review: the week's Sunday, or today while the week is still running."""
    monday, sunday = cal.week_bounds(week)
    today = today or dt.date.today()
    return today if monday <= today <= sunday else sunday


def _load(engine, week: str, as_of, rules: Rules | None, history_weeks: int | None = None):
    """All managers' data (director scope, inside core only: the peer medians need the whole branch)."""
    from core.scope import Scope
    from core.store import config as store_config
    from core.store import logs as store_logs
    internal = Scope("director", username="system:coaching")
    rules = rules or active_rules(engine)
    monday, _, horizon = _horizon(week, as_of)
    hw = rules.history_weeks if history_weeks is None else history_weeks
    # Enough history for every rule of every week evaluated: declining/busy look up to 13 weeks back,
    # front_loaded/month_end_spike up to two months back plus the carried-forward balance.
    start = min(monday - dt.timedelta(weeks=hw + 14), cal.month_bounds(cal.add_months(cal.month_key(
        monday - dt.timedelta(weeks=hw)), -3))[0])
    logs = store_logs.read_logs(engine, internal, start=start, end=horizon)
    roster = store_logs.read_roster(engine, internal)
    months = sorted({cal.month_key(start + dt.timedelta(days=d)) for d in range(0, (horizon - start).days + 1, 14)}
                    | {cal.month_key(horizon), cal.month_key(start)})
    targets = store_logs.read_targets(engine, internal, months=months)
    overrides = store_config.calendar_overrides(engine)
    return _Data(logs, roster, targets, rules, overrides, horizon), monday, horizon


def _visible(scope, flags: list[Flag], team: str | None) -> list[Flag]:
    return [f for f in flags if scope.can_see_manager(f.employee_id, f.team) and (team is None or f.team == team)]


def flags_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                   as_of=None) -> list[Flag]:
    """This week's flags (with history and acknowledgements) for the managers `scope` may see.

    Peers are read with a director scope inside core only to compute the peer medians; the flags returned are
    only those of managers the caller's scope can see (a team lead: his team; a manager: himself), optionally
    narrowed to `team`. `as_of` defaults to :func:`default_as_of`.
    """
    from core.store import coaching as store_coaching
    as_of = default_as_of(week) if as_of is None else _as_date(as_of)
    data, monday, horizon = _load(engine, week, as_of, rules)
    flags = _visible(scope, _with_history(data, monday, horizon, data.rules.history_weeks), team)
    return apply_acks(flags, store_coaching.read_acks(engine, scope, week=week), week)


def review_for_week(engine, scope, week: str, team: str | None = None, rules: Rules | None = None,
                    as_of=None, chart_weeks: int = 8) -> Review:
    """Flags plus evidence series and the praise list, for the coaching page (scoped like flags_for_week)."""
    from core.store import coaching as store_coaching
    as_of = default_as_of(week) if as_of is None else _as_date(as_of)
    data, monday, horizon = _load(engine, week, as_of, rules)
    all_flags = _with_history(data, monday, horizon, data.rules.history_weeks)
    flags = apply_acks(_visible(scope, all_flags, team), store_coaching.read_acks(engine, scope, week=week), week)
    series = {f.key: flag_series(data, f, monday, horizon, chart_weeks) for f in flags if f.active}
    imp = improvements(data, monday, horizon, all_flags)
    keep = [scope.can_see_manager(e, tm) and (team is None or tm == team) for e, tm in zip(imp["employee_id"], imp["team"])]
    return Review(week=week, as_of=horizon, flags=flags, series=series,
                  improved=imp[keep].reset_index(drop=True) if len(imp) else imp)


def fired_by_week(engine, weeks: list[str], today: dt.date, rules: Rules | None = None) -> dict[str, set]:
    """The (employee_id, rule_id) pairs firing in each of `weeks` (no history; weeks not over yet are cut at
    today; weeks after today are left out). For "did coaching work?"."""
    out: dict[str, set] = {}
    for wk in sorted(set(weeks)):
        monday, sunday = cal.week_bounds(wk)
        if monday > today:
            continue
        as_of = min(sunday, today)
        data, m, horizon = _load(engine, wk, as_of, rules, history_weeks=0)
        out[wk] = {f.key for f in data.evaluate_week(m, horizon)}
    return out


def session_review(engine, scope, today: dt.date, team: str | None = None, rules: Rules | None = None,
                   since: dt.date | None = None) -> pd.DataFrame:
    """Coaching sessions the caller may see, with ``status`` (did coaching work?) and ``overdue``."""
    from core.store import coaching as store_coaching
    sessions = store_coaching.read_sessions(engine, scope, team=team, start=since)
    if sessions.empty:
        return sessions.assign(status=pd.Series(dtype="object"), overdue=pd.Series(dtype="bool"))
    rules = rules or active_rules(engine)
    weeks = [cal.week_key(_as_date(d)) for d, r in zip(sessions["follow_up"], sessions["rule_id"])
             if r and d is not None and not pd.isna(d) and _as_date(d) <= today]
    fired = fired_by_week(engine, weeks, today, rules) if weeks else {}
    status = follow_up_status(sessions, fired, today)
    fu = pd.to_datetime(sessions["follow_up"], errors="coerce")
    outcome = sessions["outcome"].fillna("").astype(str).str.strip()
    overdue = pd.Series((fu < pd.Timestamp(today)).to_numpy() & (outcome == "").to_numpy(), index=sessions.index)
    return sessions.assign(status=status, overdue=overdue)
