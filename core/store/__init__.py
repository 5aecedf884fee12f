"""The only package that speaks SQL: engine, migrations, scoped reads and all-or-nothing writes.

URL: the `url` argument, else the DATABASE_URL environment variable, else ``sqlite:///data/dashboard.db``.
Every read takes the caller's :class:`core.scope.Scope` and never returns rows outside it. The store stores and
returns rows and configuration text; it imports nothing from the domain (only ``core.scope``, ``core.errors``,
``core.schema`` for column names, and ``core.convert``).

Modules: ``engine`` (engines, migrations, write transactions, data version), ``tables`` (every table),
``logs`` (roster, daily logs, targets), ``imports`` (import records and undo), ``audit``, ``config`` (settings, calendar overrides),
``accounts``, ``coaching``, ``plans``.
"""
from core.store.engine import (DEFAULT_URL, current_revision, data_version, dispose_all, get_engine, init_db,
                               is_empty, is_postgres, resolve_url, write_begin)

__all__ = ["DEFAULT_URL", "current_revision", "data_version", "dispose_all", "get_engine", "init_db", "is_empty",
           "is_postgres", "resolve_url", "write_begin"]
