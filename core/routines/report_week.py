"""The weekly review (周小结) as a workbook: summary, managers, leaderboard, visits per day, funnel, coaching."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from core import calendar as cal
from core.i18n import WEEKDAYS, norm_lang, t
from core.routines.xlsx import (Col, Sheet, build_workbook, col_header, entity_names, metric_header, metric_kind,
                                metric_names, period_label, report_meta, rollup_first, week_title, wide_by_metric)
from core.schema import TARGET_METRICS


def weekly_summary(comparison: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Branch and team rows of :func:`core.routines.weeks.week_comparison` (level 'all'), branch first, with display names:
    columns level, entity, who, metric, metric_name, this_week, prev_week, change, change_pct, week_target,
    week_attainment, status."""
    lang = norm_lang(lang)
    cols = ["level", "entity", "who", "metric", "metric_name", "this_week", "prev_week", "change", "change_pct",
            "week_target", "week_attainment", "status"]
    if comparison is None or comparison.empty:
        return pd.DataFrame(columns=cols)
    df = rollup_first(comparison[comparison["level"].isin(["branch", "team"])]).copy()
    df["who"] = entity_names(df, lang)
    df["metric_name"] = metric_names(df["metric"], lang)
    return df[cols].reset_index(drop=True)


def weekly_report_xlsx(comparison: pd.DataFrame, board: pd.DataFrame, heat: pd.DataFrame, funnel: pd.DataFrame,
                       week: str, lang: str = "zh", headers: str | None = None, org: str | None = None,
                       line: str | None = None, flags: list | None = None, metrics: Sequence[str] = TARGET_METRICS,
                       overrides=None, generated: dt.date | None = None) -> bytes:
    """The week as a workbook.

    Inputs are :mod:`core.routines` outputs for the week: `comparison` = week_comparison(level='all'),
    `board` = leaderboard(period_totals(...)), `heat` = visits_heatmap, `funnel` = funnel(level='manager');
    `flags` = core.coaching Flag objects (a sheet when given). `headers`: 'zh', 'en' or 'both' (default: `lang`).
    Sheets: summary (branch and teams), managers (this week / last week / week target / attainment per metric),
    leaderboard, visits per day, funnel, coaching flags.
    """
    lang = norm_lang(lang)
    mode = headers if headers in ("zh", "en", "both") else lang
    a, b = cal.week_bounds(week)
    meta = report_meta(week_title(week, lang), org or t("word.branch", lang), period_label(a, b, lang), line, lang,
                 generated)
    sheets = []
    # summary
    summ = weekly_summary(comparison, lang)
    summ_cols = [Col("who", col_header("who", mode)), Col("metric_name", col_header("metric", mode)),
                 Col("this_week", col_header("this_week", mode), "metric"), Col("prev_week", col_header("prev_week", mode), "metric"),
                 Col("change", col_header("change", mode), "metric", sign=True),
                 Col("change_pct", col_header("change_pct", mode), "pct", sign=True),
                 Col("week_target", col_header("week_target", mode), "metric"),
                 Col("week_attainment", col_header("attainment", mode), "pct", rag=True),
                 Col("status", col_header("status", mode), "status")]
    sheets.append(Sheet(t("report.sheet.summary", lang), summ, summ_cols, freeze_cols=2,
                        total_rows=[i for i, lv in enumerate(summ["level"]) if lv == "branch"],
                        note=t("report.no_rows", lang)))
    # managers, wide
    man = comparison[comparison["level"] == "manager"] if comparison is not None and len(comparison) else \
        pd.DataFrame(columns=["entity", "metric", "employee_id", "name", "team"])
    ms = [m for m in metrics if m in set(man["metric"])] if len(man) else list(metrics)
    values = ("this_week", "prev_week", "week_target", "week_attainment")
    wide = wide_by_metric(man, ms, values).sort_values(["team", "employee_id"], na_position="last")
    man_cols = [Col("employee_id", col_header("employee_id", mode)), Col("name", col_header("manager", mode)),
                Col("team", col_header("team", mode))]
    for m in ms:
        k = metric_kind(m)
        g = metric_header(m, mode)
        man_cols += [Col(f"{m}|this_week", col_header("this_week", mode), k, group=g),
                     Col(f"{m}|prev_week", col_header("prev_week", mode), k, group=g),
                     Col(f"{m}|week_target", col_header("week_target", mode), k, group=g),
                     Col(f"{m}|week_attainment", col_header("attainment", mode), "pct", rag=True, group=g)]
    sheets.append(Sheet(t("report.sheet.managers", lang), wide, man_cols, freeze_cols=2,
                        note=t("report.no_rows", lang)))
    # leaderboard
    lb = board.copy() if board is not None else pd.DataFrame(columns=["metric", "rank", "name", "team", "value",
                                                                       "share"])
    if len(lb):
        lb["metric_name"] = metric_names(lb["metric"], lang)
    else:
        lb["metric_name"] = pd.Series(dtype=object)
    sheets.append(Sheet(t("report.sheet.leaderboard", lang), lb,
                        [Col("metric_name", col_header("metric", mode)), Col("rank", col_header("rank", mode), "int"),
                         Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)),
                         Col("value", col_header("value", mode), "metric"), Col("share", col_header("share", mode), "pct")],
                        freeze_cols=1, note=t("report.no_rows", lang)))
    # visits per day
    sheets.append(_heat_sheet(heat, week, lang, mode, overrides))
    # funnel
    fn = funnel if funnel is not None else pd.DataFrame()
    sheets.append(Sheet(t("report.sheet.funnel", lang), fn,
                        [Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)),
                         Col("visits", metric_header("visits", mode, False), "count"),
                         Col("new_customers", metric_header("new_customers", mode, False), "count"),
                         Col("products_sold", col_header("products_sold", mode), "count"),
                         Col("visit_to_new", col_header("visit_to_new", mode), "pct"),
                         Col("peer_visit_to_new", col_header("peer_visit_to_new", mode), "pct"),
                         Col("visit_to_new_vs_peer", col_header("vs_peer_points", mode), "points", sign=True),
                         Col("visit_to_product", col_header("visit_to_product", mode), "ratio"),
                         Col("peer_visit_to_product", col_header("peer_visit_to_product", mode), "ratio"),
                         Col("visit_to_product_vs_peer", col_header("vs_peer", mode), "ratio", sign=True)],
                        freeze_cols=1, note=t("report.no_rows", lang)))
    if flags is not None:
        sheets.append(_flags_sheet(flags, lang, mode))
    return build_workbook(meta, sheets, pace=1.0)


