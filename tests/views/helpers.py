"""Run the real app (app.py → st.navigation → a page) in AppTest, signed in as a given account.

    at = run_page("views/morning.py", demo_db_url, "demo_director", lang="en")
    assert not at.exception

The database is chosen with DATABASE_URL (set here for the run); DASH_NO_DEMO=1 stops the app loading the
demo bank into an empty database, and DASH_RAISE=1 lets page exceptions reach ``at.exception``.
"""
from __future__ import annotations

import html
import os
import re
from contextlib import contextmanager

from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(__file__), "..", "..", "app.py")
DEMO_END = "2026-11-20"


@contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: v for k, v in values.items() if v is not None})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_page(page: str | None, db_url: str, username: str | None, lang: str = "zh", query: dict | None = None,
             timeout: float = 120, no_demo: bool = True, session: dict | None = None) -> AppTest:
    """Run app.py signed in as `username` (None = not signed in), switch to `page`, and return the AppTest."""
    at = AppTest.from_file(os.path.abspath(APP), default_timeout=timeout)
    if username:
        at.session_state["username"] = username
    for k, v in (session or {}).items():
        at.session_state[k] = v
    if lang != "zh":
        at.query_params["lang"] = lang
    for k, v in (query or {}).items():
        at.query_params[k] = v
    with _env(DATABASE_URL=db_url, DASH_NO_DEMO="1" if no_demo else "0", DASH_RAISE="1"):
        at.run()
        if page and not at.exception:
            at.switch_page(page)
            at.run()
    return at


def rerun(at: AppTest, db_url: str) -> AppTest:
    """Run again (after interacting with widgets) with the same database."""
    with _env(DATABASE_URL=db_url, DASH_NO_DEMO="1", DASH_RAISE="1"):
        at.run()
    return at


def texts(at: AppTest) -> str:
    """All visible text of the run (markdown, captions, titles, metrics, infos, errors...), for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        for el in getattr(at, kind):
            parts.append(str(el.value))
    for m in at.metric:
        parts.append(f"{m.label} {m.value}")
    return "\n".join(parts)


_CARD = re.compile(r'<div class="lc-row( lc-head| lc-strong)?"><div class="lc-item">([^<]*)</div>'
                   r'<div class="lc-amt[^"]*">([^<]*)</div><div class="lc-how">([^<]*)</div></div>')
_HEAD = re.compile(r'<div class="lc-row lc-head">(.*?)</div></div>')


def card_lists(at: AppTest) -> list[dict]:
    """Every list drawn by ui.cards.line_cards: {"head": (item, how, amount) or None, "rows": [(item, how,
    amount), ...]}, texts unescaped as the browser shows them."""
    out = []
    for el in at.markdown:
        body = str(el.value)
        if 'class="lc-list"' not in body:
            continue
        head = _HEAD.search(body)
        head = tuple(html.unescape(x) for x in re.findall(r'<div class="lc-\w+">(.*?)</div>', head.group(1) + "</div>")) \
            if head else None
        rows = [tuple(html.unescape(x) for x in (m.group(2), m.group(4), m.group(3)))
                for m in _CARD.finditer(body) if m.group(1) != " lc-head"]
        out.append({"head": head, "rows": rows})
    return out


def card_list(at: AppTest, head_item: str) -> list[tuple[str, str, str]]:
    """The rows of the card list whose first header is `head_item` (e.g. the item or step column's name)."""
    return next(c["rows"] for c in card_lists(at) if c["head"] and c["head"][0] == head_item)
