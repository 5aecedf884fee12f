"""Write the demo bank's workbooks: what a sub-branch really sends, generated from ``core.demo``.

    python sample_data/generate.py [--end 2026-11-20] [--seed 2026] [--out sample_data]

Writes into ``--out``:

* ``roster.xlsx``            花名册: 工号, 姓名, 团队, 条线, 职级, 入职日期, 导师工号
* ``targets.xlsx``           目标分解: 月份, 工号, 客户经理, one column per target metric (daily-log headers)
* ``weekly/<ISO week>_<team>.xlsx``  one team's week of daily reports as a team lead uploads it: a merged title
  row, a Chinese header row with units, one row per manager per working day, a 合计 row (values, not formulas),
  and a 填表说明 sheet
* ``template_daily.xlsx``, ``template_roster.xlsx``, ``template_targets.xlsx``  empty templates with bilingual
  headers and instructions

The files are byte-for-byte reproducible (fixed document and zip timestamps), so regenerating changes nothing in
git unless the data changed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from core import calendar as cal  # noqa: E402
from core import demo  # noqa: E402
from core.schema import FIELDS_BY_NAME, LINE_LABEL, ROSTER_FIELDS, TARGET_METRICS, TARGET_MONTH_FIELD  # noqa: E402

SAMPLE_END = dt.date(2026, 11, 20)
FIXED_TIME = dt.datetime(2026, 1, 1, 8, 0, 0)
DAILY_COLUMNS = ("date", "employee_id", "manager_name", "team", "visits", "new_customers", "deposits_new",
                 "deposit_balance", "loans_new", "credit_cards", "mobile_banking", "wealth_sales", "fee_income",
                 "post_loan_checks", "complaints", "notes")
# Column widths (characters) by field kind, so the sheets are readable without styling every cell.
WIDTH = {"date": 12, "employee_id": 8, "manager_name": 10, "team": 10, "notes": 60}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)

DAILY_HELP = (
    "填表说明",
    "1. 每位客户经理每个工作日填写一行;调休上班日(如周六、周日补班)照常填写,法定节假日不填。",
    "2. 日期请填写为日期格式(如 2026-11-16),工号与花名册一致。",
    "3. 金额单位:新增存款、存款余额、新增贷款、理财销售为万元;中间业务收入为元。请勿填写单位文字。",
    "4. 存款余额填写当日日终时点余额;新增存款、新增贷款填写当日发生额。",
    "5. 信用卡、手机银行、新增客户数、贷后检查、客户投诉填写当日笔数/户数,没有请填 0。",
    "6. 工作日志简要记录当日拜访对象、营销内容、问题与收获。",
    "7. 最后一行“合计”仅供核对,系统导入时自动忽略。",
    "8. 每周五下班前由团队长汇总上传至“数据导入”页面;如需更正,重新上传整周文件即可覆盖。",
)
ROSTER_HELP = (
    "填表说明",
    "1. 每位客户经理一行;工号唯一,不可重复。",
    "2. 条线填写“对公”或“零售”;职级填写 客户经理助理 / 客户经理 / 高级客户经理。",
    "3. 入职日期填写日期格式;导师工号填写带教师傅的工号(客户经理助理必填)。",
    "4. 人员调整(调岗、离职)请更新后整表重新上传,系统只新增或修改,不会删除历史日报。",
)
TARGETS_HELP = (
    "填表说明",
    "1. 每月每位客户经理一行,月份格式为 2026-11。",
    "2. 指标与日报口径一致:金额为万元(中间业务收入为元),其余为户数/张数。",
    "3. 月度任务由年度、季度任务分解到个人后填写;不考核的指标可留空。",
)


# ---------------------------------------------------------------- writing helpers

def _header(name: str) -> str:
    return FIELDS_BY_NAME[name].header("zh")


def _widths(ws, names) -> None:
    for j, n in enumerate(names, start=1):
        ws.column_dimensions[get_column_letter(j)].width = WIDTH.get(n, 13)


def _help_sheet(wb: Workbook, lines) -> None:
    ws = wb.create_sheet("填表说明")
    ws.column_dimensions["A"].width = 100
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line)
    ws["A1"].font = BOLD


def reproducible(data: bytes) -> bytes:
    """The same workbook with fixed timestamps (document properties and zip entries)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              lambda m: m.group(1) + stamp.encode() + m.group(3), body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            dst.writestr(zi, body)
    return out.getvalue()


