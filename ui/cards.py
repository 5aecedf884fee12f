"""Rows that read as a table on a laptop and as cards on a phone (one rendering, CSS media queries).

Streamlit cannot tell the viewport's width, so a page draws one layout that works at both: :func:`line_cards`
writes each row as a small grid — label, how it is worked out, amount — that sits in three aligned columns when
the page is wide and wraps into a card (label and amount on top, the "how" below) under 640 px. No row is ever
wider than the screen, so the amounts (the key figures) never scroll off it.

Every text is escaped with :func:`ui.text.html_text`: labels and reasons can hold user data (team names, notes).
"""
from __future__ import annotations

import re

from dataclasses import dataclass

import streamlit as st

from ui.text import html_text

CSS = """
<style>
.lc-list {margin: 0 0 1rem 0;}
.lc-row {display: grid; grid-template-columns: minmax(7rem, 1.2fr) 2.6fr minmax(6rem, auto); gap: 0.15rem 1rem;
  grid-template-areas: "item how amt";
  align-items: baseline; padding: 0.45rem 0.75rem; border-bottom: 1px solid rgba(49, 51, 63, 0.12);}
.lc-head {font-size: 0.8rem; color: rgba(49, 51, 63, 0.6); border-bottom: 1px solid rgba(49, 51, 63, 0.3);}
.lc-item {grid-area: item; font-weight: 600; overflow-wrap: anywhere;}
.lc-how {grid-area: how; color: rgba(49, 51, 63, 0.75); overflow-wrap: anywhere;}
.lc-amt {grid-area: amt; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; font-weight: 600;}
.lc-strong {background: rgba(28, 131, 225, 0.08); border-radius: 0.5rem; border-bottom: none;}
.lc-strong .lc-item, .lc-strong .lc-amt {font-size: 1.1rem;}
.lc-neg {color: #b42318;}
@media (max-width: 640px) {
  .lc-head {display: none;}
  .lc-row {grid-template-columns: 1fr auto; grid-template-areas: "item amt" "how how"; border: 1px solid rgba(49, 51, 63, 0.15); border-radius: 0.5rem;
    margin-bottom: 0.45rem;}
  .lc-how {font-size: 0.9rem;}
}
</style>
"""


@dataclass(frozen=True)
class Row:
    item: str
    how: str
    amount: str
    strong: bool = False      # the row that matters most (the payable): highlighted

    @property
    def negative(self) -> bool:
        return self.amount.startswith("-")


def line_cards(rows: list[Row], head: tuple[str, str, str] | None = None) -> None:
    """Draw `rows` (label, how, amount) as aligned rows on a wide page and as cards on a phone."""
    parts = [CSS, '<div class="lc-list">']
    if head:
        parts.append('<div class="lc-row lc-head">' + "".join(
            f'<div class="{c}">{html_text(h)}</div>' for c, h in zip(("lc-item", "lc-how", "lc-amt"), head))
            + "</div>")
    for r in rows:
        cls = "lc-row" + (" lc-strong" if r.strong else "")
        amt = "lc-amt" + (" lc-neg" if r.negative else "")
        parts.append(f'<div class="{cls}"><div class="lc-item">{html_text(r.item)}</div>'
                     f'<div class="{amt}">{html_text(r.amount)}</div>'
                     f'<div class="lc-how">{html_text(r.how)}</div></div>')
    parts.append("</div>")
    st.markdown("".join(parts), unsafe_allow_html=True)


# ---------------------------------------------------------------- one card per metric (a manager's month)

