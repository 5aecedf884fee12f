"""The Alembic migrations build exactly the tables core/store/tables.py declares, on both databases."""
import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.migration import MigrationContext

from core import store
from sqlalchemy import insert, inspect, select

from core.store import tables as t
from core.store.engine import MIGRATIONS
from core.store.tables import metadata


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_init_db_is_idempotent(engine):
    store.init_db(engine)
    store.init_db(engine)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert store.current_revision(engine) == "+".join(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def _upgrade(engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.write_begin(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_amounts_become_exact_decimals_without_loss(fresh_engine):
    """A database at 0001 (floats) keeps every stored value through 0002 (NUMERIC(20, 6))."""
    _upgrade(fresh_engine, "0001")
    values = [0.1, 1234.56, 12345678.123456, 0.123456, -50.25, 0.0]   # 万元 / 元 / counts as people store them
    with store.write_begin(fresh_engine) as conn:
        conn.execute(insert(t.teams).values(name="对公一队", line="corporate"))
        conn.execute(insert(t.managers).values(employee_id="CM001", name="张伟", team="对公一队", line="corporate",
                                               grade="客户经理", active=True))
        for i, v in enumerate(values):
            conn.execute(insert(t.daily_logs).values(employee_id="CM001", date=dt.date(2026, 11, 2 + i),
                                                     deposits_new=v, fee_income=v, visits=3))
        conn.execute(insert(t.targets).values(month="2026-11", employee_id="CM001", metric="deposits_new",
                                              value=2958.1))
    _upgrade(fresh_engine, "heads")
    with fresh_engine.connect() as conn:
        got = conn.execute(select(t.daily_logs.c.deposits_new, t.daily_logs.c.fee_income)
                           .order_by(t.daily_logs.c.date)).all()
        target = conn.execute(select(t.targets.c.value)).scalar()
    assert [g[0] for g in got] == values and [g[1] for g in got] == values
    assert target == 2958.1
    if fresh_engine.dialect.name == "postgresql":
        cols = {c["name"]: c["type"] for c in inspect(fresh_engine).get_columns("daily_logs")}
        assert str(cols["deposits_new"]).startswith("NUMERIC(20, 6)")
