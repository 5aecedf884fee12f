"""core.ingest.mappings: saved column mappings — how headers are folded, which mapping wins (the team's over the
branch-wide one), ignored columns, refusals with clear messages, who may save and remove what, the audit trail,
and what an upload reads through them (on SQLite and PostgreSQL).

Roster: 一队 (1001 张伟, 1002 李娜) and 二队 (2001 王强). lead1 leads 一队, lead2 leads 二队.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from core import auth, ingest
from core.cli import main
from core.errors import AppError, ScopeError
from core.ingest import mappings as mp
from core.scope import SYSTEM, Scope
from core.store import logs as store_logs
from core.store import tables as t
from tests.core.ingest.helpers import LEAD1, xlsx

LEAD2 = Scope("team_lead", "lead2", team="二队")
MANAGER = Scope("manager", "cm1002", team="一队", employee_id="1002")
RH = ["工号", "姓名", "团队", "条线", "职级"]
ROSTER_FILE = ("花名册.xlsx", xlsx({"花名册": [RH, ["1001", "张伟", "一队", "零售", "客户经理"],
                                              ["1002", "李娜", "一队", "零售", "客户经理"],
                                              ["2001", "王强", "二队", "对公", "客户经理"]]}))
D = dt.date(2026, 11, 2)   # a Monday


@pytest.fixture
def db(engine):
    assert ingest.import_files(engine, SYSTEM, "roster", [ROSTER_FILE]).ok
    return engine


def upload(rows, header):
    return [("周报.xlsx", xlsx({"日报": [header] + rows}))]


# ---------------------------------------------------------------- folding headers

@pytest.mark.parametrize("text, key", [
    ("本周走访数", "本周走访数"),
    ("  本周走访数 ", "本周走访数"),
    ("本周 走访数", "本周走访数"),            # spaces between Chinese characters do not count
    ("本周走访数(户)", "本周走访数"),          # a bracketed part (a unit or a note) is dropped, as the schema does
    ("本周走访数（户）", "本周走访数"),        # full-width brackets
    ("信用卡(张)新", "信用卡新"),
    ("ETC", "etc"),
    ("ＥＴＣ", "etc"),                     # full-width letters (NFKC)
    ("日均存款(亿元)", "日均存款"),            # the unit is kept apart: the column is still read in 亿元
    ("", ""),
])
def test_header_key_folds_like_the_schema(text, key):
    assert mp.header_key(text) == key


# ---------------------------------------------------------------- an upload read through saved mappings

H = ["日期", "工号", "本周走访数", "新增存款(万元)", "ETC"]


@pytest.mark.parametrize("saved, expected_visits, applied", [
    # nothing saved: 本周走访数 and ETC are unknown columns, visits stay 0
    ([], 0.0, []),
    # the team's mapping: 本周走访数 → visits (5), ETC ignored without a warning
    ([("一队", "本周走访数", "visits"), ("一队", "ETC", "ignore")], 5.0,
     [("本周走访数", "visits", "一队"), ("ETC", "ignore", "一队")]),
    # branch-wide only: applies to the team lead as well
    ([(None, "本周走访数", "visits")], 5.0, [("本周走访数", "visits", None)]),
    # both: the team's mapping wins over the branch-wide one (new_customers, not visits)
    ([(None, "本周走访数", "visits"), ("一队", "本周走访数", "new_customers")], 0.0,
     [("本周走访数", "new_customers", "一队")]),
    # another team's mapping does not apply to 一队
    ([("二队", "本周走访数", "visits")], 0.0, []),
])
def test_saved_mappings_apply_team_first_then_branch(db, saved, expected_visits, applied):
    for team, header, field in saved:
        mp.add_mapping(db, SYSTEM, header, field, team)
    out = ingest.import_files(db, LEAD1, "daily", upload([[D, "1001", 5, 12.5, "x"]], H))
    assert out.ok, [p.message("en") for p in out.errors]
    got = [(m.column, m.field, m.team) for m in mp.applied_columns(out)]
    assert got == applied
    unknown = sorted(p.column for p in out.problems if p.code == "ingest.unknown_column")
    assert unknown == sorted({"本周走访数", "ETC"} - {a[0] for a in applied})
    row = store_logs.read_logs(db, SYSTEM).iloc[0]
    assert row["visits"] == expected_visits and row["deposits_new"] == 12.5
    if any(a[1] == "new_customers" for a in applied):
        assert row["new_customers"] == 5.0


def test_a_mapped_header_keeps_its_unit_and_a_director_uses_branch_mappings(db):
    # 日均存款(亿元) → deposit_balance (stored in 万元): 0.5 亿元 = 5,000 万元
    mp.add_mapping(db, SYSTEM, "日均存款", "deposit_balance", None)
    mp.add_mapping(db, SYSTEM, "本周走访数", "visits", "一队")       # 一队's own: not for the director
    out = ingest.import_files(db, SYSTEM, "daily", upload([[D, "2001", 0.5, 3]], ["日期", "工号", "日均存款(亿元)",
                                                                                  "本周走访数"]))
    assert out.ok
    row = store_logs.read_logs(db, SYSTEM).iloc[0]
    assert row["deposit_balance"] == 5000.0 and row["visits"] == 0.0
    assert [m.message("en") for m in mp.applied_columns(out)] == [
        "“日均存款(亿元)” read as Deposit balance (CNY 10k) — mapped by your saved mapping (branch-wide)"]
    assert mp.applied_columns(out)[0].message("zh") == \
        "「日均存款(亿元)」读作「存款余额(万元)」—— 已按您保存的列映射读取(全行)"


def test_a_saved_mapping_can_supply_a_required_column(db):
    # 员工编号 is not a known header: without a mapping the sheet has no manager column (an error)
    rows, header = [[D, "1001", 4]], ["日期", "员工编号", "拜访客户数"]
    before = ingest.import_files(db, LEAD1, "daily", upload(rows, header), dry_run=True)
    assert [p.code for p in before.errors] == ["ingest.missing_column"]
    mp.add_mapping(db, LEAD1, "员工编号", "employee_id", "一队")
    after = ingest.import_files(db, LEAD1, "daily", upload(rows, header), dry_run=True)
    assert after.ok and after.summary.inserted == 1


def test_a_saved_mapping_clashing_with_a_column_of_the_file_is_an_error(db):
    mp.add_mapping(db, LEAD1, "本周走访数", "visits", "一队")
    out = ingest.import_files(db, LEAD1, "daily", upload([[D, "1001", 5, 6]], ["日期", "工号", "本周走访数", "拜访客户数"]))
    assert not out.ok and out.summary is None
    [p] = out.errors
    assert p.code == "mappings.duplicate_in_file" and p.column == "拜访客户数"
    assert p.message("en") == ("“本周走访数” and “拜访客户数” are both read as Visits (one of them through your saved "
                               "column mapping). Remove the extra column, or remove the mapping, and check again.")
    assert store_logs.read_logs(db, SYSTEM).empty


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize("header, field, present, key, en", [
    ("拜访客户数", "visits", set(), "mappings.header_known", "“拜访客户数” is already read as Visits; it needs no mapping."),
    ("客户投诉", "visits", set(), "mappings.header_known",
     "“客户投诉” is already read as Complaints; it needs no mapping."),
    ("本周走访数", "visitz", set(), "mappings.bad_field", None),
    ("本周走访数", "month", set(), "mappings.bad_field", None),              # a targets field, not a daily one
    ("本周走访数", "visits", {"visits", "date"}, "mappings.field_in_file",
     "“本周走访数” cannot be read as Visits: the file already has a Visits column."),
    ("ETC", "ignore", {"visits"}, None, None),                                # ignoring is always possible
    ("(万元)", "visits", set(), "mappings.empty_header", None),
    ("x" * 201, "visits", set(), "mappings.header_too_long", None),
])
def test_choices_are_validated_with_clear_messages(db, header, field, present, key, en):
    choice = [mp.Choice(header, field)]
    if key is None:
        assert [m.field for m in mp.save_choices(db, LEAD1, "daily", choice, "一队", {mp.header_key(header): present})] \
            == [field]
        return
    with pytest.raises(AppError) as exc:
        mp.save_choices(db, LEAD1, "daily", choice, "一队", {mp.header_key(header): present})
    assert exc.value.key == "mappings.invalid"
    assert [p.key for p in exc.value.problems] == [key]
    if en:
        assert exc.value.messages("en") == [en]
    assert exc.value.message("zh").startswith("列映射未保存:")
    assert mp.list_mappings(db, SYSTEM) == []


def test_two_headers_to_one_field_are_refused_and_nothing_is_saved(db):
    with pytest.raises(AppError) as exc:
        mp.save_choices(db, LEAD1, "daily", [mp.Choice("本周走访数", "visits"), mp.Choice("走访(本周)", "ignore"),
                                             mp.Choice("访客数", "visits")], "一队")
    assert exc.value.messages("en") == ["“访客数” and “本周走访数” cannot both be read as Visits."]
    assert mp.list_mappings(db, SYSTEM) == []          # all or nothing


# ---------------------------------------------------------------- scope

@pytest.mark.parametrize("scope, team, allowed", [
    (LEAD1, "一队", True),        # a team lead for his team
    (LEAD1, "二队", False),       # not for another team
    (LEAD1, None, False),         # not branch-wide
    (SYSTEM, None, True),         # a director branch-wide
    (SYSTEM, "二队", True),       # or for any team
    (MANAGER, "一队", False),     # a manager never
    (MANAGER, None, False),
])
def test_who_may_save(db, scope, team, allowed):
    if allowed:
        m = mp.add_mapping(db, scope, "本周走访数", "visits", team)
        assert (m.team, m.field, m.created_by) == (team, "visits", scope.username)
    else:
        with pytest.raises(ScopeError):
            mp.add_mapping(db, scope, "本周走访数", "visits", team)
        assert mp.list_mappings(db, SYSTEM) == []


def test_unknown_team_is_refused(db):
    with pytest.raises(AppError) as exc:
        mp.add_mapping(db, SYSTEM, "本周走访数", "visits", "三队")
    assert exc.value.message("en") == "Team “三队” is not on the roster."


def test_listing_and_removing_follow_the_scope_and_are_audited(db):
    branch = mp.add_mapping(db, SYSTEM, "ETC", "ignore", None)
    own = mp.add_mapping(db, LEAD1, "本周走访数", "visits", "一队")
    other = mp.add_mapping(db, LEAD2, "走访数", "visits", "二队")
    assert [m.id for m in mp.list_mappings(db, SYSTEM)] == [branch.id, own.id, other.id]   # branch-wide first
    assert [m.id for m in mp.list_mappings(db, LEAD1)] == [branch.id, own.id]
    with pytest.raises(ScopeError):
        mp.list_mappings(db, MANAGER)
    assert [mp.may_remove(LEAD1, m) for m in mp.list_mappings(db, LEAD1)] == [False, True]
    with pytest.raises(ScopeError):
        mp.remove_mapping(db, LEAD1, branch.id)                  # branch-wide: directors only
    with pytest.raises(AppError) as exc:
        mp.remove_mapping(db, LEAD1, other.id)                   # another team's reads as not found
    assert exc.value.key == "mappings.not_found"
    assert mp.remove_mapping(db, LEAD1, own.id).header_text == "本周走访数"
    with pytest.raises(AppError):
        mp.remove_mapping(db, LEAD1, own.id)
    assert [m.id for m in mp.list_mappings(db, SYSTEM)] == [branch.id, other.id]
    with db.connect() as c:
        audit = c.execute(select(t.audit_log.c.username, t.audit_log.c.action, t.audit_log.c.target)
                          .where(t.audit_log.c.action.like("mapping%")).order_by(t.audit_log.c.id)).all()
    assert [tuple(a) for a in audit] == [("system", "mapping_save", "ETC"), ("lead1", "mapping_save", "本周走访数"),
                                         ("lead2", "mapping_save", "走访数"), ("lead1", "mapping_remove", "本周走访数")]


def test_saving_again_replaces_the_mapping_of_the_same_header(db):
    first = mp.add_mapping(db, LEAD1, "本周走访数", "visits", "一队")
    second = mp.add_mapping(db, LEAD1, "本周走访数 ", "new_customers", "一队")
    assert [(m.id, m.field) for m in mp.list_mappings(db, LEAD1)] == [(second.id, "new_customers")]
    assert first.field == "visits"


# ---------------------------------------------------------------- what the report offers

def test_unknown_columns_and_present_fields_of_a_checked_upload(db):
    h = ["日期", "工号", "拜访客户数", "本周走访数", "信用卡(张)新", "ETC"]
    out = ingest.import_files(db, LEAD1, "daily", upload([[D, "1001", 1, 2, 3, 4]], h), dry_run=True)
    assert [(u.header_text, u.key) for u in mp.unknown_columns(out)] == [
        ("本周走访数", "本周走访数"), ("信用卡(张)新", "信用卡新"), ("ETC", "etc")]
    present = mp.present_fields(out)
    assert present["etc"] == {"date", "employee_id", "visits"}
    # the lead's answer: 本周走访数 → visits is refused (the file has 拜访客户数), the other two are saved
    with pytest.raises(AppError) as exc:
        mp.save_choices(db, LEAD1, "daily", [mp.Choice("本周走访数", "visits")], "一队", present)
    assert exc.value.problems[0].key == "mappings.field_in_file"
    saved = mp.save_choices(db, LEAD1, "daily", [mp.Choice("信用卡(张)新", "credit_cards"), mp.Choice("ETC", "ignore")],
                            "一队", present)
    assert [(m.header, m.header_text, m.field) for m in saved] == [("信用卡新", "信用卡(张)新", "credit_cards"),
                                                                   ("etc", "ETC", "ignore")]
    again = ingest.import_files(db, LEAD1, "daily", upload([[D, "1001", 1, 2, 3, 4]], h), dry_run=True)
    assert [(m.column, m.field) for m in mp.applied_columns(again)] == [("信用卡(张)新", "credit_cards"),
                                                                       ("ETC", "ignore")]
    assert [u.header_text for u in mp.unknown_columns(again)] == ["本周走访数"]


@pytest.mark.parametrize("scope, expected", [
    (SYSTEM, [None, "一队", "二队"]),
    (LEAD1, ["一队"]),
    (MANAGER, []),
])
def test_team_choices(db, scope, expected):
    assert mp.team_choices(db, scope) == expected


# ---------------------------------------------------------------- command line

def _cli(capsys, url, *args):
    code = main(["--db", url, "--lang", "en", *map(str, args)])
    cap = capsys.readouterr()
    return code, cap.out.strip(), cap.err.strip()


@pytest.mark.parametrize("as_user, args, code, out", [
    (None, ["add", "本周走访数", "visits"], 0, "Saved mapping 1: “本周走访数” → visits (branch-wide)"),
    (None, ["add", "ETC", "ignore", "--team", "二队"], 0, "Saved mapping 1: “ETC” → ignore (team 二队)"),
    ("lead1", ["add", "ETC", "ignore"], 0, "Saved mapping 1: “ETC” → ignore (team 一队)"),    # his team by default
    ("lead1", ["add", "ETC", "ignore", "--branch"], 1, ""),
    ("lead1", ["add", "ETC", "ignore", "--team", "二队"], 1, ""),
    (None, ["add", "拜访客户数", "visits"], 1, ""),
    (None, ["remove", "7"], 1, ""),
])
def test_cli_add_and_remove(db, capsys, as_user, args, code, out):
    auth.create_user(db, SYSTEM, "lead1", "一队长", "team_lead", password="Yidui-2026-lead", team="一队")
    got = _cli(capsys, db.test_url, *(["--as", as_user] if as_user else []), "mappings", *args)
    assert got[0] == code
    if code == 0:
        assert got[1] == out
    else:
        assert got[2].startswith("error: ")


def test_cli_list_json_and_remove(db, capsys):
    mp.add_mapping(db, SYSTEM, "本周走访数", "visits", "一队")
    code, out, _ = _cli(capsys, db.test_url, "mappings", "list", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert {k: row[k] for k in ("id", "team", "header", "field", "field_label", "scope")} == {
        "id": 1, "team": "一队", "header": "本周走访数", "field": "visits", "field_label": "Visits",
        "scope": "team 一队"}
    assert _cli(capsys, db.test_url, "mappings", "remove", 1)[:2] == (0, "Removed mapping 1: “本周走访数” → visits "
                                                                        "(team 一队)")
    assert _cli(capsys, db.test_url, "mappings", "list")[:2] == (0, "No column mapping saved yet.")