def _heat_sheet(heat: pd.DataFrame, week: str, lang: str, mode: str, overrides=None) -> Sheet:
    a, _ = cal.week_bounds(week)
    days = [a + dt.timedelta(days=i) for i in range(7)]
    day_cols = []
    for i, d in enumerate(days):
        zh = f"{d.month}/{d.day} {WEEKDAYS['zh'][i]}"
        en = f"{d:%m-%d} {WEEKDAYS['en'][i]}"
        if not cal.is_workday(d, overrides):
            zh, en = zh + "(休)", en + " (off)"
        head = {"zh": zh, "en": en, "both": f"{zh}\n{en}"}[mode]
        day_cols.append(Col(f"d{i}", head, "count", heat=True))
    if heat is None or heat.empty:
        frame = pd.DataFrame(columns=["name", "team", *[f"d{i}" for i in range(7)], "week_total"])
    else:
        piv = heat.pivot_table(index="employee_id", columns="weekday", values="value", aggfunc="first",
                               dropna=False, sort=False).reindex(columns=range(7))
        first = heat.drop_duplicates("employee_id").set_index("employee_id")[["name", "team", "week_total"]]
        frame = first.join(piv.rename(columns=lambda i: f"d{i}")).reset_index()
    cols = [Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)), *day_cols,
            Col("week_total", col_header("week_total", mode), "count")]
    return Sheet(t("report.sheet.visits", lang), frame, cols, freeze_cols=1, note=t("report.no_rows", lang))


def _flags_sheet(flags: list, lang: str, mode: str) -> Sheet:
    rows = [{"name": f.manager_name, "team": f.team, "severity": t(f"report.severity.{f.severity}", lang),
             "reason": f.reason(lang), "focus": f.focus_topic(lang),
             "history": t(f"report.history.{f.history}", lang), "weeks": f.weeks} for f in flags]
    frame = pd.DataFrame(rows, columns=["name", "team", "severity", "reason", "focus", "history", "weeks"])
    cols = [Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)), Col("severity", col_header("severity", mode)),
            Col("reason", col_header("reason", mode), width=60), Col("focus", col_header("focus", mode), width=30),
            Col("history", col_header("history", mode)), Col("weeks", col_header("weeks", mode), "int")]
    return Sheet(t("report.sheet.coaching", lang), frame, cols, freeze_cols=1, note=t("report.no_flags", lang))
