"""python -m core import / roster / targets / undo / export / template, run in-process through core.cli.main."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest
from sqlalchemy import func, select

from core.cli import main
from core.store import tables as t

RH = ["工号", "姓名", "团队", "条线", "职级"]
ROSTER = [RH, ["1001", "张伟", "一队", "零售", "客户经理"], ["2001", "王强", "二队", "对公", "客户经理"]]
DH = ["日期", "工号", "拜访客户数", "新增存款(万元)", "工作日志"]


def write_xlsx(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"   # text that looks like a formula (a note typed as "=1+1")
    wb.save(path)
    return str(path)


def run(capsys, url, *args, json_out=True):
    argv = ["--db", url] + (["--json"] if json_out else []) + [str(a) for a in args]
    code = main(argv)
    out = capsys.readouterr().out
    return code, (json.loads(out) if json_out and out.strip() else out)


def count(engine, table):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(table)).scalar()


@pytest.fixture
def loaded(engine, tmp_path, capsys):
    """Roster of two plus three daily rows (2026-11-02/03 for 1001, 2026-11-02 for 2001)."""
    url = engine.test_url
    code, doc = run(capsys, url, "roster", write_xlsx(tmp_path / "r.xlsx", ROSTER))
    assert code == 0 and doc["summary"]["inserted"] == 2
    daily = write_xlsx(tmp_path / "d.xlsx", [DH, ["2026-11-02", "1001", 5, 10, "=1+1"],
                                             ["2026-11-03", "1001", 3, 2.5, None],
                                             ["2026-11-02", "2001", 1, 100, "ok"]], title="XX支行日报")
    code, doc = run(capsys, url, "import", daily)
    assert code == 0, doc
    return url, doc


def test_import_json_summary(loaded):
    _, doc = loaded
    assert doc["ok"] is True and doc["kind"] == "daily" and doc["filename"] == "d.xlsx"
    assert doc["summary"]["inserted"] == 3 and doc["summary"]["import_id"] == 2
    assert doc["errors"] == 0 and doc["problems"] == []
    assert doc["sheets"] == {"d.xlsx › Sheet": 3}


def test_import_errors_exit_1_and_store_nothing(engine, loaded, tmp_path, capsys):
    url, _ = loaded
    before = count(engine, t.daily_logs), count(engine, t.imports)
    bad = write_xlsx(tmp_path / "bad.xlsx", [DH, ["2026-11-04", "1001", "很多", 1, None],
                                             ["2026-11-04", "9999", 1, 1, None]])
    code, doc = run(capsys, url, "import", bad)
    assert code == 1 and doc["ok"] is False and doc["summary"] is None
    got = sorted((p["code"], p["row"], p["column"], p["value"]) for p in doc["problems"])
    assert got == [("ingest.bad_number", 2, "拜访客户数", "很多"), ("ingest.unknown_manager_none", 3, "工号", "9999")]
    assert doc["problems"][0]["message"]
    assert (count(engine, t.daily_logs), count(engine, t.imports)) == before


def test_dry_run_and_text_output(engine, loaded, tmp_path, capsys):
    url, _ = loaded
    f = write_xlsx(tmp_path / "n.xlsx", [DH, ["2026-11-04", "1001", 1, 1, None], ["2026-11-02", "1001", 6, 10, None]])
    code, out = run(capsys, url, "--lang", "en", "import", f, "--dry-run", json_out=False)
    assert code == 0
    assert "would insert 1, update 1, leave 0 unchanged" in out
    assert count(engine, t.daily_logs) == 3


def test_undo_and_refused_undo(engine, loaded, capsys):
    url, doc = loaded
    import_id = doc["summary"]["import_id"]
    code, res = run(capsys, url, "undo", import_id)
    # no period is closed: the undo changes no paid month (closed_period_effects is empty)
    assert code == 0 and res == {"ok": True, "import_id": import_id, "kind": "daily", "restored": 0, "removed": 3,
                                 "status": "undone", "dry_run": False, "closed_period_effects": []}
    assert count(engine, t.daily_logs) == 0
    code, res = run(capsys, url, "undo", import_id)
    assert code == 1 and res["ok"] is False and "已撤销" in res["error"]


@pytest.mark.parametrize("args,expected", [
    # (employee_id, date, visits) of the exported rows
    ([], [("1001", "2026-11-02", 5.0), ("2001", "2026-11-02", 1.0), ("1001", "2026-11-03", 3.0)]),
    (["--from", "2026-11-03"], [("1001", "2026-11-03", 3.0)]),
    (["--to", "2026/11/2"], [("1001", "2026-11-02", 5.0), ("2001", "2026-11-02", 1.0)]),
    (["--team", "二队"], [("2001", "2026-11-02", 1.0)]),
])
def test_export_json(loaded, capsys, args, expected):
    url, _ = loaded
    code, rows = run(capsys, url, "export", *args)
    assert code == 0
    assert [(r["employee_id"], r["date"], r["visits"]) for r in rows] == expected
    assert list(rows[0]) == ["date", "employee_id", "manager_name", "team", "visits", "new_customers",
                             "deposits_new", "deposit_balance", "loans_new", "credit_cards", "mobile_banking",
                             "wealth_sales", "fee_income", "post_loan_checks", "complaints", "notes"]
    assert rows[0]["deposit_balance"] is None


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_files_escape_formulas(loaded, tmp_path, capsys, suffix):
    url, _ = loaded
    out = tmp_path / f"export{suffix}"
    code, doc = run(capsys, url, "export", out)
    assert code == 0 and doc == {"ok": True, "rows": 3, "path": str(out)}
    if suffix == ".xlsx":
        ws = openpyxl.load_workbook(out).active
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        assert rows[0][:3] == ["date", "employee_id", "manager_name"]
        assert rows[1][0] == dt.datetime(2026, 11, 2) and rows[1][4] == 5
        assert rows[1][15] == "'=1+1" and ws.cell(row=2, column=16).data_type == "s"
    else:
        data = out.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[1][:3] == ["2026-11-02", "1001", "张伟"] and rows[1][15] == "'=1+1"


def test_template_command(tmp_path, sqlite_engine, capsys):
    out = tmp_path / "tpl" / "daily.xlsx"
    code, doc = run(capsys, sqlite_engine.test_url, "template", "daily", out)
    assert code == 0 and doc["path"] == str(out)
    assert openpyxl.load_workbook(out).worksheets[0]["A1"].value == "日期 Date"


def test_targets_command_and_missing_file(engine, loaded, tmp_path, capsys):
    url, _ = loaded
    f = write_xlsx(tmp_path / "t.xlsx", [["月份", "工号", "新增存款(万元)"], ["2026年11月", "1001", 500]])
    code, doc = run(capsys, url, "targets", f)
    assert code == 0 and doc["summary"]["inserted"] == 1
    code, doc = run(capsys, url, "import", tmp_path / "nope.xlsx")
    assert code == 1 and "no such file" in doc["error"]


def test_python_dash_m_core_exit_code(tmp_path):
    """The real entry point: a report file is written and the exit code is 1."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    bad = write_xlsx(tmp_path / "bad.xlsx", [DH, ["2026-11-02", "1001", 1, 1, None]])
    report = tmp_path / "report.xlsx"
    proc = subprocess.run([sys.executable, "-m", "core", "--db", url, "--lang", "en", "import", bad, "--report",
                           str(report)], capture_output=True, text=True, cwd=str(__import__("pathlib").Path(__file__)
                                                                                 .resolve().parents[3]))
    assert proc.returncode == 1
    assert "nothing was imported" in proc.stdout and "Traceback" not in proc.stderr
    assert openpyxl.load_workbook(report).sheetnames[0] == "Problems"
