"""Talking points for the 8:30 morning meeting (晨会), written from the data.

Three to five sentences, **praise first** (表扬在前, 辅导在后 — `002:371`), with concrete numbers, units and
the working days left. Inputs are the DataFrames of :mod:`core.routines`:

* ``progress_branch`` — :func:`core.routines.progress.month_progress` rows at level ``branch`` (the whole selection);
* ``progress_team`` — the same at level ``team``;
* ``yesterday`` — :func:`core.routines.frames.daily_snapshot` for the last working day;
* ``progress_manager`` (optional) — manager-level rows, for the month's leader (composite score of
  :func:`core.routines.ranking.ranking`).

Points, in this order
---------------------
Praise (at most 2 unless fewer concerns exist):
  1. the team furthest ahead of pace on one metric (highest pace ratio among team rows with status ``ahead``);
     with a single team in the selection, the selection itself (labelled ``scope_label``);
  2. yesterday's star: most new customers (ties: more visits, then employee ID); when nobody won a new customer,
     the most visits;
  3. the month's leader by composite score;
  4. everybody logged yesterday.
Concerns (at most 2): the selection's metrics behind pace (status ``behind``), worst pace ratio first, with the
  gap, the working days left and what is needed per day (counts rounded up to whole units).
Action (at most 1): who did not log yesterday (up to 5 names, then "and N more").

Points are chosen as praise[:2] + concerns[:2] + action[:1], then topped up from the remaining praise and concerns
until there are `min_points` (3), and capped at `max_points` (5). With no data at all the list may be shorter
(or empty): there is nothing honest to say.
"""
from __future__ import annotations


import pandas as pd

from core import fmt
from core.i18n import fmt_number, fmt_pct, norm_lang, t
from core.routines.ranking import ranking
from core.schema import FLOW_METRICS, metric_label

MAX_NAMES = 5


def tile_label(metric: str, lang: str = "zh") -> str:
    """A headline tile's label carries the unit ('新增存款(万元)', 'New deposits (CNY 10k)'; counts: '信用卡'),
    so the value can stay a short number that fits a projector column in either language."""
    return metric_label(metric, lang, with_unit=True)


def tile_value(metric: str, value: float, lang: str = "zh") -> str:
    """A headline tile's value: a whole number with thousands separators ('1,525'), rounded half up."""
    return fmt_number(value, 0)


def _name(row) -> str:
    name = row.get("name")
    return str(name) if isinstance(name, str) and name.strip() else str(row.get("employee_id") or "")


def _days_left(n: int, lang: str) -> str:
    return t("briefing.days_one", lang) if n == 1 else t("briefing.days_many", lang, n=n)


def _names(names: list[str], lang: str) -> str:
    shown = names[:MAX_NAMES]
    sep = "、" if lang == "zh" else ", "
    text = sep.join(shown)
    if len(names) > MAX_NAMES:
        text += t("briefing.and_more", lang, n=len(names) - MAX_NAMES)
    return text


def _ahead_point(rows: pd.DataFrame, lang: str, label: str | None) -> str | None:
    ahead = rows[(rows["status"] == "ahead") & rows["pace_ratio"].notna()]
    if ahead.empty:
        return None
    best = ahead.sort_values(["pace_ratio", "metric"], ascending=[False, True]).iloc[0]
    who = label if label else (best.get("name") or best.get("entity"))
    pace = best["expected"] / best["target"] if best["target"] else float("nan")
    return t("briefing.team_ahead", lang, team=who, metric=metric_label(best["metric"], lang, with_unit=False),
             amount=fmt.amount(best["metric"], best["gap"], lang), attainment=fmt_pct(best["attainment"]),
             pace=fmt_pct(pace))


def _star_point(yesterday: pd.DataFrame, lang: str) -> str | None:
    if yesterday is None or yesterday.empty:
        return None
    logged = yesterday[yesterday["logged"].astype(bool)]
    if logged.empty:
        return None
    by_new = logged.sort_values(["new_customers", "visits", "employee_id"], ascending=[False, False, True])
    top = by_new.iloc[0]
    if top["new_customers"] > 0:
        return t("briefing.star_new", lang, name=_name(top), team=top.get("team") or "",
                 new=fmt.amount("new_customers", top["new_customers"], lang),
                 visits=fmt.amount("visits", top["visits"], lang))
    by_visits = logged.sort_values(["visits", "employee_id"], ascending=[False, True])
    top = by_visits.iloc[0]
    if top["visits"] > 0:
        return t("briefing.star_visits", lang, name=_name(top), team=top.get("team") or "",
                 visits=fmt.amount("visits", top["visits"], lang))
    return None


