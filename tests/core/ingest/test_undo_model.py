"""Item 3 of issue 14: undo takes later imports into account — every order of import and undo over overlapping
rows, against a model (hypothesis stateful testing), on SQLite and PostgreSQL.

The model (see ``core.store.imports``): an import inserts, changes or *confirms* (imports unchanged) each of its
rows; undoing import A restores what A inserted or changed, and is refused — naming the latest such import —
while a later import that is not undone touched any of those rows, even when it only confirmed them.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete

from core.errors import AppError
from core.scope import SYSTEM
from core.store import logs as sl
from core.store import tables as t
from tests.core.ingest.fuzzing import PROFILE
from tests.core.ingest.helpers import ROSTER

KEYS = [(eid, dt.date(2026, 11, d)) for eid in ("1001", "1002") for d in (2, 3, 4)]


def rows_of(batch: dict) -> pd.DataFrame:
    return pd.DataFrame([{"employee_id": e, "date": d, "visits": float(v), "notes": f"n{v}"}
                         for (e, d), v in sorted(batch.items())])


def stored(engine) -> dict:
    df = sl.read_logs(engine, SYSTEM)
    return {(r.employee_id, r.date.date()): int(r.visits) for r in df.itertuples()}


@pytest.fixture
def seeded(engine):
    sl.apply_roster(engine, SYSTEM, ROSTER.assign(start_date=pd.Timestamp("2024-01-01"), mentor_id=None),
                    "roster.xlsx", "r" * 64)
    return engine


def test_the_issue_scenario(seeded):
    """Import A (two days), then B (the same two days unchanged and a new one), then undo A."""
    d2, d3, d4 = (dt.date(2026, 11, d) for d in (2, 3, 4))
    a = sl.apply_daily(seeded, SYSTEM, rows_of({("1001", d2): 5, ("1001", d3): 6}), "A.xlsx", "a" * 64)
    b = sl.apply_daily(seeded, SYSTEM, rows_of({("1001", d2): 5, ("1001", d3): 6, ("1001", d4): 7}), "B.xlsx",
                       "b" * 64)
    assert (b.inserted, b.updated, b.unchanged) == (1, 0, 2)
    with pytest.raises(AppError) as e:
        sl.undo_import(seeded, SYSTEM, a.import_id)
    assert e.value.key == "ingest.store.changed_later" and e.value.params["later"] == b.import_id
    assert f"undo import {b.import_id} first" in e.value.message("en")
    assert stored(seeded) == {("1001", d2): 5, ("1001", d3): 6, ("1001", d4): 7}     # nothing reverted
    # B's history still lists only what B changed: the new day
    assert len(sl.import_changes(seeded, SYSTEM, b.import_id)) == 1
    undone_b = sl.undo_import(seeded, SYSTEM, b.import_id)
    assert (undone_b.updated, undone_b.inserted) == (0, 1)    # the confirmations restore nothing
    assert stored(seeded) == {("1001", d2): 5, ("1001", d3): 6}
    sl.undo_import(seeded, SYSTEM, a.import_id)
    assert stored(seeded) == {}


class UndoModel(RuleBasedStateMachine):
    engine = None

    def __init__(self):
        super().__init__()
        with self.engine.begin() as c:
            for table in (t.import_changes, t.daily_logs):
                c.execute(delete(table))
            c.execute(delete(t.imports).where(t.imports.c.kind == "daily"))
        self.state: dict = {}
        self.batches: list[dict] = []      # id, real {key: before or None}, touched keys, live

    @rule(batch=st.dictionaries(st.sampled_from(KEYS), st.integers(1, 3), min_size=1, max_size=len(KEYS)))
    def import_batch(self, batch):
        s = sl.apply_daily(self.engine, SYSTEM, rows_of(batch), "f.xlsx", "f" * 64)
        real = {}
        for k, v in batch.items():
            old = self.state.get(k)
            if old != v:
                real[k] = old
            self.state[k] = v
        assert (s.inserted, s.updated, s.unchanged) == (
            sum(b is None for b in real.values()), sum(b is not None for b in real.values()), len(batch) - len(real))
        self.batches.append({"id": s.import_id, "real": real, "touched": set(batch), "live": True})

    @precondition(lambda self: self.batches)
    @rule(data=st.data())
    def undo(self, data):
        i = data.draw(st.integers(0, len(self.batches) - 1))
        b = self.batches[i]
        blockers = [later["id"] for later in self.batches[i + 1:]
                    if later["live"] and later["touched"] & set(b["real"])]
        if not b["live"] or blockers:
            with pytest.raises(AppError) as e:
                sl.undo_import(self.engine, SYSTEM, b["id"])
            if not b["live"]:
                assert e.value.key == "ingest.store.already_undone"
            else:
                assert e.value.key == "ingest.store.changed_later" and e.value.params["later"] == max(blockers)
            return
        s = sl.undo_import(self.engine, SYSTEM, b["id"])
        assert (s.inserted, s.updated) == (sum(v is None for v in b["real"].values()),
                                           sum(v is not None for v in b["real"].values()))
        for k, before in b["real"].items():
            if before is None:
                self.state.pop(k, None)
            else:
                self.state[k] = before
        b["live"] = False

    @invariant()
    def store_matches_model(self):
        assert stored(self.engine) == self.state


def test_every_order_of_import_and_undo_matches_the_model(seeded):
    machine = type("UndoModelOn", (UndoModel,), {"engine": seeded})
    run_state_machine_as_test(machine, settings=PROFILE)