METRIC_CSS = """
<style>
.mc-list {display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 0.6rem; margin: 0 0 0.6rem 0;}
.mc-card {border: 1px solid rgba(49, 51, 63, 0.15); border-radius: 0.5rem; padding: 0.55rem 0.75rem; min-width: 0;}
.mc-top {display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem;}
.mc-title {font-weight: 600; overflow-wrap: anywhere;}
.mc-big {font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap;}
.mc-facts {display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.1rem 0.75rem; margin: 0.3rem 0 0 0;
  font-size: 0.9rem;}
.mc-facts dt {color: rgba(49, 51, 63, 0.65); font-weight: 400; overflow-wrap: anywhere;}
.mc-unit {white-space: nowrap;}   /* '新增存款(万元)' may wrap before its unit, never inside it ('(万 / 元)') */
.mc-facts dd {margin: 0; text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap;}
.mc-neg {color: #b42318;}
.mc-note {margin: 0.3rem 0 0 0; font-size: 0.9rem; color: rgba(49, 51, 63, 0.8); overflow-wrap: anywhere;}
.mc-days .mc-facts {grid-template-columns: repeat(2, minmax(0, 1fr) auto);}   /* a day's figures: two a line */
/* English labels are twice as long: on a phone, one figure a line ('New / customers' took two lines) */
@media (max-width: 480px) {.mc-long-labels .mc-facts {grid-template-columns: minmax(0, 1fr) auto;}}
</style>
"""


@dataclass(frozen=True)
class Card:
    title: str                          # the metric
    headline: str                       # its key figure (完成率)
    facts: tuple[tuple[str, str], ...]  # (label, value), already formatted
    note: str = ""                      # free text under the facts (a day's notes), wrapped


_UNIT = re.compile(r"^(.*?)(\s*[(（][^()（）]*[)）])$")


def label_html(text: str) -> str:
    """A card's label as HTML: escaped, its trailing unit in brackets kept on one line (a narrow card wraps the
    label before the bracket, never inside it)."""
    m = _UNIT.match(str(text))
    if not m or not m.group(1).strip():
        return html_text(text)
    return f'{html_text(m.group(1))}<span class="mc-unit">{html_text(m.group(2))}</span>'


def metric_cards(cards: list[Card], name: str = "", long_labels: bool = False) -> None:
    """One small card per metric: title and key figure on top, the other figures as label / value lines below.
    The cards flow in a grid (several side by side on a laptop, one a line on a phone): nothing is ever wider
    than the screen and nothing scrolls inside itself. `name` is a class for the list (mc-<name>);
    `long_labels` (English): a list of two figures a line keeps one a line on a phone."""
    classes = " ".join(["mc-list", *([f"mc-{html_text(name)}"] if name else []),
                        *(["mc-long-labels"] if long_labels else [])])
    parts = [METRIC_CSS, f'<div class="{classes}">']
    for c in cards:
        facts = "".join(f'<dt>{label_html(k)}</dt><dd class="{"mc-neg" if v.startswith("-") else ""}">'
                        f'{html_text(v)}</dd>' for k, v in c.facts)
        parts.append(f'<div class="mc-card"><div class="mc-top"><div class="mc-title">{html_text(c.title)}</div>'
                     f'<div class="mc-big">{html_text(c.headline)}</div></div><dl class="mc-facts">{facts}</dl>'
                     + (f'<p class="mc-note">{html_text(c.note)}</p>' if c.note else "") + "</div>")
    parts.append("</div>")
    st.markdown("".join(parts), unsafe_allow_html=True)


# A tile's delta (st.metric) is one line cut with "…" when the tile is narrow (six tiles on a laptop): let it wrap
DELTA_WRAP_CSS = """<style>
[data-testid="stMetricDelta"] {height: auto !important; max-width: 100%; align-items: flex-start;}
div:has(> [data-testid="stMetricDelta"]) {height: auto !important; overflow: visible !important;}
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"], [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere;}
</style>"""


def wrap_metric_deltas() -> None:
    st.markdown(DELTA_WRAP_CSS, unsafe_allow_html=True)


# ---------------------------------------------------------------- a wide table on a laptop, cards on a phone

def wide_or_narrow(key: str):
    """Two containers for one section: the first shown only wider than 640 px (a table), the second only
    narrower (the same rows as cards). Streamlit cannot tell the screen's width, so both are drawn and a CSS media
    query hides one: a wide table never scrolls sideways on a phone, and a laptop keeps its sortable table."""
    st.markdown(f"""<style>
@media (max-width: 640px) {{ .st-key-{key}_wide {{display: none !important;}} }}
@media (min-width: 641px) {{ .st-key-{key}_narrow {{display: none !important;}} }}
</style>""", unsafe_allow_html=True)
    return st.container(key=f"{key}_wide"), st.container(key=f"{key}_narrow")
