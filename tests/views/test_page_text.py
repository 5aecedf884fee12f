"""Every page's rendered text, for every role that may open it, in both languages (issue 13): no "None", "nan" or
"NaN", no English "1 flags"-style plurals, no English words on the Chinese page; and the manager's routine pages
hold no other manager's name or employee ID (page text and page model).

The pages are those of ``core.scope.PAGE_ROLES`` (晨会, 周小结, 月总结, 绩效测算, 辅导, 数据导入, 设置 — all of its tabs,
which AppTest renders at once) and the sign-in page. The text read is everything a person can see: texts,
markdown and hand-written HTML (tags dropped, entities decoded), table cells as drawn, and every widget's label,
help, placeholder and options, tabs and expanders.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pandas as pd
import pytest

from core import coaching, commission, fmt, store
from core.auth import demo_accounts, scope_for_username
from core.routines import monthly_page, morning_page, weekly_page
from core.schema import FIELDS_BY_NAME
from core.scope import PAGE_ROLES
from core.store import logs as store_logs
from core.scope import Scope
from tests.views.helpers import run_page, texts

QUERY = {"day": "2026-11-21", "week": "2026-W47", "month": "2026-11"}
ROUTINES = {"views/morning.py": {"day": "2026-11-21"}, "views/weekly.py": {"week": "2026-W47"},
            "views/monthly.py": {"month": "2026-11"}}
USERS = {"director": "demo_director", "team_lead": "demo_lead", "manager": "demo_manager"}
ROLE = {v: k for k, v in USERS.items()}
CASES = [(f"views/{page}.py", USERS[role]) for page, roles in PAGE_ROLES.items() for role in roles if role in USERS]
CASES.append((None, None))      # the sign-in page
# Latin words that are not English on a Chinese page: IDs (CM002), units and file kinds written as such, the
# robots' product names and the sign-in methods' names.
ALLOWED_LATIN = {"CM", "xlsx", "XLSX", "xls", "xlsm", "ods", "csv", "CSV", "ID", "CNY", "PNG", "KSA", "Demo", "demo",
                 "WeCom", "DingTalk", "Excel", "Webhook", "zhangwei", "SSO", "OIDC", "YAML", "yaml", "URL", "MB",
                 "Language", "English"}   # the sidebar's language switch names both languages on purpose


def _widget_strings(node):
    """Every label-like string of an element and its children: labels, help, placeholders, options, values of
    text elements (tabs and expanders included)."""
    out = []
    # a widget shows its label, help and placeholder (its value is the raw option; its options are drawn as the
    # format_func writes them); a text element shows its value / body
    attrs = ("label", "help", "placeholder") if hasattr(node, "label") else ("value", "body")
    for attr in attrs:
        try:
            v = getattr(node, attr, None)
        except Exception:   # a widget's value may need a session (AppTest computes it lazily)
            v = None
        if isinstance(v, str):
            out.append(v)
    try:
        opts = getattr(node, "options", None)
    except Exception:
        opts = None
    if isinstance(opts, (list, tuple)):
        out += [str(o) for o in opts]
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            out += _widget_strings(child)
    return out


def page_text(at, code: bool = True) -> str:
    """Everything shown (see the module's docstring). Table headers are the column_config labels (from the
    catalogue, checked by test_i18n), not the frame's internal column keys, so they are not read here."""
    parts = [texts(at)]
    for df in at.dataframe:
        v = df.value
        if isinstance(v, pd.DataFrame):   # bool columns are drawn as checkboxes
            v = v.apply(lambda c: c.map({True: "☑", False: "☐"}) if c.dtype == bool else c)
            parts.append(v.astype(str).to_csv(index=False, header=False))
        else:   # a Styler: its formatted cells, as drawn
            parts.append(v.hide(axis="columns").hide(axis="index").to_string())
    for el in at.code if code else ():   # code blocks (the YAML of a plan or the rules) are configuration text
        parts.append(str(el.value))
    for el in at.button:
        parts.append(str(el.label))
    parts += _widget_strings(at._tree)
    body = "\n".join(parts)
    body = re.sub(r"<style>.*?</style>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>|:material/\w+:", " ", body)
    body = re.sub(r":(?:red|orange|yellow|green|blue|violet|gray|grey|rainbow|primary)(?:-badge|-background)?\[", "[",
                  body)    # Streamlit's colour directives are markup, not words
    return html.unescape(body)


_BAD = [re.compile(r"\bNone\b"), re.compile(r"\bnan\b", re.I), re.compile(r"\bNaT\b")]
_PLURAL_ONE = re.compile(r"(?<![\d.,])1 (?!working days\b)([a-z]+s)\b")     # "1 flags", "1 customers"


