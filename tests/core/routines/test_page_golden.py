"""The three page models (晨会 morning_page, 周小结 weekly_page, 月总结 monthly_page) against golden JSON files.

The golden files under tests/core/routines/golden/ were written by the page models as they were *before* the
pages read SQL aggregates instead of raw rows (issue 12), so a faster read path must give the same figures:
every field of MorningModel / WeeklyModel / MonthlyModel, frames as records with floats rounded to 6 decimals
(compared to within one unit of that last decimal: a sum made exactly in PostgreSQL's NUMERIC and one made in
floats may round 0.9746875 to either side),
for a director, a team lead and a manager, in Chinese (several days, weeks, months) and in English (one each).
The fixture bank (tests/core/routines/golden_pages.py) is the demo bank plus last year's logs for 同比 and two
calendar overrides; it is built once per backend (SQLite and PostgreSQL) and both must match the same files.

Regenerate (only when a page is meant to show different figures, and say why in the commit):

    UPDATE_GOLDEN=1 TEST_PG=0 .venv/bin/python -m pytest -p no:cacheprovider -q tests/core/routines/test_page_golden.py
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core import store
from core.store import engine as store_engine
from tests.conftest import BACKENDS, PG_ADMIN_URL
from tests.core.routines import golden_pages as gp

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module", params=BACKENDS)
def bank_engine(request, tmp_path_factory):
    """The fixture bank in a fresh database, once per backend for the module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('golden') / 'golden.db'}"
        admin = name = None
    else:
        name = f"dash_golden_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    eng = store.get_engine(url)
    store.init_db(eng)
    gp.build(eng)
    yield request.param, eng
    eng.dispose()
    store.dispose_all()
    store_engine._ENGINES.pop(url, None)
    if admin is not None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _ids():
    return [gp.file_name(*c)[:-5] for c in gp.case_ids()]


@pytest.mark.parametrize("case", gp.case_ids(), ids=_ids())
def test_page_matches_golden(bank_engine, case):
    backend, eng = bank_engine
    got = gp.plain(gp.model_of(eng, *case))
    path = GOLDEN / gp.file_name(*case)
    if UPDATE and backend == "sqlite":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(got, ensure_ascii=False))   # tuples → lists, as read back
    assert got.keys() == want.keys()
    for key in want:
        diffs = gp.differences(got[key], want[key], key)
        assert not diffs, f"{path.name}: field {key!r} differs: " + "; ".join(diffs[:10])


def test_golden_cases_are_not_trivial(bank_engine):
    """The fixture exercises what the pages compute: rows for every scope, 同比 figures, the overrides."""
    _, eng = bank_engine
    month = gp.model_of(eng, "monthly", "director", 1, "zh")
    assert month.state == "ok" and len(month.progress) > 100
    yoy = month.yoy[month.yoy["level"] == "branch"]
    assert yoy["previous"].notna().all()                       # last year's October is there
    week = gp.model_of(eng, "weekly", "lead", 0, "zh")
    assert week.state == "ok" and set(week.heat["team"]) == {gp.LEAD_TEAM}
    me = gp.model_of(eng, "morning", "manager", 0, "zh")
    assert me.mine is not None and me.mine.employee_id == gp.MANAGER
    nov = gp.model_of(eng, "monthly", "director", 0, "zh")
    # November 2026: 30 days − 9 weekend days = 21 working days, − Monday the 9th (override) + Saturday the 14th = 21
    assert nov.workdays["total"] == 21 and dt_in(nov.workdays["days"], "2026-11-14")
    assert not dt_in(nov.workdays["days"], "2026-11-09")


def dt_in(days, iso: str) -> bool:
    return any(d.isoformat() == iso for d in days)