def _save(wb: Workbook) -> bytes:
    wb.properties.creator = demo.BRANCH
    wb.properties.created = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible(buf.getvalue())


# ---------------------------------------------------------------- the workbooks

def weekly_workbook(bank: demo.DemoBank, week: str, team: str) -> bytes | None:
    """One team's week of daily reports, or None when nobody in the team logged that week."""
    mon, sun = cal.week_bounds(week)
    names = bank.roster.set_index("employee_id")["name"]
    members = set(bank.roster.loc[bank.roster.team == team, "employee_id"])
    rows = bank.logs[(bank.logs.date >= str(mon)) & (bank.logs.date <= str(sun))
                     & bank.logs.employee_id.isin(members)]
    if rows.empty:
        return None
    rows = rows.sort_values(["date", "employee_id"])
    wb = Workbook()
    ws = wb.active
    ws.title = "工作日报"
    year, num = week.split("-W")
    ws.cell(row=1, column=1, value=f"{bank.branch}客户经理工作日报 {year}年第{int(num)}周 {team}").font = TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(DAILY_COLUMNS))
    ws["A1"].alignment = Alignment(horizontal="center")
    for j, n in enumerate(DAILY_COLUMNS, start=1):
        ws.cell(row=2, column=j, value=_header(n)).font = BOLD
    r = 3
    for rec in rows.itertuples(index=False):
        d = rec._asdict()
        for j, n in enumerate(DAILY_COLUMNS, start=1):
            if n == "date":
                c = ws.cell(row=r, column=j, value=d["date"].date())
                c.number_format = "yyyy-mm-dd"
            elif n == "manager_name":
                ws.cell(row=r, column=j, value=names[d["employee_id"]])
            elif n == "team":
                ws.cell(row=r, column=j, value=team)
            elif n in ("employee_id", "notes"):
                ws.cell(row=r, column=j, value=d[n])
            else:
                v = float(d[n])
                ws.cell(row=r, column=j, value=int(v) if v.is_integer() else v)
        r += 1
    ws.cell(row=r, column=1, value="合计").font = BOLD
    for j, n in enumerate(DAILY_COLUMNS, start=1):
        if FIELDS_BY_NAME[n].numeric and n != "deposit_balance":   # a balance is a stock: no total
            v = round(float(rows[n].sum()), 2)
            ws.cell(row=r, column=j, value=int(v) if v.is_integer() else v).font = BOLD
    ws.freeze_panes = "A3"
    _widths(ws, DAILY_COLUMNS)
    _help_sheet(wb, DAILY_HELP)
    return _save(wb)


def roster_workbook(bank: demo.DemoBank) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    fields = [f for f in ROSTER_FIELDS if f.name in bank.roster.columns]   # the demo has no 手机号 (mobile)
    cols = [f.name for f in fields]
    for j, f in enumerate(fields, start=1):
        ws.cell(row=1, column=j, value=f.zh).font = BOLD
    for i, rec in enumerate(bank.roster.itertuples(index=False), start=2):
        d = rec._asdict()
        for j, n in enumerate(cols, start=1):
            v = d[n]
            if n == "line":
                v = LINE_LABEL[v]["zh"]
            elif n == "start_date":
                v = v.date()
            elif n == "mentor_id" and not v:
                v = None
            c = ws.cell(row=i, column=j, value=v)
            if n == "start_date":
                c.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    _widths(ws, ["employee_id", "manager_name", "team", "line", "grade", "date", "employee_id"])
    ws.column_dimensions["E"].width = 14
    _help_sheet(wb, ROSTER_HELP)
    return _save(wb)


