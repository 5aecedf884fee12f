"""Altair chart builders: the routines' charts and the coaching evidence chart (``from core import charts as C``)."""
from core.charts.base import (ACTUAL_COLOR, HEAT_SCHEME, NEUTRAL_COLOR, PCT, SPIKE_COLOR, STATUS_COLORS, TARGET_COLOR,
                              TEAM_COLORS, WIDTH, status_label, status_scale, team_colors, team_scale, value_format)
from core.charts.evidence import EVIDENCE_COLORS, evidence_chart
from core.charts.profile import profile_weekly_chart
from core.charts.routines import (adb_chart, attainment_heatmap, balance_chart, distribution_chart, funnel_chart,
                                  heatmap, leaderboard_chart, my_days_chart, pace_chart, progress_bars, ranking_chart,
                                  week_comparison_chart, weekly_trend)

__all__ = ["ACTUAL_COLOR", "HEAT_SCHEME", "NEUTRAL_COLOR", "PCT", "SPIKE_COLOR", "STATUS_COLORS", "TARGET_COLOR",
           "TEAM_COLORS", "WIDTH", "status_label", "status_scale", "team_colors", "team_scale", "value_format",
           "EVIDENCE_COLORS", "evidence_chart", "profile_weekly_chart",
           "adb_chart", "attainment_heatmap", "balance_chart", "distribution_chart", "funnel_chart", "heatmap", "my_days_chart",
           "leaderboard_chart", "pace_chart", "progress_bars", "ranking_chart", "week_comparison_chart",
           "weekly_trend"]
