"""The roster's optional 手机号 / Mobile column: read and normalised, a bad number a warning (the row is still
imported, without a number), stored in managers.mobile, and kept when a later roster has no such column."""
from __future__ import annotations

import pytest

from core import ingest
from core.scope import SYSTEM
from core.store import notify as store_notify
from core.store.logs import apply_roster
from tests.core.ingest.helpers import xlsx

HEAD = ["工号", "姓名", "团队", "条线", "职级"]


@pytest.mark.parametrize("header, cell, mobile, warning", [
    ("手机号", "138 0013 8001", "13800138001", None),
    ("Mobile", "+86-13800138001", "13800138001", None),
    ("手机号码", 13800138001, "13800138001", None),                 # a number cell
    ("手机号", "12345", None, "notify.bad_mobile"),
    ("手机号", "", None, None),                                     # blank: simply no number
])
def test_mobile_column_is_read_and_checked(header, cell, mobile, warning):
    res = ingest.parse_roster([("花名册.xlsx", xlsx({"花名册": [HEAD + [header], ["C1", "张伟", "对公一队", "对公", "客户经理",
                                                                          cell]]}))])
    assert len(res.rows) == 1 and res.rows.loc[0, "mobile"] == mobile
    assert [p.code for p in res.problems] == ([warning] if warning else [])
    if warning:
        assert res.problems[0].severity == "warning" and "12345" in res.problems[0].message("zh")


def test_roster_without_the_column_keeps_stored_numbers(engine):
    with_mobile = ingest.parse_roster([("a.xlsx", xlsx({"花名册": [HEAD + ["手机号"],
                                                                 ["C1", "张伟", "对公一队", "对公", "客户经理", "13800138001"]]}))])
    apply_roster(engine, SYSTEM, with_mobile.rows, "a.xlsx", "a" * 64)
    assert store_notify.mobiles(engine, SYSTEM) == {"C1": "13800138001"}
    without = ingest.parse_roster([("b.xlsx", xlsx({"花名册": [HEAD, ["C1", "张伟", "对公一队", "对公", "高级客户经理"]]}))])
    assert "mobile" not in without.rows.columns
    s = apply_roster(engine, SYSTEM, without.rows, "b.xlsx", "b" * 64)
    assert s.updated == 1                                          # the grade changed ...
    assert store_notify.mobiles(engine, SYSTEM) == {"C1": "13800138001"}   # ... the number stayed
