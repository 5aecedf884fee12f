"""User data is never rendered as Markdown or HTML (issue 14, item 7).

A manager named ``![t](http://127.0.0.1:9/track.png)`` made the coaching page's praise list load that image.
Here every manager of the demo bank is named like that, every daily note, coaching topic, acknowledgement note and
account display name carries such Markdown, and every page is run for every role that may open it: no text
element (markdown, caption, info, warning, title, expander label...) may contain an active image or link
(``](`` not escaped) and no hand-written HTML an ``<img`` or ``<a`` — while the names do show on the pages.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import text, update

from core import store
from core.scope import PAGE_ROLES
from core.store import tables as t
from tests.views.helpers import run_page
from ui.text import html_text, md

ROLES = {"director": "demo_director", "team_lead": "demo_lead", "manager": "demo_manager"}
PAGES = [(page, ROLES[role]) for page, roles in PAGE_ROLES.items() for role in roles if role in ROLES]
ACTIVE_LINK = re.compile(r"(?<!\\)\]\s*(?<!\\)\(")       # ](  not escaped: an image or a link
TRACKER = "http://127.0.0.1:9/"
LITERAL = {"Code", "Text", "Json"}   # st.code / st.text / st.json show text as it is (the reminder to paste)


def hostile(tag: str) -> str:
    return f"![t]({TRACKER}{tag}.png)"


@pytest.fixture
def hostile_db(demo_db_url):
    eng = store.get_engine(demo_db_url)
    with eng.begin() as conn:
        for (eid,) in conn.execute(text("SELECT employee_id FROM managers")).all():
            conn.execute(update(t.managers).where(t.managers.c.employee_id == eid).values(name=hostile(eid)))
        conn.execute(update(t.daily_logs).values(notes=hostile("note") + " [x](http://evil.example)"))
        conn.execute(update(t.users).values(display_name=hostile("account")))
        conn.execute(update(t.coaching_sessions).values(topic=hostile("topic"), actions=hostile("actions"),
                                                        follow_up=dt.date(2026, 11, 2)))
        conn.execute(update(t.flag_acks).values(note=hostile("ack")))
    return demo_db_url


def _strings(node):
    """Every text an element tree shows: values and labels of all its nodes (tabs, expanders, widgets...)."""
    out = []
    # a widget's value (a text input pre-filled with a name) is shown as typed; its label is Markdown
    attrs = ("label", "help") if hasattr(node, "label") else ("value", "body")
    for attr in attrs:
        v = getattr(node, attr, None)
        if isinstance(v, str):
            out.append((type(node).__name__, v, getattr(getattr(node, "proto", None), "allow_html", False)))
    for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) else []:
        out += _strings(child)
    return out


@pytest.mark.parametrize("page,username", PAGES)
def test_no_user_markdown_survives_on_any_page(hostile_db, page, username):
    at = run_page(f"views/{page}.py", hostile_db, username, lang="zh",
                  query={"day": "2026-11-20", "week": "2026-W47", "month": "2026-11"})
    assert not at.exception, at.exception
    shown = _strings(at._tree)
    assert shown, "nothing rendered"
    for kind, value, _html in shown:
        if kind in LITERAL:
            continue
        assert not ACTIVE_LINK.search(value), f"{page} as {username}: {kind} renders a link/image: {value[:200]}"
        assert "<img" not in value.lower() and "<a " not in value.lower(), (page, kind, value[:200])
    # the names are there, as text (escaped), so the test looked at the right elements
    if page in ("morning", "coaching", "commission"):
        assert any("127\\.0\\.0\\.1" in v or "127.0.0.1" in v for _k, v, _h in shown), page


@pytest.mark.parametrize("value,escaped", [
    ("![t](http://127.0.0.1:9/track.png)", r"\!\[t\]\(http\:\/\/127\.0\.0\.1\:9\/track\.png\)"),
    ("[点此](http://evil.example)", r"\[点此\]\(http\:\/\/evil\.example\)"),
    (":red[张伟] :material/home:", r"\:red\[张伟\] \:material\/home\:"),
    ("**粗** _斜_ `code` $x$", r"\*\*粗\*\* \_斜\_ \`code\` \$x\$"),
    ("# 标题\n\n- 列表", r"\# 标题 \- 列表"),
    ("<img src=x>", r"\<img src\=x\>"),
    ("张伟", "张伟"), (None, ""), (3, "3"),
])
def test_md_escapes_every_markdown_construct(value, escaped):
    assert md(value) == escaped


@pytest.mark.parametrize("value,expected", [
    ("![t](http://x/y.png)", "&#33;&#91;t&#93;&#40;http&#58;//x/y.png&#41;"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert&#40;1&#41;&gt;"),
    ("a\n\n![t](u)", "a &#33;&#91;t&#93;&#40;u&#41;"),      # a blank line would end the HTML block
    ("张伟 & 李娜", "张伟 &amp; 李娜"),
])
def test_html_text(value, expected):
    assert html_text(value) == expected