def _data_words(url: str) -> list[str]:
    """Texts that are data, not the page's words: the accounts' display names (the demo's say "Demo team
    lead") and usernames (the settings page and the audit trail list them), the system account's name."""
    eng = store.get_engine(url)
    accounts = demo_accounts(eng).values()
    return sorted([a["display_name"] for a in accounts] + [a["username"] for a in accounts] + ["system", "demo"],
                  key=len, reverse=True)


# configuration identifiers a director types into YAML (rule ids such as behind_pace, parameters such as
# ratio=0.7) are shown as written, next to their Chinese names
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z_]+=|\([a-z_]+\)")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page,user", CASES, ids=[f"{(p or 'signin').split('/')[-1]}-{u}" for p, u in CASES])
def test_page_text_is_clean(demo_db_url, page, user, lang):
    at = run_page(page, demo_db_url, user, lang=lang, query=QUERY)
    assert not at.exception, at.exception
    body = page_text(at)
    assert len(body) > 100, "nothing rendered"
    for bad in _BAD:
        hits = [body[max(0, m.start() - 40):m.end() + 40] for m in bad.finditer(body)]
        assert not hits, f"{bad.pattern} on {page} ({user}, {lang}): {hits[:3]}"
    hits = [m.group(0) for m in _PLURAL_ONE.finditer(body)]
    assert not hits, f"singular/plural: {hits[:5]}"
    if lang == "zh":
        body = _IDENTIFIER.sub(" ", page_text(at, code=False))
        body = body.replace("\\(", "(").replace("\\)", ")")
        for word in _data_words(demo_db_url):
            body = body.replace(word, "")
        words = {w for w in re.findall(r"[A-Za-z]{3,}", body) if w not in ALLOWED_LATIN}
        assert not words, f"English on the Chinese {page} ({user}): {sorted(words)[:20]}"


@pytest.mark.parametrize("page", list(ROUTINES) + ["views/commission.py", "views/coaching.py"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_manager_page_names_nobody_else(demo_db_url, page, lang):
    at = run_page(page, demo_db_url, "demo_manager", lang=lang, query=QUERY)
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


def _rendered(frame: pd.DataFrame):
    """Each cell of a model's table as core.fmt draws it: text as written ('—' for none), numbers in the row's
    metric (a long frame's ``metric`` column) or as counts — what a page built on the frame would show."""
    metric = frame["metric"].tolist() if "metric" in frame.columns else [None] * len(frame)
    for c in frame.columns:
        for v, m in zip(frame[c].tolist(), metric):
            if isinstance(v, str) or fmt.blank(v) or not isinstance(v, (int, float)):
                yield c, fmt.cell(v, "text")
            else:
                yield c, fmt.cell(v, "metric", m if isinstance(m, str) and m in FIELDS_BY_NAME else None)


def _frames(obj, seen=None):
    """Every DataFrame inside a page model (dataclass fields, dicts, lists)."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _frames(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _frames(v, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _frames(v, seen)


MODELS = {
    "morning": lambda eng, sc: morning_page(eng, sc, "2026-11-21"),
    "weekly": lambda eng, sc: weekly_page(eng, sc, "2026-W47", today=dt.date(2026, 11, 22)),
    "monthly": lambda eng, sc: monthly_page(eng, sc, "2026-11"),          # the demo has no last year: 同比 blank
    "commission": lambda eng, sc: commission.commission_page(eng, sc, "2026-11"),
    "statement": lambda eng, sc: commission.statement_page(eng, sc, "CM002", "2026-11"),
    "payout": lambda eng, sc: commission.payout_summary(eng, sc, "2026-11"),
    "coaching": lambda eng, sc: coaching.review_for_week(eng, sc, "2026-W47"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("user", ["demo_director", "demo_lead"])
def test_page_model_tables_render_no_missing_words(demo_db_url, name, user):
    """Walk every table frame of the page models on the demo bank (which has no last year, so 去年同期 / 同比 are
    empty): no cell renders as None / nan / NaN / NaT, and no text cell holds those words (a str(None) upstream)."""
    eng = store.get_engine(demo_db_url)
    sc = scope_for_username(eng, user)
    if name in ("statement",) and not sc.can_see_manager("CM002", "对公一队"):
        pytest.skip("not his to see")
    frames = list(_frames(MODELS[name](eng, sc)))
    assert frames, "the model has tables"
    bad = [(c, s) for f in frames for c, s in _rendered(f) if any(b.search(s) for b in _BAD)]
    assert not bad, f"{name} ({user}): {bad[:5]}"
