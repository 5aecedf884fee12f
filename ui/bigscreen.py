"""Big-screen (projector) styling for the morning meeting: larger type in tables and talking points.

app.py already hides the sidebar and enlarges headings and metric tiles when ``ctx.big_screen`` is on; this adds
what the morning page needs on top: bigger table cells, a bigger talking-points list and wider charts' labels.
"""
from __future__ import annotations

import streamlit as st

BIG_SCREEN_EXTRA_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none !important;}
.block-container {padding-top: 1rem !important; max-width: 100% !important;}
[data-testid="stDataFrame"] {font-size: 1.25rem !important;}
[data-testid="stDataFrame"] div[role="gridcell"], [data-testid="stDataFrame"] div[role="columnheader"]
  {font-size: 1.25rem !important;}
.talking-points li {font-size: 1.9rem !important; line-height: 1.5 !important; margin-bottom: .4rem;}
[data-testid="stMetricValue"] {font-size: 3.2rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.4rem !important;}
</style>
"""


def apply(enabled: bool) -> None:
    """Inject the big-screen CSS when `enabled` (call once near the top of the page)."""
    if enabled:
        st.markdown(BIG_SCREEN_EXTRA_CSS, unsafe_allow_html=True)