def targets_workbook(bank: demo.DemoBank) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "目标分解"
    heads = [TARGET_MONTH_FIELD.zh, _header("employee_id"), _header("manager_name")] + [_header(m) for m in TARGET_METRICS]
    for j, h in enumerate(heads, start=1):
        ws.cell(row=1, column=j, value=h).font = BOLD
    names = bank.roster.set_index("employee_id")["name"]
    wide = bank.targets.pivot(index=["month", "employee_id"], columns="metric", values="value").reset_index()
    for i, rec in enumerate(wide.itertuples(index=False), start=2):
        d = rec._asdict()
        ws.cell(row=i, column=1, value=d["month"])
        ws.cell(row=i, column=2, value=d["employee_id"])
        ws.cell(row=i, column=3, value=names[d["employee_id"]])
        for j, m in enumerate(TARGET_METRICS, start=4):
            v = float(d[m])
            ws.cell(row=i, column=j, value=int(v) if v.is_integer() else v)
    ws.freeze_panes = "A2"
    _widths(ws, ["month", "employee_id", "manager_name", *TARGET_METRICS])
    _help_sheet(wb, TARGETS_HELP)
    return _save(wb)


def template_workbook(kind: str) -> bytes:
    """An empty upload template with bilingual headers (中文 + English) and the instructions sheet."""
    wb = Workbook()
    ws = wb.active
    if kind == "daily":
        ws.title = "工作日报"
        heads = [FIELDS_BY_NAME[n].bilingual_header() for n in DAILY_COLUMNS]
        names, help_ = DAILY_COLUMNS, DAILY_HELP
    elif kind == "roster":
        ws.title = "花名册"
        heads = [f.bilingual_header() for f in ROSTER_FIELDS]
        names, help_ = [f.name for f in ROSTER_FIELDS], ROSTER_HELP
    elif kind == "targets":
        ws.title = "目标分解"
        fields = [TARGET_MONTH_FIELD, FIELDS_BY_NAME["employee_id"], FIELDS_BY_NAME["manager_name"]] + \
                 [FIELDS_BY_NAME[m] for m in TARGET_METRICS]
        heads = [f.bilingual_header() for f in fields]
        names, help_ = [f.name for f in fields], TARGETS_HELP
    else:
        raise ValueError(f"unknown template kind {kind!r}")
    for j, h in enumerate(heads, start=1):
        ws.cell(row=1, column=j, value=h).font = BOLD
        ws.column_dimensions[get_column_letter(j)].width = max(14, min(40, len(h) + 4)) if names[j - 1] != "notes" else 60
    ws.freeze_panes = "A2"
    _help_sheet(wb, help_)
    return _save(wb)


def weekly_files(bank: demo.DemoBank) -> dict[str, bytes]:
    """{'2026-W47_对公一队.xlsx': bytes} for every week of the logs and every team."""
    out: dict[str, bytes] = {}
    mon = bank.start
    while mon <= bank.end:
        week = cal.week_key(mon)
        for team, _ in demo.TEAMS:
            data = weekly_workbook(bank, week, team)
            if data is not None:
                out[f"{week}_{team}.xlsx"] = data
        mon += dt.timedelta(weeks=1)
    return out


def write_all(out_dir: Path, end: dt.date = SAMPLE_END, seed: int = demo.DEFAULT_SEED) -> dict[str, int]:
    """Write every workbook under `out_dir`; returns {relative path: size in bytes}."""
    bank = demo.generate(end, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    weekly_dir = out_dir / "weekly"
    weekly_dir.mkdir(exist_ok=True)
    files: dict[str, bytes] = {"roster.xlsx": roster_workbook(bank), "targets.xlsx": targets_workbook(bank)}
    for kind in ("daily", "roster", "targets"):
        files[f"template_{kind}.xlsx"] = template_workbook(kind)
    weekly = weekly_files(bank)
    for old in weekly_dir.glob("*.xlsx"):      # a different --end leaves no stale weeks behind
        if old.name not in weekly:
            old.unlink()
    files.update({f"weekly/{k}": v for k, v in weekly.items()})
    for rel, data in files.items():
        path = out_dir / rel
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return {rel: len(data) for rel, data in files.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--end", type=dt.date.fromisoformat, default=SAMPLE_END, help="last logged day (default 2026-11-20)")
    p.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = p.parse_args(argv)
    sizes = write_all(args.out, args.end, args.seed)
    weekly = [k for k in sizes if k.startswith("weekly/")]
    print(f"wrote {len(sizes)} workbooks to {args.out} ({len(weekly)} weekly, "
          f"{sum(sizes.values()) / 1024:.0f} KB in all, largest {max(sizes.values()) / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
