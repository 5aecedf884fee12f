"""core.charts: every builder's Vega-Lite spec (mark, encodings, title, tooltips, colour scales) and data."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from core import charts as C
from core import routines as M
from tests.core.routines.test_metrics import AS_OF, BAL, LOGS, ROSTER, TARGETS

D = dt.date


def _progress():
    return M.month_progress(LOGS, TARGETS, ROSTER, "2026-10", AS_OF, level="all")


def _layers(spec: dict) -> list[dict]:
    return spec["layer"] if "layer" in spec else [spec]


def _marks(spec: dict) -> list[str]:
    out = []
    for lay in _layers(spec):
        m = lay["mark"]
        out.append(m if isinstance(m, str) else m["type"])
    return out


def _tooltip_fields(spec: dict) -> set[str]:
    out = set()
    for lay in _layers(spec):
        tt = lay.get("encoding", {}).get("tooltip", [])
        for item in tt if isinstance(tt, list) else [tt]:
            out.add(item["field"])
    return out


def _rows(spec: dict) -> list[dict]:
    """All rows of all datasets embedded in the spec."""
    return [r for ds in spec.get("datasets", {}).values() for r in ds]


def _color_scales(spec: dict) -> list[dict]:
    return [lay["encoding"]["color"]["scale"] for lay in _layers(spec)
            if "scale" in lay.get("encoding", {}).get("color", {})]


BUILDERS = {
    "pace": lambda lang: C.pace_chart(M.pace_series(LOGS, TARGETS, "2026-10", AS_OF, "visits"), "visits", lang),
    "progress": lambda lang: C.progress_bars(_progress().query("level == 'branch'"), lang),
    "progress_metric": lambda lang: C.progress_bars(_progress().query("level == 'manager'"), lang, metric="visits"),
    "leaderboard": lambda lang: C.leaderboard_chart(
        M.leaderboard(M.period_totals(LOGS, "2026-10-08", "2026-10-09", roster=ROSTER), ["visits"]), "visits", lang),
    "heatmap": lambda lang: C.heatmap(M.visits_heatmap(LOGS, ROSTER, "2026-W41"), lang),
    "funnel": lambda lang: C.funnel_chart(M.funnel(LOGS, "2026-10-08", "2026-10-09", "team", ROSTER), lang),
    "trend": lambda lang: C.weekly_trend(M.daily_totals(LOGS, "2026-10-05", "2026-10-11", by="team"), "visits",
                                         lang, by="team"),
    "week": lambda lang: C.week_comparison_chart(
        M.week_comparison(LOGS, TARGETS, ROSTER, "2026-W41", metrics=["visits"]), "visits", lang),
    "attainment": lambda lang: C.attainment_heatmap(_progress(), lang),
    "ranking": lambda lang: C.ranking_chart(M.ranking(_progress(), None), lang),
    "distribution": lambda lang: C.distribution_chart(M.distribution([0.5, 0.9, 1.1, 1.3]), lang),
    # spike_at 1.10 (a rules file may set it): Alice 1.278 and Bob 1.148 spike, Carol 1.0 does not — the
    # default ratio (1.3, the coaching rules' default) would flag nobody and leave the highlight untested
    "adb": lambda lang: C.adb_chart(M.average_daily_balance(BAL, "2026-10", roster=ROSTER, spike_at=1.10), lang),
    "balance": lambda lang: C.balance_chart(M.balance_series(BAL, "2026-10", employee_id="E1"), lang),
}

# builder → (marks, tooltip fields that must be present, a unit word that must appear in the zh spec)
EXPECT = {
    "pace": (["line", "point"], {"date", "value", "daily_actual", "target"}, "户"),
    "progress": (["bar", "tick"], {"actual", "target", "expected", "gap", "attainment", "status"}, "%"),
    "progress_metric": (["bar", "tick"], {"entity", "actual", "target", "expected", "gap"}, "户"),
    "leaderboard": (["bar"], {"rank", "name", "team", "value", "share"}, "户"),
    "heatmap": (["rect", "rect", "text"], {"name", "date", "value", "logged_text", "workday_text"}, "户"),
    "funnel": (["bar"], {"entity", "stage", "value", "rate"}, "户"),
    "trend": (["line", "point", "point"], {"date", "value", "team"}, "户"),
    "week": (["bar", "tick"], {"this_week", "prev_week", "change", "week_target", "week_attainment"}, "户"),
    "attainment": (["rect", "text"], {"entity", "actual", "target", "attainment", "status"}, "%"),
    "ranking": (["bar", "rule"], {"rank", "name", "team", "score"}, "%"),
    "distribution": (["bar"], {"band", "count", "share"}, "人"),
    "adb": (["bar", "point"], {"adb", "month_end", "spike_ratio", "adb_increment"}, "万元"),
    "balance": (["line"], {"date", "value", "series"}, "万元"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_builder_spec(name, lang):
    spec = BUILDERS[name](lang).to_dict()
    marks, tips, unit_zh = EXPECT[name]
    assert _marks(spec) == marks
    assert tips <= _tooltip_fields(spec), f"missing tooltips {tips - _tooltip_fields(spec)}"
    title = spec["title"]["text"]
    assert title, "every chart has a title"
    text = str(spec)
    if lang == "zh":
        assert unit_zh in text, "the unit appears in the title or an axis title"
    assert _rows(spec), "the chart embeds its data"


def test_status_colours_are_the_same_everywhere():
    # ahead / on pace / behind → green / amber / red, in that order, for both languages
    for lang, labels in (("zh", ["超前", "正常", "落后"]), ("en", ["Ahead", "On pace", "Behind"])):
        want = {"domain": labels, "range": ["#2e7d32", "#f9a825", "#c62828"]}
        for name in ("progress", "attainment", "distribution"):
            scales = _color_scales(BUILDERS[name](lang).to_dict())
            assert scales[0] == want, name


@pytest.mark.parametrize("teams, expected", [
    (["零售二队", "对公一队", "零售一队", "对公二队"],
     # sorted: 对公一队, 对公二队, 零售一队, 零售二队 → the first four palette colours
     {"对公一队": "#1f77b4", "对公二队": "#ff7f0e", "零售一队": "#2ca02c", "零售二队": "#9467bd"}),
    (["B", "A", "B", None], {"A": "#1f77b4", "B": "#ff7f0e"}),
])
def test_team_colors_stable(teams, expected):
    assert C.team_colors(teams) == expected
    sc = C.team_scale(teams).to_dict()
    assert sc == {"domain": list(expected), "range": list(expected.values())}


def test_leaderboard_uses_team_colours_and_order():
    spec = BUILDERS["leaderboard"]("zh").to_dict()
    assert spec["encoding"]["color"]["scale"] == {"domain": ["A", "B"], "range": ["#1f77b4", "#ff7f0e"]}
    # 15 (Carol), 12 (Bob), 10 (Alice): best first
    assert spec["encoding"]["y"]["sort"] == ["1. Carol", "2. Bob", "3. Alice"]
    assert [r["value"] for r in _rows(spec)] == [15, 12, 10]


def test_pace_chart_data():
    spec = BUILDERS["pace"]("en").to_dict()
    rows = _rows(spec)
    act = [r for r in rows if r["series"] == "Cumulative actual"]
    tgt = [r for r in rows if r["series"] == "Target pace"]
    # actual stops at as_of (10-09): 9 days; target pace runs the whole month, 360 at the end
    assert len(act) == 9 and act[-1]["value"] == 37
    assert len(tgt) == 31 and tgt[-1]["value"] == 360
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Cumulative actual", "Target pace"], "range": [C.ACTUAL_COLOR, C.TARGET_COLOR]}


def test_heatmap_day_labels_mark_holidays_and_makeup_days():
    spec = BUILDERS["heatmap"]("zh").to_dict()
    days = spec["layer"][0]["encoding"]["x"]["sort"]
    # W41: Mon 10-05 holiday … Sat 10-10 调休 working day, Sun 10-11 off
    assert days[0] == "10-05 周一 (休)" and days[3] == "10-08 周四" and days[5] == "10-10 周六 (班)"
    assert days[6] == "10-11 周日 (休)"
    cell = next(r for r in _rows(spec) if r["name"] == "Alice" and r["date"] == "2026-10-08")
    assert cell["value"] == 6 and cell["logged_text"] == "是"


def test_adb_chart_highlights_spikes():
    spec = BUILDERS["adb"]("en").to_dict()
    pts = spec["layer"][1]["encoding"]["color"]["scale"]
    assert pts == {"domain": ["Yes", "No"], "range": [C.SPIKE_COLOR, C.TARGET_COLOR]}
    spikes = {r["name"]: r["spike"] for r in _rows(spec)}
    assert spikes == {"Alice": "Yes", "Bob": "Yes", "Carol": "No"}


def test_funnel_chart_stage_order_and_rates():
    spec = BUILDERS["funnel"]("en").to_dict()
    assert spec["encoding"]["y"]["sort"] == ["Visits", "New customers", "Products sold"]
    a = {r["stage"]: r for r in _rows(spec) if r["entity"] == "A"}
    # team A: 22 visits, 6 new, 6 products; conversion 6/22, products per visit 6/22 (a rate, never 6/6 "100%")
    assert (a["Visits"]["value"], a["New customers"]["value"], a["Products sold"]["value"]) == (22, 6, 6)
    assert a["New customers"]["rate"] == pytest.approx(6 / 22)
    assert a["Products sold"]["per_visit"] == pytest.approx(6 / 22)
    assert a["Products sold"]["rate"] is None or a["Products sold"]["rate"] != a["Products sold"]["rate"]
    # the rows are teams: the legend and tooltip say so
    assert spec["encoding"]["color"]["title"] == "Team"
    assert spec["encoding"]["x"]["axis"]["tickMinStep"] == 1


def test_progress_bars_data():
    spec = BUILDERS["progress"]("zh").to_dict()
    rows = {r["row"]: r for r in _rows(spec)}
    # branch visits: 37 / 360; elapsed 2 / 18; status behind (0.925)
    v = rows["拜访客户数"]
    assert v["attainment"] == pytest.approx(37 / 360) and v["elapsed"] == pytest.approx(2 / 18)
    assert v["status"] == "落后"
    assert set(rows) == {"拜访客户数", "新增存款"}   # metrics without a target are left out


@pytest.mark.parametrize("metric, fmt", [
    ("visits", ",.0f"), ("deposits_new", ",.4~f"), ("fee_income", ",.2~f"), (None, ",.4~f"),
])
def test_value_format(metric, fmt):
    assert C.value_format(metric) == fmt


def test_builders_do_not_mutate_input():
    heat = M.visits_heatmap(LOGS, ROSTER, "2026-W41")
    before = heat.copy()
    C.heatmap(heat, "zh")
    pd.testing.assert_frame_equal(heat, before)


# ---------------------------------------------------------------- coaching evidence

def _evidence(rows):
    return pd.DataFrame(rows, columns=["order", "x", "series", "value"])


@pytest.mark.parametrize("lang, manager, peer", [("zh", "本人", "同组中位数"), ("en", "Manager", "Peer median")])
def test_evidence_chart_weekly_series_against_the_peer_median(lang, manager, peer):
    s = _evidence([(0, "2026-W45", "manager", 12), (0, "2026-W45", "peer_median", 20),
                   (1, "2026-W46", "manager", 9), (1, "2026-W46", "peer_median", 21)])
    spec = C.evidence_chart(s, "low_activity", "visits", lang, name="张伟").to_dict()
    layer = spec["layer"][0]["encoding"]
    assert layer["x"]["field"] == "x" and layer["x"]["sort"] == ["2026-W45", "2026-W46"]
    assert layer["y"]["scale"]["zero"] is False and layer["y"]["axis"]["tickMinStep"] == 1   # counts: whole ticks
    assert layer["color"]["scale"]["domain"] == [manager, peer]
    assert [tt["field"] for tt in layer["tooltip"]] == ["x", "label", "value"]
    assert "张伟" in spec["title"]["text"] and spec["title"]["subtitle"]
    data = next(iter(spec["datasets"].values()))
    assert sorted(r["value"] for r in data) == [9, 12, 20, 21]


def test_evidence_chart_month_end_spike_uses_a_date_axis():
    s = _evidence([(0, "2026-10-29", "balance", 48553.71), (0, "2026-10-29", "avg_daily", 46133.02),
                   (1, "2026-10-30", "balance", 67760.40), (1, "2026-10-30", "avg_daily", 46133.02)])
    layer = C.evidence_chart(s, "month_end_spike", "deposit_balance", "zh").to_dict()["layer"][0]["encoding"]
    assert layer["x"]["type"] == "temporal"
    assert layer["y"]["title"] == "存款余额(万元)"
    assert "tickMinStep" not in layer["y"]["axis"]        # an amount, not a count


@pytest.mark.parametrize("series", [None, _evidence([]), _evidence([(0, "2026-W45", "manager", None)])])
def test_evidence_chart_with_nothing_to_draw(series):
    assert C.evidence_chart(series, "declining", "visits", "en") is None


@pytest.mark.parametrize("pace, expected", [
    # bands <60, 60–80, 80–100, 100–120, ≥120 %; midpoints 0.3 (open band from 0), 0.7, 0.9, 1.1, 1.2 (open: its edge)
    (1.0, ["behind", "behind", "behind", "ahead", "ahead"]),          # a finished month: 0.9 < 0.95 behind, 1.1 ≥ 1.05
    (0.714, ["behind", "on_pace", "ahead", "ahead", "ahead"]),        # 0.7/0.714 = 0.98 on pace; 0.9/0.714 = 1.26
    (0.5, ["behind", "ahead", "ahead", "ahead", "ahead"]),            # 0.3/0.5 = 0.6 behind; 0.7/0.5 = 1.4 ahead
])
def test_distribution_colours_bands_against_time_elapsed(pace, expected):
    d = M.distribution([0.5, 0.7, 0.9, 1.1, 1.3])
    data = next(iter(C.distribution_chart(d, "en", pace=pace).to_dict()["datasets"].values()))
    assert [r["status"] for r in data] == [C.status_label(s, "en") for s in expected]


def _quantitative_axes(spec: dict) -> list[tuple[str, dict]]:
    """(field, axis) of every quantitative x / y encoding with an axis, in every layer."""
    out = []
    for lay in _layers(spec):
        for ch in ("x", "y"):
            enc = lay.get("encoding", {}).get(ch)
            if isinstance(enc, dict) and enc.get("type") == "quantitative" and "axis" in enc:
                out.append((enc.get("field") or enc.get("aggregate"), enc["axis"]))
    return out


# the charts whose value axis is a count (visits, new customers, managers): no 0.5 ticks
COUNT_AXIS_BUILDERS = ["pace", "leaderboard", "funnel", "trend", "week", "distribution"]


@pytest.mark.parametrize("name", COUNT_AXIS_BUILDERS)
def test_count_axes_tick_whole_numbers(name):
    axes = [a for _, a in _quantitative_axes(BUILDERS[name]("en").to_dict()) if a.get("format") != "%"]
    assert axes, "the chart has a value axis"
    for axis in axes:
        assert axis.get("tickMinStep") == 1 and axis.get("format") in ("d", ",d"), axis


def test_amount_axes_keep_fractional_ticks():
    spec = C.leaderboard_chart(M.leaderboard(M.period_totals(LOGS, "2026-10-08", "2026-10-09", roster=ROSTER),
                                             ["deposits_new"]), "deposits_new", "en").to_dict()
    (_, axis), = _quantitative_axes(spec)
    assert "tickMinStep" not in axis


def test_progress_tooltips_show_whole_counts_and_round_the_daily_need_up():
    p = _progress().query("level == 'manager' and metric == 'visits'")
    spec = C.progress_bars(p, "zh", metric="visits").to_dict()
    for r, (_, src) in zip(_rows(spec), p.iterrows()):
        for c in ("actual", "target", "expected", "gap", "remaining"):
            text = r[c]
            assert "." not in text, f"{c} of a count shows decimals: {text}"
            assert text == "—" or abs(float(text.replace(",", "")) - src[c]) <= 0.5
        if src["daily_needed"] == src["daily_needed"]:
            assert float(r["daily_needed"].replace(",", "")) == math.ceil(round(src["daily_needed"], 6))


def test_attainment_heatmap_tooltips_in_each_rows_unit():
    spec = C.attainment_heatmap(_progress(), "en").to_dict()
    rows = [r for r in _rows(spec) if "actual" in r]
    counts = [r for r in rows if "(CNY" not in r["metric_unit"]]
    amounts = [r for r in rows if "(CNY 10k)" in r["metric_unit"]]
    assert counts and amounts
    assert all("." not in r["gap"] for r in counts)
    assert all(r["target"].count(".") == 1 and len(r["target"].split(".")[1]) == 2 for r in amounts)
