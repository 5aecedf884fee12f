"""The Alembic migrations build exactly the tables core/store/tables.py declares, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core import store
from core.store.tables import metadata


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_init_db_is_idempotent(engine):
    store.init_db(engine)
    store.init_db(engine)
    assert store.current_revision(engine) == "0001"
