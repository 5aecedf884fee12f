"""How an import's undo records (``import_changes``) encode keys and rows: shared by the row-by-row writers
(core.store.logs), the bulk load (core.store.bulk) and undo (core.store.imports)."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

CONFIRMED = "{}"     # before/after of a key an import found unchanged


def row_json(d: dict) -> str:
    """A before/after image as stored in ``import_changes``: sorted keys, dates as ISO strings."""
    return json.dumps({k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in d.items()},
                      ensure_ascii=False, sort_keys=True)


@lru_cache(maxsize=65536)
def json_value(v) -> str:
    """One key value as JSON text (cached: a year's import repeats the same few hundred ids and dates)."""
    if isinstance(v, (dt.date, dt.datetime)):
        v = v.isoformat()
    return json.dumps(v, ensure_ascii=False)


def key_json(key_cols: list[str], key: tuple) -> str:
    """The JSON row key stored for undo (sorted keys, dates as ISO strings); the same text as :func:`row_json`."""
    return "{" + ", ".join(f'"{k}": {json_value(v)}' for k, v in sorted(zip(key_cols, key))) + "}"
