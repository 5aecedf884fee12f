"""The `bank` fixture: the small database bank of tests/core/coaching/db_bank.py, on SQLite and PostgreSQL."""
import pytest

from tests.core.coaching.db_bank import seed


@pytest.fixture
def bank(engine):
    return seed(engine)
