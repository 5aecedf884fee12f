"""The projector layout of the morning meeting (晨会): slides that fit 1920×1080 and 1280×720 with no scrolling.

Used by the director's display link (views/display.py) and by the 晨会 page's big-screen toggle
(views/morning.py). Four slides drawn from one :class:`core.routines.morning.MorningModel`: yesterday, month pace,
leaders and laggards, coaching (talking points). Sizes are in viewport units (``vh``), so a slide fills the
screen at either size: each big number is about three times its label; deltas wrap instead of being cut; lists
show at most :data:`LIST_ROWS` people and say how many more there are, never scrolling inside themselves.

Rotation (optional): :func:`slide_at` picks the slide from the clock, so a fragment re-running every N seconds
(``st.fragment(run_every=N)``) shows the next one without keeping any state.
"""
from __future__ import annotations

import os
import time

import streamlit as st

from core import charts as C
from core import fmt
from core.i18n import fmt_date, fmt_month, fmt_pct, t
from core.routines import tile_label, tile_value
from core.routines.morning import KEY_TILES, LEADER_METRICS, MorningModel
from core.schema import metric_label
from ui.text import html_text

SLIDES = ("yesterday", "pace", "leaders", "coaching")
LIST_ROWS = 5            # people per list on a slide
POINTS_MAX = 5           # talking points on the coaching slide
PACE_CHART_METRIC = "deposits_new"
# Seconds between slides when rotating, and between the kiosk's data refreshes (env vars let tests use a few).
ROTATE_SECONDS = float(os.environ.get("DASH_DISPLAY_ROTATE") or 20)
REFRESH_SECONDS = float(os.environ.get("DASH_DISPLAY_REFRESH") or 180)

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebarNav"] {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding: 1.2vh 2vw 0 2vw !important; max-width: 100% !important;}
[data-testid="stVerticalBlock"] {gap: 1.2vh !important;}
.bs-head {display: flex; align-items: baseline; justify-content: space-between; gap: 2vw;}
.bs-title {font-size: 4.4vh; font-weight: 700; line-height: 1.15; margin: 0;}
.bs-sub {font-size: 2.2vh; color: #4a5568; white-space: nowrap;}
.bs-h {font-size: 3.2vh; font-weight: 700; margin: .6vh 0 .8vh 0; line-height: 1.2;}
.bs-tiles {display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr)); gap: 1.2vw;}
.bs-tile {background: #f3f6fb; border-radius: 1.2vh; padding: 1.4vh 1.1vw; min-width: 0;}
.bs-label {font-size: 2.8vh; color: #4a5568; line-height: 1.25;}
.bs-value {font-size: 8.6vh; font-weight: 700; line-height: 1.1; white-space: nowrap;}
.bs-delta {font-size: 2.7vh; line-height: 1.25; overflow-wrap: anywhere;}
.bs-neg {color: #c53030;} .bs-pos {color: #2f855a;}
.bs-cols {display: grid; grid-template-columns: 1fr 1fr; gap: 2.5vw;}
.bs-list {width: 100%; border-collapse: collapse; font-size: 3.4vh;}
.bs-list th {text-align: left; font-size: 2.5vh; color: #4a5568; font-weight: 600; padding: .5vh .6vw;
  border-bottom: 2px solid #cbd5e0;}
.bs-list td {padding: 1.1vh .6vw; border-bottom: 1px solid #e2e8f0; white-space: nowrap;}
.bs-list td.num, .bs-list th.num {text-align: right;}
.bs-more {font-size: 2.1vh; color: #4a5568; margin-top: .6vh;}
.bs-points {margin: 0; padding-left: 1.4em;}
.bs-points li {font-size: 3.8vh; line-height: 1.4; margin-bottom: 1.6vh;}
.bs-lead {font-size: 3.2vh; line-height: 1.5; margin: 0;}
.bs-lead b {font-weight: 700;}
.bs-note {font-size: 2.6vh; color: #4a5568;}
/* a slide is one screen tall (pages with a slide header only): the blocks stack in a column and the chart's
   element, with the blocks holding it (a fragment in the kiosk and when rotating), takes what is left */
[data-testid="stMainBlockContainer"]:has(.bs-head) {height: 100vh; box-sizing: border-box; display: flex;
  flex-direction: column;}
[data-testid="stMainBlockContainer"]:has(.bs-head) > [data-testid="stVerticalBlock"] {flex: 1 1 0; min-height: 0;
  padding-bottom: 2.5vh; box-sizing: border-box;}
[data-testid="stMainBlockContainer"]:has(.bs-head) :is([data-testid="stLayoutWrapper"],
  [data-testid="stVerticalBlock"]):has([data-testid="stVegaLiteChart"]) {flex: 1 1 0; min-height: 0;}
[data-testid="stMainBlockContainer"]:has(.bs-head) [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) {
  flex: 1 1 0; min-height: 18vh;}
[data-testid="stMainBlockContainer"]:has(.bs-head) [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) :is(
  [data-testid="stFullScreenFrame"], [data-testid="stFullScreenFrame"] > div, [data-testid="stVegaLiteChart"]) {
  height: 100%;}
[data-testid="stButton"] button p, [data-testid="stSegmentedControl"] button p,
[data-testid="stWidgetLabel"] p {font-size: 1rem !important;}
</style>
"""


def apply(enabled: bool) -> None:
    """Inject the projector CSS when `enabled` (hides the sidebar, header and toolbar)."""
    if enabled:
        st.markdown(CSS, unsafe_allow_html=True)


def exit_button(lang: str) -> None:
    st.button(t("display.exit", lang), icon=":material/close:", key="w_exit_big", width="stretch",
              on_click=leave_big_screen)


def leave_big_screen() -> None:
    """Callback of the exit button (runs before the next run, so it may reset the toggle's own state)."""
    st.session_state["w_big"] = False
    st.session_state["f_big"] = ""


def slide_at(every: float, n: int = len(SLIDES), now: float | None = None) -> int:
    """The slide to show now when rotating every `every` seconds (from the clock: no state to keep)."""
    return int((time.time() if now is None else now) // max(every, 1)) % n


# ---------------------------------------------------------------- pieces

def _tiles(tiles: list[tuple[str, str, str | None, bool]]) -> str:
    """(label, value, delta or None, delta is bad) → a row of tiles."""
    cells = []
    for label, value, delta, bad in tiles:
        d = (f'<div class="bs-delta {"bs-neg" if bad else "bs-pos"}">{html_text(delta)}</div>' if delta else "")
        cells.append(f'<div class="bs-tile"><div class="bs-label">{html_text(label)}</div>'
                     f'<div class="bs-value">{html_text(value)}</div>{d}</div>')
    return f'<div class="bs-tiles" style="--n:{max(len(tiles), 1)}">{"".join(cells)}</div>'


def _list(headers: list[tuple[str, bool]], rows: list[list[str]], total: int, lang: str) -> str:
    """A short list (≤ LIST_ROWS rows) as a table that never scrolls; 'and N more' under it."""
    head = "".join(f'<th class="{"num" if num else ""}">{html_text(h)}</th>' for h, num in headers)
    body = "".join("<tr>" + "".join(f'<td class="{"num" if headers[i][1] else ""}">{html_text(v)}</td>'
                                    for i, v in enumerate(r)) + "</tr>" for r in rows[:LIST_ROWS])
    more = total - min(len(rows), LIST_ROWS)
    extra = f'<div class="bs-more">{html_text(t("display.more", lang, n=more))}</div>' if more > 0 else ""
    return f'<table class="bs-list"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{extra}'


def _name(r) -> str:
    name = r.get("name")
    return str(name) if isinstance(name, str) and name.strip() else str(r.get("employee_id") or fmt.BLANK)


def header(title: str, sub: str) -> None:
    st.html(f'<div class="bs-head"><div class="bs-title">{html_text(title)}</div>'
            f'<div class="bs-sub">{html_text(sub)}</div></div>')


# ---------------------------------------------------------------- slides

def _yesterday(model: MorningModel, lang: str) -> None:
    tot = model.totals
    tiles = [(t("morning.logged", lang), f"{tot.get('logged', 0)} / {tot.get('managers', 0)}", None, False)]
    tiles += [(tile_label(m, lang), tile_value(m, tot.get(m, 0.0), lang), None, False) for m in KEY_TILES]
    parts = [f'<div class="bs-h">{html_text(t("morning.yesterday", lang, date=fmt_date(model.yesterday, lang)))}'
             f'</div>', _tiles(tiles)]
    lines = []
    for m in LEADER_METRICS:
        top = model.leaders.get(m)
        if top is not None and len(top):
            names = ("、" if lang == "zh" else ", ").join(
                f"{_name(r)}({fmt.amount(m, r['value'], lang)})" if lang == "zh"
                else f"{_name(r)} ({fmt.amount(m, r['value'], lang)})" for _, r in top.head(3).iterrows())
            colon = "：" if lang == "zh" else ": "
            lines.append(f"<b>{html_text(metric_label(m, lang, with_unit=False))}</b>{colon}{html_text(names)}")
    parts.append(f'<div class="bs-h">{html_text(t("morning.leaders_yesterday", lang))}</div>')
    parts.append('<p class="bs-lead">' + ("<br>".join(lines) or html_text(t("morning.nobody", lang))) + "</p>")
    if model.missing:
        shown = model.missing[:8]
        rest = len(model.missing) - len(shown)
        names = ("、" if lang == "zh" else ", ").join(shown) + (
            ("、" if lang == "zh" else ", ") + t("display.more", lang, n=rest) if rest > 0 else "")
        parts.append(f'<p class="bs-lead bs-neg">{html_text(t("morning.missing", lang, n=len(model.missing), names=names))}</p>')
    else:
        parts.append(f'<p class="bs-lead bs-pos">{html_text(t("morning.all_logged", lang))}</p>')
    st.html("".join(parts))


def _pace(model: MorningModel, lang: str) -> None:
    w = model.workdays
    parts = [f'<div class="bs-h">{html_text(t("morning.month_to_date", lang, month=fmt_month(model.month, lang)))}'
             f'</div>', f'<div class="bs-note">{html_text(t("morning.workdays", lang, elapsed=w.get("elapsed", 0), total=w.get("total", 0), left=w.get("left", 0), pace=fmt_pct(model.pace)))}</div>']
    if model.has_targets:
        tiles = []
        for _, r in model.tiles.head(4).iterrows():
            gap = r["gap"]
            tiles.append((metric_label(r["metric"], lang, with_unit=False), fmt_pct(r["attainment"]),
                          t("morning.gap_delta", lang, gap=fmt.amount(r["metric"], gap, lang)),
                          not fmt.blank(gap) and gap < 0))
        parts.append(_tiles(tiles))
    else:
        parts.append(f'<p class="bs-lead">{html_text(t("morning.no_targets", lang, month=fmt_month(model.month, lang)))}</p>')
    st.html("".join(parts))
    series = model.pace_series(PACE_CHART_METRIC)
    if len(series):
        st.html(f'<div class="bs-h">{html_text(t("metrics.chart.pace", lang, metric=metric_label(PACE_CHART_METRIC, lang)))}</div>')
        chart = C.pace_chart(series, PACE_CHART_METRIC, lang).properties(title="", height="container")
        # height "container": the chart takes the height the slide leaves (the CSS above makes the page one
        # screen tall and lets the chart's element take the rest), at 1920×1080 and 1280×720 alike
        st.altair_chart(chart.configure_axis(labelFontSize=15, titleFontSize=15)
                        .configure_legend(labelFontSize=15, titleFontSize=15, orient="top"), width="stretch")


def _leaders(model: MorningModel, lang: str) -> None:
    top, behind = model.month_top, model.behind
    left = [f'<div class="bs-h">{html_text(t("morning.leaders_month", lang))}</div>']
    if top.empty:
        left.append(f'<p class="bs-lead">{html_text(t("morning.nobody", lang))}</p>')
    else:
        rows = [[str(int(r["rank"])), _name(r), str(r.get("team") or fmt.BLANK), fmt.pct(r["score"])]
                for _, r in top.iterrows()]
        left.append(_list([(t("morning.rank", lang), True), (t("word.manager", lang), False),
                           (t("word.team", lang), False), (t("morning.score", lang), True)], rows, len(rows), lang))
    right = [f'<div class="bs-h">{html_text(t("morning.behind", lang))}</div>']
    if behind.empty:
        right.append(f'<p class="bs-lead">{html_text(t("morning.nobody_behind", lang))}</p>')
    else:
        rows = [[_name(r), str(r.get("team") or fmt.BLANK), fmt.pct(r["score"]),
                 metric_label(r["worst_metric"], lang, with_unit=False) if isinstance(r["worst_metric"], str)
                 else fmt.BLANK,
                 fmt.amount(r["worst_metric"], r["worst_gap"], lang) if isinstance(r["worst_metric"], str)
                 else fmt.BLANK] for _, r in behind.iterrows()]
        right.append(_list([(t("word.manager", lang), False), (t("word.team", lang), False),
                            (t("morning.pace_score", lang), True), (t("morning.worst_metric", lang), False),
                            (t("word.gap", lang), True)], rows, len(rows), lang))
    st.html(f'<div class="bs-cols"><div>{"".join(left)}</div><div>{"".join(right)}</div></div>')


def _coaching(model: MorningModel, lang: str) -> None:
    parts = [f'<div class="bs-h">{html_text(t("morning.talking_points", lang))}</div>']
    points = model.points[:POINTS_MAX]
    if points:
        parts.append('<ul class="bs-points">' + "".join(f"<li>{html_text(p)}</li>" for p in points) + "</ul>")
    else:
        parts.append(f'<p class="bs-lead">{html_text(t("display.no_points", lang))}</p>')
    st.html("".join(parts))


_DRAW = {"yesterday": _yesterday, "pace": _pace, "leaders": _leaders, "coaching": _coaching}


def slide_title(slide: str, lang: str) -> str:
    return t(f"display.slide_{slide}", lang)


def draw(model: MorningModel, slide: str, lang: str) -> None:
    """One slide of the morning meeting."""
    _DRAW[slide](model, lang)
