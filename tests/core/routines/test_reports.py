"""Weekly and monthly .xlsx exports (values, number formats, frozen panes, conditional colours) and chart PNGs."""
from __future__ import annotations

import datetime as dt
import io

import altair as alt
import numpy as np
import openpyxl
import pandas as pd
import pytest

from core import routines as M
from core import routines as reports

NAN = float("nan")


def _cmp_row(level, entity, metric, this, prev, target, name=None, team=None, eid=None):
    att = this / target if target else NAN
    status = None if not target else "ahead" if att >= 1.05 else "on_pace" if att >= 0.95 else "behind"
    return {"level": level, "entity": entity, "employee_id": eid, "name": name, "team": team, "metric": metric,
            "this_week": this, "prev_week": prev, "change": this - prev,
            "change_pct": (this - prev) / prev if prev else NAN, "week_target": target, "week_attainment": att,
            "status": status, "week_workdays": 5, "week": "2026-W47"}


COMPARISON = pd.DataFrame([
    _cmp_row("manager", "CM001", "credit_cards", 7, 4, 8, "张伟", "对公一队", "CM001"),
    _cmp_row("manager", "CM001", "deposits_new", 120.5, 100, 100, "张伟", "对公一队", "CM001"),
    _cmp_row("manager", "CM002", "credit_cards", 5, 6, 7, "=HYPERLINK(\"http://x\")", "对公一队", "CM002"),
    _cmp_row("manager", "CM002", "deposits_new", 80, 90, 100, "=HYPERLINK(\"http://x\")", "对公一队", "CM002"),
    _cmp_row("team", "对公一队", "credit_cards", 12, 10, 15, "对公一队", "对公一队"),
    _cmp_row("team", "对公一队", "deposits_new", 200.5, 190, 200, "对公一队", "对公一队"),
    _cmp_row("branch", "branch", "credit_cards", 12, 10, 15),
    _cmp_row("branch", "branch", "deposits_new", 200.5, 190, 200),
])
BOARD = pd.DataFrame({"metric": ["credit_cards", "credit_cards"], "rank": [1, 2], "employee_id": ["CM001", "CM002"],
                      "name": ["张伟", "李娜"], "team": ["对公一队"] * 2, "value": [7.0, 5.0], "share": [7 / 12, 5 / 12]})
_DAYS = pd.date_range("2026-11-16", "2026-11-22")
HEAT = pd.DataFrame({"employee_id": "CM001", "name": "张伟", "team": "对公一队", "date": _DAYS, "weekday": range(7),
                     "is_workday": [True] * 5 + [False] * 2, "logged": [True] * 5 + [False] * 2,
                     "value": [3, 4, 0, 2, 5, NAN, NAN], "week_total": 14.0})
FUNNEL = pd.DataFrame({"level": ["manager"], "entity": ["CM001"], "employee_id": ["CM001"], "name": ["张伟"],
                       "team": ["对公一队"], "visits": [14.0], "new_customers": [7.0], "products_sold": [3.0],
                       "visit_to_new": [0.5], "new_to_product": [3 / 7], "visit_to_product": [3 / 14],
                       "peer_visit_to_new": [0.4], "peer_new_to_product": [0.5], "peer_visit_to_product": [0.2],
                       "visit_to_new_vs_peer": [0.1], "new_to_product_vs_peer": [3 / 7 - 0.5],
                       "visit_to_product_vs_peer": [3 / 14 - 0.2]})


