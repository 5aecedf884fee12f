"""The three routine pages' rendered text, for every role in both languages: no "None", "nan" or "NaN", no
English "1 flags"-style plurals, no English words on the Chinese page; and the manager's page holds no other
manager's name or employee ID (page text and page model)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from core import store
from core.auth import demo_accounts, scope_for_username
from core.routines import monthly_page, morning_page, weekly_page
from core.store import logs as store_logs
from core.scope import Scope
from tests.views.helpers import run_page, texts

PAGES = {"views/morning.py": {"day": "2026-11-21"}, "views/weekly.py": {"week": "2026-W47"},
         "views/monthly.py": {"month": "2026-11"}}
USERS = ("demo_director", "demo_lead", "demo_manager")
ROLE = {"demo_director": "director", "demo_lead": "team_lead", "demo_manager": "manager"}
# Latin words that are not English on a Chinese page: IDs (CM002), units and file kinds written as such.
ALLOWED_LATIN = {"CM", "xlsx", "XLSX", "ID", "CNY", "PNG", "KSA", "Demo", "demo",
                 "Language", "English"}   # the sidebar's language switch names both languages on purpose


def page_text(at) -> str:
    """Everything shown: texts() (HTML tags dropped) plus every table cell, code blocks, button labels and the
    options of selects and radios as they are displayed. Table headers are the column_config labels (from the
    catalogue, checked by test_i18n), not the frame's internal column keys, so they are not read here."""
    parts = [re.sub(r"<[^>]+>|:material/\w+:", " ", texts(at))]
    for df in at.dataframe:
        v = df.value
        if isinstance(v, pd.DataFrame):
            parts.append(v.astype(str).to_csv(index=False, header=False))
        else:   # a Styler: its formatted cells, as drawn
            parts.append(v.hide(axis="columns").hide(axis="index").to_string())
    for el in at.code:
        parts.append(str(el.value))
    for el in at.button:
        parts.append(str(el.label))
    for kind in ("selectbox", "radio"):
        for el in getattr(at, kind):
            parts.append(str(el.label) + " " + " ".join(str(o) for o in el.options))
    return "\n".join(parts)


_BAD = [re.compile(r"\bNone\b"), re.compile(r"\bnan\b", re.I), re.compile(r"\bNaT\b")]
_PLURAL_ONE = re.compile(r"(?<![\d.,])1 (?!working days\b)([a-z]+s)\b")     # "1 flags", "1 customers"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_text_is_clean(demo_db_url, page, user, lang):
    at = run_page(page, demo_db_url, user, lang=lang, query=PAGES[page])
    assert not at.exception, at.exception
    body = page_text(at)
    for bad in _BAD:
        hits = [body[max(0, m.start() - 40):m.end() + 40] for m in bad.finditer(body)]
        assert not hits, f"{bad.pattern} on {page} ({user}, {lang}): {hits[:3]}"
    hits = [m.group(0) for m in _PLURAL_ONE.finditer(body)]
    assert not hits, f"singular/plural: {hits[:5]}"
    if lang == "zh":
        # the signed-in account's display name is data (the demo's says "Demo team lead"), not the page's words
        body = body.replace("\\(", "(").replace("\\)", ")")
        body = body.replace(demo_accounts(store.get_engine(demo_db_url))[ROLE[user]]["display_name"], "")
        words = {w for w in re.findall(r"[A-Za-z]{3,}", body) if w not in ALLOWED_LATIN}
        assert not words, f"English on the Chinese {page} ({user}): {sorted(words)[:20]}"


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_page_names_nobody_else(demo_db_url, page, lang):
    at = run_page(page, demo_db_url, "demo_manager", lang=lang, query=PAGES[page])
    assert not at.exception
    body = page_text(at)
    eng = store.get_engine(demo_db_url)
    me = scope_for_username(eng, "demo_manager").employee_id
    others = store_logs.read_roster(eng, Scope("director"))
    others = others[others["employee_id"] != me]
    leaked = [n for n in others["name"] if n in body] + [e for e in others["employee_id"] if re.search(
        rf"\b{re.escape(e)}\b", body)]
    assert not leaked, f"other managers on the manager's {page}: {leaked[:5]}"


def _walk(obj, seen=None):
    """Every str inside a page model: dataclass fields, dicts, lists, DataFrames (cells, index, columns)."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, pd.DataFrame):
        for c in obj.columns:
            yield str(c)
            yield from (str(v) for v in obj[c].tolist())
        yield from (str(v) for v in obj.index.tolist())
    elif isinstance(obj, pd.Series):
        yield from (str(v) for v in obj.tolist())
        yield from (str(v) for v in obj.index.tolist())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _walk(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _walk(v, seen)
    elif isinstance(obj, (list, tuple, set)):
        for v in obj:
            yield from _walk(v, seen)


@pytest.mark.parametrize("build", [
    lambda eng, sc: morning_page(eng, sc, "2026-11-21"),
    lambda eng, sc: weekly_page(eng, sc, "2026-W47", today=dt.date(2026, 11, 22)),
    lambda eng, sc: monthly_page(eng, sc, "2026-11"),
], ids=["morning", "weekly", "monthly"])
def test_manager_page_model_holds_nobody_else(demo_db_url, build):
    """Walk the whole page model (the ranks and medians come from the branch): no other manager's name or ID."""
    eng = store.get_engine(demo_db_url)
    sc = scope_for_username(eng, "demo_manager")
    model = build(eng, sc)
    assert model.mine is not None and model.mine.rows["branch_n"].max() > 1   # ranked among the branch
    strings = set(_walk(model))
    others = store_logs.read_roster(eng, Scope("director"))
    others = others[others["employee_id"] != sc.employee_id]
    leaked = (set(others["name"]) | set(others["employee_id"])) & strings
    leaked |= {s for s in strings for n in others["name"] if len(s) > len(n) and n in s}
    assert not leaked, sorted(leaked)[:5]
