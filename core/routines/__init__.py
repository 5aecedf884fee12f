"""The three routines — 晨会 (morning meeting), 周小结 (weekly review), 月总结 (monthly wrap-up).

Page models (one call per page: read the store with the caller's scope, compute, return what the page draws):
:func:`morning_page`, :func:`weekly_page`, :func:`monthly_page`.

Computations, pure over DataFrames, one concept per module: frames (slicing, totals, who is who), progress
(month pace and the team/branch roll-up), weeks, compare (环比/同比), funnel, ranking, deposits (日均 vs 时点);
talking (晨会 talking points), split (next month's target split), report_* and xlsx (workbooks), png (chart images).
"""
from core.measures import AHEAD_AT, ON_PACE_AT, STATUSES, status_of
from core.routines.compare import compare_months, compare_periods, month_over_month, year_over_year
from core.routines.deposits import average_daily_balance, balance_series
from core.routines.frames import (BRANCH, INFO_COLUMNS, LEVELS, active_managers, daily_snapshot, daily_totals,
                                  manager_info, missing_logs, period_totals, slice_period, workday_info)
from core.routines.monthly import MonthlyModel, monthly_page
from core.routines.morning import MorningModel, morning_page
from core.routines.weekly import WeeklyModel, weekly_page
from core.routines.funnel import FUNNEL_STAGES, funnel, funnel_stages
from core.routines.profile import ProfileModel, profile_page
from core.routines.progress import month_pace, month_progress, pace_series, pace_table, roll_up, rollup_progress
from core.routines.ranking import (ATTAINMENT_BAND_LABELS, ATTAINMENT_BANDS, SCORE_CAP, attainment_matrix,
                                   bottom_ranking, distribution, furthest_behind, leaderboard, leaders, ranking)
from core.routines.png import FONT_FAMILIES, chart_png, cjk_font, png_exports
from core.routines.report_month import monthly_report_xlsx, monthly_summary
from core.routines.report_week import weekly_report_xlsx, weekly_summary
from core.routines.split import (METHODS, SPLIT_COLUMNS, SplitCheck, content_sha256, default_decimals,
                                 largest_remainder, last_month_results, save_split, split_effects, split_rows,
                                 split_target, team_total_from_targets, validate_split)
from core.routines.talking import talking_points, tile_label, tile_value, yesterday_totals
from core.routines.weeks import visits_heatmap, week_comparison, week_target_share
from core.routines.xlsx import (FORMATS, Col, ReportMeta, Sheet, build_workbook, metric_kind, period_label,
                                rag_colour, spike_colour, week_title)

__all__ = [
    "MorningModel", "morning_page", "WeeklyModel", "weekly_page", "MonthlyModel", "monthly_page", "ProfileModel", "profile_page",
    "AHEAD_AT", "ON_PACE_AT", "STATUSES", "status_of",
    "compare_months", "compare_periods", "month_over_month", "year_over_year",
    "average_daily_balance", "balance_series",
    "BRANCH", "INFO_COLUMNS", "LEVELS", "active_managers", "daily_snapshot", "daily_totals", "manager_info",
    "missing_logs", "period_totals", "slice_period", "workday_info",
    "FUNNEL_STAGES", "funnel", "funnel_stages",
    "month_pace", "month_progress", "pace_series", "pace_table", "roll_up", "rollup_progress",
    "ATTAINMENT_BAND_LABELS", "ATTAINMENT_BANDS", "SCORE_CAP", "attainment_matrix", "bottom_ranking",
    "distribution", "furthest_behind", "leaderboard", "leaders", "ranking",
    "visits_heatmap", "week_comparison", "week_target_share",
    "FONT_FAMILIES", "chart_png", "cjk_font", "png_exports", "monthly_report_xlsx", "monthly_summary",
    "weekly_report_xlsx", "weekly_summary",
    "METHODS", "SPLIT_COLUMNS", "SplitCheck", "content_sha256", "default_decimals", "largest_remainder",
    "last_month_results", "save_split", "split_effects", "split_rows", "split_target", "team_total_from_targets",
    "validate_split",
    "talking_points", "tile_label", "tile_value", "yesterday_totals",
    "FORMATS", "Col", "ReportMeta", "Sheet", "build_workbook", "metric_kind", "period_label", "rag_colour",
    "spike_colour", "week_title",
]