def _wb(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _rules(ws) -> dict[str, list[str]]:
    """range → the formulas (or rule types) of its conditional formats."""
    out = {}
    for cf, rules in ws.conditional_formatting._cf_rules.items():
        out[str(cf.sqref)] = [r.formula[0] if r.formula else r.type for r in rules]
    return out


def _weekly(lang="zh", headers=None, flags=None):
    return _wb(reports.weekly_report_xlsx(COMPARISON, BOARD, HEAT, FUNNEL, "2026-W47", lang, headers=headers,
                                          flags=flags, metrics=("credit_cards", "deposits_new"),
                                          generated=dt.date(2026, 11, 21)))


@pytest.mark.parametrize("lang, sheets", [
    ("zh", ["汇总", "客户经理明细", "排行榜", "每日拜访", "营销漏斗"]),
    ("en", ["Summary", "Managers", "Leaderboard", "Visits per day", "Funnel"]),
])
def test_weekly_sheets_and_title(lang, sheets):
    wb = _weekly(lang)
    assert wb.sheetnames == sheets
    ws = wb[sheets[0]]
    title = {"zh": "周小结 · 2026年第47周", "en": "Weekly review · 2026 week 47"}[lang]
    period = {"zh": "机构: 全行 | 期间: 2026年11月16日 — 2026年11月22日",
              "en": "Unit: Branch | Period: 2026-11-16 — 2026-11-22"}[lang]
    assert (ws["A1"].value, ws["A2"].value) == (title, period)


# Summary: header on row 5, the branch first (rows 6–7), then the team (rows 8–9).
@pytest.mark.parametrize("cell, value, fmt", [
    ("A5", "团队/全行", None),
    ("A6", "全行", None),
    ("B6", "信用卡", None),
    ("C6", 12, "0"),               # this week, a count
    ("D6", 10, "0"),
    ("E6", 2, "0"),                # change 12 − 10
    ("F6", 0.2, "0.0%"),           # 2 / 10
    ("G6", 15, "0"),               # week's target share
    ("H6", 0.8, "0.0%"),           # 12 / 15
    ("I6", "落后", None),          # 0.8 < 0.95
    ("B7", "新增存款(万元)", None),
    ("C7", 200.5, "#,##0.00"),     # 万元
    ("H7", 1.0025, "0.0%"),        # 200.5 / 200
    ("I7", "正常", None),
    ("A8", "对公一队", None),
])
def test_weekly_summary_cells(cell, value, fmt):
    ws = _weekly()["汇总"]
    assert ws[cell].value == (pytest.approx(value) if isinstance(value, float) else value)
    if fmt:
        assert ws[cell].number_format == fmt


def test_weekly_summary_layout_and_colours():
    ws = _weekly()["汇总"]
    assert ws.freeze_panes == "C6"            # header and the who/metric columns stay put
    assert ws.auto_filter.ref == "A5:I9"
    rules = _rules(ws)
    # attainment: green from 1.05, amber from 0.95, red below (a week against its own share: pace 1)
    assert rules["H6:H9"] == ["AND(ISNUMBER(H6),H6>=1.05)", "AND(ISNUMBER(H6),H6>=0.95,H6<1.05)",
                              "AND(ISNUMBER(H6),H6<0.95)"]
    assert rules["I6:I9"] == ['I6="超前"', 'I6="正常"', 'I6="落后"']
    assert rules["E6:E9"] == ["AND(ISNUMBER(E6),E6<0)"]     # a fall in red
    assert ws["A6"].font.bold and not ws["A8"].font.bold   # the branch row is the total row
    assert ws.column_dimensions["B"].width >= 16             # 新增存款(万元) = 14 wide + margin


def test_weekly_managers_sheet_has_metric_groups():
    ws = _weekly()["客户经理明细"]
    # two header rows: the metric over its four columns, then 本周 / 上周 / 本周目标份额 / 完成率
    assert ws["D5"].value == "信用卡" and ws["H5"].value == "新增存款(万元)"
    assert "D5:G5" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(row=6, column=c).value for c in range(4, 8)] == ["本周", "上周", "本周目标份额", "完成率"]
    assert ws["A5"].value == "工号"
    assert ws.freeze_panes == "C7"
    # CM001: 7 cards (count), 120.5 万元 deposits, attainment 7/8
    assert (ws["A7"].value, ws["D7"].value, ws["D7"].number_format) == ("CM001", 7, "0")
    assert (ws["H7"].value, ws["H7"].number_format) == (120.5, "#,##0.00")
    assert ws["G7"].value == pytest.approx(0.875) and ws["G7"].number_format == "0.0%"


def test_text_that_looks_like_a_formula_is_escaped():
    ws = _weekly()["客户经理明细"]
    cell = ws["B8"]
    assert cell.value == "'=HYPERLINK(\"http://x\")"
    assert cell.data_type == "s"


def test_weekly_visits_grid_and_funnel():
    wb = _weekly()
    ws = wb["每日拜访"]
    assert [ws.cell(row=5, column=c).value for c in (3, 7, 8, 10)] == ["11/16 周一", "11/20 周五", "11/21 周六(休)",
                                                                        "本周合计"]
    assert [ws.cell(row=6, column=c).value for c in range(1, 11)] == ["张伟", "对公一队", 3, 4, 0, 2, 5, None, None,
                                                                       14]
    assert _rules(ws)["C6"] == ["colorScale"]
    fn = wb["营销漏斗"]
    assert (fn["F6"].value, fn["G6"].value, fn["H6"].value) == (0.5, 0.4, pytest.approx(10.0))   # points, not 10%
    assert (fn["F6"].number_format, fn["H6"].number_format) == ("0.0%", "+0.0;-0.0;0.0")
    assert fn["H5"].value == "与团队差(百分点)"
    assert _rules(fn)["H6"] == ["AND(ISNUMBER(H6),H6<0)"]


