"""The monthly wrap-up (月总结) as a workbook: summary with 环比/同比, attainment matrix, managers, ranking,
distribution, deposits 日均 vs 时点, charts."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core import calendar as cal
from core.i18n import fmt_month, norm_lang, t
from core.routines.ranking import attainment_matrix
from core.routines.xlsx import (Col, Sheet, build_workbook, col_header, entity_names, metric_header, metric_kind,
                                metric_names, period_label, report_meta, rollup_first, wide_by_metric)
from core.schema import TARGET_METRICS


def monthly_summary(progress: pd.DataFrame, mom: pd.DataFrame | None = None, yoy: pd.DataFrame | None = None,
                    lang: str = "zh") -> pd.DataFrame:
    """Branch and team rows of month_progress (level 'all'), branch first, joined to month-over-month and
    year-over-year (:func:`core.routines.compare.month_over_month` / ``year_over_year`` at levels team and branch).

    Columns: level, entity, who, metric, metric_name, actual, target, attainment, status, prev_month, mom_pct,
    last_year, yoy_pct (NaN where there is no data to compare with).
    """
    lang = norm_lang(lang)
    cols = ["level", "entity", "who", "metric", "metric_name", "actual", "target", "attainment", "status",
            "prev_month", "mom_pct", "last_year", "yoy_pct"]
    if progress is None or progress.empty:
        return pd.DataFrame(columns=cols)
    df = rollup_first(progress[progress["level"].isin(["branch", "team"])]).copy()
    for frame, prev, pct in ((mom, "prev_month", "mom_pct"), (yoy, "last_year", "yoy_pct")):
        if frame is not None and len(frame):
            f = frame[["level", "entity", "metric", "previous", "change_pct"]].rename(
                columns={"previous": prev, "change_pct": pct})
            df = df.merge(f, on=["level", "entity", "metric"], how="left")
        else:
            df[prev] = np.nan
            df[pct] = np.nan
    df["who"] = entity_names(df, lang)
    df["metric_name"] = metric_names(df["metric"], lang)
    return df[cols].reset_index(drop=True)


def monthly_report_xlsx(progress: pd.DataFrame, month: str, lang: str = "zh", headers: str | None = None,
                        org: str | None = None, line: str | None = None, mom: pd.DataFrame | None = None,
                        yoy: pd.DataFrame | None = None, top: pd.DataFrame | None = None,
                        bottom: pd.DataFrame | None = None, dist: pd.DataFrame | None = None,
                        adb: pd.DataFrame | None = None, charts: list[tuple[str, bytes]] | None = None,
                        metrics: Sequence[str] = TARGET_METRICS, generated: dt.date | None = None) -> bytes:
    """The month as a workbook.

    `progress` = month_progress(level='all'); `mom`/`yoy` at levels team and branch (see :func:`monthly_summary`);
    `top`/`bottom` = ranking / bottom_ranking; `dist` = distribution of the scores; `adb` = average_daily_balance;
    `charts` = (caption, PNG) pairs placed on a charts sheet. Attainment colours follow the month's pace
    (elapsed / total working days), so a month in progress is not painted red for the days still to come.
    """
    lang = norm_lang(lang)
    mode = headers if headers in ("zh", "en", "both") else lang
    a, b = cal.month_bounds(month)
    meta = report_meta(t("report.month_title", lang, month=fmt_month(month, lang)), org or t("word.branch", lang),
                 period_label(a, b, lang), line, lang, generated)
    pace = 1.0
    if progress is not None and len(progress) and int(progress["total_workdays"].iat[0]):
        pace = int(progress["elapsed_workdays"].iat[0]) / int(progress["total_workdays"].iat[0])
    sheets = []
    summ = monthly_summary(progress, mom, yoy, lang)
    sheets.append(Sheet(t("report.sheet.summary", lang), summ, [
        Col("who", col_header("who", mode)), Col("metric_name", col_header("metric", mode)),
        Col("actual", col_header("actual", mode), "metric"), Col("target", col_header("target", mode), "metric"),
        Col("attainment", col_header("attainment", mode), "pct", rag=True), Col("status", col_header("status", mode), "status"),
        Col("prev_month", col_header("prev_month", mode), "metric"), Col("mom_pct", col_header("mom_pct", mode), "pct", sign=True),
        Col("last_year", col_header("last_year", mode), "metric"), Col("yoy_pct", col_header("yoy_pct", mode), "pct", sign=True)],
        freeze_cols=2, total_rows=[i for i, lv in enumerate(summ["level"]) if lv == "branch"],
        note=t("report.no_rows", lang)))
    # attainment matrix: managers, then teams and the branch
    prog = progress if progress is not None else pd.DataFrame()
    if len(prog):
        mat = attainment_matrix(prog, [m for m in metrics if m in set(prog["metric"])])
        man = mat[mat["level"] == "manager"].sort_values(["team", "employee_id"], na_position="last")
        roll = rollup_first(mat[mat["level"] != "manager"]).iloc[::-1]
        mat = pd.concat([man, roll], ignore_index=True)
        mat["name"] = entity_names(mat, lang)
        ms = [m for m in metrics if m in mat.columns]
    else:
        mat, ms = pd.DataFrame(columns=["employee_id", "name", "team", "score", "level"]), []
    sheets.append(Sheet(t("report.sheet.attainment", lang), mat, [
        Col("employee_id", col_header("employee_id", mode)), Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)),
        *[Col(m, metric_header(m, mode, False), "pct", rag=True) for m in ms],
        Col("score", col_header("score", mode), "pct", rag=True)], freeze_cols=2,
        total_rows=[i for i, lv in enumerate(mat["level"]) if lv != "manager"], note=t("report.no_rows", lang)))
    # managers, wide: actual / target / attainment per metric
    man = prog[prog["level"] == "manager"] if len(prog) else pd.DataFrame(columns=["entity", "metric", "employee_id",
                                                                                 "name", "team"])
    wide = wide_by_metric(man, ms, ("actual", "target", "attainment")).sort_values(["team", "employee_id"],
                                                                          na_position="last")
    cols = [Col("employee_id", col_header("employee_id", mode)), Col("name", col_header("manager", mode)),
            Col("team", col_header("team", mode))]
    for m in ms:
        k, g = metric_kind(m), metric_header(m, mode)
        cols += [Col(f"{m}|actual", col_header("actual", mode), k, group=g), Col(f"{m}|target", col_header("target", mode), k, group=g),
                 Col(f"{m}|attainment", col_header("attainment", mode), "pct", rag=True, group=g)]
    sheets.append(Sheet(t("report.sheet.managers", lang), wide, cols, freeze_cols=2, note=t("report.no_rows", lang)))
    # ranking
    rank_cols = [Col("rank", col_header("rank", mode), "int"), Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)),
                 Col("score", col_header("score", mode), "pct", rag=True), Col("metrics_met", col_header("metrics_met", mode), "int"),
                 Col("metrics_scored", col_header("metrics_scored", mode), "int"),
                 Col("best_name", col_header("best_metric", mode)), Col("worst_name", col_header("worst_metric", mode))]
    for key, frame in (("top", top), ("bottom", bottom)):
        f = frame.copy() if frame is not None else pd.DataFrame(columns=["rank", "name", "team", "score",
                                                                          "metrics_met", "metrics_scored",
                                                                          "best_metric", "worst_metric"])
        f["best_name"] = metric_names(f["best_metric"], lang) if len(f) else pd.Series(dtype=object)
        f["worst_name"] = metric_names(f["worst_metric"], lang) if len(f) else pd.Series(dtype=object)
        sheets.append(Sheet(t(f"report.sheet.{key}", lang), f, rank_cols, freeze_cols=2,
                            note=t("report.no_rows", lang)))
    # distribution
    d = dist if dist is not None else pd.DataFrame(columns=["band", "count", "share"])
    sheets.append(Sheet(t("report.sheet.distribution", lang), d, [
        Col("band", col_header("band", mode)), Col("count", col_header("managers", mode), "int"), Col("share", col_header("share", mode), "pct")],
        freeze_cols=1, note=t("report.no_rows", lang)))
    # deposits: 日均 vs 时点
    ad = adb if adb is not None else pd.DataFrame(columns=["name", "team", "adb", "month_end", "spike_ratio", "spike",
                                                           "spike_amount", "prev_adb", "adb_increment"])
    sheets.append(Sheet(t("report.sheet.deposits", lang), ad, [
        Col("name", col_header("manager", mode)), Col("team", col_header("team", mode)), Col("adb", col_header("adb", mode), "wan"),
        Col("month_end", col_header("month_end", mode), "wan"), Col("spike_ratio", col_header("spike_ratio", mode), "ratio"),
        Col("spike", col_header("spike", mode), "flag"), Col("spike_amount", col_header("spike_amount", mode), "wan", sign=True),
        Col("prev_adb", col_header("prev_adb", mode), "wan"), Col("adb_increment", col_header("adb_increment", mode), "wan", sign=True)],
        freeze_cols=1, note=t("report.no_rows", lang)))
    if charts:
        sheets.append(Sheet(t("report.sheet.charts", lang), pd.DataFrame(columns=["x"]), [Col("x", "")],
                            images=list(charts)))
    return build_workbook(meta, sheets, pace=pace)
