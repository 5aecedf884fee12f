"""Loading the demo bank through the normal write path, and reading the demo mark."""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
from sqlalchemy import Engine

from core import store
from core.demo.cast import DEFAULT_SEED, DEMO_SCOPE, SETTING_KEY, DemoBank, default_end
from core.demo.generate import generate
from core.errors import AppError
from core.store.config import get_setting, set_setting
from core.store.logs import apply_daily, apply_roster, apply_targets, undo_import


def _sha(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def load_demo(engine: Engine, end: dt.date | None = None, force: bool = False,
              seed: int = DEFAULT_SEED) -> DemoBank:
    """Store the demo bank (roster, targets, daily logs) as the user "demo" and mark the database demo data.

    Refused with :class:`core.errors.AppError` (``demo.not_empty``) when the database already has managers, unless `force` (then the demo rows are
    written over whatever is there, like any import). All or nothing: if a step fails, the steps already done are
    undone.
    """
    if not force and not store.is_empty(engine):
        raise AppError("demo.not_empty")
    bank = generate(end or default_end(), seed)
    done: list[int] = []
    try:
        for kind, apply, df in (("roster", apply_roster, bank.roster), ("targets", apply_targets, bank.targets),
                                ("daily", apply_daily, bank.logs)):
            s = apply(engine, DEMO_SCOPE, df, f"demo:{kind}", _sha(df))
            if s.import_id is not None:
                done.append(s.import_id)
        set_setting(engine, DEMO_SCOPE, SETTING_KEY, "true")
    except Exception:
        for import_id in reversed(done):
            try:
                undo_import(engine, DEMO_SCOPE, import_id)
            except Exception:  # pragma: no cover - best effort; the original error matters more
                pass
        raise
    return bank


def is_demo(engine: Engine) -> bool:
    """True when the database was loaded with the demo bank (setting ``demo_mode`` is true)."""
    value = get_setting(engine, SETTING_KEY)
    return value is not None and str(value).strip().lower() in ("true", "yes", "1", "on")