def _leader_point(progress_manager: pd.DataFrame | None, lang: str, board: pd.DataFrame | None = None) -> str | None:
    if board is None:
        if progress_manager is None or progress_manager.empty:
            return None
        board = ranking(progress_manager, n=1)
    if board.empty:
        return None
    top = board.iloc[0]
    return t("briefing.month_leader", lang, name=_name(top), team=top.get("team") or "",
             score=fmt_pct(top["score"]), met=int(top["metrics_met"]), scored=int(top["metrics_scored"]))


def _all_logged_point(yesterday: pd.DataFrame, lang: str) -> str | None:
    if yesterday is None or yesterday.empty or not yesterday["logged"].astype(bool).all():
        return None
    return t("briefing.all_logged", lang, n=len(yesterday))


def _behind_points(rows: pd.DataFrame, lang: str) -> list[str]:
    behind = rows[(rows["status"] == "behind") & rows["pace_ratio"].notna()]
    out = []
    for _, r in behind.sort_values(["pace_ratio", "metric"]).iterrows():
        m = r["metric"]
        label = metric_label(m, lang, with_unit=False)
        left = int(r["workdays_left"])
        if left > 0:
            out.append(t("briefing.behind", lang, metric=label, gap=fmt.amount(m, -r["gap"], lang),
                         days=_days_left(left, lang), daily=fmt.amount(m, r["daily_needed"], lang, "up")))
        else:
            out.append(t("briefing.behind_last_day", lang, metric=label,
                         remaining=fmt.amount(m, r["remaining"], lang)))
    return out


def _missing_point(yesterday: pd.DataFrame, lang: str) -> str | None:
    if yesterday is None or yesterday.empty:
        return None
    missing = yesterday[~yesterday["logged"].astype(bool)].sort_values(["team", "employee_id"])
    if missing.empty:
        return None
    names = [_name(r) for _, r in missing.iterrows()]
    key = "briefing.missing_one" if len(names) == 1 else "briefing.missing_many"
    return t(key, lang, n=len(names), names=_names(names, lang))


def talking_points(progress_branch: pd.DataFrame, progress_team: pd.DataFrame, yesterday: pd.DataFrame,
                   lang: str = "zh", progress_manager: pd.DataFrame | None = None, scope_label: str | None = None,
                   min_points: int = 3, max_points: int = 5, board: pd.DataFrame | None = None) -> list[str]:
    """3–5 sentences for the morning meeting, praise first (see the module doc for the rules). `board`: the
    :func:`ranking` of `progress_manager` when the caller has it already (its first row is the month's leader)."""
    lang = norm_lang(lang)
    empty = pd.DataFrame(columns=["status", "pace_ratio", "metric"])
    branch = progress_branch if progress_branch is not None and len(progress_branch) else empty
    teams = progress_team if progress_team is not None and len(progress_team) else empty
    if len(teams) and teams["entity"].nunique() > 1:
        ahead = _ahead_point(teams, lang, None)
    else:
        one = teams["entity"].iat[0] if len(teams) else None
        ahead = _ahead_point(branch, lang, scope_label or one or t("word.branch", lang)) if len(branch) else None
    praise = [p for p in (ahead, _star_point(yesterday, lang), _leader_point(progress_manager, lang, board),
                          _all_logged_point(yesterday, lang)) if p]
    concerns = _behind_points(branch, lang) if len(branch) else []
    action = [p for p in (_missing_point(yesterday, lang),) if p]

    chosen_praise, chosen_concerns = praise[:2], concerns[:2]
    spare_praise, spare_concerns = praise[2:], concerns[2:]
    while len(chosen_praise) + len(chosen_concerns) + len(action[:1]) < min_points and (spare_praise or spare_concerns):
        if spare_praise:
            chosen_praise.append(spare_praise.pop(0))
        else:
            chosen_concerns.append(spare_concerns.pop(0))
    points = chosen_praise + chosen_concerns + action[:1]
    return points[:max_points]


def yesterday_totals(yesterday: pd.DataFrame) -> dict:
    """Headline figures of a :func:`core.routines.frames.daily_snapshot`: managers, logged, not_logged, and the
    sum of every flow metric over the managers (0 for an empty snapshot)."""
    if yesterday is None or yesterday.empty:
        return {"managers": 0, "logged": 0, "not_logged": 0, **{m: 0.0 for m in FLOW_METRICS}}
    logged = int(yesterday["logged"].astype(bool).sum())
    out = {"managers": int(len(yesterday)), "logged": logged, "not_logged": int(len(yesterday)) - logged}
    for m in FLOW_METRICS:
        out[m] = float(yesterday[m].sum()) if m in yesterday.columns else 0.0
    return out
