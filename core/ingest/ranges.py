"""Hard ranges of the daily-log fields: beyond them a value is an error (located, nothing stored).

Every numeric field of :data:`core.schema.DAILY_FIELDS` has a ``hard_max`` far above any real day (new deposits
1,000,000 万元, fee income 100,000,000 元, visits 1,000 ...); a value whose magnitude exceeds it is refused. The
plausibility warnings (``max_plausible``) stay below it. A bank may change the hard ranges with the setting
``ingest_hard_ranges``, a YAML mapping ``field: maximum``, validated here with located errors::

    deposits_new: 2000000      # 万元 a day
    fee_income: 50000000       # 元 a day

A maximum must be a positive number no larger than :data:`STORE_MAX` (what the store's NUMERIC(20, 6) holds).
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine

from core.config_yaml import Checker, load
from core.errors import AppError
from core.schema import FIELDS_BY_NAME, METRICS
from core.scope import Scope
from core.store import config as store_config

log = logging.getLogger(__name__)

SETTING_KEY = "ingest_hard_ranges"
# NUMERIC(20, 6) keeps 14 digits before the point; stay well inside it.
STORE_MAX = 1e12

DEFAULT_RANGES: dict[str, float] = {m: float(FIELDS_BY_NAME[m].hard_max) for m in METRICS}


def parse_ranges(text: str) -> dict[str, float]:
    """The hard ranges of a settings text: the defaults with the text's overrides. Raises AppError
    ``ingest.ranges.invalid`` with every located problem (unknown field, not a positive number, too large)."""
    node = load(text, allow_empty=True)
    out = dict(DEFAULT_RANGES)
    if node.value is None:
        return out
    ck = Checker()
    items = ck.mapping(node, "", allowed=METRICS, key_message="ingest.ranges.unknown_field")
    for name, child in (items or {}).items():
        if name not in DEFAULT_RANGES:
            continue
        v = ck.number(child, name, lo=0, hi=STORE_MAX, lo_open=True)
        if v is not None:
            out[name] = float(v)
    ck.raise_if_any("ingest.ranges.invalid")
    return out


def hard_ranges(engine: Engine) -> dict[str, float]:
    """The ranges in force: the stored setting, or the defaults (a stored text that no longer validates is
    logged and the defaults apply)."""
    text = store_config.get_setting(engine, SETTING_KEY)
    if not text:
        return dict(DEFAULT_RANGES)
    try:
        return parse_ranges(text)
    except AppError as exc:
        log.error("stored %s is invalid, using the defaults: %s", SETTING_KEY, exc)
        return dict(DEFAULT_RANGES)


def save_ranges(engine: Engine, scope: Scope, text: str) -> dict[str, float]:
    """Validate and store the bank's hard ranges (director only); nothing stored when the text is invalid."""
    ranges = parse_ranges(text)
    store_config.set_setting(engine, scope, SETTING_KEY, text)
    return ranges