@pytest.mark.parametrize("headers, a5", [("en", "Team / branch"), ("both", "团队/全行\nTeam / branch"),
                                         (None, "团队/全行")])
def test_header_language(headers, a5):
    assert _weekly("zh", headers)["汇总"]["A5"].value == a5


def test_coaching_flags_sheet():
    from core.coaching import Flag
    flag = Flag("CM002", "李娜", "对公一队", "busy_not_converting", "high", {"visits": 30}, "拜访 30 户,新增 0 户",
                "30 visits, 0 new customers", "skills", "需求挖掘", "Needs discovery", history="continuing", weeks=2)
    ws = _weekly(flags=[flag])["辅导提示"]
    assert [ws.cell(row=6, column=c).value for c in range(1, 8)] == ["李娜", "对公一队", "高", "拜访 30 户,新增 0 户",
                                                                      "需求挖掘", "持续", 2]


def test_empty_week_still_makes_a_workbook():
    empty = pd.DataFrame()
    wb = _wb(reports.weekly_report_xlsx(empty, empty, empty, empty, "2026-W47", "en"))
    ws = wb["Summary"]
    assert ws["A6"].value == "No data for this period"


# ---------------------------------------------------------------- monthly

def _prog(level, entity, metric, actual, target, name=None, team=None, eid=None, elapsed=14, total=20):
    expected = target * elapsed / total
    att = actual / target
    ratio = actual / expected
    status = "ahead" if ratio >= 1.05 else "on_pace" if ratio >= 0.95 else "behind"
    return {"level": level, "entity": entity, "employee_id": eid, "name": name, "team": team, "metric": metric,
            "actual": actual, "target": target, "expected": expected, "gap": actual - expected, "attainment": att,
            "pace_ratio": ratio, "status": status, "remaining": max(target - actual, 0), "daily_needed": NAN,
            "elapsed_workdays": elapsed, "total_workdays": total, "workdays_left": total - elapsed,
            "month": "2026-11"}


PROGRESS = pd.DataFrame([
    _prog("manager", "CM001", "credit_cards", 14, 20, "张伟", "对公一队", "CM001"),      # 70 %
    _prog("manager", "CM001", "deposits_new", 900, 1000, "张伟", "对公一队", "CM001"),   # 90 %
    _prog("manager", "CM002", "credit_cards", 6, 20, "李娜", "对公一队", "CM002"),       # 30 %
    _prog("manager", "CM002", "deposits_new", 500, 1000, "李娜", "对公一队", "CM002"),   # 50 %
    _prog("team", "对公一队", "credit_cards", 20, 40, "对公一队", "对公一队"),
    _prog("team", "对公一队", "deposits_new", 1400, 2000, "对公一队", "对公一队"),
    _prog("branch", "branch", "credit_cards", 20, 40),
    _prog("branch", "branch", "deposits_new", 1400, 2000),
])
MOM = pd.DataFrame({"level": ["branch", "team"], "entity": ["branch", "对公一队"], "metric": ["credit_cards"] * 2,
                    "previous": [25.0, 25.0], "change_pct": [-0.2, -0.2]})
ADB = pd.DataFrame({"employee_id": ["CM001", "CM002"], "name": ["张伟", "李娜"], "team": ["对公一队"] * 2,
                    "adb": [1000.0, 800.0], "month_end": [1300.0, 820.0], "spike_ratio": [1.3, 1.025],
                    "spike": [True, False], "spike_amount": [300.0, 20.0], "prev_adb": [950.0, 850.0],
                    "adb_increment": [50.0, -50.0]})


def _monthly(**kw):
    top = M.ranking(PROGRESS, n=10)
    return _wb(reports.monthly_report_xlsx(PROGRESS, "2026-11", "zh", mom=MOM, top=top,
                                           bottom=M.bottom_ranking(PROGRESS, 1),
                                           dist=M.distribution(top["score"]), adb=ADB,
                                           metrics=("credit_cards", "deposits_new"), **kw))


def test_monthly_sheets():
    assert _monthly().sheetnames == ["汇总", "完成率", "客户经理明细", "十佳排名", "末位排名", "完成率分布", "存款日均与时点"]


def test_monthly_summary_with_month_over_month():
    ws = _monthly()["汇总"]
    # branch credit cards: 20 of 40 = 50 %, last month 25, −20 %; no data last year → blank
    assert [ws.cell(row=6, column=c).value for c in range(1, 11)] == [
        "全行", "信用卡", 20, 40, 0.5, "落后", 25, -0.2, None, None]
    # 14 of 20 working days gone: pace 0.7 → red below 0.665, green from 0.735
    assert _rules(ws)["E6:E9"] == ["AND(ISNUMBER(E6),E6>=0.735)", "AND(ISNUMBER(E6),E6>=0.665,E6<0.735)",
                                   "AND(ISNUMBER(E6),E6<0.665)"]


def test_monthly_attainment_matrix():
    ws = _monthly()["完成率"]
    # managers first, then the team and the branch (bold total rows)
    assert [ws.cell(row=r, column=2).value for r in range(6, 10)] == ["张伟", "李娜", "对公一队", "全行"]
    assert [ws.cell(row=6, column=c).value for c in range(4, 7)] == [pytest.approx(0.7), pytest.approx(0.9),
                                                                     pytest.approx(0.8)]   # score (0.7 + 0.9) / 2
    assert ws["D6"].number_format == "0.0%"
    assert ws["B8"].font.bold and not ws["B7"].font.bold
    assert "D6:D9" in _rules(ws)


def test_monthly_ranking_and_deposits():
    wb = _monthly()
    top = wb["十佳排名"]
    assert [top.cell(row=6, column=c).value for c in range(1, 9)] == [1, "张伟", "对公一队", pytest.approx(0.8), 0, 2,
                                                                       "新增存款(万元)", "信用卡"]
    dep = wb["存款日均与时点"]
    assert [dep.cell(row=6, column=c).value for c in range(1, 7)] == ["张伟", "对公一队", 1000, 1300, 1.3, "是"]
    assert dep["C6"].number_format == "#,##0.00" and dep["E6"].number_format == "0.00"
    assert _rules(dep)["F6:F7"] == ['F6="是"']
    assert _rules(dep)["I6:I7"] == ["AND(ISNUMBER(I6),I6<0)"]


def test_monthly_charts_sheet_embeds_pngs():
    png = reports.chart_png(alt.Chart(pd.DataFrame({"团队": ["对公一队"], "v": [1]})).mark_bar().encode(x="团队", y="v"))
    wb = _monthly(charts=[("信用卡进度", png)])
    ws = wb["图表"]
    assert len(ws._images) == 1


def test_empty_month_still_makes_a_workbook():
    wb = _wb(reports.monthly_report_xlsx(pd.DataFrame(), "2026-11", "en"))
    assert wb["Summary"]["A6"].value == "No data for this period"
    assert wb["Attainment"]["A6"].value == "No data for this period"


@pytest.mark.parametrize("metric, kind", [("credit_cards", "count"), ("deposits_new", "wan"), ("fee_income", "yuan")])
def test_metric_kind(metric, kind):
    assert reports.metric_kind(metric) == kind
    assert reports.FORMATS[kind] == {"count": "0", "wan": "#,##0.00", "yuan": "#,##0.00"}[kind]


# ---------------------------------------------------------------- chart PNG

@pytest.mark.parametrize("scale", [1, 2])
def test_chart_png_with_chinese_labels(scale):
    df = pd.DataFrame({"团队": ["对公一队", "对公二队", "零售一队"], "完成率": [0.8, 1.1, 0.95]})
    chart = alt.Chart(df).mark_bar().encode(x="团队:N", y="完成率:Q").properties(title="各团队完成率",
                                                                                   width="container")
    png = reports.chart_png(chart, scale=scale)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 3000
    width = int.from_bytes(png[16:20], "big")
    assert width >= 800 * scale   # a container-width chart is drawn 800 px wide


def test_cjk_font_is_found():
    directory, family = reports.cjk_font()
    assert family in reports.FONT_FAMILIES.values()


def test_monthly_summary_frame():
    out = reports.monthly_summary(PROGRESS, MOM, None, "en")
    assert out["who"].tolist() == ["Branch", "Branch", "对公一队", "对公一队"]
    assert out["prev_month"].tolist()[0] == 25.0 and np.isnan(out["prev_month"].tolist()[1])
    assert out["last_year"].isna().all()
